"""Finds training batches: iterations of a loop over a DataLoader, with grad enabled, that call backward(); and their loss.

An iteration that backwards nothing (the quickstart's first loop, which only prints the first batch's shapes) is not
counted: the next fetched batch gets its number.

The loss is the tensor backward() was called on (one element), or the loss a GradScaler scaled into it. A CPU loss is
read at once (no sync); a loss on an accelerator stays there, detached, and the batch losses are read back together
every LOSS_READ_SECONDS (one transfer, see tensor_reads.DeferredReads), so training never waits for the device once a
batch. The `batch` event and the loss listeners get each batch's loss when it is known, in batch order.
"""
import torch
import torch.utils.data

from .compiling import is_compiling
from .events import emit
from .loss_scaling import ScaledLosses
from .tensor_reads import DeferredReads, reads_sync

__all__ = ["BatchTracker", "StopTraining", "LOSS_READ_SECONDS"]

LOSS_READ_SECONDS = 0.5  # the panel draws at most twice a second


class StopTraining(BaseException):
    """Raised at the start of the batch after the last one allowed by --max-batches: ends the run cleanly."""


class BatchTracker:
    """Counts training batches, records the loss each one backwarded, and emits one `batch` event per batch.

    `listeners` are called at each batch's end with (batch, loss): a float, or None when the loss is not read yet (on
    an accelerator) or there is none. `loss_listeners` are called with (batch, loss, deferred) once the loss is known:
    at the batch's end on the CPU, at the next read of the deferred values otherwise (deferred=True)."""

    def __init__(self, max_batches=0):
        self.max_batches = max_batches
        self.batch = -1  # the index of the batch being trained (or about to be), from 0; `number` counts from 1
        self.completed = 0  # training batches finished so far
        self.loss = None  # this batch's loss as a float, once read (at once on the CPU)
        self.loss_tensor = None  # this batch's loss, detached (on its device), or None
        self.backwarded = False
        self.open = False
        self.listeners = []
        self.loss_listeners = []
        self.item = None  # what the DataLoader gave for the current training batch (for the panel's inputs)
        self.reads = DeferredReads(LOSS_READ_SECONDS)  # shared with the monitors: one transfer for all
        self.scaled_losses = ScaledLosses()

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
                tracker.read_losses()  # a pass over the data ended: one read at most per pass

        def backward(tensor, *args, **kwargs):
            result = original_backward(tensor, *args, **kwargs)
            if not is_compiling():
                tracker.backwarded = True
                if tensor.numel() == 1:
                    tracker._record_loss(tensor)
            return result

        torch.utils.data.DataLoader.__iter__ = iterate
        torch.Tensor.backward = backward
        self.scaled_losses.install()

    def _record_loss(self, tensor):
        loss = self.scaled_losses.unscaled(tensor).detach()
        self.loss_tensor = loss
        self.loss = None if reads_sync(loss) else float(loss.item())

    @property
    def number(self):
        """The batch being trained (or the last one) as users count: 1, 2, …; 0 before the first training batch."""
        return self.batch + 1

    def current_loss(self):
        """This batch's loss as a float, read now if it was not yet (a sync: for stops, not for the hot path)."""
        if self.loss is None and self.loss_tensor is not None:
            self.loss = float(self.loss_tensor.float().item())
        return self.loss

    def next_batch(self):
        self.finish_batch()
        if self.max_batches and self.completed >= self.max_batches:
            raise StopTraining()
        self.batch = self.completed
        self.loss = None
        self.loss_tensor = None
        self.backwarded = False
        self.open = True

    def finish_batch(self):
        if not self.open:
            return
        self.open = False
        if not self.backwarded:
            return
        self.completed += 1
        batch, loss, tensor = self.batch, self.loss, self.loss_tensor
        if loss is not None or tensor is None:
            self.reads.later([], lambda _: self._loss_known(batch, loss, False))
        else:
            self.reads.later([tensor], lambda values: self._loss_known(batch, values[0], True))
        if self.reads.due():
            self.reads.read()
        for listener in self.listeners:
            listener(batch, loss)

    def read_losses(self):
        """Reads the losses (and the monitors' values) still on their device, in one transfer."""
        if self.reads.waiting:
            self.reads.read()

    def _loss_known(self, batch, loss, deferred):
        emit("batch", batch=batch + 1, index=batch, loss=loss)  # `batch` as users count, `index` from 0
        for listener in self.loss_listeners:
            listener(batch, loss, deferred)
