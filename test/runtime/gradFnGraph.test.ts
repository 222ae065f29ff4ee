// grad_fn.next_functions under the embedded runtime leads where PyTorch 1.13's does: composite ops (losses, pooling,
// norm) to their own inputs, Linear through AddmmBackward0 and TBackward0, None for inputs that need no gradient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { requireOrSkip } from '../support/pythonInterpreters';
import { runScriptFile } from '../support/runtimeCli';

const SCRIPT = join(__dirname, 'fixtures', 'grad_fn_graph.py');
const torch113 = requireOrSkip('debianTorch');

test('grad_fn.next_functions walks: the runtime prints what PyTorch 1.13 prints', { skip: torch113.skip, timeout: 180_000 }, () => {
  const run = runScriptFile(SCRIPT);
  assert.equal(run.status, 0, run.stderr);
  const reference = spawnSync(torch113.path ?? '', [SCRIPT], { encoding: 'utf8' });
  assert.equal(reference.status, 0, reference.stderr);
  assert.equal(run.stdout, reference.stdout);
  // The walks the issue named, spelled out so a change on both sides cannot pass unnoticed.
  assert.match(run.stdout, /^mse_loss\n {2}MseLossBackward0 MseLossBackward0\n {4}AddmmBackward0 AddmmBackward0\n {6}AccumulateGrad .*\n {6}None\n {6}TBackward0 /m);
  assert.match(run.stdout, /^cat of the same tensor twice\n {2}CatBackward0 CatBackward0\n( {4}AccumulateGrad .*\n){2}/m);
});
