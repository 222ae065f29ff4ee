"""TL009: a variable keeps adding loss tensors (with their autograd graphs) across batches, so memory grows.

Rule: at the end of each training batch, in the user's frame running the loop, a variable that holds a one-element
tensor with a grad_fn, never itself passed to backward(), whose value grew by the same multiple of the batch's loss
on CONFIRMING_BATCHES batches in a row (`total += loss`, `total = total + loss * n`), or a list whose last item
is such a tensor and which grew on CONFIRMING_BATCHES batches in a row (`losses.append(loss)`). The line reported is
the one in the loop that updates the variable. New candidates are looked for at the first DENSE_SCANS batch ends and
then every SCAN_EVERY batches; once found, a candidate is checked at every batch end. Its value and the batch's loss
are read through the tracker's deferred reads: at once on the CPU, with the losses a few times a second on an
accelerator (a sync per batch otherwise), and judged in batch order either way.
"""
import linecache
import re
import sys

import torch

from ..diagnostics import Location, user_frame
from ..tensor_reads import reads_sync
from .base import Monitor

__all__ = ["LossWithGraphMonitor", "CONFIRMING_BATCHES"]

CONFIRMING_BATCHES = 8  # more than the batches people sum a loss over before one backward() of the sum
DENSE_SCANS = 3  # the user's variables are scanned for new candidates at the first batches' ends,
SCAN_EVERY = 10  # then at every SCAN_EVERY-th; a candidate, once found, is followed at every batch end
MULTIPLE_TOLERANCE = 1e-3
GIVE_UP_AFTER_MISSES = 3


class _Candidate:
    __slots__ = ("value", "multiple", "hits", "misses")

    def __init__(self, value):
        self.value = value
        self.multiple = None
        self.hits = 0
        self.misses = 0


class LossWithGraphMonitor(Monitor):
    code = "TL009"

    def __init__(self, hooks, reporter):
        super().__init__(hooks, reporter)
        self.backwarded = set()  # ids of the tensors backward() was called on during this batch
        self.sums = {}  # (code, name) -> _Candidate
        self.lists = {}  # (code, name) -> (length, batches it grew in a row)
        self.ignored = set()

    def on_backward_end(self, tensor):
        self.backwarded.add(id(tensor))
        scaled = self.hooks.tracker.scaled_losses.of(tensor)  # scaler.scale(loss).backward(): `loss` is backwarded
        if scaled is not None:
            self.backwarded.add(scaled.source)

    def on_batch_end(self, batch, loss):
        backwarded, self.backwarded = self.backwarded, set()
        scan = batch < DENSE_SCANS or batch % SCAN_EVERY == 0
        if not scan and not self.sums and not self.lists:
            return
        frame = user_frame(sys._getframe(1))
        if frame is None:
            return
        code = frame.f_code
        local = frame.f_locals
        if scan:
            names = list(local.keys())
        else:
            names = [name for (c, name) in list(self.sums) + list(self.lists) if c is code]
        for name in names:
            key = (code, name)
            if key in self.ignored:
                continue
            value = local.get(name)
            if isinstance(value, torch.Tensor):
                if id(value) in backwarded:  # a sum that gets backwarded: accumulation on purpose
                    self.ignored.add(key)
                    self.sums.pop(key, None)
                elif _holds_graph(value) and value.numel() == 1:
                    self._check_sum(frame, key, value, loss)
            elif isinstance(value, list) and value and isinstance(value[-1], torch.Tensor) and _holds_graph(value[-1]):
                self._check_list(frame, key, value)

    def _check_sum(self, frame, key, value, loss):
        """Reads the variable's value (and the loss, when the tracker has not yet) and judges them in batch order."""
        value = value.detach().reshape(())
        if reads_sync(value):
            value = value.clone()  # `total += loss` changes it in place before the read
        if key not in self.sums:
            self.sums[key] = _Candidate(None)  # followed from now on, even before its first value is read
        tensors = [value]
        loss_tensor = getattr(self.hooks.tracker, "loss_tensor", None) if not isinstance(loss, float) else None
        if loss_tensor is not None:
            tensors.append(loss_tensor)
        batch = self.reporter.current_batch()
        self.hooks.tracker.reads.later(
            tensors, lambda values: self._judge(frame, key, values[0], values[1] if len(values) > 1 else loss, batch))

    def _judge(self, frame, key, current, loss, batch):
        candidate = self.sums.get(key)
        if candidate is None or key in self.ignored:
            return
        if candidate.value is None:
            candidate.value = current
            return
        grew, candidate.value = current - candidate.value, current
        multiple = grew / loss if isinstance(loss, float) and loss != 0 else None
        same = (
            multiple is not None
            and multiple > 0
            and candidate.multiple is not None
            and abs(multiple - candidate.multiple) <= MULTIPLE_TOLERANCE * max(1.0, abs(multiple))
        )
        candidate.multiple = multiple
        if not same:
            candidate.hits = 0
            candidate.misses += 1
            if candidate.misses >= GIVE_UP_AFTER_MISSES:
                self.ignored.add(key)
                del self.sums[key]
            return
        candidate.hits += 1
        if candidate.hits >= CONFIRMING_BATCHES:
            evidence = {
                "variable": key[1],
                "value": current,
                "added_per_batch": f"{multiple:.4g} × loss",
                "batches_in_a_row": candidate.hits + 1,
            }
            values = {"variable": key[1], "multiple": f"{multiple:.4g}", "batches": candidate.hits + 1,
                      "value": f"{current:.4g}"}
            self._report(frame, key, evidence, sum_pattern(key[1]), "TL009.sum", values, batch)

    def _check_list(self, frame, key, items):
        length, grew = self.lists.get(key, (None, 0))
        grew = grew + 1 if length is not None and len(items) > length else 0
        self.lists[key] = (len(items), grew)
        if grew >= CONFIRMING_BATCHES + 1:
            evidence = {"variable": key[1], "length": len(items), "items_with_grad_fn": "yes",
                        "batches_in_a_row": grew}
            values = {"variable": key[1], "length": len(items), "batches": grew}
            self._report(frame, key, evidence, append_pattern(key[1]), "TL009.list", values)

    def _report(self, frame, key, evidence, pattern, template, values, batch=None):
        self.ignored.add(key)
        self.sums.pop(key, None)
        self.lists.pop(key, None)
        location, expression, added = _find_update(frame, pattern, key[1])
        remedy = f"{added}.item()" if added and re.fullmatch(r"[A-Za-z_]\w*", added) else "loss.item()"
        batch = self.reporter.current_batch() if batch is None else batch
        self.report(location, evidence=evidence, cause=key, template=template, expression=expression, remedy=remedy,
                    batch=batch, **values)


def _holds_graph(tensor):
    return tensor.requires_grad and tensor.grad_fn is not None


def sum_pattern(name):
    n = re.escape(name)
    return re.compile(rf"(?<![\w.])({n}\s*(?:\+=\s*(.+?)|=\s*{n}\s*\+\s*(.+?)|=\s*(.+?)\s*\+\s*{n}))\s*(?:#.*)?$")


def append_pattern(name):
    n = re.escape(name)
    return re.compile(rf"(?<![\w.])({n}\s*(?:\.append\(\s*(.+?)\s*\)|\+=\s*\[\s*(.+?)\s*\]))\s*(?:#.*)?$")


def _find_update(frame, pattern, name):
    """The line in the loop's code that updates the variable: its Location, its text and what it adds."""
    code = frame.f_code
    path = code.co_filename
    lines = linecache.getlines(path)
    if code.co_name == "<module>":
        numbers = range(1, len(lines) + 1)
    else:
        numbers = sorted({line for _, _, line in code.co_lines() if line})
    for number in numbers:
        text = lines[number - 1].rstrip("\n") if number - 1 < len(lines) else ""
        match = pattern.search(text)
        if match:
            added = next((g for g in match.groups()[1:] if g), None)
            return Location(path, number, match.start(1) + 1), match.group(1).strip(), added
    return Location(path, frame.f_lineno, 1), name, None
