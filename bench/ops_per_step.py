# Benchmark script: the kernels one training step of the quickstart MLP runs, counted by torch.profiler; runs under
# real PyTorch (its innermost aten ops that compute) and Trainloop (the engine's tfjs kernels that compute, and the
# calls Python made into the engine).
import json
import sys

import torch

# Both sides count the kernels that compute, not those that only alias data (a view, a reshape, a saved copy).
# tfjs kernels that only alias: Identity (a clone, as autograd saves tensors) and Reshape (on tensorflow a TF op that
# shares the buffer).
ALIAS_KERNELS = {"Identity", "Reshape"}
# aten ops that only make views, metadata or empty outputs: they launch no kernel.
NO_KERNEL = {
    "aten::as_strided", "aten::transpose", "aten::t", "aten::view", "aten::_reshape_alias", "aten::expand",
    "aten::resolve_conj", "aten::resolve_neg", "aten::empty", "aten::empty_strided", "aten::empty_like",
    "aten::detach", "aten::reshape", "aten::flatten", "aten::alias", "aten::unsqueeze", "aten::squeeze",
    "aten::permute", "aten::select", "aten::slice", "aten::to", "aten::_to_copy", "aten::result_type",
    "aten::lift_fresh", "aten::contiguous", "aten::numpy_T", "aten::matrix_H",
}

from quickstart_mlp_step import step  # noqa: E402  (the shared model, batch and step)


for _ in range(10):
    step()
with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
    step()

engine_calls = getattr(prof, "engine_calls", None)
if engine_calls is not None:
    # Trainloop: every profiled kernel is a kernel the backend ran.
    kernels = {row.key: row.count for row in prof.key_averages()}
    computing = sum(n for name, n in kernels.items() if name not in ALIAS_KERNELS)
    result = {"kernels": computing, "all_kernels": sum(kernels.values()),
              "engine_calls": sum(row.count for row in engine_calls),
              "by_kernel": kernels, "by_call": {row.key: row.count for row in engine_calls}}
    table = prof.key_averages().table(sort_by="self_cpu_time_total") + "\n" + engine_calls.table(sort_by="count")
else:
    # PyTorch: the innermost aten ops that compute (an op whose work is done by a nested op is counted there).
    def computes(event):
        return event.name.startswith("aten::") and event.name not in NO_KERNEL

    def computes_inside(event):
        return any(computes(child) or computes_inside(child) for child in event.cpu_children)

    counted = [e for e in prof.events() if computes(e) and not computes_inside(e)]
    kernels = {}
    for event in counted:
        kernels[event.name] = kernels.get(event.name, 0) + 1
    ops = [e for e in prof.events() if e.name.startswith("aten::")]
    result = {"kernels": len(counted), "aten_ops": len(ops), "by_kernel": kernels}
    table = prof.key_averages().table(sort_by="count", row_limit=30)
if "--table" in sys.argv:
    print(table, file=sys.stderr)
print(json.dumps(result))
