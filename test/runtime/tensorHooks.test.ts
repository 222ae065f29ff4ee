// Tensor.register_hook under the runtime prints what real PyTorch prints for the same script
// (test/runtime/fixtures/tensor_hooks.py): gradients seen and replaced, hooks removed, errors raised as themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runScriptFile } from '../support/runtimeCli';

const SCRIPT = join(__dirname, 'fixtures', 'tensor_hooks.py');
const REAL_PYTHON = '/usr/bin/python3';
const realTorch = spawnSync(REAL_PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

test('gradient hooks: the runtime prints what PyTorch prints', { skip: realTorch ? false : `no torch for ${REAL_PYTHON}`, timeout: 180_000 }, () => {
  const run = runScriptFile(SCRIPT);
  assert.equal(run.status, 0, run.stderr);
  const reference = spawnSync(REAL_PYTHON, [SCRIPT], { encoding: 'utf8' });
  assert.equal(reference.status, 0, reference.stderr);
  assert.equal(run.stdout, reference.stdout);
  assert.match(run.stdout, /^x\.grad tensor\(\[20\., 20\.\]\)$/m, 'a hook that scales the gradient');
  assert.match(run.stdout, /^ZeroDivisionError raised as itself/m);
});
