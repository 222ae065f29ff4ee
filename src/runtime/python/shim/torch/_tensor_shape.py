"""The shape and indexing methods of torch.Tensor: views, reshapes, joins and splits, indexing, sorting."""
import builtins
import numbers
import operator

from . import _tensor as _t
from ._engine import E, JsException, call, python_error
from ._tensor_ops import _bool, _dims_arg, _getitem, _handles, _reshape, _setitem, _split_sizes, _wrap, normalize_dims


def install(Tensor, Size, m):
    """Sets these methods on Tensor; `m(name)` is the decorator that sets one by name."""

    @m("reshape")
    def _reshape_m(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            shape = shape[0]
        try:
            return _wrap(_reshape(self._h, shape))
        except JsException as error:
            raise python_error(error) from None
        except TypeError:
            return _wrap(call(_reshape, self._h, [operator.index(d) for d in shape]))

    @m("view")
    def _view(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            if hasattr(shape[0], "is_floating_point"):
                if shape[0] is self.dtype:
                    return self
                raise _t.unsupported("Tensor.view(dtype)")
            shape = shape[0]
        try:
            return _wrap(_reshape(self._h, shape, None, True))
        except JsException as error:
            raise python_error(error) from None

    Tensor.view_as = lambda self, other: self.view(other.shape)
    Tensor.reshape_as = lambda self, other: self.reshape(other.shape)

    @m("flatten")
    def _flatten(self, start_dim=0, end_dim=-1):
        return _t.wrap(call(E.flatten, self._h, start_dim, end_dim))

    Tensor.ravel = lambda self: self.reshape(-1)

    @m("unflatten")
    def _unflatten(self, dim, sizes):
        shape = list(self.shape)
        dim = dim % len(shape)
        return self.reshape(shape[:dim] + list(sizes) + shape[dim + 1:])

    @m("permute")
    def _permute(self, *dims):
        return _t.wrap(call(E.permute, self._h, normalize_dims(dims)))

    @m("transpose")
    def _transpose(self, dim0, dim1):
        return _t.wrap(call(E.transpose, self._h, dim0, dim1))

    Tensor.swapaxes = Tensor.swapdims = Tensor.transpose

    @m("t")
    def _tt(self):
        if self.dim() > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.dim()}D")
        return _t.wrap(call(E.transpose, self._h, 0, -1, "TBackward0"))

    Tensor.T = property(lambda self: self.permute(*reversed(range(self.dim()))))
    Tensor.mT = property(lambda self: self.transpose(-2, -1))
    Tensor.H = Tensor.T
    Tensor.mH = Tensor.mT

    @m("squeeze")
    def _squeeze(self, dim=None):
        return _t.wrap(call(E.squeeze, self._h, None if dim is None else _dims_arg(dim)))

    @m("unsqueeze")
    def _unsqueeze(self, dim):
        return _t.wrap(call(E.unsqueeze, self._h, dim))

    @m("squeeze_")
    def _squeeze_(self, dim=None):
        return self._take_handle(self.squeeze(dim))

    @m("unsqueeze_")
    def _unsqueeze_(self, dim):
        return self._take_handle(self.unsqueeze(dim))

    @m("_take_handle")
    def _take_handle(self, other):
        """Makes this tensor object stand for `other` (shape-changing in-place ops); `other` gets the old handle."""
        self._h, other._h = other._h, self._h
        self._shape = None
        self._grad_cache = None
        return self

    @m("expand")
    def _expand(self, *sizes):
        return _t.wrap(call(E.expand, self._h, normalize_dims(sizes)))

    Tensor.expand_as = lambda self, other: self.expand(other.shape)
    Tensor.broadcast_to = lambda self, shape: self.expand(shape)

    @m("repeat")
    def _repeat(self, *sizes):
        return _t.wrap(call(E.repeat, self._h, normalize_dims(sizes)))

    @m("tile")
    def _tile(self, *dims):
        dims = normalize_dims(dims)
        if len(dims) < self.dim():
            dims = (1,) * (self.dim() - len(dims)) + tuple(dims)
        return self.repeat(dims)

    @m("repeat_interleave")
    def _repeat_interleave(self, repeats, dim=None):
        if not isinstance(repeats, numbers.Integral):
            raise _t.unsupported("repeat_interleave with a tensor of repeats")
        x = self.reshape(-1) if dim is None else self
        d = 0 if dim is None else dim % x.dim()
        shape = list(x.shape)
        expanded = x.unsqueeze(d + 1).expand(*shape[:d + 1], repeats, *shape[d + 1:])
        return expanded.reshape(*shape[:d], shape[d] * repeats, *shape[d + 1:])

    @m("chunk")
    def _chunk(self, chunks, dim=0):
        size = self.size(dim)
        step = -(-size // chunks) if size else 0
        if step == 0:
            return (self,) if chunks else ()
        return self.split(step, dim)

    @m("split")
    def _split(self, split_size, dim=0):
        sizes = _split_sizes(self.size(dim), split_size)
        name = "SplitBackward0" if isinstance(split_size, numbers.Integral) else "SplitWithSizesBackward0"
        return tuple(_handles(call(E.split, self._h, sizes, dim, False, name)))

    Tensor.split_with_sizes = lambda self, split_sizes, dim=0: self.split(list(split_sizes), dim)

    @m("tensor_split")
    def _tensor_split(self, indices_or_sections, dim=0):
        size = self.size(dim)
        if isinstance(indices_or_sections, numbers.Integral):
            n = indices_or_sections
            sizes = [size // n + (1 if i < size % n else 0) for i in range(n)]
        else:
            bounds = [0] + [builtins.min(builtins.max(operator.index(i), 0), size) for i in indices_or_sections] + [size]
            sizes = [builtins.max(0, b - a) for a, b in zip(bounds, bounds[1:])]
        return tuple(_handles(call(E.split, self._h, sizes, dim, False, "SplitWithSizesBackward0")))

    @m("narrow")
    def _narrow(self, dim, start, length):
        key = [slice(None)] * (dim % self.dim()) + [slice(start, start + length)]
        return self[tuple(key)]

    @m("unbind")
    def _unbind(self, dim=0):
        size = self.size(dim)
        return tuple(_handles(call(E.split, self._h, [1] * size, dim, True, "UnbindBackward0")))

    @m("select")
    def _select(self, dim, index):
        return self[(slice(None),) * (dim % self.dim()) + (index,)]

    @m("index_select")
    def _index_select(self, dim, index):
        return _t.wrap(call(E.index_select, self._h, dim, index._h))

    def _as_vectors(*tensors):
        # PyTorch's gather and scatter count 0-dim tensors as 1-D, so the Transforms lesson's one-hot encoding
        # `torch.zeros(10).scatter_(0, torch.tensor(y), value=1)` works; the callers reshape the result back.
        return [t.reshape(1) if isinstance(t, _t.Tensor) and t.dim() == 0 else t for t in tensors]

    @m("gather")
    def _gather(self, dim, index):
        if self.dim() <= 1 and index.dim() == 0:
            vector, index_vector = _as_vectors(self, index)
            return vector.gather(dim, index_vector).reshape(())
        return _t.wrap(call(E.gather, self._h, dim, index._h))

    Tensor.take_along_dim = lambda self, indices, dim: self.gather(dim, indices)

    @m("scatter")
    def _scatter(self, dim, index, src=None, value=None, *, reduce=None):
        if src is None:
            src = value
        if not isinstance(src, _t.Tensor):
            from . import full

            src = full(tuple(index.shape), src, dtype=self.dtype)
        if reduce not in (None, "add"):
            raise _t.unsupported(f"scatter(reduce='{reduce}')")
        if self.dim() <= 1 and 0 in (self.dim(), index.dim(), src.dim()):
            vector, index, src = _as_vectors(self, index, src)
            return vector.scatter(dim, index, src, reduce=reduce).reshape(self.shape)
        return _t.wrap(call(E.scatter, self._h, dim, index._h, src._h, reduce == "add"))

    @m("scatter_")
    def _scatter_(self, dim, index, src=None, value=None, *, reduce=None):
        return self.copy_(self.scatter(dim, index, src, value, reduce=reduce))

    @m("scatter_add")
    def _scatter_add(self, dim, index, src):
        return self.scatter(dim, index, src, reduce="add")

    @m("scatter_add_")
    def _scatter_add_(self, dim, index, src):
        return self.copy_(self.scatter_add(dim, index, src))

    @m("index_add")
    def _index_add(self, dim, index, source, *, alpha=1):
        dim = dim % self.dim()
        shape = [1] * self.dim()
        shape[dim] = -1
        expanded = index.reshape(shape).expand(source.shape)
        return self.scatter_add(dim, expanded, source * alpha if alpha != 1 else source)

    @m("index_add_")
    def _index_add_(self, dim, index, source, *, alpha=1):
        return self.copy_(self.index_add(dim, index, source, alpha=alpha))

    @m("index_fill")
    def _index_fill(self, dim, index, value):
        out = self.clone()
        out[(slice(None),) * (dim % self.dim()) + (index,)] = value
        return out

    @m("index_fill_")
    def _index_fill_(self, dim, index, value):
        self[(slice(None),) * (dim % self.dim()) + (index,)] = value
        return self

    @m("flip")
    def _flip(self, *dims):
        return _t.wrap(call(E.flip, self._h, normalize_dims(dims)))

    Tensor.fliplr = lambda self: self.flip(1)
    Tensor.flipud = lambda self: self.flip(0)

    @m("roll")
    def _roll(self, shifts, dims=None):
        shifts = _dims_arg(shifts)
        return _t.wrap(call(E.roll, self._h, shifts, _dims_arg(dims)))

    @m("tril")
    def _tril(self, diagonal=0):
        return _t.wrap(call(E.tril, self._h, diagonal))

    @m("triu")
    def _triu(self, diagonal=0):
        return _t.wrap(call(E.triu, self._h, diagonal))

    Tensor.tril_ = lambda self, diagonal=0: self.copy_(self.tril(diagonal))
    Tensor.triu_ = lambda self, diagonal=0: self.copy_(self.triu(diagonal))

    @m("diagonal")
    def _diagonal(self, offset=0, dim1=0, dim2=1):
        return _t.wrap(call(E.diagonal, self._h, offset, dim1, dim2))

    @m("trace")
    def _trace(self):
        return self.diagonal().sum()

    @m("softmax")
    def _softmax(self, dim, dtype=None):
        x = self if dtype is None else self.to(dtype)
        if not x.dtype.is_floating_point:
            raise RuntimeError('"softmax_lastdim_kernel_impl" not implemented for \'Long\'')
        return _t.wrap(call(E.softmax, x._h, dim))

    @m("log_softmax")
    def _log_softmax(self, dim, dtype=None):
        x = self if dtype is None else self.to(dtype)
        if not x.dtype.is_floating_point:
            raise RuntimeError('"log_softmax_lastdim_kernel_impl" not implemented for \'Long\'')
        return _t.wrap(call(E.log_softmax, x._h, dim))

    @m("topk")
    def _topk(self, k, dim=-1, largest=True, sorted=True):
        from .return_types import _make

        values, indices = call(E.topk, self._h, k, dim, _bool(largest)).to_py()
        return _make("topk", _wrap(values), _wrap(indices))

    @m("sort")
    def _sort(self, dim=-1, descending=False, stable=False):
        from .return_types import _make

        values, indices = call(E.sort, self._h, dim, _bool(descending)).to_py()
        return _make("sort", _wrap(values), _wrap(indices))

    @m("argsort")
    def _argsort(self, dim=-1, descending=False, stable=False):
        return self.sort(dim, descending).indices

    @m("msort")
    def _msort(self):
        return self.sort(0).values

    @m("unique")
    def _unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        if dim is not None:
            raise _t.unsupported("unique(dim=...)")
        values, inverse, counts = (_wrap(h) for h in call(E.unique, self._h).to_py())
        if return_inverse and return_counts:
            return values, inverse, counts
        if return_inverse:
            return values, inverse
        if return_counts:
            return values, counts
        return values

    @m("nonzero")
    def _nonzero(self, *, as_tuple=False):
        coords = _t.wrap(call(E.nonzero, self._h))
        if as_tuple:
            return coords.unbind(1) if self.dim() else (coords.reshape(-1),)
        return coords

    Tensor.argwhere = lambda self: self.nonzero()

    Tensor.__getitem__ = _getitem
    Tensor.__setitem__ = _setitem
