"""The modules the agent imports to reach its host, `_trainloop_host` and `_trainloop_debug`, made over a
HostConnection: the embedded runtime registers the same names from JavaScript (src/runtime/worker.ts,
src/runtime/debugChannel.ts)."""
import sys
import types

from .host_connection import POKE_SIGNAL

__all__ = ["install_channel_modules"]


def install_channel_modules(connection, debug):
    host = types.ModuleType("_trainloop_host")
    host.__doc__ = "Run events to the host (the native runtime's channel)."
    host.emit = connection.send_event
    host.interrupt_again = connection.poke_later
    host.POKE_SIGNAL = POKE_SIGNAL
    host.stop_requested = connection.stop_requested
    sys.modules["_trainloop_host"] = host
    if debug:
        channel = types.ModuleType("_trainloop_debug")
        channel.__doc__ = "The debug session's commands and messages (the native runtime's channel)."
        channel.send = lambda json_text: connection.send_wrapped("debug", "message", json_text)
        channel.wait_command = connection.wait_command
        channel.poll_command = connection.poll_command
        channel.stop_requested = connection.stop_requested
        channel.POKE_SIGNAL = POKE_SIGNAL
        sys.modules["_trainloop_debug"] = channel
