"""Line and exception events of the user's own code through sys.monitoring (PEP 669, Python 3.12+), for the debugger.

Only user files get LINE events, switched on per code object when it first starts. A line that is not a breakpoint
answers DISABLE, so a running script pays for its breakpoint lines only; `restart()` brings every line back when
breakpoints change or a step needs to see them. Agent, shim, standard-library and installed-package code is never
traced. Only the main thread talks to the session; a forked child drops the tracer.
"""
import sys
import threading

from .tracing_guards import DISABLE, MAIN_THREAD_ID, leave_session_in_forked_child, report_internal_error
from .user_code import UserCodeFilter, is_user_file

__all__ = ["MonitoringLineTracer", "DISABLE"]

MONITORING = sys.monitoring
TOOL = MONITORING.DEBUGGER_ID
EVENTS = MONITORING.events

_get_ident = threading.get_ident


class MonitoringLineTracer(UserCodeFilter):
    """Feeds a debug session the events it asked for: `on_line`, `on_return` (while stepping), `on_script_end` and
    `on_uncaught` (the script's module code returns or ends by an exception), `on_raise` (any exception raised in user
    code, for the `raised` filter)."""

    def __init__(self, session, program):
        self.session = session
        self.program = program
        self.main_code = None
        self._raised = False
        self._started = False
        leave_session_in_forked_child(self)

    def start(self, stop_on_raise):
        MONITORING.use_tool_id(TOOL, "trainloop")
        MONITORING.register_callback(TOOL, EVENTS.PY_START, self._py_start)
        MONITORING.register_callback(TOOL, EVENTS.LINE, self._line)
        MONITORING.register_callback(TOOL, EVENTS.PY_RETURN, self._return)
        MONITORING.register_callback(TOOL, EVENTS.PY_UNWIND, self._unwind)
        MONITORING.register_callback(TOOL, EVENTS.RAISE, self._raise)
        self._started = True
        self.watch_raises(stop_on_raise)

    def watch_raises(self, on):
        """RAISE events cost a call per exception anywhere, so they are on only for the `raised` filter."""
        self._raised = on
        if self._started:
            MONITORING.set_events(TOOL, EVENTS.PY_START | EVENTS.PY_UNWIND | (EVENTS.RAISE if on else 0))

    def restart(self):
        """Every line answers again (after breakpoints change, or to step)."""
        if self._started:
            MONITORING.restart_events()

    @staticmethod
    def script_code(code):
        """The script's code as it is: sys.monitoring needs nothing in it."""
        return code

    def script_ended(self, exception):
        """The runner's word that the script is over: nothing to do, PY_RETURN and PY_UNWIND told the session."""

    def stop(self):
        if not self._started:
            return
        self._started = False
        clear = getattr(MONITORING, "clear_tool_id", None)
        if clear is not None:
            clear(TOOL)
        else:
            MONITORING.set_events(TOOL, 0)
        MONITORING.free_tool_id(TOOL)

    # ---- callbacks (called by the interpreter inside the monitored frame, on any thread) ---------------------------
    # Events are switched per code object, for every thread at once: another thread's callback returns at once and
    # never answers DISABLE, which would switch the event off for the main thread too.
    def _py_start(self, code, offset):
        if self.is_user_code(code):
            MONITORING.set_local_events(TOOL, code, EVENTS.LINE | EVENTS.PY_RETURN)
            if self.main_code is None and code.co_name == "<module>" and code.co_filename == self.program:
                self.main_code = code
        return DISABLE

    def _line(self, code, line):
        if _get_ident() != MAIN_THREAD_ID:
            return None
        session = self.session
        if session.busy:
            return None
        generation = session.event_generation
        if session.running_freely and session.resumed_at is None:
            lines = session.breakpoint_lines.get(code.co_filename)
            if lines is None or line not in lines:
                # The interrupt handler may have read new breakpoints (and restarted events) during this call:
                # disabling the line now would undo that restart.
                return DISABLE if session.event_generation == generation else None
        try:
            return session.on_line(sys._getframe(1), line)
        except Exception as error:
            report_internal_error(error)
            return None

    def _return(self, code, offset, value):
        if _get_ident() != MAIN_THREAD_ID:
            return None
        session = self.session
        if code is self.main_code:
            session.on_script_end()
        if session.busy:
            return None
        if session.running_freely:
            return DISABLE
        try:
            return session.on_return(sys._getframe(1))
        except Exception as error:
            report_internal_error(error)
            return None

    def _unwind(self, code, offset, exception):
        if code is not self.main_code or _get_ident() != MAIN_THREAD_ID:
            return
        self.session.on_script_end()
        if not self.session.busy:
            try:
                self.session.on_uncaught(sys._getframe(1), exception)
            except Exception as error:
                report_internal_error(error)

    def _raise(self, code, offset, exception):
        if self._raised and not self.session.busy and _get_ident() == MAIN_THREAD_ID and self.is_user_code(code):
            try:
                self.session.on_raise(sys._getframe(1), exception)
            except Exception as error:
                report_internal_error(error)
