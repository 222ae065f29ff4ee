// Mixed-precision training loops (torch.cuda.amp.GradScaler, torch.autocast) run under the runtime as under PyTorch
// without CUDA: both turned off with PyTorch's warnings, pointing at the user's lines, and training unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runScriptFile } from '../support/runtimeCli';

const SCRIPT = join(__dirname, 'fixtures', 'mixed_precision.py');
const REAL_PYTHON = '/usr/bin/python3';
const realTorch = spawnSync(REAL_PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

test('GradScaler and autocast leave training as it is, and say they are off', { timeout: 180_000 }, () => {
  const run = runScriptFile(SCRIPT);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 6, run.stdout);
  assert.equal(lines[5], 'same', run.stdout);
  const losses = lines.slice(0, 5).map((line) => Number(line.split(' ')[1]));
  assert.ok(losses[4] < losses[0], `it trains: ${losses.join(', ')}`);
  assert.match(run.stderr, /mixed_precision\.py:14: UserWarning: torch\.cuda\.amp\.GradScaler is enabled, but CUDA is not available\./);
  assert.match(run.stderr, /mixed_precision\.py:19: UserWarning: User provided device_type of 'cuda', but CUDA is not available\. Disabling/);
  assert.equal(run.stderr.match(/UserWarning/g)?.length, 2, 'each warning once');
});

test('the same script under real PyTorch without CUDA: the same outcome', { skip: realTorch ? false : `no torch for ${REAL_PYTHON}`, timeout: 120_000 }, () => {
  const run = spawnSync(REAL_PYTHON, [SCRIPT], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim().split('\n').at(-1), 'same');
  assert.match(run.stderr, /GradScaler is enabled, but CUDA is not available/);
});
