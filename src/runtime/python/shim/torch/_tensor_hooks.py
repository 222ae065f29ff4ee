"""Tensor.register_hook: the engine keeps each hook (a proxy of a wrapper around the user's function) with the
tensor's graph node, or with the leaf, and calls it during backward with a handle on the gradient. A hook's exception
is kept here and raised again, as itself, where backward() was called."""
from pyodide.ffi import JsException, create_proxy

from ._engine import E, call, python_error

__all__ = ["register", "backward_call"]

_raised = []  # the exception of a hook that failed during the current backward
_returned = []  # the tensors hooks returned, alive until backward has read them


class _HookHandle:
    """What register_hook returns: remove() detaches the hook."""

    def __init__(self, handle, proxy):
        self._handle = handle
        self._proxy = proxy

    def remove(self):
        if self._proxy is not None:
            E.remove_hook(self._handle, self._proxy)  # also lets the proxy go
            self._proxy = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def register(tensor, hook, wrap, tensor_type):
    """Registers `hook(grad) -> Tensor or None` on `tensor`; returns its removable handle."""
    def run(grad_handle):
        try:
            grad = wrap(grad_handle)
            result = hook(grad)
            if result is not None and not isinstance(result, tensor_type):
                raise TypeError(f"expected a Tensor or None from the hook, got {type(result).__name__}")
            if result is not None and result.shape != grad.shape:
                raise RuntimeError(f"hook '{getattr(hook, '__name__', 'hook')}' has changed the size of value")
        except BaseException as error:  # raised again by backward_call, where the user called backward()
            _raised.append(error)
            return -1
        if result is None:
            return 0
        _returned.append(result)
        return result._h

    proxy = create_proxy(run)
    try:
        call(E.register_hook, tensor._h, proxy)
    except BaseException:
        proxy.destroy()
        raise
    return _HookHandle(tensor._h, proxy)


def backward_call(fn, *args):
    """Runs the engine's backward (or grad), raising a hook's exception as it was raised."""
    _raised.clear()
    try:
        return fn(*args)
    except JsException as error:
        if _raised:
            raised = _raised.pop()
            _raised.clear()
            raise raised from None
        raise python_error(error) from None
    finally:
        _returned.clear()
