"""What the debugger's line tracer costs a training script: the PyTorch quickstart (examples/quickstart.py, one epoch on
Fashion-MNIST) run plain and under the tracer this interpreter gets (sys.settrace on 3.10/3.11, sys.monitoring on
3.12+), with no breakpoints, with one in a function never called, and with one on `loss.backward()` in train() whose
condition is never true (on_line is asked at every batch). A stand-in session answers the tracer, so this measures
the tracer alone, not the training watch. Prints medians of the script's own time, wall and CPU.

    python bench/line_tracer_cost.py [--runs N] [--batches N] [--threads N]

The interpreter needs torch and torchvision. --batches caps the training batches (the test pass gets a sixth as
many), --threads sets torch's threads (OMP_NUM_THREADS): on a shared machine one thread and the fastest run (min)
are far steadier than medians of wall time.
"""
import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AGENT = os.path.join(ROOT, "src", "runtime", "python", "agent")
QUICKSTART = os.path.join(ROOT, "examples", "quickstart.py")
FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
CONFIGS = ("plain", "tracer, no breakpoints", "breakpoint in a function never called",
           "breakpoint in train(), condition never true")


class NeverStoppingSession:
    """The tracer's view of a debug session running freely: a breakpoint whose condition is false never stops."""

    def __init__(self, program, lines):
        from trainloop_agent.tracer import make_line_tracer

        self.breakpoint_lines = {program: frozenset(lines)} if lines else {}
        self.running_freely = True
        self.busy = False
        self.ended = False
        self.event_generation = 0
        self.resumed_at = None
        self.asked = 0
        self.tracer = make_line_tracer(self, program)

    def on_line(self, frame, line):
        self.asked += 1  # the condition is evaluated, and is false
        return None

    def on_return(self, frame):
        return None

    def on_script_end(self):
        pass

    def on_uncaught(self, frame, exception):
        pass

    def on_raise(self, frame, exception):
        pass


def run_one(config, program, never_line, hot_line):
    """In a child process: runs the script as the runner does and prints its time."""
    sys.path.insert(0, AGENT)
    sys.path.insert(0, os.path.dirname(program))
    lines = {CONFIGS[2]: [never_line], CONFIGS[3]: [hot_line]}.get(config, [])
    session = NeverStoppingSession(program, lines) if config != CONFIGS[0] else None
    with open(program) as source:
        code = compile(source.read(), program, "exec")
    namespace = {"__name__": "__main__", "__file__": program}
    import torch  # noqa: F401  (imported before the clock starts, as the script's first line would)

    cpu_before, wall_before = _cpu_seconds(), time.perf_counter()
    if session is not None:
        session.tracer.start(False)
    exec(session.tracer.script_code(code) if session is not None else code, namespace)  # as the runner does
    if session is not None:
        session.tracer.stop()
    wall, cpu = time.perf_counter() - wall_before, _cpu_seconds() - cpu_before
    print(json.dumps({"wall": wall, "cpu": cpu, "asked": session.asked if session else 0,
                      "tracer": type(session.tracer).__name__ if session else None}))


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def prepare(folder, batches):
    """The quickstart beside an unpacked Fashion-MNIST, runnable on the torch at hand, with a function never called,
    its data cut to `batches` training batches when asked."""
    raw = os.path.join(folder, "data", "FashionMNIST", "raw")
    os.makedirs(raw)
    for name in os.listdir(FASHION_MNIST):
        if name.endswith(".gz"):
            with gzip.open(os.path.join(FASHION_MNIST, name)) as packed, open(os.path.join(raw, name[:-3]), "wb") as out:
                shutil.copyfileobj(packed, out)
    import torch

    with open(QUICKSTART) as source:
        text = source.read()
    if not hasattr(torch, "accelerator"):  # torch < 2.6: the quickstart's device line, as older tutorials wrote it
        text = "\n".join('device = "cpu"' if line.startswith("device = torch.accelerator") else line
                         for line in text.split("\n"))
    if batches:
        text = text.replace("\nbatch_size = 64\n", "\nbatch_size = 64\n"
                            f"training_data = torch.utils.data.Subset(training_data, range({batches * 64}))\n"
                            f"test_data = torch.utils.data.Subset(test_data, range({max(1, batches // 6) * 64}))\n")
    text += "\n\ndef never_called():\n    return None\n"
    program = os.path.join(folder, "quickstart.py")
    with open(program, "w") as out:
        out.write(text)
    lines = text.split("\n")
    never_line = len(lines) - 1
    hot_line = next(number for number, line in enumerate(lines, 1) if line.strip() == "loss.backward()")
    return program, never_line, hot_line


def main():
    runs, batches, threads = (int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else fallback
                              for name, fallback in (("--runs", 5), ("--batches", 0), ("--threads", 0)))
    environment = dict(os.environ, OMP_NUM_THREADS=str(threads)) if threads else None
    folder = tempfile.mkdtemp(prefix="trainloop-tracer-bench-")
    try:
        program, never_line, hot_line = prepare(folder, batches)
        results = {config: [] for config in CONFIGS}
        for _ in range(runs):
            for config in CONFIGS:  # interleaved, so a busy moment of the machine spreads over every config
                child = subprocess.run([sys.executable, __file__, "--child", config, program, str(never_line),
                                        str(hot_line)], cwd=folder, capture_output=True, text=True, env=environment)
                if child.returncode != 0:
                    sys.exit(f"{config}: the script failed:\n{child.stderr[-3000:]}")
                results[config].append(json.loads(child.stdout.strip().split("\n")[-1]))
        print(f"Python {sys.version.split()[0]}, {results[CONFIGS[1]][0]['tracer']}, {runs} runs each, "
              f"{batches or 'all'} training batches, torch threads {threads or 'default'}; "
              f"seconds of the script, min / median (ratio to plain):")
        plain = {key: (min(r[key] for r in results[CONFIGS[0]]), _median([r[key] for r in results[CONFIGS[0]]]))
                 for key in ("wall", "cpu")}
        for config in CONFIGS:
            cells = []
            for key in ("wall", "cpu"):
                fastest, middle = min(r[key] for r in results[config]), _median([r[key] for r in results[config]])
                cells.append(f"{key} {fastest:6.2f} ({fastest / plain[key][0]:.3f}x) / {middle:6.2f} "
                             f"({middle / plain[key][1]:.3f}x)")
            print(f"  {config:44s} {'   '.join(cells)}   on_line asked {results[config][0]['asked']}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        run_one(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
