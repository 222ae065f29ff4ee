"""Grad mode: torch.no_grad, enable_grad, set_grad_enabled and inference_mode, as context managers and decorators."""
import functools

from .._engine import E

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled"]


def is_grad_enabled():
    return E.is_grad_enabled()


class _GradMode:
    """Sets grad mode inside a `with` block or a decorated function, restoring the previous mode after."""

    mode = True

    def __enter__(self):
        self._previous = E.set_grad_enabled(self.mode)
        return self

    def __exit__(self, *exc):
        E.set_grad_enabled(self._previous)
        return False

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            previous = E.set_grad_enabled(mode)
            try:
                return fn(*args, **kwargs)
            finally:
                E.set_grad_enabled(previous)
        return wrapper

    def clone(self):
        return self.__class__()


class _NoArgumentMode(_GradMode):
    """A mode that is also usable as a bare decorator (`@torch.no_grad` without parentheses)."""

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if orig_func is not None and callable(orig_func):
            self.__init__()
            return self(orig_func)
        return self


class no_grad(_NoArgumentMode):
    def __init__(self, orig_func=None):
        self.mode = False


class enable_grad(_NoArgumentMode):
    def __init__(self, orig_func=None):
        self.mode = True


class inference_mode(_GradMode):
    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            self.__init__(True)
            return self(mode)
        return self

    def __init__(self, mode=True):
        self.mode = not mode

    def clone(self):
        return self.__class__(not self.mode)


class set_grad_enabled(_GradMode):
    """Takes effect at once, like torch's (so it also works as a plain call)."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self._previous = E.set_grad_enabled(self.mode)

    def __enter__(self):
        return self

    def clone(self):
        return self.__class__(self.mode)
