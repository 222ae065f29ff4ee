// torch.profiler under the embedded runtime: the kernels one training step runs and the calls Python made, as
// bench/ops_per_step.py counts them; and the profile leaves the run (its tensors, its speed) as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPython } from '../support/runtimeCli';

const SCRIPT = `
import json
import torch
from torch import nn
from torch._engine import E

model = nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 3))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
X, y = torch.rand(5, 8), torch.tensor([0, 1, 2, 0, 1])

def step():
    loss = nn.functional.cross_entropy(model(X), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()

step()
before = E.live_tensors()
try:
    torch.profiler.profile().key_averages()
    unfinished = None
except RuntimeError as error:
    unfinished = str(error)
with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
    step()
kernels = {row.key: row.count for row in prof.key_averages()}
calls = {row.key: row.count for row in prof.engine_calls}
table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=5)
with torch.profiler.profile() as empty:
    pass
step()
print(json.dumps({"kernels": kernels, "calls": calls, "table": table, "unfinished": unfinished,
                  "times": all(row.cpu_time_total >= 0 for row in prof.key_averages()),
                  "empty": len(empty.key_averages()), "leak": E.live_tensors() - before}))
`;

test('torch.profiler counts the kernels and engine calls of one training step', () => {
  const run = runPython(SCRIPT);
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    kernels: Record<string, number>;
    calls: Record<string, number>;
    table: string;
    unfinished: string | null;
    times: boolean;
    empty: number;
    leak: number;
  };
  // Two linear layers: their forward and backward products.
  assert.ok((out.kernels.BatchMatMul ?? 0) >= 4, JSON.stringify(out.kernels));
  assert.ok(out.calls['engine.linear'] === 2, JSON.stringify(out.calls));
  assert.ok(out.calls['engine.backward'] === 1, JSON.stringify(out.calls));
  assert.match(out.table, /Name +Self CPU % +Self CPU +CPU avg +# of Calls/);
  assert.match(out.table, /Self CPU time total: /);
  assert.equal(out.unfinished, "Profiler didn't finish running");
  assert.ok(out.times);
  assert.equal(out.empty, 0, 'a profile around nothing counts nothing');
  assert.equal(out.leak, 0, 'profiling keeps no tensors');
});
