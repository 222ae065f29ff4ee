// Views share storage with their base on every backend: `_version` and the in-place autograd error as in PyTorch.
//
// One script (fixtures/view_versions.py) prints, case by case, versions through views, `.data` and `detach()`, values
// written through views, and the errors PyTorch raises (a saved tensor modified in place, a view of a leaf written, an
// expanded view copied into), as well as the in-place writes that must NOT raise (Linear then ReLU(inplace=True), a
// sum's input written). Its output under the runtime must be real PyTorch's, line for line, on wasm, cpu and tensorflow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { requireOrSkip } from '../support/pythonInterpreters';
import { REPO, runScriptFile } from '../support/runtimeCli';
import { skipWithoutTensorflow } from '../support/tensorflowBackend';

const SCRIPT = join(REPO, 'test', 'runtime', 'fixtures', 'view_versions.py');
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
  test(`views, _version and the in-place autograd error match PyTorch on the ${backend} backend`, { skip: torch.skip, timeout: 300_000 }, (t) => {
    const skip = backend === 'tensorflow' ? skipWithoutTensorflow('the view semantics test') : undefined;
    if (skip) return t.skip(skip);
    const run = runScriptFile(SCRIPT, { cliArgs: ['--backend', backend] });
    assert.equal(run.status, 0, run.stderr);
    const expected = pytorchOutput().split('\n');
    const got = run.stdout.split('\n');
    // Line by line, so a failure names the case.
    for (let i = 0; i < Math.max(expected.length, got.length); i++) assert.equal(got[i], expected[i]);
    assert.match(run.stdout, /saved_output_written raised RuntimeError: one of the variables needed for gradient computation has been modified by an inplace operation: \[torch\.FloatTensor \[3\]\], which is output 0 of ExpBackward0, is at version 1; expected version 0 instead\./);
    assert.match(run.stdout, /^linear_then_inplace_relu \[3, 3, 3, 3\]$/m);
  });
}
