"""The host's stop as KeyboardInterrupt, raised where Python will not drop it."""
import _trainloop_host

__all__ = ["interrupted_in_finalizer", "raise_keyboard_interrupt"]


def in_finalizer(frame):
    """True when `frame` runs inside a __del__: an exception raised there is printed and dropped by Python."""
    while frame is not None:
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


def interrupted_in_finalizer(frame):
    """True when `frame` runs inside a __del__, where an exception is printed and dropped by Python; the interrupt is
    then set again, so the handler runs once more at Python's next check, after the __del__."""
    if not in_finalizer(frame):
        return False
    _trainloop_host.interrupt_again()
    return True


def raise_keyboard_interrupt(signum, frame):
    """SIGINT handler: KeyboardInterrupt, but not inside a __del__ (the shim frees tensors there)."""
    if not interrupted_in_finalizer(frame):
        raise KeyboardInterrupt
