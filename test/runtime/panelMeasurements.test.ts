// The training watch's panel measurements checked on their own (test/runtime/panel/measurements_check.py): weight and
// gradient histograms, measured update ratios ‖Δw‖/‖w‖, and the sampling budget; then evaluation passes and class names
// of a script run under the watch; under the runtime and, as agent code using public torch API only, under real PyTorch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireOrSkip, type InterpreterName } from '../support/pythonInterpreters';
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

// ---- evaluation passes and class names: test/runtime/panel/eval_and_classes.py under the watch (watch_driver.py) ----

const WATCH_DRIVER = join(REPO, 'test', 'runtime', 'realTorch', 'watch_driver.py');
const EVAL_SCRIPT = join(__dirname, 'panel', 'eval_and_classes.py');

interface WatchedBatch {
  evaluations?: Array<{ batches: number; epoch: number | null; loss: number; accuracy: number | null; samples: number }>;
  inputs?: { classes?: string[]; labels?: number[] };
}

/** The script's own `eval EPOCH LOSS ACCURACY` lines, and the watch's evaluation points and class names. */
function evaluationsOf(stdout: string) {
  const lines = stdout.trimEnd().split('\n');
  const printed = lines.filter((l) => l.startsWith('eval ')).map((l) => l.split(' ').slice(1).map(Number));
  const report = JSON.parse(lines.at(-1) ?? '{}') as { exit: number; batches: WatchedBatch[] };
  assert.equal(report.exit, 0, stdout.slice(-2000));
  return {
    printed,
    evaluations: report.batches.flatMap((b) => b.evaluations ?? []),
    classes: report.batches.find((b) => b.inputs?.classes)?.inputs?.classes,
  };
}

function checkEvaluations(stdout: string): void {
  const { printed, evaluations, classes } = evaluationsOf(stdout);
  assert.equal(printed.length, 2, 'the script evaluated twice');
  assert.deepEqual(evaluations.map((e) => [e.batches, e.epoch, e.samples]), [[8, 0, 21], [16, 1, 21]], 'one point per evaluation pass, after each epoch');
  evaluations.forEach((e, i) => {
    assert.ok(Math.abs(e.loss - printed[i][1]) < 1e-5, `eval loss ${e.loss} is the test loop's ${printed[i][1]}`);
    assert.ok(e.accuracy !== null && Math.abs(e.accuracy - printed[i][2]) < 1e-9, `accuracy ${e.accuracy} is the test loop's ${printed[i][2]}`);
  });
  assert.deepEqual(classes, ['circle', 'square', 'triangle'], "the images carry the dataset's class names");
}

test('evaluation passes and class names under the runtime', { timeout: 180_000 }, () => {
  // The embedded runtime reads the host's /tmp (and the program's folder): the script goes there beside nothing else.
  const folder = mkdtempSync(join(tmpdir(), 'trainloop-eval-'));
  const script = join(folder, 'eval_and_classes.py');
  copyFileSync(EVAL_SCRIPT, script);
  const run = runScriptFile(WATCH_DRIVER, { cliArgs: ['--', join(REPO, 'dist', 'python', 'agent'), script, '--every-batch'] });
  assert.equal(run.status, 0, run.stderr);
  checkEvaluations(run.stdout);
});

for (const name of ['debianTorch', 'torch2'] as InterpreterName[]) {
  const python = requireOrSkip(name);
  test(`evaluation passes and class names under real PyTorch (${name})`, { skip: python.skip, timeout: 120_000 }, () => {
    const run = spawnSync(python.path ?? '', [WATCH_DRIVER, join(REPO, 'src', 'runtime', 'python', 'agent'), EVAL_SCRIPT, '--every-batch'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    checkEvaluations(run.stdout);
  });
}

// ---- a stop after a batch the sampler skipped measures it (test/runtime/panel/stop_measures.py) ----

const STOP_SCRIPT = join(__dirname, 'panel', 'stop_measures.py');

function checkStopMeasured(stdout: string): void {
  const report = JSON.parse(stdout.trimEnd().split('\n').at(-1) ?? '{}') as {
    exit: number;
    batches: Array<{ batch: number; gradNorms: Record<string, unknown>; histograms?: Record<string, unknown>; inputs?: { shape: number[] } }>;
  };
  assert.equal(report.exit, 0);
  const measured = report.batches.filter((b) => b.histograms && b.inputs).map((b) => b.batch);
  // The sampler takes the first batch; the ten take far less than its 2 s, so the stopped one is measured at the stop.
  assert.equal(measured[0], 1, 'the first batch, by the sampler');
  assert.equal(measured.at(-1), 10, 'the stopped batch (the tenth), at the stop');
  const stop = report.batches.find((b) => b.batch === 10 && b.histograms);
  assert.deepEqual(Object.keys(stop?.gradNorms ?? {}).sort(), ['model.1.bias', 'model.1.weight']);
  assert.deepEqual(stop?.inputs?.shape, [8, 1, 4, 4]);
}

test('a stop measures the batch the sampler skipped, under the runtime', { timeout: 180_000 }, () => {
  const script = join(mkdtempSync(join(tmpdir(), 'trainloop-stop-')), 'stop_measures.py');
  copyFileSync(STOP_SCRIPT, script);
  const run = runScriptFile(WATCH_DRIVER, { cliArgs: ['--', join(REPO, 'dist', 'python', 'agent'), script] });
  assert.equal(run.status, 0, run.stderr);
  checkStopMeasured(run.stdout);
});

for (const name of ['debianTorch', 'torch2'] as InterpreterName[]) {
  const python = requireOrSkip(name);
  test(`a stop measures the batch the sampler skipped, under real PyTorch (${name})`, { skip: python.skip, timeout: 120_000 }, () => {
    const run = spawnSync(python.path ?? '', [WATCH_DRIVER, join(REPO, 'src', 'runtime', 'python', 'agent'), STOP_SCRIPT], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    checkStopMeasured(run.stdout);
  });
}
