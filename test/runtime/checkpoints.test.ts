// Checkpoints both ways between the embedded runtime and real PyTorch (torch.save's zip format): state dicts, tensors
// of every dtype, views, Parameters, optimizer state dicts, nested dicts and lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScriptFile } from '../support/runtimeCli';
import { requireOrSkip, type InterpreterName } from '../support/pythonInterpreters';

/** Prints a checkpoint as JSON the same way on both sides: tensors as [dtype, shape, values, requires_grad]. */
const DESCRIBE = `
import json, torch
def describe(value):
    if isinstance(value, torch.Tensor):
        kind = "parameter" if isinstance(value, torch.nn.Parameter) else "tensor"
        return [kind, str(value.dtype), list(value.shape), value.detach().float().tolist(), value.requires_grad]
    if isinstance(value, dict):
        return {str(key): describe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [describe(item) for item in value]
    return value
`;

/** Trains a small model one step with momentum, then saves what a training script's checkpoint holds. */
const MAKE_CHECKPOINT = `${DESCRIBE}
import sys
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
inputs = torch.arange(20.0).reshape(5, 4) / 10
model(inputs).pow(2).sum().backward()
optimizer.step()
checkpoint = {
    "model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3, "loss": 0.25,
    "ints": torch.arange(5), "int32": torch.tensor([7, -8], dtype=torch.int32), "bytes": torch.tensor([0, 255], dtype=torch.uint8),
    "mask": torch.tensor([True, False]), "double": torch.tensor([1.5, 2.5], dtype=torch.float64),
    "half": torch.tensor([0.5, -2.0], dtype=torch.float16), "scalar": torch.tensor(4.0),
    "view": torch.arange(12.0).reshape(3, 4).t(), "slice": torch.arange(10.0)[2:6],
    "nested": [torch.ones(2), {"a": torch.zeros(1, 1), "b": (1, "two")}],
    "param": torch.nn.Parameter(torch.ones(2)), "frozen": torch.nn.Parameter(torch.ones(1), requires_grad=False),
}
torch.save(checkpoint, sys.argv[1])
print(json.dumps({"saved": describe(checkpoint), "outputs": model(inputs).tolist()}))
`;

/** Loads the checkpoint into a fresh model and optimizer, as a script resuming training does. */
const LOAD_CHECKPOINT = `${DESCRIBE}
import sys
checkpoint = torch.load(sys.argv[1])
model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
model.load_state_dict(checkpoint["model"])
optimizer = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.0)
optimizer.load_state_dict(checkpoint["optimizer"])
inputs = torch.arange(20.0).reshape(5, 4) / 10
print(json.dumps({"loaded": describe(checkpoint), "outputs": model(inputs).tolist(),
                  "lr": optimizer.param_groups[0]["lr"], "momentum": optimizer.param_groups[0]["momentum"]}))
`;

const dir = mkdtempSync(join(tmpdir(), 'trainloop-checkpoints-'));
writeFileSync(join(dir, 'make_checkpoint.py'), MAKE_CHECKPOINT);
writeFileSync(join(dir, 'load_checkpoint.py'), LOAD_CHECKPOINT);

function realPython(python: string, script: string, file: string): Record<string, unknown> {
  const run = spawnSync(python, [join(dir, script), file], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

function runtime(script: string, file: string): Record<string, unknown> {
  const run = runScriptFile(join(dir, script), { cliArgs: ['--', file] });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

/** Equal structures, numbers within 1e-6 (float32 rounding of the same values). */
function assertClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(expected)), `${path}: ${actual} vs ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${path}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
    expected.forEach((item, i) => assertClose((actual as unknown[])[i], item, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), path);
    for (const [key, item] of Object.entries(expected)) assertClose((actual as Record<string, unknown>)[key], item, `${path}.${key}`);
  } else {
    assert.deepEqual(actual, expected, path);
  }
}

for (const name of ['debianTorch', 'torch2'] as InterpreterName[]) {
  test(`a checkpoint saved by real PyTorch (${name}) loads in the runtime, and resumes the same model`, { timeout: 240_000 }, (t) => {
    const python = requireOrSkip(name);
    if (!python.path) return t.skip(python.skip || undefined);
    const file = join(dir, `from-${name}.pt`);
    const saved = realPython(python.path, 'make_checkpoint.py', file);
    const loaded = runtime('load_checkpoint.py', file);
    assertClose(loaded.loaded, saved.saved);
    assertClose(loaded.outputs, saved.outputs);
    assert.deepEqual([loaded.lr, loaded.momentum], [0.1, 0.9], "the optimizer's state dict replaced its settings");
  });

  test(`a checkpoint saved by the runtime loads in real PyTorch (${name})`, { timeout: 240_000 }, (t) => {
    const python = requireOrSkip(name);
    if (!python.path) return t.skip(python.skip || undefined);
    const file = join(dir, `for-${name}.pt`);
    const saved = runtime('make_checkpoint.py', file);
    const loaded = realPython(python.path, 'load_checkpoint.py', file);
    assertClose(loaded.loaded, saved.saved);
    assertClose(loaded.outputs, saved.outputs);
    assert.deepEqual([loaded.lr, loaded.momentum], [0.1, 0.9]);
    // torch 2's safe loader accepts it too: nothing but tensors, containers and PyTorch's rebuild functions inside
    // (1.13's refuses any float in a pickle, its own checkpoints' too).
    if (name !== 'torch2') return;
    const safe = spawnSync(python.path, ['-c', `import torch, sys; torch.load(sys.argv[1], weights_only=True); print("ok")`, file], {
      encoding: 'utf8',
    });
    assert.equal(safe.stdout.trim(), 'ok', safe.stderr);
  });
}

test('a runtime checkpoint loads back in the runtime; a file that is no checkpoint fails with one clear error', { timeout: 240_000 }, () => {
  const file = join(dir, 'round-trip.pt');
  const saved = runtime('make_checkpoint.py', file);
  const loaded = runtime('load_checkpoint.py', file);
  assertClose(loaded.loaded, saved.saved);
  assertClose(loaded.outputs, saved.outputs);
  writeFileSync(join(dir, 'notes.txt'), 'not a checkpoint\n');
  const bad = runScriptFile(join(dir, 'load_checkpoint.py'), { cliArgs: ['--', join(dir, 'notes.txt')] });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /load_checkpoint\.py", line \d+, in <module>/);
  assert.match(bad.stderr.trim().split('\n').at(-1)!, /^_pickle\.UnpicklingError: /);
});
