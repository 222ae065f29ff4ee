"""torch.profiler on the embedded engine: what a stretch of the script cost, kernel by kernel.

`with torch.profiler.profile() as prof:` counts each TensorFlow.js kernel the engine ran (PyTorch's profiler counts
aten ops) and each call Python made into the engine, with their times. `prof.key_averages().table()` prints the
kernels as PyTorch prints its ops; `prof.engine_calls` (the runtime's own) lists the calls. There are no traces,
schedules or memory records: those arguments are accepted and ignored.
"""
import json

import _trainloop_profile as _P

__all__ = ["profile", "ProfilerActivity", "record_function", "schedule", "tensorboard_trace_handler"]


class ProfilerActivity:
    CPU = "CPU"
    CUDA = "CUDA"


class FunctionEventAvg:
    """One name's total over the profile: `key`, `count`, times in microseconds (as PyTorch reports them)."""

    def __init__(self, name, count, ms):
        self.key = name
        self.count = count
        self.cpu_time_total = ms * 1000.0
        self.self_cpu_time_total = ms * 1000.0
        self.cpu_time = self.cpu_time_total / count if count else 0.0

    def __repr__(self):
        return f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total:.3f}us count={self.count}>"


class EventList(list):
    """Rows of a profile, with PyTorch's `table()`."""

    def table(self, sort_by=None, row_limit=100, **_ignored):
        rows = list(self)
        if sort_by and sort_by.endswith("count"):
            rows.sort(key=lambda r: -r.count)
        elif sort_by:
            rows.sort(key=lambda r: -r.self_cpu_time_total)
        total = sum(r.self_cpu_time_total for r in rows) or 1.0
        width = max([len(r.key) for r in rows] + [4])
        lines = [f"{'Name':<{width}}  {'Self CPU %':>10}  {'Self CPU':>10}  {'CPU avg':>10}  {'# of Calls':>10}"]
        for r in rows[:row_limit if row_limit and row_limit > 0 else None]:
            lines.append(f"{r.key:<{width}}  {100 * r.self_cpu_time_total / total:>9.2f}%  "
                         f"{_time(r.self_cpu_time_total):>10}  {_time(r.cpu_time):>10}  {r.count:>10}")
        lines.append(f"Self CPU time total: {_time(total if rows else 0.0)}")
        return "\n".join(lines)

    def __str__(self):
        return self.table()


def _time(us):
    return f"{us / 1000:.3f}ms" if us >= 1000 else f"{us:.3f}us"


class profile:
    """Counts kernels and engine calls between `__enter__` (or `start()`) and `__exit__` (or `stop()`)."""

    def __init__(self, activities=None, schedule=None, on_trace_ready=None, record_shapes=False,
                 profile_memory=False, with_stack=False, with_flops=False, with_modules=False, **_ignored):
        self.on_trace_ready = on_trace_ready
        self._report = None

    def start(self):
        _P.start()

    def stop(self):
        self._report = json.loads(_P.stop())
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def step(self):
        """Schedules are not kept: every step is profiled."""

    def _rows(self, key):
        if self._report is None:
            raise RuntimeError("Profiler didn't finish running")
        return EventList(FunctionEventAvg(r["name"], r["count"], r["ms"]) for r in self._report[key])

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        """The kernels the engine ran, one row per kernel name."""
        return self._rows("kernels")

    @property
    def engine_calls(self):
        """The calls Python made into the engine (one per tensor op, roughly), one row per engine function."""
        return self._rows("calls")

    @property
    def backend(self):
        return self._report["backend"] if self._report else None

    def export_chrome_trace(self, path):
        raise NotImplementedError("torch.profiler traces are not available in Trainloop's embedded runtime")


class record_function:
    """A labelled range: accepted (the engine's profile has no ranges)."""

    def __init__(self, name, args=None):
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def schedule(*, wait=0, warmup=0, active=1, repeat=0, skip_first=0):
    return lambda step: None


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False):
    raise NotImplementedError("torch.profiler traces are not available in Trainloop's embedded runtime")
