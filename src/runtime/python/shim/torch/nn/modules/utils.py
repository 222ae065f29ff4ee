"""Argument helpers of the layers: _single, _pair, _triple turn an int into a tuple of ints (tuples pass through)."""
import collections.abc
from itertools import repeat

__all__ = ["_single", "_pair", "_triple", "_ntuple"]


def _ntuple(n, name="parse"):
    def parse(value):
        if isinstance(value, collections.abc.Iterable) and not isinstance(value, str):
            return tuple(value)
        return tuple(repeat(value, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")
