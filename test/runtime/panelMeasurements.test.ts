// The training watch's panel measurements checked on their own (test/runtime/panel/measurements_check.py): weight and
// gradient histograms, measured update ratios ‖Δw‖/‖w‖, and the sampling budget; under the runtime and, as agent
// code using public torch API only, under real PyTorch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO, runScriptFile } from '../support/runtimeCli';

const CHECK = join(__dirname, 'panel', 'measurements_check.py');
const REAL_PYTHON = '/usr/bin/python3';
const realTorch = spawnSync(REAL_PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

test('histograms, update ratios and the sampling budget under the runtime', { timeout: 180_000 }, () => {
  const run = runScriptFile(CHECK, { cliArgs: ['--', join(REPO, 'dist', 'python', 'agent')] });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'ok');
});

test('the same checks under real PyTorch', { skip: realTorch ? false : `no torch for ${REAL_PYTHON}`, timeout: 120_000 }, () => {
  const run = spawnSync(REAL_PYTHON, [CHECK, join(REPO, 'src', 'runtime', 'python', 'agent')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'ok');
});
