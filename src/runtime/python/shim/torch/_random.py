"""torch's random functions and torch.Generator, drawing as PyTorch's CPU generator does.

The engine keeps the generators (MT19937, seeded as PyTorch seeds them) and PyTorch's sampling algorithms, so
`torch.manual_seed(s)` followed by rand/randn/normal/randint/randperm/multinomial/bernoulli gives PyTorch's numbers.
`torch.Generator()` is a stream of its own: drawing from it or seeding it leaves the default generator alone.
"""
import builtins as _builtins
import math as _math
import numbers as _numbers
import operator as _operator
import os as _os

from ._engine import E as _E, call as _call
from ._dtype import float32, int64, bool_
from ._tensor import Tensor, wrap as _wrap, unsupported as _unsupported
from ._creation import _finish

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
           "bernoulli", "normal", "multinomial"]

# PyTorch's default CPU generator (and every new torch.Generator) starts from this seed, so unseeded scripts repeat.
_DEFAULT_SEED = 67280421310721
_DEFAULT_ID = 0
_UINT64 = 0xFFFFFFFFFFFFFFFF


def _engine_seed(seed):
    """The part of a seed MT19937 uses: its low 32 bits."""
    return seed & 0xFFFFFFFF


class Generator:
    """A random stream of its own, as torch.Generator: seeding or drawing from it leaves the default one alone."""

    def __init__(self, device="cpu"):
        self.device = device
        self._initial_seed = _DEFAULT_SEED
        self._id = _E.generator_new(_engine_seed(_DEFAULT_SEED))

    def manual_seed(self, seed):
        seed = _operator.index(seed)
        if seed < -(1 << 63) or seed > _UINT64:
            raise RuntimeError("Overflow when unpacking long")
        self._initial_seed = seed & _UINT64
        _E.generator_seed(self._id, _engine_seed(self._initial_seed))
        return self

    def seed(self):
        """Seeds from the operating system's randomness, as Generator.seed() does, and returns the seed."""
        new_seed = _builtins.int.from_bytes(_os.urandom(8), "little") & ((1 << 63) - 1)
        self.manual_seed(new_seed)
        return new_seed

    def initial_seed(self):
        return self._initial_seed

    def get_state(self):
        raise _unsupported("torch.Generator.get_state()")

    def set_state(self, state):
        raise _unsupported("torch.Generator.set_state()")

    def __del__(self):
        if self._id != _DEFAULT_ID:
            try:
                _E.generator_free(self._id)
            except Exception:  # the engine may be gone at interpreter exit
                pass


def _default():
    g = Generator.__new__(Generator)
    g.device = "cpu"
    g._initial_seed = _DEFAULT_SEED
    g._id = _DEFAULT_ID
    return g


default_generator = _default()


def manual_seed(seed):
    """Seeds the default generator; returns it, as torch.manual_seed does."""
    seed = _operator.index(seed)
    default_generator._initial_seed = seed & _UINT64
    _E.manual_seed(_engine_seed(default_generator._initial_seed))
    return default_generator


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    raise _unsupported("torch.get_rng_state()")


def set_rng_state(state):
    raise _unsupported("torch.set_rng_state()")


manual_seed(_DEFAULT_SEED)


class _DrawingFrom:
    """Sends the engine's draws to one generator for the duration of a `with` block, then back."""

    __slots__ = ("_id", "_previous")

    def __init__(self, generator_id):
        self._id = generator_id

    def __enter__(self):
        self._previous = _E.generator_select(self._id)

    def __exit__(self, *exc):
        _E.generator_select(self._previous)
        return False


class _NoSwitch:
    __slots__ = ()

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        return False


_NO_SWITCH = _NoSwitch()


def drawing_from(generator):
    """A context in which the engine draws from `generator` (None: the default generator)."""
    if generator is None:
        return _NO_SWITCH
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a torch.Generator, but got {type(generator).__name__}")
    return _NO_SWITCH if generator._id == _DEFAULT_ID else _DrawingFrom(generator._id)


def random_int64(generator=None):
    """`torch.empty((), dtype=torch.int64).random_(generator=g).item()`: a 64-bit draw modulo 2^63."""
    with drawing_from(generator):
        high = _E.random_u32()
        low = _E.random_u32()
    return ((_builtins.int(high) << 32) | _builtins.int(low)) & ((1 << 63) - 1)


def _size_args(size):
    """Sizes given as rand(2, 3), rand((2, 3)), rand([2, 3]) or rand(torch.Size(...))."""
    if len(size) == 1 and not isinstance(size[0], _numbers.Integral):
        size = tuple(size[0])
    return tuple(_operator.index(s) for s in size)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None, layout=None,
         pin_memory=False):
    with drawing_from(generator):
        t = _wrap(_call(_E.rand, _size_args(size), (dtype or float32)._name))
    return t.requires_grad_(True) if requires_grad else t


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          pin_memory=False):
    with drawing_from(generator):
        t = _wrap(_call(_E.randn, _size_args(size), (dtype or float32)._name))
    return t.requires_grad_(True) if requires_grad else t


def randint(low=0, high=None, size=None, generator=None, dtype=None, device=None, requires_grad=False, out=None,
            layout=None):
    if size is None:
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint() missing 1 required positional arguments: \"size\"")
    if high is None:
        low, high = 0, low
    shape = (size,) if isinstance(size, _numbers.Integral) else tuple(size)
    with drawing_from(generator):
        t = _wrap(_call(_E.randint, low, high, shape, (dtype or int64)._name))
    return _finish(t, None, requires_grad)


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False, out=None, layout=None,
             pin_memory=False):
    n = _operator.index(n)
    with drawing_from(generator):
        return _wrap(_call(_E.randperm, n, (dtype or int64)._name))


def rand_like(input, dtype=None, device=None, requires_grad=False, memory_format=None):
    return rand(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, dtype=None, device=None, requires_grad=False, memory_format=None):
    return randn(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, dtype=None, device=None, requires_grad=False, memory_format=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype)


def bernoulli(input, p=None, generator=None, out=None):
    """Per-element probabilities (a float uniform below each) or one scalar p (a double uniform below p)."""
    if p is None:
        return (rand(*input.shape, generator=generator) < input).to(input.dtype)
    return bernoulli_noise(tuple(input.shape), p, input.dtype, generator)


def bernoulli_noise(shape, p, dtype=float32, generator=None):
    """`torch.empty(shape, dtype).bernoulli_(p)`: 1 with probability p (dropout's noise)."""
    with drawing_from(generator):
        return _wrap(_call(_E.bernoulli, tuple(shape), float(p), dtype._name))


def _broadcast_shape(a, b):
    out = []
    for x, y in zip(reversed((1,) * (len(b) - len(a)) + tuple(a)), reversed((1,) * (len(a) - len(b)) + tuple(b))):
        out.append(x if y == 1 else y)
    return tuple(reversed(out))


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None, requires_grad=False,
           layout=None, pin_memory=False):
    """torch.normal's overloads as PyTorch computes them: a float mean and std fill one normal_ draw; a tensor mean or
    std scales and shifts standard normal draws of the broadcast shape."""
    mean_is_tensor = isinstance(mean, Tensor)
    std_is_tensor = isinstance(std, Tensor)
    if not mean_is_tensor and not std_is_tensor:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got (float, float), but "
                            "expected one of: (float mean, float std, tuple of ints size, ...)")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        with drawing_from(generator):
            t = _wrap(_call(_E.randn, _size_args((size,)), (dtype or float32)._name, float(mean), float(std)))
        return _finish(t, None, requires_grad)
    if std_is_tensor and std.numel() and _builtins.bool((std < 0).any()):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not std_is_tensor and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    if mean_is_tensor and not std_is_tensor:
        with drawing_from(generator):
            noise = _wrap(_call(_E.randn, tuple(mean.shape), mean.dtype._name, 0.0, float(std)))
        return noise + mean
    shape = _broadcast_shape(mean.shape, std.shape) if mean_is_tensor else tuple(std.shape)
    with drawing_from(generator):
        noise = _wrap(_call(_E.randn, shape, (std.dtype)._name, 0.0, 1.0))
    return noise * std + mean


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Category indices drawn from the rows of `input` (weights need not sum to 1), with PyTorch's checks."""
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.is_floating_point():
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {input.dtype}")
    categories = input.shape[-1]
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if input.numel():
        if _builtins.bool((~(input >= 0) | input.isinf()).any()):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if _builtins.bool((input.sum(-1) <= 0).any()):
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    with drawing_from(generator):
        return _wrap(_call(_E.multinomial, input.float()._h, _operator.index(num_samples), _builtins.bool(replacement)))
