// The threaded wasm build (src/runtime/threadedWasm.ts) starts its pool in Node, computes what the cpu backend
// computes, and lets its process end (the runtime picks it only when a core is left over: not on 2-core machines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runPython } from '../support/runtimeCli';

const REPO = join(__dirname, '..', '..');

test('the threaded build runs on 2 threads, matches the cpu backend, and its process ends by itself', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'threadedWasmProbe.ts')], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(result.status, 0, `the probe failed or hung:\n${result.stderr}`);
  const seen = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { threads: number; worst: number; size: number };
  assert.equal(seen.threads, 2, 'XNNPACK pool size');
  assert.equal(seen.size, 64 * 512);
  assert.ok(seen.worst < 1e-4, `worst relative difference from the cpu backend: ${seen.worst}`);
});


test('trainloop run --threads 2 trains on the threaded build as the default build does; --threads 0 is a usage error', () => {
  const source = [
    'import torch',
    'torch.manual_seed(0)',
    'model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))',
    'optimizer = torch.optim.SGD(model.parameters(), lr=0.1)',
    'x, y = torch.rand(64, 784), torch.randint(0, 10, (64,))',
    'for _ in range(3):',
    '    loss = torch.nn.functional.cross_entropy(model(x), y)',
    '    loss.backward()',
    '    optimizer.step()',
    '    optimizer.zero_grad()',
    'print(f"{loss.item():.5f}")',
  ].join('\n');
  const threaded = runPython(source, { cliArgs: ['--threads', '2'] });
  const plain = runPython(source, { cliArgs: ['--threads', '1'] });
  assert.equal(threaded.status, 0, threaded.stderr);
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(threaded.stdout, /^\d+\.\d{5}\n$/);
  assert.equal(threaded.stdout, plain.stdout, 'the same loss after 3 steps on 1 and 2 threads');
  const refused = runPython(source, { cliArgs: ['--threads', '0'] });
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /--threads takes a whole number, 1 or more/);
});
