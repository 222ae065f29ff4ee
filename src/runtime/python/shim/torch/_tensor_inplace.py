"""The remaining in-place methods of torch.Tensor (copy_, fill_, zero_, ...)."""

from . import _tensor as _t
from ._engine import E, call
from ._tensor_ops import _number


def install(Tensor, Size, m):
    """Sets these methods on Tensor; `m(name)` is the decorator that sets one by name."""

    @m("_assign")
    def _assign(self, value):
        if isinstance(value, _t.Tensor):
            call(E.assign_, self._h, value._h)
        else:
            call(E.fill_, self._h, _number(value))
        return self

    @m("copy_")
    def _copy_(self, src, non_blocking=False):
        if not isinstance(src, _t.Tensor):
            raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not {type(src).__name__}")
        call(E.assign_, self._h, src._h)
        return self

    @m("zero_")
    def _zero_(self):
        call(E.fill_, self._h, 0)
        return self

    @m("fill_")
    def _fill_(self, value):
        if isinstance(value, _t.Tensor):
            value = value.item()
        call(E.fill_, self._h, _number(value))
        return self

    # The random fills draw as PyTorch's CPU kernels do, from `generator` when given (torch/_random.py).
    @m("uniform_")
    def _uniform_(self, a=0.0, b=1.0, *, generator=None):
        from . import rand

        r = rand(*self.shape, generator=generator)
        return self.copy_(r * (b - a) + a if (a, b) != (0.0, 1.0) else r)

    @m("normal_")
    def _normal_(self, mean=0.0, std=1.0, *, generator=None):
        from ._random import drawing_from

        with drawing_from(generator):
            return self.copy_(_t.wrap(call(E.randn, tuple(self.shape), "float32", float(mean), float(std))))

    @m("bernoulli_")
    def _bernoulli_(self, p=0.5, *, generator=None):
        from . import rand
        from ._random import bernoulli_noise

        if isinstance(p, _t.Tensor):
            return self.copy_(rand(*self.shape, generator=generator) < p)
        return self.copy_(bernoulli_noise(tuple(self.shape), p, generator=generator))

    @m("bernoulli")
    def _bernoulli(self, p=None, *, generator=None):
        from . import bernoulli

        return bernoulli(self, p, generator=generator)

    @m("random_")
    def _random_(self, low=0, high=None, *, generator=None):
        from . import randint

        if high is None:
            low, high = 0, low if low else 2 ** 24
        return self.copy_(randint(low, high, tuple(self.shape), generator=generator))

    @m("exponential_")
    def _exponential_(self, lambd=1.0, *, generator=None):
        from ._random import drawing_from

        with drawing_from(generator):
            return self.copy_(_t.wrap(call(E.exponential, tuple(self.shape), float(lambd), "float32")))
