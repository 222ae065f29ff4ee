"""MNIST, FashionMNIST and KMNIST: 28×28 grayscale images with class labels, read from the IDX files
(`train-images-idx3-ubyte[.gz]`...) in `root/<ClassName>/raw`.

Where the files come from, in order: `root/<ClassName>/raw`; with `download=True`, a system-wide copy (Debian's
`dataset-fashion-mnist` package installs Fashion-MNIST in /usr/share/datasets/fashion-mnist), read in place and
silently, as torchvision is silent when the files are already there; else the official mirrors, downloaded into
`root/<ClassName>/raw`.

Each IDX file is decoded once, on the JavaScript side, into a byte array. A batch fetched with `__getitems__` (what
the DataLoader calls) is one gather over all of its indices that also applies the transform's per-pixel steps
(`ToTensor`, `Normalize`, `v2.ToImage`/`ToDtype`, `Compose` of those): no Python loop over samples. Steps that are
not per-pixel maps (`Lambda`, user callables) and whatever follows them run sample by sample on the gathered images.

The runtime has no PIL: `dataset[i]` without a transform returns the image as a uint8 tensor of shape 28×28 (where
torchvision returns a PIL image), and transforms receive that tensor.
"""
import operator
import os
import warnings
import weakref
from array import array

import _trainloop_data as _D
import torch
from torch._engine import call
from torch._tensor import unsupported, wrap
from torch.utils.data import SampleBatch, default_collate

from ..transforms._byte_pixels import BytePixelPlan, split_plan
from .utils import DownloadError, check_integrity, download_url
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "EMNIST", "QMNIST", "read_image_file", "read_label_file"]


class _Store:
    """A decoded array held by the runtime's JavaScript side (by id), freed when this object is."""

    __slots__ = ("id", "shape", "__weakref__")

    def __init__(self, store_id):
        self.id = store_id
        self.shape = tuple(_D.shape(store_id).to_py())

    def is_bytes(self):
        return bool(_D.is_bytes(self.id))

    def __len__(self):
        return self.shape[0]

    def __del__(self):
        store_id, self.id = getattr(self, "id", 0), 0
        if store_id:
            _D.free(store_id)


class _PixelPath:
    """A transform split into its leading per-pixel steps, folded into a lookup table the gather applies (see
    torchvision.transforms._byte_pixels), and the `rest`, applied sample by sample afterwards."""

    __slots__ = ("plan", "rest", "table")

    def __init__(self, plan, rest):
        self.plan = plan
        self.rest = rest
        self.table = 0 if plan.is_raw else call(_D.lookup_table, array("f", plan.values))

    def gather(self, images, indices, outer):
        """One tensor holding `images[indices]` through the plan; `outer` replaces the first axis."""
        if self.plan.channel_axis:
            outer = outer + [1]
        dtype = self.plan.dtype
        return wrap(call(_D.gather, images.id, indices, self.table, outer, dtype._name), dtype)

    def gather_each(self, images, indices):
        """`images[i]` through the plan for each i, as separate tensors (one engine call for all of them)."""
        outer = [1] if self.plan.channel_axis else []
        dtype = self.plan.dtype
        handles = call(_D.gather_rows, images.id, indices, self.table, outer, dtype._name).to_py()
        return [wrap(handle, dtype) for handle in handles]

    def finish(self, img):
        """The rest of the transform, on one sample."""
        for transform in self.rest:
            img = transform(img)
        return img

    def __del__(self):
        table, self.table = getattr(self, "table", 0), 0
        if table:
            _D.free(table)


_decoded = weakref.WeakValueDictionary()


def _read_idx(path):
    """The decoded IDX file at `path` (shared by every dataset object that reads the same unchanged file)."""
    info = os.stat(path)
    key = (os.path.realpath(path), info.st_size, info.st_mtime)
    store = _decoded.get(key)
    if store is None:
        try:
            # The host reads a file of a folder it mounts without a copy through Python (None: any other file).
            found = call(_D.decode_idx_file, key[0], info.st_size)
            if found is None:
                with open(path, "rb") as f:
                    raw = f.read()
                found = call(_D.decode_idx, raw)
        except RuntimeError as error:
            raise RuntimeError(f"{path}: {error}") from None
        store = _Store(found)
        _decoded[key] = store
    return store


def _store_tensor(store, dtype):
    return wrap(call(_D.to_tensor, store.id, dtype._name), dtype)


def read_image_file(path):
    """The images of an IDX file as a uint8 tensor N×H×W."""
    store = _read_idx(path)
    if len(store.shape) != 3:
        raise RuntimeError(f"{path}: expected an IDX file of images (3 dimensions), found {len(store.shape)}")
    return _store_tensor(store, torch.uint8)


def read_label_file(path):
    """The labels of an IDX file as an int64 tensor N."""
    store = _read_idx(path)
    if len(store.shape) != 1:
        raise RuntimeError(f"{path}: expected an IDX file of labels (1 dimension), found {len(store.shape)}")
    return _store_tensor(store, torch.int64)


def _as_index_buffer(indices, length):
    """The indices as a buffer of int32 for the gather (ints, or anything with __index__ such as 0-d tensors)."""
    try:
        return array("i", indices)
    except (TypeError, OverflowError):
        values = [operator.index(i) for i in indices]
        for i in values:
            if not -length <= i < length:
                raise IndexError(f"index {i} is out of bounds for dimension 0 with size {length}") from None
        return array("i", values)


class MNIST(VisionDataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images, 28×28, labels 0–9.

    Args:
        root: folder holding `<ClassName>/raw` with the IDX files (created when downloading).
        train: the training split (True) or the test split (False).
        transform: applied to each image (a uint8 28×28 tensor in the runtime), e.g. `transforms.ToTensor()`.
        target_transform: applied to each label (an int).
        download: fetch the files when they are not in `root` (a system copy is used in place when there is one).
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]
    # Folders where a system package may have installed the .gz files, and the Debian package that does.
    system_folders = ["/usr/share/datasets/mnist"]
    system_package = None

    training_file = "training.pt"
    test_file = "test.pt"

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        self._pixel_cache = None
        self._source = self._raw_files(self.raw_folder)
        if self._source is None and download:
            self.download()
        if self._source is None:
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        images = _read_idx(self._source["images"])
        labels = _read_idx(self._source["labels"])
        if len(images.shape) != 3 or len(labels.shape) != 1 or images.shape[0] != labels.shape[0]:
            raise RuntimeError(
                f"{self.__class__.__name__}: the image and label files do not match (images {list(images.shape)}, "
                f"labels {list(labels.shape)}): {self._source['images']}, {self._source['labels']}")
        self._images = images
        self._labels = labels
        self._data_tensor = None
        self._targets_tensor = None

    # ---- where the files are ---------------------------------------------------------------------------------------

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self):
        return {name: i for i, name in enumerate(self.classes)}

    def _split_files(self):
        """The (images, labels) file names of this split, without .gz."""
        prefix = "train" if self.train else "t10k"
        return {"images": f"{prefix}-images-idx3-ubyte", "labels": f"{prefix}-labels-idx1-ubyte"}

    def _raw_files(self, folder):
        """Paths of this split's files in `folder` (compressed or not), or None unless both are there."""
        found = {}
        for role, name in self._split_files().items():
            path = next((p for p in (os.path.join(folder, name), os.path.join(folder, name + ".gz"))
                         if os.path.isfile(p)), None)
            if path is None:
                return None
            found[role] = path
        return found

    def _check_exists(self):
        return self._raw_files(self.raw_folder) is not None

    def download(self):
        """Makes this split's files available: nothing to do when they are in `raw_folder`; else the system copy
        is used in place; else every file is downloaded from the mirrors into `raw_folder`."""
        if getattr(self, "_source", None) is not None:
            return
        self._source = self._raw_files(self.raw_folder)
        if self._source is not None:
            return
        for folder in self.system_folders:
            files = self._raw_files(folder)
            if files is not None:
                self._source = files
                return
        failures = []
        for filename, md5 in self.resources:
            if any(check_integrity(os.path.join(self.raw_folder, name)) for name in (filename, filename[:-3])):
                continue
            for mirror in self.mirrors:
                try:
                    download_url(f"{mirror}{filename}", self.raw_folder, filename, md5)
                    break
                except DownloadError as error:
                    failures.append(str(error))
            else:
                raise RuntimeError(self._not_available_message(failures)) from None
        self._source = self._raw_files(self.raw_folder)

    def _not_available_message(self, failures):
        raw = os.path.abspath(self.raw_folder)
        files = ", ".join(filename for filename, _ in self.resources)
        remedies = []
        if self.system_package:
            remedies.append(f"install Debian's {self.system_package} package (apt install {self.system_package}), "
                            f"which puts the files in {self.system_folders[0]}")
        remedies.append(f"put {files} (or their uncompressed forms) in {raw}")
        return (f"{self.__class__.__name__}: the dataset files are not here and could not be downloaded.\n"
                f"  Looked in: {', '.join([raw] + list(self.system_folders))}\n"
                f"  Download failed: {'; '.join(failures)}\n"
                f"To fix it, {'; or '.join(remedies)}.")

    # ---- the data ------------------------------------------------------------------------------------------------

    @property
    def data(self):
        """All images as a uint8 tensor N×28×28 (made on first use)."""
        if self._data_tensor is None:
            self._data_tensor = _store_tensor(self._images, torch.uint8)
        return self._data_tensor

    @data.setter
    def data(self, value):
        store = self._store_from(value, "data")
        if len(store.shape) != 3:
            raise ValueError(f"{self.__class__.__name__}.data must be N×H×W, got shape {list(store.shape)}")
        self._images = store
        self._data_tensor = value if isinstance(value, torch.Tensor) else None
        self._pixel_cache = None

    @property
    def targets(self):
        """All labels as an int64 tensor N (made on first use)."""
        if self._targets_tensor is None:
            self._targets_tensor = _store_tensor(self._labels, torch.int64)
        return self._targets_tensor

    @targets.setter
    def targets(self, value):
        store = self._store_from(value, "targets")
        if len(store.shape) != 1:
            raise ValueError(f"{self.__class__.__name__}.targets must be one-dimensional, got shape {list(store.shape)}")
        self._labels = store
        self._targets_tensor = value if isinstance(value, torch.Tensor) else None

    def _store_from(self, value, what):
        if not isinstance(value, torch.Tensor):
            value = torch.tensor(value, dtype=torch.int64)
        if value.is_floating_point():
            raise unsupported(f"setting {self.__class__.__name__}.{what} to a floating-point tensor")
        return _Store(call(_D.store_from_tensor, value._h))

    @property
    def train_labels(self):
        warnings.warn("train_labels has been renamed targets")
        return self.targets

    @property
    def test_labels(self):
        warnings.warn("test_labels has been renamed targets")
        return self.targets

    @property
    def train_data(self):
        warnings.warn("train_data has been renamed data")
        return self.data

    @property
    def test_data(self):
        warnings.warn("test_data has been renamed data")
        return self.data

    def __len__(self):
        return len(self._images)

    def _pixel_path(self):
        """The transform as a lookup table for the gather plus the transforms left for each sample (cached per
        transform object: assigning `dataset.transform` is noticed, changing a transform's fields is not)."""
        transform = self.transform
        cached = self._pixel_cache
        if cached is not None and cached[0] is transform:
            return cached[1]
        if self._images.is_bytes():
            plan, rest = split_plan(transform)
        else:
            plan, rest = BytePixelPlan(), [] if transform is None else [transform]
        path = _PixelPath(plan, rest)
        self._pixel_cache = (transform, path)
        return path

    def __getitem__(self, index):
        """(image, label) of sample `index`: the image through `transform`, the label (an int) through
        `target_transform`."""
        index = operator.index(index)
        target = int(call(_D.value_at, self._labels.id, index))
        path = self._pixel_path()
        img = path.finish(path.gather(self._images, _as_index_buffer([index], len(self)), []))
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __getitems__(self, indices):
        """The samples at `indices` as one batch: one gather for the images, with the transform's per-pixel steps
        applied, and one for the labels. Transforms after those steps (a Lambda...) then run sample by sample;
        subclasses that override `__getitem__` get it called per sample."""
        if type(self).__getitem__ is not MNIST.__getitem__:
            return [self[index] for index in indices]
        path = self._pixel_path()
        positions = _as_index_buffer(indices, len(self))
        count = len(positions)
        labels = wrap(call(_D.gather, self._labels.id, positions, 0, [count], "int64"), torch.int64)
        target_transform = self.target_transform

        def targets():
            values = labels.tolist()
            return values if target_transform is None else [target_transform(value) for value in values]

        if path.rest:
            images = path.gather_each(self._images, positions)
            return [(path.finish(img), target) for img, target in zip(images, targets())]
        images = path.gather(self._images, positions, [count])
        if target_transform is None:
            return SampleBatch([images, labels], count,
                               lambda: list(zip(path.gather_each(self._images, positions), labels.tolist())))
        transformed = targets()
        return SampleBatch([images, default_collate(transformed)], count,
                           lambda: list(zip(path.gather_each(self._images, positions), transformed)))

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28×28 grayscale images of 10 kinds of clothing, in MNIST's format."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
    system_folders = ["/usr/share/datasets/fashion-mnist"]
    system_package = "dataset-fashion-mnist"


class KMNIST(MNIST):
    """Kuzushiji-MNIST: 28×28 images of 10 cursive Japanese characters, in MNIST's format."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]
    system_folders = []


class EMNIST(MNIST):
    def __init__(self, *args, **kwargs):
        raise unsupported("torchvision.datasets.EMNIST")


class QMNIST(MNIST):
    def __init__(self, *args, **kwargs):
        raise unsupported("torchvision.datasets.QMNIST")
