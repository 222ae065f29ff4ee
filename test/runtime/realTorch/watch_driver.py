"""Runs a script under real PyTorch with the agent, its detectors and the training watch (what the debugger adds for
the panel), with a recording stand-in for the debug session; prints one JSON report on the last line of stdout:
{"exit": code, "batches": [the watch's batch messages], "stops": [training-problem stops], "events": [host events]}.

usage: python watch_driver.py AGENT_FOLDER SCRIPT [--every-batch] [--defer-reads]
--every-batch samples the gradient norms at every batch (the watch's budget would take one a second).
A script may call `trainloop_test_stop()` (a builtin here): the watch's flush as the debugger's stops call it.
"""
import builtins
import json
import math
import os
import sys
import types


class RecordingSession:
    """The part of trainloop_agent.debugger.DebugSession the training watch talks to, recording what it is told."""

    busy = False
    ended = False
    stops_on_non_finite = True

    def __init__(self, script):
        self.script = script
        self.batches = []
        self.stops = []

    def user_frame(self, frame):
        while frame is not None and frame.f_code.co_filename != self.script:
            frame = frame.f_back
        return frame

    def stop_for_training_problem(self, frame, kind, message, record):
        self.stops.append({"kind": kind, "message": str(message), "line": frame.f_lineno if frame else None})

    def send(self, kind, **fields):
        if kind == "batch":
            self.batches.append(_plain(fields))

    stepping_by_batch = False

    def on_batch_end(self, frame, number):
        pass

    def on_diagnostic(self, record):
        pass


def _plain(value):
    """JSON-ready, non-finite numbers as text ("nan", "inf"), as the debug session sends them."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return json.loads(json.dumps(value, default=str))


def main(argv):
    agent, script = argv[0], os.path.abspath(argv[1])
    events = []
    host = types.ModuleType("_trainloop_host")
    host.emit = lambda text: events.append(json.loads(text))
    host.interrupt_again = lambda: None
    sys.modules["_trainloop_host"] = host
    sys.path.insert(0, agent)
    from trainloop_agent import tensor_reads, training_watch
    from trainloop_agent.runner import run_script

    tensor_reads.DEFER_CPU_READS = "--defer-reads" in argv
    if "--every-batch" in argv:
        training_watch.SAMPLE_SECONDS = 0.0
        training_watch.SAMPLING_SHARE = 1.0
    session = RecordingSession(script)

    # The runner attaches the debugger's session when `trainloop_agent.debugger` is loaded: this stands in for it.
    watch = training_watch.TrainingWatch(session)
    debugger = types.ModuleType("trainloop_agent.debugger")
    debugger.attach = watch.attach

    def stop():
        session.busy = True  # as DebugSession._stop: stopped, then the report of the batches so far
        try:
            watch.flush()
        finally:
            session.busy = False

    builtins.trainloop_test_stop = stop
    sys.modules["trainloop_agent.debugger"] = debugger
    code = run_script(script, [], 0, [], "pytorch")
    watch.flush()  # the debugger's on_script_end: the last batches' report
    sys.stdout.flush()
    print(json.dumps({"exit": code, "batches": session.batches, "stops": session.stops, "events": events}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
