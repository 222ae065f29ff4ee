"""Runs a script under real PyTorch with Trainloop's agent and detectors, the way the embedded runtime runs it.

usage: /usr/bin/python3 run_on_real_torch.py SCRIPT [--events FILE] [--max-batches N] [--disable-detectors CODES]
                                                    [--defer-reads] [-- SCRIPT_ARGS...]
Events go to --events as JSON lines (like `trainloop run --events`), diagnostics to stderr as
`path:line:col: severity: message [code]`, and the script's exit status is this process's. --defer-reads makes the
agent keep CPU values for later reads as it does on an accelerator (tensor_reads.DEFER_CPU_READS).
"""
import argparse
import json
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
AGENT = os.path.join(HERE, "..", "..", "..", "src", "runtime", "python", "agent")


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("script")
    parser.add_argument("--events")
    parser.add_argument("--max-batches", type=int, default=0)
    parser.add_argument("--disable-detectors", default="")
    parser.add_argument("--defer-reads", action="store_true")
    split = argv.index("--") if "--" in argv else len(argv)
    options = parser.parse_args(argv[:split])
    options.args = argv[split + 1 :]
    events = open(options.events, "w") if options.events else None

    def emit(text):
        record = json.loads(text)
        if events:
            events.write(text + "\n")
            events.flush()
        if record.get("event") == "diagnostic":
            sys.stderr.write(
                f"{record['path']}:{record['line']}:{record.get('column', 1)}: {record.get('severity', 'warning')}: "
                f"{record['message']} [{record['code']}]\n"
            )

    host = types.ModuleType("_trainloop_host")
    host.emit = emit
    sys.modules["_trainloop_host"] = host
    sys.path.insert(0, os.path.abspath(AGENT))
    from trainloop_agent import tensor_reads
    from trainloop_agent.runner import run_script

    tensor_reads.DEFER_CPU_READS = options.defer_reads

    disabled = [code for code in options.disable_detectors.split(",") if code]
    code = run_script(os.path.abspath(options.script), options.args, options.max_batches, disabled, "pytorch")
    if events:
        events.write(json.dumps({"event": "exit", "code": code}) + "\n")
        events.close()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
