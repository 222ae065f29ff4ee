"""Finds training batches: each iteration of a loop over a DataLoader while grad is enabled, and the loss it backwarded."""
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
        self.batch = -1
        self.loss = None
        self.listeners = []

    def install(self):
        tracker = self
        if not hasattr(torch.utils.data, "DataLoader"):
            return
        original_iter = torch.utils.data.DataLoader.__iter__
        original_backward = torch.Tensor.backward

        def iterate(loader):
            for item in original_iter(loader):
                if torch.is_grad_enabled():
                    tracker.next_batch()
                yield item
            if torch.is_grad_enabled():
                tracker.finish_batch()

        def backward(tensor, *args, **kwargs):
            result = original_backward(tensor, *args, **kwargs)
            if tensor.numel() == 1:
                tracker.loss = tensor.detach().item()
            return result

        torch.utils.data.DataLoader.__iter__ = iterate
        torch.Tensor.backward = backward

    def next_batch(self):
        self.finish_batch()
        if self.max_batches and self.batch + 1 >= self.max_batches:
            raise StopTraining()
        self.batch += 1
        self.loss = None
        self.open = True

    def finish_batch(self):
        if not getattr(self, "open", False):
            return
        self.open = False
        emit("batch", batch=self.batch, loss=self.loss)
        for listener in self.listeners:
            listener(self.batch, self.loss)
