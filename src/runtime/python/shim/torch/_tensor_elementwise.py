"""The elementwise methods of torch.Tensor: operators, binary and unary math, comparisons, clamp, where, masked_fill."""
import math

from . import _tensor as _t
from ._dtype import bool_, float32, int64, promote_types
from ._engine import E, JsException, call, python_error
from ._tensor_ops import _binary as _binary_call, _binary_inplace, _bool, _float, _number, _renamed, _unary, _unary_, _wrap, binary, unary

_BINARY_DUNDERS = {
    "add": "add", "sub": "sub", "mul": "mul", "div": "truediv", "pow": "pow", "remainder": "mod",
    "floor_divide": "floordiv", "bitwise_and": "and", "bitwise_or": "or", "bitwise_xor": "xor",
}
_COMPARISONS = {"eq": "eq", "ne": "ne", "lt": "lt", "le": "le", "gt": "gt", "ge": "ge"}

_UNARY_METHODS = (
    "neg", "abs", "relu", "floor", "ceil", "round", "trunc", "frac", "sign", "square", "exp", "exp2", "log", "log2",
    "log10", "log1p", "expm1", "sqrt", "rsqrt", "reciprocal", "sigmoid", "logit", "tanh", "sin", "cos", "tan", "asin",
    "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "erf", "isnan", "isinf", "isfinite", "logical_not",
    "signbit", "positive",
)
_UNARY_INPLACE = (
    "neg", "abs", "relu", "floor", "ceil", "round", "trunc", "frac", "sign", "square", "exp", "log", "log2", "log10",
    "log1p", "expm1", "sqrt", "rsqrt", "reciprocal", "sigmoid", "tanh", "sin", "cos", "tan", "erf",
)


def install(Tensor, Size, m):
    """Sets these methods on Tensor; `m(name)` is the decorator that sets one by name."""

    def make_binary(op):
        def forward(self, other):
            # tensor OP tensor inlined: the commonest call of all, one Python frame less per op.
            if isinstance(other, Tensor):
                try:
                    return _wrap(_binary_call(op, self._h, other._h))
                except JsException as error:
                    raise python_error(error) from None
            return binary(op, self, other)

        def backward(self, other):
            return binary(op, self, other, reversed_=True)

        def inplace(self, other):
            return _binary_inplace(op, self, other)

        return forward, backward, inplace

    for op, dunder in _BINARY_DUNDERS.items():
        forward, backward, inplace = make_binary(op)
        setattr(Tensor, f"__{dunder}__", forward)
        setattr(Tensor, f"__r{dunder}__", backward)
        setattr(Tensor, f"__i{dunder}__", inplace)
    for op, dunder in _COMPARISONS.items():
        forward, _, inplace = make_binary(op)
        setattr(Tensor, f"__{dunder}__", forward)
        setattr(Tensor, op, forward)
        setattr(Tensor, op + "_", inplace)

    def alpha_op(op):
        def f(self, other, *, alpha=1, out=None):
            if alpha != 1:
                other = other * alpha
            return binary(op, self, other)

        def f_(self, other, *, alpha=1):
            if alpha != 1:
                other = other * alpha
            return _binary_inplace(op, self, other)
        return f, f_

    Tensor.add, Tensor.add_ = alpha_op("add")
    Tensor.sub, Tensor.sub_ = alpha_op("sub")
    Tensor.subtract, Tensor.subtract_ = Tensor.sub, Tensor.sub_

    @m("rsub")
    def _rsub(self, other, alpha=1):
        return binary("sub", self * alpha if alpha != 1 else self, other, reversed_=True)

    for op in ("mul", "pow", "remainder", "fmod", "floor_divide", "maximum", "minimum", "atan2", "logical_and",
               "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor"):
        forward, _, inplace = make_binary(op)
        setattr(Tensor, op, forward)
        if op not in ("maximum", "minimum"):
            setattr(Tensor, op + "_", inplace)
    Tensor.multiply, Tensor.multiply_ = Tensor.mul, Tensor.mul_
    Tensor.greater, Tensor.less, Tensor.greater_equal, Tensor.less_equal = Tensor.gt, Tensor.lt, Tensor.ge, Tensor.le
    Tensor.not_equal = Tensor.ne
    Tensor.arctan2 = Tensor.atan2

    @m("div")
    def _div(self, other, *, rounding_mode=None):
        if rounding_mode is None:
            return binary("div", self, other)
        if rounding_mode == "floor":
            return binary("floor_divide", self, other)
        if rounding_mode == "trunc":
            q = binary("div", self, other)
            result_float = self.dtype.is_floating_point or (isinstance(other, _t.Tensor) and other.dtype.is_floating_point) or isinstance(other, _float)
            return q.trunc() if result_float else q.trunc().to(promote_types(self.dtype, other.dtype if isinstance(other, _t.Tensor) else int64))
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")

    @m("div_")
    def _div_(self, other, *, rounding_mode=None):
        if rounding_mode is None:
            return _binary_inplace("div", self, other)
        return self.copy_(self.div(other, rounding_mode=rounding_mode))

    Tensor.divide, Tensor.divide_ = Tensor.div, Tensor.div_
    Tensor.true_divide = lambda self, other: binary("div", self, other)
    Tensor.true_divide_ = lambda self, other: _binary_inplace("div", self, other)

    @m("float_power")
    def _float_power(self, exponent):
        return binary("pow", self.double(), exponent)

    @m("equal")
    def _equal(self, other):
        return tuple(self.shape) == tuple(other.shape) and _bool((self == other).all().item())

    @m("__neg__")
    def _neg(self):
        return unary("neg", self)

    Tensor.negative = Tensor.__neg__

    @m("__pos__")
    def _pos(self):
        return self

    @m("__abs__")
    def _abs(self):
        return unary("abs", self)

    Tensor.absolute = Tensor.__abs__

    @m("__invert__")
    def _invert(self):
        if self.dtype is bool_:
            return unary("logical_not", self)
        if self.dtype.is_floating_point:
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
        return -self - 1

    Tensor.bitwise_not = Tensor.__invert__

    @m("__matmul__")
    def _matmul_op(self, other):
        if not isinstance(other, _t.Tensor):
            return NotImplemented
        return self.matmul(other)

    @m("__rmatmul__")
    def _rmatmul(self, other):
        if not isinstance(other, _t.Tensor):
            return NotImplemented
        return other.matmul(self)

    # ---- elementwise unary ----------------------------------------------------------------------------------
    def make_unary(op):
        def f(self):
            try:
                return _wrap(_unary(op, self._h))
            except JsException as error:
                raise python_error(error) from None

        def f_(self):
            try:
                _unary_(op, self._h)
            except JsException as error:
                raise python_error(error) from None
            return self
        return f, f_

    for op in _UNARY_METHODS:
        f, f_ = make_unary(op)
        setattr(Tensor, op, f)
        if op in _UNARY_INPLACE:
            setattr(Tensor, op + "_", f_)
    Tensor.fix, Tensor.fix_ = Tensor.trunc, Tensor.trunc_
    Tensor.arcsin, Tensor.arccos, Tensor.arctan = Tensor.asin, Tensor.acos, Tensor.atan
    Tensor.sgn = Tensor.sign

    @m("clamp")
    def _clamp(self, min=None, max=None):
        if isinstance(min, _t.Tensor) or isinstance(max, _t.Tensor):
            out = self
            if min is not None:
                out = out.maximum(min if isinstance(min, _t.Tensor) else _t.as_tensor_like(min).to(self.dtype))
            if max is not None:
                out = out.minimum(max if isinstance(max, _t.Tensor) else _t.as_tensor_like(max).to(self.dtype))
            return out
        return _t.wrap(call(E.clamp, self._h, _number(min), _number(max), type(min) is _float, type(max) is _float, None))

    @m("clamp_")
    def _clamp_(self, min=None, max=None):
        if isinstance(min, _t.Tensor) or isinstance(max, _t.Tensor):
            return self.copy_(self.clamp(min, max))
        call(E.clamp_, self._h, _number(min), _number(max), type(min) is _float, type(max) is _float)
        return self

    Tensor.clip, Tensor.clip_ = Tensor.clamp, Tensor.clamp_
    @m("clamp_min")
    def _clamp_min(self, min):
        if isinstance(min, _t.Tensor):
            return self.clamp(min=min)
        return _t.wrap(call(E.clamp, self._h, _number(min), None, type(min) is _float, False, "ClampMinBackward0"))

    @m("clamp_max")
    def _clamp_max(self, max):
        if isinstance(max, _t.Tensor):
            return self.clamp(max=max)
        return _t.wrap(call(E.clamp, self._h, None, _number(max), False, type(max) is _float, "ClampMaxBackward0"))

    Tensor.clamp_min_ = lambda self, min: self.clamp_(min=min)
    Tensor.clamp_max_ = lambda self, max: self.clamp_(max=max)

    @m("where")
    def _where(self, condition, other):
        from . import where

        return where(condition, self, other)

    @m("masked_fill")
    def _masked_fill(self, mask, value):
        if isinstance(value, _t.Tensor):
            if value.dim() != 0:
                raise RuntimeError(
                    f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {value.dim()} dimension(s).")
            from . import where

            return where(mask, value.to(self.dtype), self)
        return _t.wrap(call(E.masked_fill, self._h, mask._h, _number(value)))

    @m("masked_fill_")
    def _masked_fill_(self, mask, value):
        if isinstance(value, _t.Tensor):
            value = value.item()
        call(E.masked_fill_, self._h, mask._h, _number(value))
        return self

    @m("masked_select")
    def _masked_select(self, mask):
        from . import broadcast_tensors

        x, mask = broadcast_tensors(self, mask)
        return x[mask]

    @m("lerp")
    def _lerp(self, end, weight):
        shown = (self, end, weight) if isinstance(weight, Tensor) else (self, end)
        return _renamed(self + (end - self) * weight, "LerpBackward0", *shown)

    @m("lerp_")
    def _lerp_(self, end, weight):
        return self.copy_(self + (end - self) * weight)

    @m("addcmul")
    def _addcmul(self, t1, t2, *, value=1):
        return self + t1 * t2 * value if value != 1 else self + t1 * t2

    @m("addcdiv")
    def _addcdiv(self, t1, t2, *, value=1):
        return self + t1 / t2 * value if value != 1 else self + t1 / t2

    @m("addcmul_")
    def _addcmul_(self, t1, t2, *, value=1):
        return self.add_(t1 * t2 * value if value != 1 else t1 * t2)

    @m("addcdiv_")
    def _addcdiv_(self, t1, t2, *, value=1):
        return self.add_(t1 / t2 * value if value != 1 else t1 / t2)

    @m("hypot")
    def _hypot(self, other):
        return (self * self + other * other).sqrt()

    @m("xlogy")
    def _xlogy(self, other):
        from . import where

        return where(self == 0, self.new_zeros(()).to(float32), self * (other.log() if isinstance(other, _t.Tensor) else math.log(other)))

    @m("isclose")
    def _isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        from . import isclose

        return isclose(self, other, rtol, atol, equal_nan)

    @m("allclose")
    def _allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        from . import allclose

        return allclose(self, other, rtol, atol, equal_nan)
