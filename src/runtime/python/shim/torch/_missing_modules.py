"""Stand-ins for the torch.* and torchvision.* modules PyTorch has and the runtime lacks.

`import torch.onnx` or `from torch.utils.tensorboard import SummaryWriter` must not stop a script at its imports:
a finder at the end of sys.meta_path (after the shim's own files) makes a stand-in module for any name in PyTorch's
module list (_module_names.py). A stand-in keeps what the runtime already offers under that name as an attribute
(`torch.backends.cudnn.benchmark`, `torch.cuda.amp.GradScaler`); any other public name in it is a placeholder that
raises the runtime's "not supported by the Trainloop runtime yet" error when it is used (called, instantiated, or
its attributes read). Names PyTorch lacks still fail with ModuleNotFoundError, as in PyTorch.
"""
import importlib.abc
import importlib.util
import sys
import types

from ._module_names import NAMES
from ._tensor import unsupported

# What some stand-ins answer, as PyTorch does on a CPU-only machine (scripts ask before using them).
_KNOWN = {
    "torch.distributed": {"is_available": lambda: False, "is_initialized": lambda: False,
                          "is_torchelastic_launched": lambda: False},
    "torch.backends.cudnn": {"is_available": lambda: False, "version": lambda: None},
    "torch.backends.mkldnn": {"is_available": lambda: False},
    "torch.onnx": {"is_in_onnx_export": lambda: False},
    "torch.jit": {"is_scripting": lambda: False, "is_tracing": lambda: False},
}


class _MissingApi(type):
    """The metaclass of placeholders: using one raises NotImplementedError naming the API."""

    def __call__(cls, *args, **kwargs):
        raise unsupported(cls._api)

    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise unsupported(f"{cls._api}.{name}")

    def __instancecheck__(cls, instance):
        return False

    def __subclasscheck__(cls, subclass):
        return subclass is cls

    def __repr__(cls):
        return f"<{cls._api} (not supported by the Trainloop runtime yet)>"


def placeholder(api):
    """A stand-in for the missing API `api` (a class, so scripts may still subclass it or use it in annotations)."""
    return _MissingApi(api.rsplit(".", 1)[-1], (), {"_api": api, "__module__": api.rsplit(".", 1)[0],
                                                      "__doc__": f"{api} (not supported by the Trainloop runtime yet)."})


class MissingModule(types.ModuleType):
    """A stand-in module: names it lacks are placeholders (private and dunder names stay AttributeErrors)."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(f"module '{self.__name__}' has no attribute '{name}'")
        value = placeholder(f"{self.__name__}.{name}")
        setattr(self, name, value)
        return value


def _offered_by_parent(fullname):
    """What the runtime offers under this name as a plain attribute of the parent module (torch.backends, torch.cuda
    and torch.cuda.amp are objects in the shim), or None."""
    parent_name, _, child = fullname.rpartition(".")
    parent = sys.modules.get(parent_name)
    if parent is None or isinstance(parent, MissingModule) and child not in vars(parent):
        return None
    try:
        value = getattr(parent, child)
    except Exception:  # torch.__getattr__ raises NotImplementedError for the parts the runtime lacks
        return None
    return None if isinstance(value, (types.ModuleType, _MissingApi)) else value


class _StandInLoader(importlib.abc.Loader):
    def create_module(self, spec):
        module = MissingModule(spec.name)
        offered = _offered_by_parent(spec.name)
        if offered is not None:
            for name in dir(offered):
                if not name.startswith("__"):
                    try:
                        setattr(module, name, getattr(offered, name))
                    except Exception:
                        pass
        for name, value in _KNOWN.get(spec.name, {}).items():
            if name not in vars(module):
                setattr(module, name, value)
        return module

    def exec_module(self, module):
        pass


class _StandInFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname not in NAMES:
            return None
        return importlib.util.spec_from_loader(fullname, _StandInLoader(), is_package=True)


def install():
    """Puts the finder last on sys.meta_path (once), so the shim's own modules are always found first."""
    if not any(isinstance(finder, _StandInFinder) for finder in sys.meta_path):
        sys.meta_path.append(_StandInFinder())
