"""What the debugger knows about training: batches, epochs, losses, gradient norms and the monitors' reports.

It listens to the BatchTracker (one call per training batch) and wraps `Tensor.backward` once more, and sends the
host a `batch` message at most every THROTTLE_SECONDS with everything since the last one, so listening stays a
small fraction of training time. It also tells the debug session when a batch was fetched (for `stepBatch`),
when the loss or the gradients are not finite, and when a monitor reports a training bug.
"""
import json
import math
import sys
import time

import torch

from . import events
from .inspector import reachable_modules, reachable_optimizers

__all__ = ["TrainingWatch"]

THROTTLE_SECONDS = 0.2
_HISTORY_SHOWN = 1000


class _HostTap:
    """Stands in for `_trainloop_host` in events.py: forwards every record and shows diagnostics to the watch."""

    def __init__(self, host, on_diagnostic):
        self._host = host
        self._on_diagnostic = on_diagnostic

    def emit(self, text):
        self._host.emit(text)
        if '"diagnostic"' in text:
            record = json.loads(text)
            if record.get("event") == "diagnostic":
                self._on_diagnostic(record)

    def __getattr__(self, name):
        return getattr(self._host, name)


class TrainingWatch:
    def __init__(self, session):
        self.session = session
        self.tracker = None
        self._passes = {}  # id(DataLoader) -> training passes over it
        self._loader = None
        self.losses = []
        self.diagnostics = []
        self._unsent_losses = []
        self._unsent_diagnostics = []
        self._grad_norms = None
        self._model_training = None
        self._last_sent = 0.0
        self._last_measured = 0.0
        self._parameters = None

    # ---- installation ---------------------------------------------------------------------------------------------
    def attach(self, tracker):
        self.tracker = tracker
        watch = self
        fetched = tracker.next_batch

        def next_batch():
            fetched()
            watch.session.on_batch_fetched(tracker.batch)

        tracker.next_batch = next_batch
        tracker.listeners.append(self._on_batch_end)
        data = getattr(torch.utils, "data", None)
        loader = getattr(data, "DataLoader", None)
        if loader is not None:
            iterate = loader.__iter__

            def passes(dataloader):
                if torch.is_grad_enabled():
                    watch._passes[id(dataloader)] = watch._passes.get(id(dataloader), 0) + 1
                    watch._loader = id(dataloader)
                return iterate(dataloader)

            loader.__iter__ = passes
        backward = torch.Tensor.backward

        def watched_backward(tensor, *args, **kwargs):
            result = backward(tensor, *args, **kwargs)
            watch._after_backward(tensor)
            return result

        torch.Tensor.backward = watched_backward
        events._trainloop_host = _HostTap(events._trainloop_host, self._on_diagnostic)

    # ---- what happens -----------------------------------------------------------------------------------------------
    @property
    def epoch(self):
        """The pass over the DataLoader of the current batch (0-based); -1 before the first."""
        return self._passes.get(self._loader, 0) - 1

    @property
    def batch(self):
        return self.tracker.batch if self.tracker is not None else -1

    @property
    def last_loss(self):
        if self.tracker is not None and self.tracker.loss is not None:
            return self.tracker.loss
        return self.losses[-1] if self.losses else None

    def _after_backward(self, loss):
        """After each backward(): the loss is checked every time (the tracker already read it); gradient norms are
        measured at most every THROTTLE_SECONDS (a non-finite gradient makes the next loss non-finite anyway)."""
        session = self.session
        if session.busy:
            return
        check = session.stops_on_non_finite
        value = self.tracker.loss if self.tracker is not None else None
        if check and value is not None and not math.isfinite(value):
            frame = session.user_frame(sys._getframe(1))
            session.stop_for_training_problem(frame, "NonFiniteLoss", f"The loss is {value} at batch {self.batch}.",
                                              None)
            return
        if time.monotonic() - self._last_measured < THROTTLE_SECONDS:
            return
        self._last_measured = time.monotonic()
        frame = session.user_frame(sys._getframe(1))
        norms = self._gradient_norms(frame)
        if not norms:
            return
        self._grad_norms = norms
        bad = next((name for name, norm in norms.items() if not math.isfinite(norm)), None)
        if check and bad is not None:
            session.stop_for_training_problem(
                frame, "NonFiniteGradient",
                f"The gradient of {bad} is not finite (norm {norms[bad]}) at batch {self.batch}.", None)

    def _gradient_norms(self, frame):
        """The gradient norm of each named parameter of the models the backward's caller can reach (one transfer)."""
        if frame is None:
            return None
        names, grads = [], []
        models = reachable_modules(frame)
        if models:
            self._model_training = bool(models[0][1].training)
        for model_name, model in models:
            for name, parameter in model.named_parameters():
                grad = parameter.grad
                if grad is not None:
                    names.append(f"{model_name}.{name}")
                    grads.append(grad)
        if not grads:
            return None
        with torch.no_grad():
            values = torch.stack([g.detach().float().norm() for g in grads]).tolist()
        return dict(zip(names, values))

    def _on_batch_end(self, batch, loss):
        if loss is not None:
            self.losses.append(loss)
        self._unsent_losses.append(loss)
        if time.monotonic() - self._last_sent >= THROTTLE_SECONDS:
            self.flush()

    def _on_diagnostic(self, record):
        self.diagnostics.append(record)
        self._unsent_diagnostics.append(record)
        self.session.on_diagnostic(record)

    def flush(self):
        """Sends the host what happened since the last `batch` message (at most every THROTTLE_SECONDS, and at stops)."""
        if not self._unsent_losses and not self._unsent_diagnostics:
            return
        self._last_sent = time.monotonic()
        losses = self._unsent_losses  # NaN and ±Inf travel as text ("nan", "inf")
        self.session.send(
            "batch",
            batch=self.batch,
            epoch=self.epoch if self.epoch >= 0 else None,
            loss=losses[-1] if losses else None,
            losses=losses,
            gradNorms=self._grad_norms or {},
            modelTraining=self._model_training,
            diagnostics=self._unsent_diagnostics,
        )
        self._unsent_losses = []
        self._unsent_diagnostics = []

    # ---- the Training scope -----------------------------------------------------------------------------------------
    def scope(self, inspector, frame):
        rows = [
            inspector._fact("batch", repr(self.batch) if self.batch >= 0 else "not started", "int", None),
            inspector._fact("epoch", repr(self.epoch) if self.epoch >= 0 else "unknown", "int", None),
        ]
        loss = self.last_loss
        rows.append(inspector._fact("last loss", "None" if loss is None else repr(loss), "float", None))
        history = self.losses[-_HISTORY_SHOWN:]
        rows.append({
            "name": "loss history", "value": f"{len(self.losses)} losses" + (
                f", last {', '.join(f'{v:.4g}' for v in history[-5:])}" if history else ""),
            "type": "list", "named": 0, "indexed": len(history),
            "ref": inspector._ref(lambda f, s, c: inspector._sequence_children(history, None, f, s, c)) if history else 0,
        })
        for name, optimizer in reachable_optimizers(frame):
            for index, group in enumerate(optimizer.param_groups):
                for key, value in group.items():
                    if key != "params" and isinstance(value, (int, float, bool, tuple, str, type(None))):
                        label = f"{name}.{key}" if len(optimizer.param_groups) == 1 else f"{name}[{index}].{key}"
                        rows.append(inspector._fact(label, repr(value), type(value).__name__, None))
        if self.diagnostics:
            shown = [f"{d.get('code')} line {d.get('line')}: {d.get('message')}" for d in self.diagnostics[-50:]]
            rows.append({"name": "monitor reports", "value": f"{len(self.diagnostics)} reports", "type": "list",
                         "indexed": len(shown),
                         "ref": inspector._ref(lambda f, s, c: inspector._sequence_children(shown, None, f, s, c))})
        return rows
