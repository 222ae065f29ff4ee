"""Line and exception events of the user's own code through sys.monitoring (PEP 669), for the debugger.

Only user files get LINE events, switched on per code object when it first starts. A line that is not a breakpoint
answers DISABLE, so a running script pays for its breakpoint lines only; `restart()` brings every line back when
breakpoints change or a step needs to see them. Runtime, shim and standard-library code is never traced.
"""
import os
import sys
import sysconfig

__all__ = ["LineTracer", "RUNTIME_DIRS"]

MONITORING = sys.monitoring
TOOL = MONITORING.DEBUGGER_ID
EVENTS = MONITORING.events
DISABLE = MONITORING.DISABLE

# dist/python (the agent and the shim), the standard library and installed packages.
RUNTIME_DIRS = tuple(
    {
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep,
        os.path.dirname(os.__file__) + os.sep,
        *(path + os.sep for path in (sysconfig.get_paths().get("purelib"), sysconfig.get_paths().get("platlib")) if path),
    }
)


class LineTracer:
    """Feeds a debug session the events it asked for: `on_line`, `on_unwind` (script ends by an exception),
    `on_raise` (any exception raised in user code)."""

    def __init__(self, session, program):
        self.session = session
        self.program = program
        self.main_code = None
        self._user_files = {}
        self._raised = False
        self._started = False

    def is_user_file(self, filename):
        known = self._user_files.get(filename)
        if known is None:
            known = not filename.startswith("<") and not filename.startswith(RUNTIME_DIRS)
            self._user_files[filename] = known
        return known

    def is_user_code(self, code):
        return self.is_user_file(code.co_filename)

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

    # ---- callbacks (called by the interpreter inside the monitored frame) ----------------------------------------
    def _py_start(self, code, offset):
        if self.is_user_code(code):
            MONITORING.set_local_events(TOOL, code, EVENTS.LINE | EVENTS.PY_RETURN)
            if self.main_code is None and code.co_name == "<module>" and code.co_filename == self.program:
                self.main_code = code
        return DISABLE

    def _line(self, code, line):
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
            _internal_error(error)
            return None

    def _return(self, code, offset, value):
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
            _internal_error(error)
            return None

    def _unwind(self, code, offset, exception):
        if code is self.main_code:
            self.session.on_script_end()
        if code is self.main_code and not self.session.busy:
            try:
                self.session.on_uncaught(sys._getframe(1), exception)
            except Exception as error:
                _internal_error(error)

    def _raise(self, code, offset, exception):
        if self._raised and not self.session.busy and self.is_user_code(code):
            try:
                self.session.on_raise(sys._getframe(1), exception)
            except Exception as error:
                _internal_error(error)


def _internal_error(error):
    """A fault of the debugger itself: reported, never passed on to the user's script."""
    import traceback

    sys.stderr.write("trainloop debugger: internal error (the script goes on):\n" + "".join(
        traceback.format_exception(type(error), error, error.__traceback__)))
