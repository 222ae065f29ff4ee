"""The debugger's line tracer for this interpreter: sys.monitoring on Python 3.12+, sys.settrace on 3.10 and 3.11.

Both feed a DebugSession the same events (on_line, on_return, on_script_end, on_uncaught, on_raise) and answer the
same calls (is_user_file, is_user_code, start, watch_raises, restart, script_code, script_ended, stop).
"""
import sys

from .tracing_guards import DISABLE

__all__ = ["DISABLE", "make_line_tracer", "script_code", "script_ended"]

_latest = []  # the tracer of this process's debug session, if any


def make_line_tracer(session, program):
    """The tracer for `session`, which debugs `program` (an absolute path)."""
    # Imported here: a run without the debugger (the runner imports this module) needs neither.
    if hasattr(sys, "monitoring"):
        from .monitoring_tracer import MonitoringLineTracer as LineTracer
    else:
        from .settrace_tracer import SettraceLineTracer as LineTracer
    tracer = LineTracer(session, program)
    _latest[:] = [tracer]
    return tracer


def script_code(code):
    """Called by the runner with the script's compiled code, just before it runs it: the code to run instead (on
    3.10/3.11, with the breakpoint hooks it needs; else the same code)."""
    for tracer in _latest:
        code = tracer.script_code(code)
    return code


def script_ended(exception=None):
    """Called by the runner once the script's module code has returned (None) or raised `exception`, before it
    reports the outcome: a settrace tracer learns of it here (an untraced module frame sends no event)."""
    for tracer in _latest:
        tracer.script_ended(exception)
