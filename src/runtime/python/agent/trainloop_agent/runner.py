"""Runs the user's script as `__main__`, with Python's exit status and a traceback of the user's own frames."""
import os
import signal
import sys
import traceback
import types

from .interrupts import raise_keyboard_interrupt
from .tracer import script_code, script_ended

__all__ = ["run_script"]

_AGENT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _without_agent_frames(summary):
    """Drops the agent's frames (runner, monitors' wrappers) from a traceback and from the exceptions it chains."""
    seen = set()
    while summary is not None and id(summary) not in seen:
        seen.add(id(summary))
        summary.stack = traceback.StackSummary.from_list(
            [frame for frame in summary.stack if not frame.filename.startswith(_AGENT_DIR)])
        if summary.__cause__ is not None:
            _without_agent_frames(summary.__cause__)
        summary = summary.__context__


def _user_traceback(error):
    """The traceback as Python prints it, without the agent's frames: the user's lines and the shim's."""
    summary = traceback.TracebackException.from_exception(error)
    _without_agent_frames(summary)
    return "".join(summary.format())


def run_script(program, args, max_batches, disabled_detectors, backend):
    from .batches import BatchTracker, StopTraining
    from .monitors import install_monitors

    sys.stdout.reconfigure(line_buffering=True)
    sys.argv = [program] + list(args)
    sys.path.insert(0, os.path.dirname(program))
    tracker = BatchTracker(max_batches)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # a debugger driving the run has its own
        signal.signal(signal.SIGINT, raise_keyboard_interrupt)
    try:
        with open(program, "rb") as source_file:
            source = source_file.read()
        code = compile(source, program, "exec")
    except SyntaxError as error:
        sys.stderr.write(_user_traceback(error))
        return 1
    except OSError as error:
        sys.stderr.write(f"trainloop: can't open file '{program}': {error.strerror}\n")
        return 2
    main = types.ModuleType("__main__")
    main.__file__ = program
    main.__builtins__ = __builtins__
    sys.modules["__main__"] = main
    try:
        tracker.install()
        install_monitors(tracker, disabled_detectors)
        if "trainloop_agent.debugger" in sys.modules:  # a debug session drives this run (the worker imported it)
            sys.modules["trainloop_agent.debugger"].attach(tracker)
        try:
            exec(script_code(code), main.__dict__)
        except BaseException as error:
            script_ended(error)  # a debugger stops here for an uncaught exception, before it is reported below
            raise
        script_ended(None)
        tracker.finish_batch()
        return 0
    except StopTraining:
        sys.stderr.write(f"trainloop: stopped after {max_batches} training batches (--max-batches)\n")
        return 0
    except SystemExit as exit_:
        code = exit_.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        sys.stderr.write(f"{code}\n")
        return 1
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the host repeats its interrupt until the run has ended
        sys.stderr.write("trainloop: stopped (KeyboardInterrupt)\n")
        return 130
    except BaseException as error:  # the user's uncaught exception, printed as Python would
        sys.stderr.write(_user_traceback(error))
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
