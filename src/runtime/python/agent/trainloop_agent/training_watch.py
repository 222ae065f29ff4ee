"""What the debugger knows about training: batches, epochs, losses, gradient norms and the monitors' reports.

It listens to the BatchTracker (one call per training batch) and wraps `Tensor.backward` once more, and sends the
host a `batch` message at most every THROTTLE_SECONDS with everything since the last one, so listening stays a
small fraction of training time. On the backward() it samples it measures the gradient norms and copies the
weights, so that the end of that batch (after the optimizer's step) measures each parameter's update ‖Δw‖/‖w‖;
weight and gradient histograms and the batch images, heavier and slower to change, are taken less often. Samples
come at most every SAMPLE_SECONDS (extras every EXTRAS_SECONDS), and further apart when they are slow, so that
they take at most SAMPLING_SHARE (extras EXTRAS_SHARE) of the run's time. Each measurement goes out at the end of
the batch it was taken in, so the panel shows it at the right batch; at a stop, a batch the sampler skipped is measured
then (flush), so that the paused panel shows the paused batch. It also follows evaluation passes (eval_metrics.py) and
the class names of the training data (its dataset's `classes`). It also tells the debug session when a batch
was fetched (for `stepBatch`), when the loss or the gradients are not finite, and when a monitor reports a training
bug.

Under real PyTorch nothing here waits for the device on the batches it does not sample: the losses come from the
BatchTracker, read back a few at a time (batches.py); with a GradScaler the loss is the unscaled one, the gradient
norms measured after backward() are divided by the scale, and the inf gradients of a step the scaler skips are neither
shown nor a stop. Under torch.compile the wrappers call through while TorchDynamo traces.
"""
import json
import math
import sys
import time

import torch

from . import events
from .agent_text import AgentText
from .batch_images import batch_images, class_names
from .classifier_outputs import ClassifierOutputs
from .compiling import is_compiling
from .eval_metrics import EvaluationPasses
from .inspector import reachable_modules
from .parameter_histograms import parameter_histograms
from .sampling_budget import SamplingBudget
from .tensor_reads import squared_sums
from .tensor_summary import summarize
from .training_scope import TrainingScope
from .weight_updates import WeightUpdates

__all__ = ["TrainingWatch"]

# The panel draws at most a few times a second (trainloop.panel.updateRateHz, 2 by default): losses every half second,
# a measurement a second and histograms and images every two are all it needs, and each one is work taken from
# training (in the host and the panel's page as well as here).
THROTTLE_SECONDS = 0.5
SAMPLE_SECONDS = 1.0
EXTRAS_SECONDS = 2.0
SAMPLING_SHARE = 0.01
EXTRAS_SHARE = 0.0075


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


class TrainingWatch(TrainingScope):
    """Follows training for the debug session; its Training scope is in training_scope.py, the batch images in
    batch_images.py."""

    def __init__(self, session):
        self.session = session
        self.tracker = None
        self._passes = {}  # id(DataLoader) -> training passes over it
        self._loader = None
        self.losses = []
        self.diagnostics = []
        self._unsent_losses = []
        self._unsent_diagnostics = []
        # Measurements go once, in the report that ends with the batch they were taken at (the panel keeps them).
        self._grad_norms = None
        self._update_ratios = None
        self._histograms = None
        self._inputs = None
        self._weight_updates = WeightUpdates()
        self._evaluation = EvaluationPasses()
        self._classifier_outputs = ClassifierOutputs(self._evaluation)
        self._classes = None  # the class names of the training DataLoader's dataset, when it has them
        self._last_output = None  # the logits of the last backward()'s batch (for the images' predictions at a stop)
        self._backward_batch = None  # the training batch of the last backward()
        self._backward_scaled = False  # whether a GradScaler scaled that backward()'s loss
        self._extras_batch = None  # the training batch the latest histograms and images were taken at
        self._model_training = None
        self._last_sent = 0.0
        self._sampling = SamplingBudget(SAMPLE_SECONDS, SAMPLING_SHARE)
        self._extras = SamplingBudget(EXTRAS_SECONDS, EXTRAS_SHARE)
        self._sample = None  # (time.monotonic() at its start, seconds so far) of this batch's sample, if any
        self._deferred_stop_batch = -1  # the batch running at the last stop for a deferred non-finite loss
        # "This batch" in the Training scope: the gradients as backward() left them (summaries, not copies: zero_grad()
        # may run before the stop) and the update ratios of the step, each with the batch number it belongs to.
        self._batch_gradients = (0, None)  # (batch number, {name: summary}) or None when not measured
        self._batch_ratios = (0, None)  # (batch number, {name: ‖Δw‖/‖w‖})

    # ---- installation ---------------------------------------------------------------------------------------------
    def attach(self, tracker):
        self.tracker = tracker
        watch = self
        finish = tracker.finish_batch

        def finish_batch():
            ended = tracker.open and tracker.backwarded
            finish()
            if ended:  # after every listener: the update ratio is measured, the monitors have judged the batch
                watch.session.on_batch_end(sys._getframe(1), tracker.number)

        tracker.finish_batch = finish_batch
        tracker.listeners.append(self._on_batch_end)
        tracker.loss_listeners.append(self._on_loss)
        data = getattr(torch.utils, "data", None)
        loader = getattr(data, "DataLoader", None)
        if loader is not None:
            iterate = loader.__iter__

            def passes(dataloader):
                if is_compiling():
                    return iterate(dataloader)
                if torch.is_grad_enabled():
                    watch._passes[id(dataloader)] = watch._passes.get(id(dataloader), 0) + 1
                    watch._loader = id(dataloader)
                    watch._classes = class_names(dataloader)
                    return iterate(dataloader)
                # Gradients off: a test loop's pass, measured if it calls a loss function.
                completed = watch.tracker.completed if watch.tracker is not None else 0
                epoch = watch.epoch
                return watch._evaluation.over(iterate(dataloader), completed, epoch if epoch >= 0 else None)

            loader.__iter__ = passes
        backward = torch.Tensor.backward

        def watched_backward(tensor, *args, **kwargs):
            result = backward(tensor, *args, **kwargs)
            if not is_compiling():
                watch._after_backward(tensor)
            return result

        torch.Tensor.backward = watched_backward
        self._classifier_outputs.install()
        events._trainloop_host = _HostTap(events._trainloop_host, self._on_diagnostic)

    # ---- what happens -----------------------------------------------------------------------------------------------
    @property
    def epoch(self):
        """The pass over the DataLoader of the current batch (0-based); -1 before the first."""
        return self._passes.get(self._loader, 0) - 1

    @property
    def batch(self):
        """The batch being trained (or the last one) as users count, from 1; 0 before the first."""
        return self.tracker.number if self.tracker is not None else 0

    def batch_text(self):
        return AgentText("when.batch", batch=self.batch) if self.batch > 0 else AgentText("when.outsideLoop")

    @property
    def last_loss(self):
        """The latest loss (read now when it is still on its device: the Training scope shows it while stopped)."""
        if self.tracker is not None:
            try:
                current = self.tracker.current_loss()
            except Exception:
                current = None
            if current is not None:
                return current
        return self.losses[-1] if self.losses else None

    def _after_backward(self, loss):
        """After each backward(): the loss is checked every time (the tracker already read it); gradient norms are
        measured on samples (a non-finite gradient makes the next loss non-finite anyway), the histograms and images on
        fewer."""
        output = self._classifier_outputs.take()  # the logits this backward() ends with, held until the next one
        self._last_output = output
        self._backward_batch = self.batch
        session = self.session
        if session.busy:
            return
        scaled = self.tracker.scaled_losses.of(loss) if self.tracker is not None else None
        self._backward_scaled = scaled is not None
        check = session.stops_on_non_finite
        value = self.tracker.loss if self.tracker is not None else None
        if check and value is not None and not math.isfinite(value):
            frame = session.user_frame(sys._getframe(1))
            session.stop_for_training_problem(frame, "NonFiniteLoss",
                                              AgentText("nonFinite.loss", value=value, when=self.batch_text()), None)
            return
        # A batch step ends in a stop that shows this batch's gradients: measured on every batch while stepping.
        stepping = session.stepping_by_batch
        self._batch_gradients = (self.batch, None)
        if not self._sampling.due() and not stepping:
            return
        started = time.monotonic()
        frame = session.user_frame(sys._getframe(1))
        try:
            measured = self._gradients(frame, scaled)
        except Exception:  # the panel's measurements never get in the way of training (an exotic gradient type)
            measured = None
        self._sampling.spent(started, time.monotonic() - started)  # the batch's end adds its part (if it comes)
        if measured is None:
            return
        names, weights, grads, norms, scale = measured
        self._keep_batch_gradients(names, grads, norms, scale, stepping)
        bad = next((name for name, norm in norms.items() if not math.isfinite(norm)), None)
        if scaled is not None and bad is not None:
            return  # scaled gradients overflowed: the GradScaler skips this step and lowers its scale
        self._grad_norms = norms
        self._sample = (started, time.monotonic() - started)
        if self._extras.due():
            begun = time.monotonic()
            first = self._extras_batch is None
            self._take_extras(names, weights, grads, scale, output)
            # The first one warms up (kernels compiled, buffers made) and costs many times the next: spaced by its cost
            # over the share, it left a short run with the histograms and images of its first batch only.
            self._extras.spent(begun, 0.0 if first else time.monotonic() - begun)
        if check and bad is not None:
            session.stop_for_training_problem(
                frame, "NonFiniteGradient",
                AgentText("nonFinite.gradientNorm", parameter=bad, norm=norms[bad], when=self.batch_text()), None)

    def _keep_batch_gradients(self, names, grads, norms, scale, full):
        """This batch's gradients for "This batch": a full summary each (`full`: at a batch step, or at a stop) or,
        on a sample taken while running, the norm measured anyway."""
        try:
            if full and scale == 1.0:
                summaries = {name: summarize(grad) for name, grad in zip(names, grads)}
            else:  # scaled gradients (GradScaler): their norms, divided by the scale, only
                summaries = {name: f"‖grad‖={norms[name]:.4g}" for name in names}
            self._batch_gradients = (self.batch, summaries)
        except Exception:  # "This batch" never gets in the way of training
            self._batch_gradients = (self.batch, None)

    def _take_extras(self, names, weights, grads, scale, output):
        """The histograms and the batch images of this batch, for the next report."""
        try:
            self._histograms = _unscaled_histograms(parameter_histograms(names, weights, grads), scale)
        except Exception:  # the panel's extras never get in the way of training
            self._histograms = None
        self._inputs = batch_images(self.tracker, output, self._classes) or self._inputs
        self._extras_batch = self.batch

    def _measure_at_stop(self, frame):
        """At a stop after a backward() the sampler skipped: the gradient norms, histograms and images of that batch,
        measured now (the user waits at the stop anyway), so that the paused panel shows the paused batch."""
        if self._backward_batch is None or self._backward_batch == self._extras_batch or frame is None:
            return
        if self._backward_scaled:  # a GradScaler's gradients may still be scaled here (before its step): not shown
            return
        try:
            measured = self._gradients(frame)
            if measured is None:
                return
            names, weights, grads, norms, _ = measured
            self._grad_norms = norms  # the paused batch's, rather than an earlier sample's still unsent
            if self._batch_gradients[1] is None:
                self._keep_batch_gradients(names, grads, norms, 1.0, True)
            self._take_extras(names, weights, grads, 1.0, self._last_output)
        except Exception:  # the panel's extras never get in the way of the stop
            pass

    def _gradients(self, frame, scaled=None):
        """(names, weights, grads, {name: ‖grad‖}, scale) for the named parameters with a gradient of the models the
        backward's caller can reach (one read-back; without tensor ops under the embedded runtime), or None; copies the
        weights for the update ratios. `scaled` (loss_scaling.Scaled) when a GradScaler scaled the loss: the gradients
        are the scale times the true ones, and the norms are divided by it (read in the same transfer)."""
        if frame is None:
            return None
        names, grads, weights = [], [], []
        models = reachable_modules(frame)
        if models:
            self._model_training = bool(models[0][1].training)
        for model_name, model in models:
            for name, parameter in model.named_parameters():
                grad = parameter.grad
                if grad is not None:
                    names.append(f"{model_name}.{_without_compile_wrapper(name)}")
                    grads.append(grad)
                    weights.append(parameter)
        if not grads:
            return None
        scale = 1.0
        if scaled is None:
            sums = squared_sums(grads)
        else:  # divided before squaring: scaled gradients near float32's limit would overflow in their squares
            *sums, scale = squared_sums(grads + [torch.ones((), device=grads[0].device)], scaled.scale)
            scale = 1.0 / math.sqrt(scale) if scale > 0 else 1.0  # the ones' sum: 1/scale²
        norms = {name: math.sqrt(s) for name, s in zip(names, sums)}
        try:
            self._weight_updates.snapshot(names, weights)
        except Exception:  # the panel's extras never get in the way of training
            pass
        return names, weights, grads, norms, scale

    def _on_loss(self, batch, loss, deferred):
        """The tracker read a batch's loss: at its end on the CPU, a few batches later on an accelerator (then the
        non-finite check, done after backward() on the CPU, happens here)."""
        if loss is not None:
            self.losses.append(loss)
        self._unsent_losses.append(loss)
        session = self.session
        if deferred and loss is not None and not math.isfinite(loss) and session.stops_on_non_finite:
            if batch > self._deferred_stop_batch:  # once per read: the later batches read with it say the same
                self._deferred_stop_batch = self.batch - 1  # indexes, from 0, as the tracker's `batch`
                frame = session.user_frame(sys._getframe(1))
                session.stop_for_training_problem(frame, "NonFiniteLoss", AgentText(
                    "nonFinite.loss", value=loss, when=AgentText("when.batch", batch=batch + 1)), None)

    def _on_batch_end(self, batch, loss):
        begun = time.monotonic()
        ratios = self._measured_update_ratios()
        if ratios:
            self._update_ratios = ratios
            self._batch_ratios = (batch + 1, ratios)
        sample, self._sample = self._sample, None
        if ratios or sample is not None or time.monotonic() - self._last_sent >= THROTTLE_SECONDS:
            self._send()
        if sample is not None:  # the sample's cost: its backward() part, the update measured and its report sent
            started, seconds = sample
            self._sampling.spent(started, seconds + time.monotonic() - begun)

    def _measured_update_ratios(self):
        try:
            return self._weight_updates.measure()
        except Exception:  # the panel's extras never get in the way of training
            return None

    def _on_diagnostic(self, record):
        self.diagnostics.append(record)
        self._unsent_diagnostics.append(record)
        self.session.on_diagnostic(record)

    def flush(self):
        """At a stop (and the script's end): the report of what happened since the last one, with the paused batch's
        measurements, taken now when the sampler skipped that batch."""
        if self.session.busy:  # the debugger is stopped
            self._measure_at_stop(self.session.user_frame(sys._getframe(1)))
        self._send()

    def _send(self):
        """Sends the host what happened since the last `batch` message (at most every THROTTLE_SECONDS, and at stops)."""
        if self.tracker is not None:
            self.tracker.read_losses()  # the losses still on their device, in one transfer
        evaluations = self._evaluation.take()
        if not self._unsent_losses and not self._unsent_diagnostics and not evaluations:
            return
        self._last_sent = time.monotonic()
        losses = self._unsent_losses  # NaN and ±Inf travel as text ("nan", "inf")
        self.session.send(
            "batch",
            batch=self.batch,  # as users count, from 1 (0: no training batch yet)
            epoch=self.epoch if self.epoch >= 0 else None,
            loss=losses[-1] if losses else None,
            losses=losses,
            gradNorms=self._grad_norms or {},
            updateRatios=self._update_ratios or {},
            **({"histograms": self._histograms} if self._histograms else {}),
            **({"inputs": self._inputs} if self._inputs else {}),
            **({"evaluations": evaluations} if evaluations else {}),
            modelTraining=self._model_training,
            diagnostics=self._unsent_diagnostics,
        )
        self._unsent_losses = []
        self._unsent_diagnostics = []
        self._grad_norms = self._update_ratios = self._histograms = self._inputs = None


def _without_compile_wrapper(name):
    """`fc.weight` for torch.compile's `_orig_mod.fc.weight`: the panel names parameters as the user's model does."""
    return name[len("_orig_mod."):] if name.startswith("_orig_mod.") else name


def _unscaled_histograms(histograms, scale):
    """Histograms of scaled gradients, back on the gradients' own scale (equal bins stay equal: only the range)."""
    if scale == 1.0 or not histograms:
        return histograms
    for parts in histograms.values():
        grads = parts.get("grads")
        if grads:
            grads["min"], grads["max"] = grads["min"] / scale, grads["max"] / scale
    return histograms

