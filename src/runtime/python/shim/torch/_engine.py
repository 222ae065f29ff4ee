"""The bridge to the TensorFlow.js engine: every tensor op of the shim goes through these functions."""
import _trainloop_engine as _E
from pyodide.ffi import JsException

__all__ = ["E", "call", "python_error", "JsException"]


class _Engine:
    """The engine module, each function looked up once: an attribute of a JavaScript object costs Pyodide a proxy
    lookup (about twice the call itself), and the shim reads `E.name` on every call of most ops. The module's members
    never change after the worker registers it, so the first lookup can stand."""

    def __getattr__(self, name):
        value = getattr(_E, name)
        self.__dict__[name] = value
        return value


E = _Engine()

_ERROR_TYPES = {"RuntimeError": RuntimeError, "ValueError": ValueError, "IndexError": IndexError,
                "TypeError": TypeError, "NotImplementedError": NotImplementedError}


def python_error(error):
    """The Python exception a JavaScript error from the engine stands for (RuntimeError unless it says otherwise)."""
    kind = _ERROR_TYPES.get(getattr(error, "pyType", None), RuntimeError)
    message = getattr(error, "message", None) or str(error)
    return kind(message)


def call(fn, *args):
    """Calls an engine function, turning JavaScript errors into Python ones raised at the caller."""
    try:
        return fn(*args)
    except JsException as error:
        raise python_error(error) from None
