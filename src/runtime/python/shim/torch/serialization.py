"""torch.save and torch.load in PyTorch's zip format, so that checkpoints move both ways between the runtime and real
PyTorch: state dicts, tensors, optimizer state dicts, nested dicts and lists.

The archive holds `<name>/data.pkl` (the object, pickled with protocol 2), `<name>/data/<key>` (each storage's raw
little-endian bytes), `<name>/byteorder` and `<name>/version`. In data.pkl a tensor is
`torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())`, a Parameter wraps
one in `_rebuild_parameter`, and a storage is a persistent id ('storage', torch.FloatStorage, key, 'cpu', numel).
Files written by earlier versions of the runtime (a plain pickle) still load.
"""
import collections
import io
import os
import pickle
import zipfile

from ._utils import TypedBytes, _rebuild_parameter, _rebuild_tensor_v2, bytes_of, storage_type_of, STORAGE_TYPES

__all__ = ["save", "load", "rebuild_tensor", "rebuild_tensor_from_bytes"]

# The engine stores every dtype in one of three element types.
_BUFFER_TYPES = {"float32": "f32", "int64": "i32", "bool": "u8"}
_FORMAT_VERSION = "3\n"


def tensor_reduce(t):
    """What Tensor.__reduce_ex__ returns for plain pickling (copy.deepcopy, pickle.dumps): a rebuild function and its
    arguments."""
    return (rebuild_tensor_from_bytes, (_engine_bytes(t), t.dtype._name, list(t.shape), t.requires_grad))


def _engine_bytes(t):
    from ._engine import E, call

    return bytes(call(E.values, t._h).to_py()) if t.numel() else b""


def rebuild_tensor_from_bytes(data, dtype_name, shape, requires_grad):
    from . import zeros, _from_buffer
    from ._dtype import dtype_of_name

    dtype = dtype_of_name(dtype_name)
    if not data:
        t = zeros(*shape, dtype=dtype) if shape else zeros((), dtype=dtype)
    else:
        t = _from_buffer(data, _BUFFER_TYPES[dtype.storage], shape, dtype)
    if requires_grad:
        t.requires_grad_(True)
    return t


def rebuild_tensor(values, dtype_name, shape, requires_grad):
    from . import tensor
    from ._dtype import dtype_of_name

    t = tensor(values, dtype=dtype_of_name(dtype_name)).reshape(shape)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _storage_bytes(t):
    """The tensor's values as PyTorch stores its dtype: little-endian, contiguous."""
    name = t.dtype._name
    if name == "float32":
        return _engine_bytes(t)
    return bytes_of(t.detach().reshape(-1).tolist(), name)


class _CheckpointPickler(pickle.Pickler):
    """Pickles tensors as PyTorch does, each storage as a persistent id whose bytes go to their own archive file."""

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = []

    def reducer_override(self, obj):
        from ._tensor import Tensor
        from .nn.parameter import Parameter

        if isinstance(obj, Parameter):
            data = Tensor.detach(obj)
            return (_rebuild_parameter, (data, obj.requires_grad, collections.OrderedDict()))
        if isinstance(obj, Tensor):
            storage = TypedBytes(obj.dtype._name, _storage_bytes(obj), str(len(self.storages)))
            self.storages.append(storage)
            size = tuple(obj.shape)
            return (_rebuild_tensor_v2, (storage, 0, size, _contiguous(size), obj.requires_grad, collections.OrderedDict()))
        return NotImplemented

    def persistent_id(self, obj):
        if isinstance(obj, TypedBytes):
            return ("storage", storage_type_of(obj.dtype_name), obj.key, "cpu", obj.numel())
        return None


def _contiguous(size):
    from ._utils import _contiguous_strides

    return _contiguous_strides(size)


def _archive_name(f):
    if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):
        stem = os.path.splitext(os.path.basename(os.fsdecode(os.fspath(f))))[0]
        return stem or "archive"
    return "archive"


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True, **kwargs):
    """Writes `obj` as PyTorch's torch.save does (a zip archive real PyTorch loads)."""
    name = _archive_name(f)
    data = io.BytesIO()
    pickler = _CheckpointPickler(data, pickle_protocol)
    pickler.dump(obj)
    target = open(f, "wb") if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__") else f
    try:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr(f"{name}/data.pkl", data.getvalue())
            archive.writestr(f"{name}/byteorder", "little")
            for storage in pickler.storages:
                archive.writestr(f"{name}/data/{storage.key}", storage.data)
            archive.writestr(f"{name}/version", _FORMAT_VERSION)
    finally:
        if target is not f:
            target.close()


class _CheckpointUnpickler(pickle.Unpickler):
    """Reads data.pkl: storages come from the archive's files, PyTorch's names from this shim."""

    def __init__(self, file, archive, prefix):
        super().__init__(file)
        self.archive = archive
        self.prefix = prefix
        self.loaded = {}

    def find_class(self, module, name):
        if module == "torch" and name.endswith("Storage"):
            for cls in STORAGE_TYPES.values():
                if cls.__name__ == name:
                    return cls
            raise pickle.UnpicklingError(f"torch.load: the storage type torch.{name} is not supported by the Trainloop "
                                         "runtime")
        if module == "torch._utils" and name in ("_rebuild_tensor_v2", "_rebuild_parameter",
                                                  "_rebuild_parameter_with_state"):
            from . import _utils

            return getattr(_utils, name)
        if module.startswith("torch") and module not in ("torch", "torch._utils"):
            try:
                return super().find_class(module, name)
            except (ImportError, AttributeError):
                raise pickle.UnpicklingError(f"torch.load: {module}.{name} is not supported by the Trainloop runtime")
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"torch.load: unknown persistent id {pid!r}")
        _, storage_type, key, _location, _numel = pid[:5]
        if key not in self.loaded:
            dtype_name = getattr(storage_type, "dtype_name", None)
            if dtype_name is None:  # torch 2's TypedStorage pickles name a dtype instead of a storage class
                dtype_name = getattr(storage_type, "_name", None)
            self.loaded[key] = TypedBytes(dtype_name, self.archive.read(f"{self.prefix}data/{key}"), key)
        return self.loaded[key]


def _load_zip(source):
    with zipfile.ZipFile(source) as archive:
        names = archive.namelist()
        pickles = [name for name in names if name.endswith("data.pkl") and name.count("/") == 1]
        if not pickles:
            raise RuntimeError("torch.load: the archive has no data.pkl; is it a PyTorch checkpoint?")
        prefix = pickles[0][: -len("data.pkl")]
        with archive.open(pickles[0]) as data:
            return _CheckpointUnpickler(io.BytesIO(data.read()), archive, prefix).load()


def load(f, map_location=None, pickle_module=pickle, weights_only=None, mmap=None, **kwargs):
    """Reads a checkpoint written by torch.save, in PyTorch's zip format or the runtime's earlier plain pickle."""
    if isinstance(f, (bytes, bytearray)):
        f = io.BytesIO(f)
    opened = isinstance(f, str) or hasattr(f, "__fspath__")
    source = open(f, "rb") if opened else f
    try:
        start = source.tell() if hasattr(source, "tell") else 0
        magic = source.read(4)
        source.seek(start)
        if magic == b"PK\x03\x04":
            return _load_zip(source)
        return pickle_module.load(source)
    finally:
        if opened:
            source.close()
