"""What both line tracers share: the DISABLE answer, only the main thread talks to the debug session, a forked child
(a DataLoader worker) drops the tracer and the session, and a fault of the debugger itself never reaches the user's
script."""
import os
import sys
import threading

__all__ = ["DISABLE", "MAIN_THREAD_ID", "on_main_thread", "leave_session_in_forked_child", "report_internal_error"]

# A line answer meaning "no more events for this line while running freely": sys.monitoring's own value where it
# exists, so the session's DISABLE is the same object under either tracer.
DISABLE = sys.monitoring.DISABLE if hasattr(sys, "monitoring") else object()

# The thread that runs the script: the agent is imported on it, before the script starts any thread.
MAIN_THREAD_ID = threading.main_thread().ident


def on_main_thread():
    return threading.get_ident() == MAIN_THREAD_ID


def leave_session_in_forked_child(tracer):
    """Registers, once per tracer, what a forked child does first: stop tracing, and mark the session ended so the
    child never waits for the host or writes to its channel (the parent still owns both)."""
    if not hasattr(os, "register_at_fork"):  # Windows: no fork, children are spawned fresh
        return
    os.register_at_fork(after_in_child=lambda: _leave_session(tracer))


def _leave_session(tracer):
    try:
        tracer.stop()
    except Exception as error:
        report_internal_error(error)
    session = tracer.session
    session.ended = True
    hand_off = getattr(session, "on_forked_child", None)
    if hand_off is not None:
        try:
            hand_off()
        except Exception as error:
            report_internal_error(error)


def report_internal_error(error):
    """A fault of the debugger itself: reported, never passed on to the user's script."""
    import traceback

    sys.stderr.write("trainloop debugger: internal error (the script goes on):\n" + "".join(
        traceback.format_exception(type(error), error, error.__traceback__)))
