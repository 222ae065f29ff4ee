"""Line and exception events of the user's own code through sys.settrace and breakpoint hooks compiled into the
user's code, for the debugger on Python 3.10 and 3.11 (no sys.monitoring there). Same interface and session semantics
as MonitoringLineTracer.

Cost is the point. While a trace function is installed, CPython 3.10/3.11 run every instruction of the thread on
their slow tracing path, whatever the frame (measured: about 3x on pure-Python code, library code included). So:
- running freely, breakpoints are hooks compiled into the code objects that hold them (breakpoint_hooks.py): no
  trace function at all (sys.settrace(None), every f_trace cleared), the script runs at full speed and pays a call
  per line run in a function with a breakpoint;
- what hooks can't reach is traced, only that: a frame already running code without the hooks it now needs (a
  breakpoint added in a running loop) until it returns, code compiled some other way; the global function decides
  once per code object (cached) and answers None at once for the rest;
- while stepping, paused or stepping by batch, and for the `raised` filter, user frames are traced.
`restart()` (breakpoints changed, a step starts: called on the main thread, from the interrupt handler while the
script runs or while it is stopped) updates the hooks and, when tracing is needed, installs the global function and
sets f_trace on the user frames already running, found by walking the stack. Going back to running freely narrows
tracing at the next event.

Only the main thread is traced (sys.settrace is per thread and threading.settrace is never called), and only it
stops at hooks. The end of the script comes from the runner (`script_ended`), as no event can be had from an
untraced module frame; the script's code comes through `script_code`, to get its hooks before it runs.
"""
import functools
import sys
import threading

from .breakpoint_hooks import BreakpointHooks
from .line_hooks import SUPPORTED as HOOKS_SUPPORTED
from .tracing_guards import DISABLE, MAIN_THREAD_ID, leave_session_in_forked_child, report_internal_error
from .user_code import UserCodeFilter, is_user_file

__all__ = ["SettraceLineTracer", "DISABLE"]

# How a user code object is traced while running freely with the `raised` filter on and no breakpoint in it:
# exception and return events only (f_trace_lines off), no call per line.
_EXCEPTIONS_ONLY = object()

_get_ident = threading.get_ident


def _return_opcodes():
    import dis

    return frozenset(dis.opmap[name] for name in ("RETURN_VALUE", "RETURN_CONST") if name in dis.opmap)


# A 'return' event also comes for a yield and for a frame left by an exception; sys.monitoring's PY_RETURN (what the
# session expects) only for a real return, told by the instruction the frame stopped on.
_RETURN_OPCODES = _return_opcodes()


class SettraceLineTracer(UserCodeFilter):
    """Feeds a debug session the events it asked for: `on_line`, `on_return` (while stepping), `on_raise` (any
    exception raised in user code, for the `raised` filter), and through `script_ended`, `on_script_end` and
    `on_uncaught`."""

    def __init__(self, session, program):
        self.session = session
        self.program = program
        self._started = False
        self._raised = False
        self._trace_all = False  # the mode the plans were made for: every user frame (stepping) or breakpoints only
        self._installed = False
        self._plans = {}  # code -> None (not traced) | self._trace_frame | _EXCEPTIONS_ONLY, for the current mode
        self._code_lines = {}  # code -> the lines of its own instructions (not of the functions nested in it)
        # Bound once: f_trace holds exactly these objects, so `is` tells our frames from others'.
        self._trace_call = self._on_call
        self._trace_frame = self._on_frame_event
        self._hooks = BreakpointHooks(self._hook_for_line, is_user_file) if HOOKS_SUPPORTED else None
        self._hook_calls = {}  # line -> the callable its hooks call
        self._tracked = set()  # running frames traced because their code lacks the hooks they now need
        self._last_traced_line = None  # (frame, line) settrace just gave the session: its hook must not repeat it
        leave_session_in_forked_child(self)

    def start(self, stop_on_raise):
        self._started = True
        self._raised = stop_on_raise
        if self._hooks is not None:
            self._hooks.watch_imports(lambda: self.session.breakpoint_lines, self._registered)
        self._apply(sys._getframe(1))

    def script_code(self, code):
        """The code the runner is about to run as the script, with its breakpoint hooks."""
        if self._hooks is None:
            return code
        try:
            code = self._hooks.register(code, self.session.breakpoint_lines)
            self._registered(code)
        except Exception as error:
            report_internal_error(error)
        return code

    def _registered(self, code):
        """A user file was compiled: if hooks could not take one of its breakpoints, calls must be traced."""
        if self._started and _get_ident() == MAIN_THREAD_ID and not self._installed \
                and code.co_filename in self.session.breakpoint_lines and self._hooks.refuses(code.co_filename):
            self._apply(sys._getframe(1))

    def watch_raises(self, on):
        self._raised = on
        if self._started and _get_ident() == MAIN_THREAD_ID:
            self._apply(sys._getframe(1))

    def restart(self):
        """Every line answers again: after breakpoints change, or to step. Called on the main thread (sys.settrace
        is per thread); from another thread it does nothing."""
        if self._started and _get_ident() == MAIN_THREAD_ID:
            self._apply(sys._getframe(1))

    def script_ended(self, exception):
        """The runner's word that the script's module code returned (None) or raised `exception`."""
        if not self._started or _get_ident() != MAIN_THREAD_ID:
            return
        session = self.session
        try:
            session.on_script_end()
            if exception is not None and not session.busy:
                session.on_uncaught(_innermost_user_frame(exception, self.is_user_code), exception)
        except Exception as error:
            report_internal_error(error)

    def stop(self):
        if not self._started:
            return
        self._started = False
        self._tracked.clear()
        if self._hooks is not None:
            self._hooks.stop_watching_imports()
        self._uninstall(sys._getframe(1))

    # ---- what to trace -------------------------------------------------------------------------------------------
    def _apply(self, frame):
        """Brings hooks and tracing in line with what the session needs now, for new calls and for the frames
        running from `frame` outwards."""
        session = self.session
        self._trace_all = not session.running_freely
        hooks = self._hooks
        if hooks is not None:
            hooks.update(session.breakpoint_lines)
        self._plans.clear()
        self._tracked = self._frames_hooks_miss(frame) if hooks is not None and not self._trace_all else set()
        if not (self._trace_all or self._raised or self._tracked or self._unhooked_breakpoints()):
            self._uninstall(frame)
            return
        trace_frame = self._trace_frame
        while frame is not None:
            plan = self._plan(frame.f_code)
            if plan is None and frame in self._tracked:
                plan = _EXCEPTIONS_ONLY  # only its return matters: tracing may end with it
            if plan is None:
                if frame.f_trace is trace_frame:
                    frame.f_trace = None
            else:
                frame.f_trace_lines = plan is trace_frame
                frame.f_trace = trace_frame
            frame = frame.f_back
        sys.settrace(self._trace_call)
        self._installed = True

    def _frames_hooks_miss(self, frame):
        """Running user frames whose code lacks hooks for its breakpoints, or that may still make functions of code
        without them (a closure defined in a running loop): traced until they return."""
        found = set()
        while frame is not None:
            code = frame.f_code
            if is_user_file(code.co_filename) and not self._hooks.carries_hooks(code):
                if self._has_breakpoint(code) or self._hooks.stale_constants(code, frame.f_lasti):
                    found.add(frame)
            frame = frame.f_back
        return found

    def _unhooked_breakpoints(self):
        """True when a breakpoint is in code that hooks can't take: calls must be watched."""
        hooks = self._hooks
        return any(hooks is None or hooks.refuses(filename) for filename in self.session.breakpoint_lines)

    def _uninstall(self, frame):
        sys.settrace(None)
        self._installed = False
        trace_frame = self._trace_frame
        while frame is not None:
            if frame.f_trace is trace_frame:
                frame.f_trace = None
            frame = frame.f_back

    def _plan(self, code):
        plan = self._plans.get(code, self)
        if plan is not self:
            return plan
        if not is_user_file(code.co_filename):
            plan = None
        elif self._trace_all:
            plan = self._trace_frame
        elif self._hooks is not None and self._hooks.carries_hooks(code):
            plan = _EXCEPTIONS_ONLY if self._raised else None
        elif self._has_breakpoint(code):
            plan = self._trace_frame
        elif self._raised:
            plan = _EXCEPTIONS_ONLY
        else:
            plan = None
        self._plans[code] = plan
        return plan

    def _has_breakpoint(self, code):
        wanted = self.session.breakpoint_lines.get(code.co_filename)
        if not wanted:
            return False
        lines = self._code_lines.get(code)
        if lines is None:
            lines = frozenset(line for _, _, line in code.co_lines() if line is not None)
            self._code_lines[code] = lines
        return not lines.isdisjoint(wanted)

    def _narrow(self, frame):
        """Back to running freely (continue after a stop or a step): trace only what breakpoints need from now on.
        Returns the frame's trace function from now on."""
        self._apply(frame)
        return frame.f_trace

    # ---- breakpoint hooks (called by the user's code, on any thread) ----------------------------------------------
    def _hook_for_line(self, line):
        call = self._hook_calls.get(line)
        if call is None:
            call = self._hook_calls[line] = functools.partial(self._on_hook, line)
        return call

    def _on_hook(self, line):
        """A hooked line starts running: a stop when it is a breakpoint and the session runs freely (stepping and
        pauses are traced)."""
        if not self._started or _get_ident() != MAIN_THREAD_ID:
            return
        last, self._last_traced_line = self._last_traced_line, None
        session = self.session
        if session.busy or not session.running_freely:
            return
        frame = sys._getframe(1)
        lines = session.breakpoint_lines.get(frame.f_code.co_filename)
        if lines is None or line not in lines:
            return
        if last is not None and last[0] is frame and last[1] == line:
            return  # settrace gave the session this very line a moment ago (its stop ended with `continue`)
        if frame.f_trace is self._trace_frame and frame.f_trace_lines and self._installed:
            return  # traced: settrace gives the session this line
        if session.resumed_at is not None:
            _forget_echo(session)
        try:
            session.on_line(frame, line)
        except Exception as error:
            report_internal_error(error)

    # ---- callbacks (called by the interpreter, on the main thread only) -------------------------------------------
    def _on_call(self, frame, event, arg):
        """The global trace function: a new frame starts (or a generator resumes)."""
        plan = self._plans.get(frame.f_code, self)
        if plan is self:
            if not self._started:
                sys.settrace(None)
                return None
            plan = self._plan(frame.f_code)
        if plan is _EXCEPTIONS_ONLY:
            frame.f_trace_lines = False
            return self._trace_frame
        return plan

    def _on_frame_event(self, frame, event, arg):
        """The local trace function of a traced user frame. Its answer becomes the frame's f_trace: it answers the
        frame's f_trace as it stands, so a frame it stopped tracing stays untraced."""
        if not self._started or _get_ident() != MAIN_THREAD_ID:
            frame.f_trace = None
            return None
        session = self.session
        if session.busy:
            return self._trace_frame
        if event == "line":
            if session.resumed_at is not None:
                _forget_echo(session)
            if session.running_freely:
                if self._trace_all and self._narrow(frame) is None:
                    return None
                lines = session.breakpoint_lines.get(frame.f_code.co_filename)
                if lines is None or frame.f_lineno not in lines:
                    if self._plans.get(frame.f_code, self._trace_frame) is not self._trace_frame:
                        return self._narrow(frame)  # a frame traced for an earlier mode (a suspended generator)
                    return self._trace_frame
            self._last_traced_line = (frame, frame.f_lineno)
            try:
                session.on_line(frame, frame.f_lineno)  # DISABLE needs nothing here: free runs filter by line
            except Exception as error:
                report_internal_error(error)
        elif event == "return":
            if self._tracked and frame in self._tracked:
                self._tracked.discard(frame)
                if not self._tracked:
                    self._apply(frame.f_back)  # the last frame hooks missed returns: tracing may end
            if not session.running_freely and frame.f_code.co_code[frame.f_lasti] in _RETURN_OPCODES:
                try:
                    session.on_return(frame)
                except Exception as error:
                    report_internal_error(error)
        elif event == "exception":
            if self._raised:
                try:
                    session.on_raise(frame, arg[1])
                except Exception as error:
                    report_internal_error(error)
        _forget_echo(session)
        if self._trace_all and session.running_freely:
            return self._narrow(frame)  # a stop ended with `continue`: back to breakpoints only, or to no tracing
        return frame.f_trace


def _forget_echo(session):
    """After a stop the session waits to skip sys.monitoring's second announcement of the line it resumed on
    (`resumed_at`). settrace never announces a line twice: the next line is a real one (a one-line loop's next turn)."""
    if session.resumed_at is not None:
        session.resumed_at = None


def _innermost_user_frame(exception, is_user_code):
    """The last user frame the exception went through (the script's module frame at least), or None."""
    found = None
    traceback_ = exception.__traceback__
    while traceback_ is not None:
        if is_user_code(traceback_.tb_frame.f_code):
            found = traceback_.tb_frame
        traceback_ = traceback_.tb_next
    return found
