"""torch.return_types: the named (values, indices) tuples that max, min, sort, topk, median... return.

Each op has its own type, named after it, printing as PyTorch prints it:
    torch.return_types.max(
    values=tensor([5., 3.]),
    indices=tensor([1, 0]))
"""
import collections

__all__ = ["max", "min", "sort", "topk", "median", "kthvalue", "mode", "aminmax", "ValuesIndices"]


def _named(op, fields=("values", "indices")):
    base = collections.namedtuple(op, fields)

    def __repr__(self):
        body = ",\n".join(f"{field}={value!r}" for field, value in zip(self._fields, self))
        return f"torch.return_types.{op}(\n{body})"

    cls = type(op, (base,), {"__slots__": (), "__repr__": __repr__, "__module__": "torch.return_types"})
    cls.__qualname__ = op
    return cls


max = _named("max")
min = _named("min")
sort = _named("sort")
topk = _named("topk")
median = _named("median")
kthvalue = _named("kthvalue")
mode = _named("mode")
aminmax = _named("aminmax", ("min", "max"))
# The type older shim code used for every (values, indices) pair.
ValuesIndices = max

_BY_OP = {"max": max, "min": min, "sort": sort, "topk": topk, "median": median, "kthvalue": kthvalue, "mode": mode,
          "aminmax": aminmax}


def _make(op, first, second, names=None):
    return _BY_OP[op](first, second)
