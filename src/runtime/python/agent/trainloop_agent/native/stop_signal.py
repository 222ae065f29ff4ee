"""A run without the debugger ends on the host's stop request: the poke's handler raises KeyboardInterrupt (but not
inside a __del__, where Python would drop it: it pokes again shortly)."""
import signal

from ..interrupts import interrupted_in_finalizer

__all__ = ["install_stop_handler"]


def install_stop_handler(connection, poke_signal):
    def on_poke(signum, frame):
        if connection.stop_requested() and not interrupted_in_finalizer(frame):
            raise KeyboardInterrupt

    signal.signal(poke_signal, on_poke)
