"""hash() of str and bytes whose low bits vary as CPython's do.

Pyodide's CPython is built with the FNV string hash (sys.hash_info.algorithm == 'fnv': wasm32 counts as a platform
that needs aligned reads, and CPython then leaves SipHash out at compile time). FNV's low bits depend on little but the
last bytes: `hash(pickle.dumps(x)) % 4` puts 44% of the items in one bucket (every pickle ends with b'.'), and a demo
that splits train/test that way gets a skewed or empty test set. The algorithm can't be changed without rebuilding
Pyodide, so builtins.hash passes FNV's value of a str, bytes or memoryview through MurmurHash3's 32-bit finalizer,
which spreads every bit over every other. The finalizer is a bijection that keeps 0 at 0: equal values still hash
equally, hash('') == 0 as in CPython, and the per-run randomisation (PYTHONHASHSEED) carries through.

Dicts and sets keep using the type's own hash (str.__hash__), as they did; only hash() calls change.
"""
import builtins

__all__ = ["install", "mixed_hash"]

_MASK = 0xFFFFFFFF
_BUILTIN_HASH = builtins.hash
_MIXED_TYPES = (str, bytes, memoryview)
_OWN_HASHES = (str.__hash__, bytes.__hash__, memoryview.__hash__)


def _finalize(value):
    """MurmurHash3's fmix32 over the low 32 bits, back to a signed value that is never -1 (CPython's error value)."""
    h = value & _MASK
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _MASK
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _MASK
    h ^= h >> 16
    if h >= 0x80000000:
        h -= 0x100000000
    return -2 if h == -1 else h


def mixed_hash(obj, /):
    """Return the hash value for the given object.

    Two objects that compare equal must also have the same hash value, but the reverse is not necessarily true.
    """
    value = _BUILTIN_HASH(obj)
    if isinstance(obj, _MIXED_TYPES) and type(obj).__hash__ in _OWN_HASHES:
        return _finalize(value)
    return value


mixed_hash.__name__ = mixed_hash.__qualname__ = "hash"
mixed_hash.__module__ = "builtins"


def install():
    """Makes builtins.hash mix the string hashes (only where the interpreter uses FNV)."""
    import sys

    if sys.hash_info.algorithm == "fnv" and builtins.hash is _BUILTIN_HASH:
        builtins.hash = mixed_hash
