"""The debug session inside the runtime worker: breakpoints, stepping by line and by batch, pauses and stops.

The host drives it through `_trainloop_debug` (see src/runtime/debugChannel.ts). While the program is stopped,
this thread waits in `wait_command` (Atomics.wait) and answers the host's questions about frames and values;
while it runs, the host pokes it through Pyodide's interrupt buffer and the SIGINT handler reads the mail
(pause, new breakpoints). The worker calls `prepare` before the script, the runner calls `attach` once the
BatchTracker is installed.
"""
import json
import os
import signal
import sys

import _trainloop_debug as channel

from .agent_text import AgentText, wire_text
from .breakpoints import SessionBreakpoints
from .interrupts import interrupted_in_finalizer
from .inspector import Inspector
from .paused_answers import PausedAnswers
from .stops import BATCH, NOT_STOPPING, PAUSE, RUN, STEP_IN, STEP_OUT, STEP_OVER, TrainingProblem, exception_line
from .tracer import DISABLE, make_line_tracer

__all__ = ["prepare", "attach"]

_session = None


def prepare(program):
    """Called by the worker before the script: reports readiness and takes configuration until `start`.
    Returns False when the session ended before the script was started."""
    global _session
    _session = DebugSession(program)
    return _session.configure()


def attach(tracker):
    """Called by the runner just before it runs the script."""
    if _session is not None:
        _session.attach(tracker)


class DebugSession(SessionBreakpoints, PausedAnswers):
    """One debug session: talks to the host, follows the tracer's events and stops. Its breakpoints are in
    breakpoints.py, its answers to the host's requests in paused_answers.py."""

    def __init__(self, program):
        from .training_watch import TrainingWatch

        self.program = os.path.abspath(program)
        self.breakpoints = {}  # path -> {line: Breakpoint}
        self.breakpoint_lines = {}  # path -> frozenset of lines, read by the tracer on every line event
        self.filters = {"uncaught"}
        self.next_breakpoint_id = 1
        self.mode = PAUSE
        self.stop_reason = "entry"
        self.running_freely = False
        self.step_frame = None
        self.step_depth = 0
        self.batches_to_go = 0
        self.busy = False
        self.mail_missed = False  # a poke came while a breakpoint condition ran (busy, not stopped): read it after
        self.event_generation = 0  # counts restart_events(), see Tracer._line
        self.ended = False
        self.configuring = True
        self.resumed_at = None
        self.restarted = False
        self.stop_frames = []
        self.exception = None
        self.tracer = make_line_tracer(self, self.program)
        self.training = TrainingWatch(self)
        self.inspector = Inspector(self.training)
        self._code_lines = {}

    # ---- talking to the host --------------------------------------------------------------------------------------
    def send(self, kind, **fields):
        fields["kind"] = kind
        channel.send(json.dumps(fields, default=str, allow_nan=False) if _finite(fields) else json.dumps(
            _without_non_finite(fields), default=str))

    def _reply(self, command, body=None, error=None):
        if command.get("id"):
            if error is None:
                self.send("reply", id=command["id"], ok=True, body=body if body is not None else {})
            elif isinstance(error, AgentText):  # English for older readers, the parts for the editor's language
                self.send("reply", id=command["id"], ok=False, error=str(error), text=error.wire())
            else:
                self.send("reply", id=command["id"], ok=False, error=error)

    def _wait(self):
        return json.loads(channel.wait_command())

    # ---- before the script ----------------------------------------------------------------------------------------
    def configure(self):
        problem = self._program_problem()
        self.send("ready", problem=str(problem) if problem else None, **(
            {"problemText": problem.wire()} if isinstance(problem, AgentText) else {}))
        if problem:
            return True  # the runner reports the error as it would without the debugger
        # The host's poke: Pyodide's interrupt buffer raises SIGINT; the native runtime has a signal of its own.
        signal.signal(getattr(channel, "POKE_SIGNAL", signal.SIGINT), self._on_interrupt)
        while True:
            command = self._wait()
            name = command["command"]
            if name == "terminate":
                self.ended = True
                return False
            if name == "start":
                self._reply(command)
                if not command["args"].get("stopOnEntry"):
                    self.mode = RUN
                    self.running_freely = True
                self.configuring = False
                self._read_mail(None)  # commands sent right after `start` may have come with a poke already spent
                return True
            self._answer(command, None, paused=False)

    def _program_problem(self):
        try:
            with open(self.program, "rb") as source:
                compile(source.read(), self.program, "exec")
        except SyntaxError as error:
            where = f"{os.path.basename(error.filename or self.program)}, line {error.lineno}"
            return f"{type(error).__name__}: {error.msg} ({where})"
        except OSError as error:
            return AgentText("ready.cannotOpen", program=self.program, error=error.strerror)
        return None

    def attach(self, tracker):
        from .non_finite_locator import NonFiniteLocator

        self.non_finite = NonFiniteLocator(self, tracker)
        self.non_finite.install()  # before the watch: its backward() check comes after the locator's
        self.training.attach(tracker)
        self.tracer.start("raised" in self.filters)

    # ---- while running: the interrupt handler reads the host's mail ----------------------------------------------------
    def _on_interrupt(self, signum, frame):
        if self.ended:
            return
        if channel.stop_requested():
            if interrupted_in_finalizer(frame):
                return  # KeyboardInterrupt would be dropped there: the handler runs again after the __del__
            self._terminate()
        if self.busy or self.configuring:
            # Stopped or not started: the command loop reads the mail itself. Else a condition is being evaluated:
            # on_line reads the mail once it is done (dropping it here left a setBreakpoints unanswered for good).
            self.mail_missed = self.busy and not self.stop_frames
            return
        self._read_mail(frame)

    def _read_mail(self, frame):
        self.mail_missed = False
        pause = False
        while True:
            raw = channel.poll_command()
            if raw is None:
                break
            command = json.loads(raw)
            if command["command"] == "pause":
                self._reply(command)
                pause = True
            elif command["command"] == "terminate":
                self._terminate()
            else:
                self._answer(command, None, paused=False)
        if pause:
            # Stop at once in the innermost user frame, even deep inside library code (loading a dataset...);
            # before the script's first line, at its first line.
            if self.user_frame(frame) is not None:
                self._stop_at(frame, "pause")
            else:
                self._resume(PAUSE)

    def _terminate(self):
        self.ended = True
        self.busy = True
        self.tracer.stop()
        raise KeyboardInterrupt

    # ---- events from the tracer ----------------------------------------------------------------------------------
    def on_line(self, frame, line):
        generation = self.event_generation
        resumed_at = self.resumed_at
        if resumed_at is not None:
            # After restart_events() the interpreter announces the line it stopped on once more: skip that echo.
            self.resumed_at = None
            if resumed_at[0] is frame and resumed_at[1] == line:
                return None
        mode = self.mode
        bps = self.breakpoints.get(frame.f_code.co_filename)
        breakpoint_ = bps.get(line) if bps else None
        if breakpoint_ is not None and self._breakpoint_fires(breakpoint_, frame):
            self._stop_at(frame, "breakpoint", breakpoints=[breakpoint_.id])
            return None
        if self.mail_missed:
            self._read_mail(frame)
            return None  # a pause read there has stopped at this line already
        if mode is RUN or mode is BATCH:  # a batch step stops at the batch's end (on_batch_end), not at a line
            return None if breakpoint_ is not None or self.event_generation != generation else DISABLE
        if mode is STEP_IN or mode is PAUSE:
            self._stop_at(frame, self.stop_reason)
        elif mode is STEP_OVER:
            if frame is self.step_frame or _depth(frame) < self.step_depth:
                self._stop_at(frame, "step")
        elif mode is STEP_OUT:
            if _depth(frame) < self.step_depth:
                self._stop_at(frame, "step")
        return None

    def on_return(self, frame):
        """A user function returns while stepping: stepping out of it (or past its end) stops in the caller, on the
        line that called it, as Python debuggers do."""
        mode = self.mode
        if mode is STEP_OUT:
            leaving = _depth(frame) <= self.step_depth
        elif mode is STEP_OVER or mode is STEP_IN:
            leaving = frame is self.step_frame
        else:
            return DISABLE if mode is RUN else None
        if leaving:
            caller = self.user_frame(frame.f_back)
            if caller is not None:
                self._stop_at(caller, "step")
        return None

    def on_script_end(self):
        """The script's module code returns or ends by an exception: the last batches' report goes out now."""
        try:
            self.training.flush()
        except Exception as error:
            sys.stderr.write(f"trainloop debugger: the last batch report failed: {error}\n")

    def on_uncaught(self, frame, exception):
        if "uncaught" not in self.filters or isinstance(exception, NOT_STOPPING) or self.ended:
            return
        if type(exception).__name__ == "StopTraining":
            return
        frames = self._traceback_frames(exception)
        if frames:
            self._stop(frames, "exception", description=exception_line(exception), text=exception_line(exception),
                       exception=(exception, "unhandled"))

    def on_raise(self, frame, exception):
        if "raised" not in self.filters or isinstance(exception, NOT_STOPPING) or self.ended:
            return
        if type(exception).__name__ == "StopTraining":
            return
        self._stop_at(frame, "exception", description=exception_line(exception), text=exception_line(exception),
                      exception=(exception, "always"))

    def on_batch_end(self, frame, number):
        """A training batch ended: its loop asks the DataLoader for the next batch (or its pass over the data ended).

        `stepBatch` stops here, in the loop's frame at its `for` line, before the next batch is fetched: the loop's
        variables (X, y, pred, loss) are all still this batch's, its step() has run, and the Training scope's "This
        batch" holds its gradients as they were at backward(). The same place on every runtime and Python version: the
        BatchTracker sees the fetch, while the line events before it differ (and are not traced while a batch runs).
        The reason is "breakpoint" because VS Code reveals Run and Debug on a breakpoint stop only, not on a step."""
        if self.mode is not BATCH or self.busy or self.ended:
            return
        self.batches_to_go -= 1
        if self.batches_to_go > 0:
            return
        frame = self.user_frame(frame)
        if frame is not None:
            self._stop_at(frame, "breakpoint", description=f"batch {number}")

    @property
    def stepping_by_batch(self):
        return self.mode is BATCH and not self.busy

    @property
    def stops_on_non_finite(self):
        return "nonfinite" in self.filters and not self.busy and not self.ended

    def stop_for_training_problem(self, frame, kind, message, record, inputs=None):
        """A stop for a training bug: a non-finite value, loss or gradient, or a monitor's TL… report. `message`: an
        AgentText (or plain text); a report's message is its template and values. `inputs` ({name: value}): the values
        behind it, shown in a scope of their own."""
        if frame is None or self.busy or self.ended:
            return
        locator = getattr(self, "non_finite", None)
        if locator is not None and locator.silences(kind):
            return  # the NaN of this batch was shown where it was made
        structured = wire_text(message)
        if record and record.get("template"):
            structured = {"id": record["template"], "values": dict(record.get("values") or {})}
        line = record.get("line") if record else None
        message = str(message)
        description = f"{kind}: {message}" if not record else f"{kind} (line {line}): {message}"
        problem = {"kind": kind, "line": line, "message": structured} if structured else None
        self._stop_at(frame, "exception", description=description, text=message, problem=problem,
                      exception=(TrainingProblem(kind, message, record, inputs, structured), "always"))

    def on_diagnostic(self, record):
        code = record.get("code")
        if code in self.filters and not self.busy and not self.ended:
            self.stop_for_training_problem(self.user_frame(sys._getframe(1)), code, record.get("message", ""), record)

    # ---- stopping ----------------------------------------------------------------------------------------------------
    def user_frame(self, frame):
        while frame is not None and not self.tracer.is_user_code(frame.f_code):
            frame = frame.f_back
        return frame

    def _user_stack(self, frame):
        frames = []
        while frame is not None:
            if self.tracer.is_user_code(frame.f_code):
                frames.append((frame, frame.f_lineno))
            frame = frame.f_back
        return frames

    @staticmethod
    def _traceback_frames(exception):
        entries = []
        tb = exception.__traceback__
        while tb is not None:
            entries.append((tb.tb_frame, tb.tb_lineno))
            tb = tb.tb_next
        return [entry for entry in reversed(entries) if _session.tracer.is_user_code(entry[0].f_code)]

    def _stop_at(self, frame, reason, **details):
        self._stop(self._user_stack(frame), reason, **details)

    def _stop(self, frames, reason, description=None, text=None, breakpoints=None, exception=None, problem=None):
        if self.ended or not frames:
            return
        self.busy = True
        self.running_freely = False
        self.stop_frames = frames
        self.exception = exception
        self.step_frame = None
        try:
            self.training.flush()
            stopped = {"reason": reason}
            if description:
                stopped["description"] = description
            if text:
                stopped["text"] = text
            if breakpoints:
                stopped["breakpoints"] = breakpoints
            if problem:
                stopped["problem"] = problem  # the description's parts, for the editor's language
            self.send("stopped", **stopped)
            while True:
                command = self._wait()
                if command["command"] == "terminate":
                    self._reply(command)
                    self._terminate()
                resumed = self._answer(command, frames, paused=True)
                if resumed:
                    break
        finally:
            self.stop_frames = []
            self.exception = None
            self.inspector.clear()
            if not self.ended:
                self.busy = False
        self._read_mail(frames[0][0])

    def _resume(self, mode, frames=None, batches=1):
        self.mode = mode
        self.stop_reason = "pause" if mode is PAUSE else "step"
        # A batch step runs as freely as `continue` (breakpoints only) until the batch's end.
        self.running_freely = mode is RUN or mode is BATCH
        if frames:
            self.step_frame = frames[0][0]
            self.step_depth = _depth(self.step_frame)
        self.batches_to_go = batches
        if not self.running_freely:
            self.restart_events()
        if self.restarted and frames and frames[0][0].f_lineno == frames[0][1]:
            self.resumed_at = (frames[0][0], frames[0][1])
        self.restarted = False

    def restart_events(self):
        self.event_generation += 1  # a line callback under way must not DISABLE its line after this restart
        self.tracer.restart()
        if self.busy:
            self.restarted = True


def _depth(frame):
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


def _finite(value):
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_finite(v) for v in value)
    return True


def _without_non_finite(value):
    if isinstance(value, float) and not _finite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _without_non_finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_non_finite(v) for v in value]
    return value
