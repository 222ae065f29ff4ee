"""Finds training batches: iterations of a loop over a DataLoader, with grad enabled, that call backward(); and their loss.

An iteration that backwards nothing (the quickstart's first loop, which only prints the first batch's shapes) is not
counted: the next fetched batch gets its number.
"""
import torch
import torch.utils.data

from .events import emit

__all__ = ["BatchTracker", "StopTraining"]


class StopTraining(BaseException):
    """Raised at the start of the batch after the last one allowed by --max-batches: ends the run cleanly."""


class BatchTracker:
    """Counts training batches, records the loss each one backwarded, and emits one `batch` event per batch."""

    def __init__(self, max_batches=0):
        self.max_batches = max_batches
        self.batch = -1  # the number of the batch being trained (or about to be), from 0
        self.completed = 0  # training batches finished so far
        self.loss = None
        self.backwarded = False
        self.open = False
        self.listeners = []
        self.item = None  # what the DataLoader gave for the current training batch (for the panel's inputs)

    def install(self):
        tracker = self
        original_iter = torch.utils.data.DataLoader.__iter__
        original_backward = torch.Tensor.backward

        def iterate(loader):
            try:
                for item in original_iter(loader):
                    if torch.is_grad_enabled():
                        tracker.next_batch()
                        tracker.item = item
                    yield item
            finally:
                tracker.finish_batch()

        def backward(tensor, *args, **kwargs):
            result = original_backward(tensor, *args, **kwargs)
            tracker.backwarded = True
            if tensor.numel() == 1:
                tracker.loss = tensor.detach().item()
            return result

        torch.utils.data.DataLoader.__iter__ = iterate
        torch.Tensor.backward = backward

    def next_batch(self):
        self.finish_batch()
        if self.max_batches and self.completed >= self.max_batches:
            raise StopTraining()
        self.batch = self.completed
        self.loss = None
        self.backwarded = False
        self.open = True

    def finish_batch(self):
        if not self.open:
            return
        self.open = False
        if not self.backwarded:
            return
        self.completed += 1
        emit("batch", batch=self.batch, loss=self.loss)
        for listener in self.listeners:
            listener(self.batch, self.loss)
