"""Turning a list of samples into a batch: default_collate (stack tensors, convert numbers, recurse into containers)
and default_convert (the same without batching), plus SampleBatch, the already-collated result of one gather."""
import collections.abc

import torch

__all__ = ["SampleBatch", "default_collate", "default_convert"]

_UNSUPPORTED_ELEMENT = ("default_collate: batch must contain tensors, numbers, dicts or lists; found {}")


class SampleBatch(collections.abc.Sequence):
    """The samples of one batch, fetched together by a dataset's `__getitems__` and already collated.

    It reads as the list of samples PyTorch's fetcher hands to `collate_fn` (split out of the batch the first time
    an item is read), so a custom `collate_fn` sees ordinary samples. `default_collate` returns `collated` as it is:
    the default path never splits the batch into samples and stacks them again.
    """

    __slots__ = ("collated", "_length", "_split", "_samples")

    def __init__(self, collated, length, split):
        self.collated = collated
        self._length = length
        self._split = split
        self._samples = None

    def samples(self):
        """The batch as a list of samples."""
        if self._samples is None:
            self._samples = list(self._split())
            self._split = None
        return self._samples

    def __len__(self):
        return self._length

    def __getitem__(self, index):
        return self.samples()[index]

    def __iter__(self):
        return iter(self.samples())

    def __repr__(self):
        return f"SampleBatch(<{self._length} samples, collated>)"


def default_collate(batch):
    """Merges a list of samples into a batch, keeping the samples' structure.

    Tensors are stacked along a new first dimension; Python ints become an int64 tensor and floats a float32 tensor;
    strings are kept as a list; dicts, named tuples, tuples and lists are collated field by field (a batch of
    `(image, label)` tuples becomes `[images, labels]`).
    """
    if isinstance(batch, SampleBatch):
        return batch.collated
    elem = batch[0]
    if isinstance(elem, torch.Tensor):
        return torch.stack(list(batch), 0)
    if isinstance(elem, float):
        return torch.tensor(list(batch), dtype=torch.float32)
    if isinstance(elem, int):  # bool included: torch.tensor infers torch.bool for a list of bools
        return torch.tensor(list(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        fields = {key: default_collate([sample[key] for sample in batch]) for key in elem}
        try:
            return type(elem)(fields)
        except TypeError:  # a mapping type that cannot be built from a dict
            return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a named tuple keeps its type
        return type(elem)(*(default_collate(list(column)) for column in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(list(column)) for column in zip(*batch)]
        if isinstance(elem, tuple):
            return columns
        try:
            return type(elem)(columns)
        except TypeError:
            return columns
    raise TypeError(_UNSUPPORTED_ELEMENT.format(type(elem)))


def default_convert(data):
    """What the DataLoader does to each sample when batching is off (batch_size=None): containers are rebuilt with
    their items converted, and everything else is returned unchanged (there are no NumPy arrays to turn into
    tensors in the runtime)."""
    if isinstance(data, torch.Tensor) or isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(value) for key, value in data.items()}
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(item) for item in data))
    if isinstance(data, tuple):
        return [default_convert(item) for item in data]
    if isinstance(data, collections.abc.Sequence):
        items = [default_convert(item) for item in data]
        try:
            return type(data)(items)
        except TypeError:
            return items
    return data
