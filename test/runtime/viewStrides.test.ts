// view() of non-contiguous tensors, the positional views (diagonal, unfold, as_strided) and conv2d's saved tensors
// behave as in PyTorch on every backend.
//
// One script (fixtures/view_strides.py) prints, case by case, what view() of a transposed, strided or permuted tensor
// gives (a view with PyTorch's strides, or PyTorch's "view size is not compatible" error), the positional views with
// their strides, offsets, shared writes, versions, gradients and errors, and the in-place autograd error when a tensor
// conv2d saved is written before backward. Its output under the runtime must be real PyTorch's, line for line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { debianTorch, outputMatchingPytorch } from '../support/pytorchLineByLine';
import { REPO, runPython } from '../support/runtimeCli';

const SCRIPT = join(REPO, 'test', 'runtime', 'fixtures', 'view_strides.py');
const torch = debianTorch;

for (const backend of ['wasm', 'cpu', 'tensorflow'] as const) {
  test(`view strides, positional views and conv2d's saved tensors match PyTorch on the ${backend} backend`, { skip: torch.skip, timeout: 300_000 }, (t) => {
    const output = outputMatchingPytorch(SCRIPT, backend, 'the view strides test');
    if (output === undefined) return t.skip('no tensorflow backend');
    // The cases this exists for, spelled out (so a PyTorch that stopped raising would not pass silently).
    assert.match(output, /^t\.view\(-1\) raised RuntimeError: view size is not compatible with input tensor's size and stride/m);
    assert.match(output, /^diagonal_shares \[\[1\.0, 7\.0, 0\.0, 0\.0\], \[0\.0, 1\.0, 0\.0, 0\.0\], \[0\.0, 0\.0, -3\.0, 0\.0\]\] \[1\.0, 1\.0, -3\.0\] 4 4$/m);
    assert.match(output, /^conv_input_written raised one of the variables needed for gradient computation has been modified by an inplace operation: \[torch\.FloatTensor \[2, 3, 5, 5\]\] is at version 1; expected version 0 instead\./m);
  });
}

test('view() of a transposed tensor raises at the user line, reshape() copies', () => {
  const run = runPython('import torch\nx = torch.ones(3, 4)\nprint(list(x.t().reshape(-1).shape))\ny = x.t().view(-1)\n');
  assert.equal(run.status, 1);
  assert.match(run.stdout, /^\[12\]$/m);
  assert.match(run.stderr, /script\.py", line 4, in <module>\n\s+y = x\.t\(\)\.view\(-1\)/);
  assert.match(run.stderr, /RuntimeError: view size is not compatible with input tensor's size and stride \(at least one dimension spans across two contiguous subspaces\)\. Use \.reshape\(\.\.\.\) instead\.\n?$/);
});
