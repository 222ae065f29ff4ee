"""torch.Tensor's Python protocol: repr and format, hashing, iteration and `in`, copying and pickling."""
import builtins
import numbers


def install(Tensor, Size, m):
    """Sets these methods on Tensor; `m(name)` is the decorator that sets one by name."""

    @m("__repr__")
    def _repr_dunder(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr

        return tensor_repr(self, tensor_contents=tensor_contents)

    @m("__str__")
    def _str_dunder(self):
        return self.__repr__()

    @m("__format__")
    def _format_dunder(self, spec):
        if self.dim() == 0 and type(self) is Tensor:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    @m("__hash__")
    def _hash_dunder(self):
        return id(self)

    @m("__iter__")
    def _iter_dunder(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    @m("__reversed__")
    def _reversed_dunder(self):
        return self.flip(0) if self.dim() else self

    @m("__contains__")
    def _contains_dunder(self, element):
        if isinstance(element, (Tensor, numbers.Number)):
            return builtins.bool((self == element).any().item())
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}.")

    @m("__reduce_ex__")
    def _reduce_ex_dunder(self, protocol):
        from .serialization import tensor_reduce

        return tensor_reduce(self)

    @m("__deepcopy__")
    def _deepcopy_dunder(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        copy = self.detach().clone()
        if self.requires_grad:
            copy.requires_grad_(True)
        memo[id(self)] = copy
        return copy

    @m("__copy__")
    def _copy_dunder(self):
        return self.detach()

    @m("__setstate__")
    def _setstate_dunder(self, state):
        pass
