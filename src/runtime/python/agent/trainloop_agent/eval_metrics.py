"""Measures the evaluation passes of a script for the panel: the loss and accuracy a test loop computes.

An evaluation pass is a pass over a DataLoader begun with gradients off (a test loop under `torch.no_grad()`) in which
a loss function is called. Each call's loss is kept as it is (a tensor, on its device) with the number of values it
averaged, and, when its input is class logits (N×K) with integer targets, the count of rows whose argmax is the
target; all of them are read back in one transfer when the pass ends. One pass gives one point: the mean loss per
value and the accuracy. Only public torch API: it runs the same under the embedded runtime and real PyTorch.
"""
import torch

__all__ = ["EvaluationPasses"]

_CLASSIFICATION = ("cross_entropy", "nll_loss")


class _Pass:
    def __init__(self, batches, epoch):
        self.batches = batches
        self.epoch = epoch
        self.losses = []  # (loss tensor: a sum over `count` values, count)
        self.corrects = []  # tensors: rows whose argmax was the target
        self.rows = 0  # rows of those classification outputs
        self.samples = 0


class EvaluationPasses:
    def __init__(self):
        self._open = None
        self._inside = False  # a loss function calling another (cross_entropy → nll_loss) counts once
        self.finished = []

    def over(self, iterator, batches, epoch):
        """Iterates a DataLoader's pass begun with gradients off, as an evaluation pass."""
        self._open = current = _Pass(batches, epoch)
        try:
            yield from iterator
        finally:
            if self._open is current:
                self._open = None
                self._finish(current)

    def observe(self, name, inner, args, kwargs):
        """Calls the loss function `inner`; inside an evaluation pass with gradients off, keeps its result."""
        current = self._open
        if current is None or self._inside or torch.is_grad_enabled():
            return inner(*args, **kwargs)
        self._inside = True
        try:
            result = inner(*args, **kwargs)
        finally:
            self._inside = False
        try:
            self._keep(current, name, result, args, kwargs)
        except Exception:  # the panel's measurements never get in the way of the script
            pass
        return result

    @staticmethod
    def _keep(current, name, result, args, kwargs):
        output = args[0] if args else kwargs.get("input")
        target = args[1] if len(args) > 1 else kwargs.get("target")
        if not isinstance(result, torch.Tensor) or not isinstance(output, torch.Tensor):
            return
        reduction = kwargs.get("reduction", "mean")
        if name in _CLASSIFICATION:  # one loss value per row (and per position of a spatial output)
            count = int(output.numel() // output.shape[1]) if output.dim() > 1 else 1
        else:
            count = int(output.numel())
        count = max(1, count)
        if reduction == "mean":
            total = result.detach() * count
        elif reduction == "sum":
            total = result.detach()
        else:
            total = result.detach().sum()
            count = max(1, int(result.numel()))
        current.losses.append((total, count))
        current.samples += int(output.shape[0]) if output.dim() > 1 else 1
        if (name in _CLASSIFICATION and output.dim() == 2 and int(output.shape[1]) > 1 and isinstance(target, torch.Tensor)
                and target.dim() == 1 and int(target.shape[0]) == int(output.shape[0]) and not target.is_floating_point()):
            current.corrects.append((output.detach().argmax(dim=1) == target).sum())
            current.rows += int(output.shape[0])

    def _finish(self, current):
        """Reads the pass's values back in one transfer and keeps its point."""
        if not current.losses:
            return
        try:
            parts = [total.float().reshape(()).to("cpu") for total, _ in current.losses]
            parts += [correct.float().reshape(()).to("cpu") for correct in current.corrects]
            values = torch.stack(parts).tolist()
        except Exception:
            return
        count = sum(c for _, c in current.losses)
        loss = sum(values[:len(current.losses)]) / count
        corrects = values[len(current.losses):]
        accuracy = sum(corrects) / current.rows if corrects and current.rows > 0 else None
        self.finished.append({"batches": current.batches, "epoch": current.epoch, "loss": loss,
                              "accuracy": accuracy, "samples": current.samples})

    def take(self):
        """The passes ended since the last take(), oldest first."""
        finished, self.finished = self.finished, []
        return finished
