// Test support: run one fixture script under real PyTorch and under the runtime on a backend, and compare their
// printed output line by line (so a failure names the case).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { requireOrSkip } from './pythonInterpreters';
import { runScriptFile } from './runtimeCli';
import { skipWithoutTensorflow } from './tensorflowBackend';

export const debianTorch = requireOrSkip('debianTorch');

const references = new Map<string, string>();

/** What real PyTorch prints for `script` (run once per script). */
function pytorchOutput(script: string): string {
  let output = references.get(script);
  if (output === undefined) {
    const run = spawnSync(debianTorch.path!, [script], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    output = run.stdout;
    references.set(script, output);
  }
  return output;
}

/**
 * Runs `script` on `backend` and asserts its output is real PyTorch's, line by line; returns the output for the
 * caller's own checks, or undefined when the tensorflow backend is missing (a SKIP line printed; a failure under CI).
 */
export function outputMatchingPytorch(script: string, backend: string, what: string): string | undefined {
  if (backend === 'tensorflow' && skipWithoutTensorflow(what)) return undefined;
  const run = runScriptFile(script, { cliArgs: ['--backend', backend] });
  assert.equal(run.status, 0, run.stderr);
  const expected = pytorchOutput(script).split('\n');
  const got = run.stdout.split('\n');
  for (let i = 0; i < Math.max(expected.length, got.length); i++) assert.equal(got[i], expected[i]);
  return run.stdout;
}
