// Views share storage with their base on every backend: `_version` and the in-place autograd error as in PyTorch.
//
// One script (fixtures/view_versions.py) prints, case by case, versions through views, `.data` and `detach()`, values
// written through views, and the errors PyTorch raises (a saved tensor modified in place, a view of a leaf written, an
// expanded view copied into), as well as the in-place writes that must NOT raise (Linear then ReLU(inplace=True), a
// sum's input written). Its output under the runtime must be real PyTorch's, line for line, on wasm, cpu and tensorflow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { debianTorch, outputMatchingPytorch } from '../support/pytorchLineByLine';
import { REPO } from '../support/runtimeCli';

const SCRIPT = join(REPO, 'test', 'runtime', 'fixtures', 'view_versions.py');
const torch = debianTorch;

for (const backend of ['wasm', 'cpu', 'tensorflow'] as const) {
  test(`views, _version and the in-place autograd error match PyTorch on the ${backend} backend`, { skip: torch.skip, timeout: 300_000 }, (t) => {
    const output = outputMatchingPytorch(SCRIPT, backend, 'the view semantics test');
    if (output === undefined) return t.skip('no tensorflow backend');
    assert.match(output, /saved_output_written raised RuntimeError: one of the variables needed for gradient computation has been modified by an inplace operation: \[torch\.FloatTensor \[3\]\], which is output 0 of ExpBackward0, is at version 1; expected version 0 instead\./);
    assert.match(output, /^linear_then_inplace_relu \[3, 3, 3, 3\]$/m);
  });
}
