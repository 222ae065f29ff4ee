"""One loopback TCP connection to the host, carrying JSON lines both ways, and the poke that makes the main thread
read it.

The host listens on 127.0.0.1 and passes its address and a random token in the environment; the first line the
agent sends is the token. A reader thread takes the host's lines (debug commands, the stop request) into a queue
and pokes the main thread with a signal of its own (a real-time signal on Linux, SIGUSR2 elsewhere on POSIX,
SIGBREAK through `_thread.interrupt_main` on Windows), never SIGINT, so a handler the script or a framework installed
for SIGINT can't swallow a pause. When the host goes away, the run goes too: nothing is left running.

Run events (a loss per batch) are sent a few times a second, several lines in one write, not one write a batch: each
write wakes the host's process, and on a machine whose cores the training's threads keep busy that wake-up takes a
core from them (measured on the quickstart, 2 cores: 938 writes of a line each cost 0.5 s of the epoch's 5).
Debug messages go at once, after the events queued before them.
"""
import atexit
import json
import os
import queue
import signal
import socket
import sys
import threading
import time

__all__ = ["HostConnection", "POKE_SIGNAL", "TERMINATE"]

if sys.platform == "win32":
    POKE_SIGNAL = signal.SIGBREAK
elif hasattr(signal, "SIGRTMIN"):
    POKE_SIGNAL = signal.SIGRTMIN + 5
else:
    POKE_SIGNAL = signal.SIGUSR2

# What a stop request looks like to the debugger (the embedded host's channel answers the same).
TERMINATE = json.dumps({"id": 0, "command": "terminate", "args": {}})
# How long a run event may wait to go out with the ones after it.
EVENT_DELAY_SECONDS = 0.2
# What a forked child's debugger is told if it ever waits: go on (it must never stop; only the parent talks).
_CONTINUE_IN_CHILD = json.dumps({"id": 0, "command": "continue", "args": {}})


class HostConnection:
    def __init__(self, address, token):
        host, _, port = address.rpartition(":")
        self._socket = socket.create_connection((host, int(port)))
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # Lines go out through a queue drained by whoever holds the lock: a send never waits for the lock, because the
        # poke's handler sends replies on the main thread, possibly while that thread is in the middle of a send.
        self._send_lock = threading.Lock()
        self._outbox = queue.SimpleQueue()  # put() is reentrant: safe from a signal handler
        self._commands = queue.SimpleQueue()
        self._stop = threading.Event()
        self._waiting = False
        self._in_child = False
        self._main_thread = threading.main_thread().ident
        # The poke may come as soon as the host has our hello: until the debugger puts its own handler in place (or
        # for good, in a run without the debugger) the poke ends the run when a stop was asked for, else it is
        # ignored. Without a handler the signal's default action would kill the process.
        signal.signal(POKE_SIGNAL, self._on_poke)
        self.send({"type": "hello", "token": token, "pid": os.getpid()})
        reader = threading.Thread(target=self._read, name="trainloop-host-reader", daemon=True)
        reader.start()
        flusher = threading.Thread(target=self._flush_events, name="trainloop-event-flusher", daemon=True)
        flusher.start()
        atexit.register(self.flush)  # the events of the run's last moments, before the process ends
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._forked)

    # ---- sending ----------------------------------------------------------------------------------------------------
    def send(self, message):
        self.send_line(json.dumps(message, allow_nan=False))

    def send_line(self, text):
        """Sends one JSON text as a line (never from a forked child: only the process the host started talks)."""
        if self._in_child:
            return
        self._outbox.put((text + "\n").encode("utf-8"))
        self._drain()

    def send_event(self, json_text):
        """Queues a run event; the flusher sends it within EVENT_DELAY_SECONDS, or a message sent before then takes it
        along."""
        if self._in_child:
            return
        self._outbox.put(f'{{"type": "event", "event": {json_text}}}\n'.encode("utf-8"))

    def flush(self):
        """Sends every queued line now: waits for the flusher if it is sending (not from a signal handler)."""
        if self._in_child:
            return
        if self._send_lock.acquire(timeout=2):
            self._send_lock.release()
        self._drain()

    def _flush_events(self):
        """The flusher thread. It polls rather than being woken: waking it would take a lock from the main thread,
        which may be inside a signal handler interrupting that very lock."""
        while True:
            time.sleep(EVENT_DELAY_SECONDS)
            if not self._outbox.empty():
                self._drain()

    def _drain(self):
        """Sends the queued lines in order, in one write. A sender that finds the lock taken leaves its line to the
        holder: another thread, or this thread's own send, interrupted by the poke's handler (waiting there would
        deadlock). The holder looks again after letting go, so a line queued meanwhile is not left behind."""
        while not self._outbox.empty():
            if not self._send_lock.acquire(blocking=False):
                return
            try:
                while True:
                    lines = []
                    try:
                        while True:
                            lines.append(self._outbox.get_nowait())
                    except queue.Empty:
                        pass
                    if not lines:
                        break
                    try:
                        self._socket.sendall(b"".join(lines))
                    except OSError:
                        pass  # the host is gone: the reader thread ends the run
            finally:
                self._send_lock.release()

    def send_wrapped(self, kind, field, json_text):
        """`{"type": kind, field: <json_text>}` without parsing and dumping the text again."""
        self.send_line(f'{{"type": "{kind}", "{field}": {json_text}}}')

    # ---- receiving --------------------------------------------------------------------------------------------------
    def _read(self):
        stream = self._socket.makefile("r", encoding="utf-8", newline="\n")
        try:
            for line in stream:
                line = line.strip()
                if not line:
                    continue
                if json.loads(line).get("command") == "terminate":
                    self._stop.set()
                self._commands.put(line)
                self.poke()
        except (OSError, ValueError):
            pass
        if not self._in_child:
            self._host_gone()

    def _host_gone(self):
        """The host closed the connection (it ended, or was killed): end this run and everything it started."""
        try:
            if hasattr(os, "killpg") and os.getpgrp() == os.getpid():
                os.killpg(os.getpgrp(), signal.SIGKILL)
        finally:
            os._exit(137)

    def wait_command(self):
        """The next command as JSON, waiting for it (the main thread, while the program is stopped)."""
        if self._in_child:
            return _CONTINUE_IN_CHILD
        if self._stop.is_set():
            return TERMINATE
        self._waiting = True
        try:
            return self._commands.get()
        finally:
            self._waiting = False

    def poll_command(self):
        """The next command as JSON if one is waiting, else None."""
        if self._in_child:
            return None
        try:
            return self._commands.get_nowait()
        except queue.Empty:
            return None

    def stop_requested(self):
        return self._stop.is_set()

    # ---- poking the main thread -------------------------------------------------------------------------------------
    def poke(self):
        """Makes the main thread run its POKE_SIGNAL handler soon (unless it is waiting for commands already)."""
        if self._waiting or self._in_child:
            return
        if sys.platform == "win32":
            import _thread

            _thread.interrupt_main(POKE_SIGNAL)
        else:
            signal.pthread_kill(self._main_thread, POKE_SIGNAL)

    def _on_poke(self, signum, frame):
        from ..interrupts import interrupted_in_finalizer

        if self._stop.is_set() and not interrupted_in_finalizer(frame):
            raise KeyboardInterrupt

    def poke_later(self, seconds=0.05):
        timer = threading.Timer(seconds, self.poke)
        timer.daemon = True
        timer.start()

    def _forked(self):
        """In a forked child (DataLoader workers): no reader thread survived the fork; never talk to the host."""
        self._in_child = True
        try:
            self._socket.close()  # this process's copy only; the parent's connection stays open
        except OSError:
            pass
