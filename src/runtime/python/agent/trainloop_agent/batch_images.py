"""The batch images the panel shows: the first images of a training batch as bytes, with their labels, the model's
predictions and the training dataset's class names.
"""
import base64
import json

import torch

from .tensor_reads import ENGINE, as_float

__all__ = ["batch_images", "class_names"]

_IMAGES = 16  # at most this many images of the batch are sent
_IMAGE_VALUES = 10_000  # and at most this many values in all (bytes 0..255 in base64: about 13 KB)
_CLASS_NAMES = 1000  # a dataset's class names are sent when it has at most this many
_CLASS_NAME_CHARS = 60


def batch_images(tracker, output, classes):
    """The first images of the batch (N×1×H×W or N×3×H×W, its first tensor) scaled to bytes 0..255 over their
    range, as base64 (a list of integers costs far more to check and encode as JSON), with the labels (its second
    element, an integer tensor) and the predictions (the argmax of `output`, the N×K input of the batch's
    classification loss, when there was one), or None. All read from the tensors' values by the engine, with no
    tensor ops: the measurement leaves the run it measures as it was. `tracker`: the BatchTracker (its `item` is the
    batch); `classes`: the training dataset's class names (class_names), or None."""
    try:
        item = tracker.item if tracker is not None else None
        x = item[0] if isinstance(item, (list, tuple)) and item else item
        if not isinstance(x, torch.Tensor) or x.dim() != 4 or x.shape[1] not in (1, 3) or x.shape[0] < 1:
            return None
        n, c, h, w = (int(d) for d in x.shape)
        stride = 1
        while c * -(-h // stride) * -(-w // stride) > _IMAGE_VALUES:
            stride += 1
        count = max(1, min(n, _IMAGES, _IMAGE_VALUES // (c * -(-h // stride) * -(-w // stride))))
        y = item[1] if isinstance(item, (list, tuple)) and len(item) > 1 else None
        if not (isinstance(y, torch.Tensor) and y.dim() == 1 and int(y.shape[0]) == n and not y.is_floating_point()):
            y = None
        if not (isinstance(output, torch.Tensor) and output.dim() == 2 and int(output.shape[0]) == n
                and int(output.shape[1]) > 1 and output.is_floating_point()):
            output = None
        if ENGINE is None:
            report = _batch_images_by_torch(x, y, output, count, stride)
            if y is not None and classes:
                report["classes"] = classes
            return report
        report = json.loads(ENGINE.batch_image_bytes(x._h, count, stride))
        if y is not None:
            report["labels"] = [int(v) for v in ENGINE.values(y._h).to_py().tolist()[:count]]
        if output is not None:
            k = int(output.shape[1])
            logits = ENGINE.values(output._h).to_py().tolist()[:count * k]
            report["predictions"] = [max(range(k), key=logits[r * k:(r + 1) * k].__getitem__) for r in range(count)]
        if y is not None and classes:
            report["classes"] = classes
        return report
    except Exception:  # the panel's extras never get in the way of training
        return None


def class_names(loader):
    """The `classes` of a DataLoader's dataset (or of the dataset a Subset wraps) as text, when it has a list of them."""
    try:
        dataset = getattr(loader, "dataset", None)
        for _ in range(4):
            if dataset is None:
                return None
            classes = getattr(dataset, "classes", None)
            if isinstance(classes, (list, tuple)) and 0 < len(classes) <= _CLASS_NAMES:
                return [str(name)[:_CLASS_NAME_CHARS] for name in classes]
            dataset = getattr(dataset, "dataset", None)
    except Exception:  # a dataset whose attributes raise: numbers instead of names
        return None
    return None


def _batch_images_by_torch(x, labels, output, count, stride):
    """The batch images report under real PyTorch (batchImages.ts's rule: every `stride`-th row and column of the first
    `count` images, scaled over their range to bytes 0..255), with the labels and predictions, in one read-back."""
    with torch.no_grad():
        picked = as_float(x[:count, :, ::stride, ::stride])
        low, high = picked.min(), picked.max()
        scaled = ((picked - low) * (255.0 / torch.clamp(high - low, min=1e-12))).round()
        scaled = torch.nan_to_num(scaled, nan=0.0).clamp(0, 255).reshape(-1).long()
        parts = [scaled]
        if labels is not None:
            parts.append(labels[:count].detach().long())
        if output is not None:
            parts.append(output[:count].detach().argmax(dim=1).long())
        values = torch.cat([part.to(scaled.device) for part in parts]).tolist()
    size = scaled.numel()
    report = {"shape": list(picked.shape), "bytes": base64.b64encode(bytes(values[:size])).decode("ascii")}
    at = size
    if labels is not None:
        report["labels"] = values[at:at + count]
        at += count
    if output is not None:
        report["predictions"] = values[at:at + count]
    return report
