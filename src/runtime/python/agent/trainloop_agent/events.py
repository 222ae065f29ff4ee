"""Sends run events (batch, diagnostic...) to the host as JSON, the same records `--events` files hold."""
import json
import math

import _trainloop_host

__all__ = ["emit"]


def _finite_or_text(value):
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def emit(event, **fields):
    record = {"event": event}
    record.update({key: _finite_or_text(value) for key, value in fields.items()})
    _trainloop_host.emit(json.dumps(record))
