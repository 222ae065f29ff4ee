"""The reduction methods of torch.Tensor: sum, mean, max/min, arg max/min, var/std, norms, cumulative ops, median."""
import builtins
import math
import operator

from . import _tensor as _t
from ._engine import E, call
from ._tensor_ops import _bool, _dims_arg, _renamed, _root, _wrap, binary, reduce

# Reductions that take numpy's argument names too (`axis`, `keepdims`), as PyTorch's do.
_NUMPY_NAMED = ("sum", "nansum", "mean", "nanmean", "prod", "any", "all", "max", "min", "amax", "amin", "argmax",
                "argmin", "std", "var", "logsumexp", "median")


def _numpy_names(method, name):
    """`method` also taking `axis` for `dim` and `keepdims` for `keepdim`; both spellings at once is PyTorch's error."""

    def reduction(self, *args, **kwargs):
        if "axis" in kwargs or "keepdims" in kwargs:
            for numpy_name, torch_name in (("axis", "dim"), ("keepdims", "keepdim")):
                if numpy_name in kwargs:
                    if torch_name in kwargs:
                        raise TypeError(f"{name}() received an invalid combination of arguments - got both "
                                        f"{torch_name}= and {numpy_name}=")
                    kwargs[torch_name] = kwargs.pop(numpy_name)
        return method(self, *args, **kwargs)

    reduction.__name__ = reduction.__qualname__ = name
    reduction.__doc__ = method.__doc__
    return reduction


def install(Tensor, Size, m):
    """Sets these methods on Tensor; `m(name)` is the decorator that sets one by name."""

    @m("sum")
    def _sum(self, dim=None, keepdim=False, dtype=None):
        return reduce("sum", self, dim, keepdim, dtype=dtype)

    @m("nansum")
    def _nansum(self, dim=None, keepdim=False, dtype=None):
        return reduce("nansum", self, dim, keepdim)

    @m("mean")
    def _mean(self, dim=None, keepdim=False, dtype=None):
        return reduce("mean", self, dim, keepdim, dtype=dtype)

    @m("nanmean")
    def _nanmean(self, dim=None, keepdim=False):
        keep = ~self.isnan()
        return self.nansum(dim, keepdim) / keep.sum(dim, keepdim)

    @m("prod")
    def _prod(self, dim=None, keepdim=False, dtype=None):
        return reduce("prod", self, dim, keepdim, dtype=dtype)

    @m("any")
    def _any(self, dim=None, keepdim=False):
        return reduce("any", self, dim, keepdim)

    @m("all")
    def _all(self, dim=None, keepdim=False):
        return reduce("all", self, dim, keepdim)

    @m("logsumexp")
    def _logsumexp(self, dim, keepdim=False):
        return reduce("logsumexp", self, dim, keepdim)

    @m("amax")
    def _amax(self, dim=(), keepdim=False):
        return reduce("amax", self, dim if dim != () else None, keepdim)

    @m("amin")
    def _amin(self, dim=(), keepdim=False):
        return reduce("amin", self, dim if dim != () else None, keepdim)

    def extreme(which):
        def f(self, dim=None, keepdim=False, *, out=None):
            if isinstance(dim, _t.Tensor):
                return binary("maximum" if which == "max" else "minimum", self, dim)
            if dim is None:
                return reduce(which + "_all", self)
            values, indices = call(E.extreme_dim, which, self._h, operator.index(dim), _bool(keepdim)).to_py()
            from .return_types import _make

            return _make(which, _wrap(values), _wrap(indices))
        f.__name__ = which
        return f

    Tensor.max = extreme("max")
    Tensor.min = extreme("min")

    @m("aminmax")
    def _aminmax(self, *, dim=None, keepdim=False):
        from .return_types import _make

        return _make("aminmax", self.amin(dim if dim is not None else ()), self.amax(dim if dim is not None else ()), names=("min", "max"))

    @m("argmax")
    def _argmax(self, dim=None, keepdim=False):
        return _t.wrap(call(E.arg_reduce, "argmax", self._h, dim, _bool(keepdim)))

    @m("argmin")
    def _argmin(self, dim=None, keepdim=False):
        return _t.wrap(call(E.arg_reduce, "argmin", self._h, dim, _bool(keepdim)))

    def _correction(unbiased, correction):
        if correction is not None:
            return correction
        if isinstance(unbiased, builtins.bool):
            return 1 if unbiased else 0
        return 1

    @m("var")
    def _var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if isinstance(dim, builtins.bool):  # var(unbiased)
            dim, unbiased = None, dim
        return _t.wrap(call(E.variance, self._h, _dims_arg(dim), _correction(unbiased, correction), _bool(keepdim), False))

    @m("std")
    def _std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if isinstance(dim, builtins.bool):
            dim, unbiased = None, dim
        return _t.wrap(call(E.variance, self._h, _dims_arg(dim), _correction(unbiased, correction), _bool(keepdim), True))

    @m("norm")
    def _norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        if p in ("fro", 2, 2.0, None):
            return _renamed(_root((self * self).sum(dim, keepdim), 2), "NormBackward1", self)
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p == math.inf:
            return self.abs().amax(dim if dim is not None else (), keepdim)
        if p == -math.inf:
            return self.abs().amin(dim if dim is not None else (), keepdim)
        if p == 0:
            return (self != 0).to(self.dtype).sum(dim, keepdim)
        return _root((self.abs() ** p).sum(dim, keepdim), p)

    @m("dist")
    def _dist(self, other, p=2):
        return (self - other).norm(p)

    @m("count_nonzero")
    def _count_nonzero(self, dim=None):
        return (self != 0).sum(dim)

    @m("cumsum")
    def _cumsum(self, dim, dtype=None):
        out = _t.wrap(call(E.cumsum, self._h, operator.index(dim)))
        return out if dtype is None else out.to(dtype)

    @m("cumprod")
    def _cumprod(self, dim, dtype=None):
        out = _t.wrap(call(E.cumprod, self._h, operator.index(dim)))
        return out if dtype is None else out.to(dtype)

    @m("cumsum_")
    def _cumsum_(self, dim):
        return self.copy_(self.cumsum(dim))

    @m("median")
    def _median(self, dim=None, keepdim=False):
        if dim is None:
            flat = self.reshape(-1)
            return flat.sort().values[(flat.numel() - 1) // 2]
        values, indices = self.sort(dim)
        n = self.shape[dim]
        from .return_types import _make

        picked_values = values.narrow(dim, (n - 1) // 2, 1)
        picked_indices = indices.narrow(dim, (n - 1) // 2, 1)
        if not keepdim:
            picked_values, picked_indices = picked_values.squeeze(dim), picked_indices.squeeze(dim)
        return _make("median", picked_values, picked_indices)

    for name in _NUMPY_NAMED:
        setattr(Tensor, name, _numpy_names(getattr(Tensor, name), name))
