"""Installs the training-bug detectors (TL001-TL011) on the hooks; a detector that raises is reported once and
switched off, and the user's script goes on."""
import sys
import traceback

from ..diagnostics import Reporter
from ..events import emit
from .cleared_before_step import GradientsClearedBeforeStepMonitor
from .dying_relu import DyingReluMonitor
from .exploding_gradients import ExplodingGradientMonitor
from .gradient_accumulation import GradientAccumulationMonitor
from .hooks import TrainingHooks
from .learning_rate import LearningRateMonitor
from .loss_with_graph import LossWithGraphMonitor
from .missing_step import MissingStepMonitor
from .non_finite import NonFiniteMonitor
from .softmax_into_cross_entropy import SoftmaxIntoCrossEntropyMonitor
from .train_eval_mode import TrainEvalModeMonitor
from .vanishing_gradients import VanishingGradientMonitor

__all__ = ["DETECTORS", "install_monitors", "installed_monitors", "installed_hooks"]

DETECTORS = (
    GradientAccumulationMonitor,  # TL001
    GradientsClearedBeforeStepMonitor,  # TL002
    NonFiniteMonitor,  # TL003
    ExplodingGradientMonitor,  # TL004
    VanishingGradientMonitor,  # TL005
    DyingReluMonitor,  # TL006
    SoftmaxIntoCrossEntropyMonitor,  # TL007
    TrainEvalModeMonitor,  # TL008
    LossWithGraphMonitor,  # TL009
    MissingStepMonitor,  # TL010
    LearningRateMonitor,  # TL011
)

_installed = []
_hooks = []


def installed_monitors():
    """The detectors running in this process, by code (tests use it to inject a failing monitor)."""
    return {monitor.code: monitor for monitor in _installed}


def installed_hooks():
    """The hooks of this process, or None; `hooks.active = False` pauses every detector (the overhead bench uses it)."""
    return _hooks[-1] if _hooks else None


def _enabled(disabled_detectors):
    disabled = {str(code).strip().upper() for code in (disabled_detectors or ())}
    if "ALL" in disabled:
        return []
    return [cls for cls in DETECTORS if cls.code not in disabled]


def _report_failure(monitor, error):
    """Reported once: the monitor is already unsubscribed. An `internal` event plus one line on stderr."""
    monitor.active = False
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
    code = getattr(monitor, "code", None)
    detector = code or getattr(monitor, "name", type(monitor).__name__)
    text = f"{type(error).__name__}: {error}"
    emit("internal", kind="monitor-failed", detector=detector, monitor=getattr(monitor, "name", None),
         error=text, where=where)
    what = f"the {code} detector failed and was switched off" if code else f"{detector} failed: detectors switched off"
    sys.stderr.write(f"trainloop: {what} ({text}, at {where})\n")


def install_monitors(tracker, disabled_detectors=()):
    """Wraps the training calls and starts every detector not listed in disabled_detectors (codes, or `all`)."""
    for earlier in _hooks:  # a second run in the same interpreter: the earlier run's detectors stop listening
        earlier.active = False
    _installed.clear()
    classes = _enabled(disabled_detectors)
    if not classes:
        return None
    hooks = None
    try:
        main = sys.modules.get("__main__")
        reporter = Reporter(getattr(main, "__file__", None), tracker)
        hooks = TrainingHooks(tracker, _report_failure)
        for cls in classes:
            monitor = cls(hooks, reporter)
            hooks.subscribe(monitor)
            _installed.append(monitor)
        hooks.install()
        _hooks.append(hooks)
        return hooks
    except Exception as error:  # never stop the user's script from starting
        if hooks is not None:
            hooks.active = False
        _report_failure(_Installer(), error)
        return None


class _Installer:
    code = None
    name = "monitor installation"
    active = False
