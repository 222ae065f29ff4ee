// view() of non-contiguous tensors, the positional views (diagonal, unfold, as_strided) and conv2d's saved tensors
// behave as in PyTorch on every backend.
//
// One script (fixtures/view_strides.py) prints, case by case, what view() of a transposed, strided or permuted tensor
// gives (a view with PyTorch's strides, or PyTorch's "view size is not compatible" error), the positional views with
// their strides, offsets, shared writes, versions, gradients and errors, and the in-place autograd error when a tensor
// conv2d saved is written before backward. Its output under the runtime must be real PyTorch's, line for line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { requireOrSkip } from '../support/pythonInterpreters';
import { REPO, runPython, runScriptFile } from '../support/runtimeCli';
import { skipWithoutTensorflow } from '../support/tensorflowBackend';

const SCRIPT = join(REPO, 'test', 'runtime', 'fixtures', 'view_strides.py');
const torch = requireOrSkip('debianTorch');

let reference: string | undefined;
/** What real PyTorch prints for the script (run once). */
function pytorchOutput(): string {
  if (reference === undefined) {
    const run = spawnSync(torch.path!, [SCRIPT], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    reference = run.stdout;
  }
  return reference;
}

for (const backend of ['wasm', 'cpu', 'tensorflow'] as const) {
  test(`view strides, positional views and conv2d's saved tensors match PyTorch on the ${backend} backend`, { skip: torch.skip, timeout: 300_000 }, (t) => {
    const skip = backend === 'tensorflow' ? skipWithoutTensorflow('the view strides test') : undefined;
    if (skip) return t.skip(skip);
    const run = runScriptFile(SCRIPT, { cliArgs: ['--backend', backend] });
    assert.equal(run.status, 0, run.stderr);
    const expected = pytorchOutput().split('\n');
    const got = run.stdout.split('\n');
    // Line by line, so a failure names the case.
    for (let i = 0; i < Math.max(expected.length, got.length); i++) assert.equal(got[i], expected[i]);
    // The cases this exists for, spelled out (so a PyTorch that stopped raising would not pass silently).
    assert.match(run.stdout, /^t\.view\(-1\) raised RuntimeError: view size is not compatible with input tensor's size and stride/m);
    assert.match(run.stdout, /^diagonal_shares \[\[1\.0, 7\.0, 0\.0, 0\.0\], \[0\.0, 1\.0, 0\.0, 0\.0\], \[0\.0, 0\.0, -3\.0, 0\.0\]\] \[1\.0, 1\.0, -3\.0\] 4 4$/m);
    assert.match(run.stdout, /^conv_input_written raised one of the variables needed for gradient computation has been modified by an inplace operation: \[torch\.FloatTensor \[2, 3, 5, 5\]\] is at version 1; expected version 0 instead\./m);
  });
}

test('view() of a transposed tensor raises at the user line, reshape() copies', () => {
  const run = runPython('import torch\nx = torch.ones(3, 4)\nprint(list(x.t().reshape(-1).shape))\ny = x.t().view(-1)\n');
  assert.equal(run.status, 1);
  assert.match(run.stdout, /^\[12\]$/m);
  assert.match(run.stderr, /script\.py", line 4, in <module>\n\s+y = x\.t\(\)\.view\(-1\)/);
  assert.match(run.stderr, /RuntimeError: view size is not compatible with input tensor's size and stride \(at least one dimension spans across two contiguous subspaces\)\. Use \.reshape\(\.\.\.\) instead\.\n?$/);
});
