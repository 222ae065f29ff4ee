"""Whether torch.compile is tracing right now: the agent's wrappers (backward, module calls, DataLoader passes, loss
functions) then only call through, so the traced graph holds the user's ops and none of the agent's bookkeeping.

torch.compile traces Python code once and replays the graph: a wrapper's side effects (counting a batch, recording a
module's output) would run at tracing time only, or break the graph. TorchDynamo answers `is_compiling()` with True
while tracing and False when the code runs eagerly, so the wrappers ask on every call (a flag read, when eager).
"""
import sys

import torch

from .tensor_reads import ENGINE

__all__ = ["is_compiling"]


def _never():
    return False


def _dynamo_is_compiling():
    """torch 2.0-2.2 (no torch.compiler.is_compiling): TorchDynamo's own, once something imported it."""
    dynamo = sys.modules.get("torch._dynamo")
    check = getattr(dynamo, "is_compiling", None)
    return bool(check()) if callable(check) else False


def _choose():
    if ENGINE is not None:
        return _never  # the embedded runtime: its torch.compile hands the model back as it is, nothing is traced
    check = getattr(getattr(torch, "compiler", None), "is_compiling", None)
    if callable(check):
        return check  # torch >= 2.3: TorchDynamo treats this very function as a constant while tracing
    if callable(getattr(torch, "compile", None)):
        return _dynamo_is_compiling
    return _never  # torch 1.x: nothing compiles


is_compiling = _choose()
