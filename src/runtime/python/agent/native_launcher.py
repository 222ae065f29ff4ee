"""Starts a training script in the user's own Python for Trainloop's native runtime: `python -u native_launcher.py`.

The host (src/runtime/nativeRuntime.ts) passes TRAINLOOP_CHANNEL (127.0.0.1:port), TRAINLOOP_TOKEN and
TRAINLOOP_LAUNCH (the run's settings as JSON) in the environment. The launcher connects, puts the agent's channel
modules in place, reports the interpreter, torch and device, and runs the script as `__main__` with the agent's
runner (and the debugger, when a debug session drives the run). The script's stdout and stderr are untouched.
"""
import json
import os
import sys
import time


def _agent_on_path():
    """The launcher's folder (the agent's) goes to the end of sys.path: the script's own folder comes first, as
    under `python script.py` (the runner puts it there)."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    sys.path.append(here)


def _take_environment():
    values = {name: os.environ.pop(name, None) for name in ("TRAINLOOP_CHANNEL", "TRAINLOOP_TOKEN", "TRAINLOOP_LAUNCH")}
    missing = [name for name, value in values.items() if not value]
    if missing:
        sys.stderr.write("trainloop: native_launcher.py is started by Trainloop's python runtime; "
                         f"{', '.join(missing)} missing from the environment\n")
        sys.exit(2)
    return values["TRAINLOOP_CHANNEL"], values["TRAINLOOP_TOKEN"], json.loads(values["TRAINLOOP_LAUNCH"])


def _runtime_facts(started):
    """What the status bar shows: the interpreter, torch and the device the script is likely to use."""
    facts = {"type": "ready", "executable": sys.executable,
             "pythonVersion": ".".join(str(part) for part in sys.version_info[:3])}
    try:
        import torch

        facts["torch"] = torch.__version__.split("+")[0]
        facts["device"] = "cuda:0" if torch.cuda.is_available() else "cpu"
    except Exception as error:  # the probe saw torch, but it does not import: the runner's traceback will say why
        facts["problem"] = f"import torch failed: {type(error).__name__}: {error}"
    facts["bootMs"] = round((time.monotonic() - started) * 1000)
    return facts


def main():
    started = time.monotonic()
    if sys.version_info < (3, 10):
        sys.stderr.write(f"trainloop: Python {sys.version.split()[0]} at {sys.executable} is too old for the python "
                         "runtime: it needs 3.10 or newer\n")
        return 2
    _agent_on_path()
    address, token, launch = _take_environment()
    from trainloop_agent.native.host_connection import HostConnection
    from trainloop_agent.native.channel_modules import install_channel_modules

    connection = HostConnection(address, token)
    debug = bool(launch.get("debug"))
    install_channel_modules(connection, debug)
    program = os.path.abspath(launch["program"])
    os.chdir(launch.get("cwd") or os.path.dirname(program))
    connection.send(_runtime_facts(started))
    if debug:
        from trainloop_agent import debugger

        if not debugger.prepare(program):
            return 130
    from trainloop_agent.runner import run_script

    return run_script(program, launch.get("args") or [], int(launch.get("maxBatches") or 0),
                      launch.get("disabledDetectors") or [], "pytorch")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # stopped before the script started
        sys.exit(130)
