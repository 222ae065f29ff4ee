// Checks that our torch shim agrees with real PyTorch on every fidelity case, and that reference.json is current.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';

import { compareResults, Dump, unravelIndex } from './compareResults';
import { skipWithoutTensorflow } from '../support/tensorflowBackend';

const fidelityDir = __dirname;
const repoRoot = path.resolve(fidelityDir, '..', '..');
const referencePath = path.join(fidelityDir, 'reference.json');
const dumpScript = path.join(fidelityDir, 'dump_cases.py');
const realPython = '/usr/bin/python3';
const tolerance = { rtol: 1e-4, atol: 1e-5 };
const runTimeoutMs = 180_000;

function loadDump(file: string): Dump {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Dump;
}

function report(mismatches: string[], what: string): string {
  return `${mismatches.length} mismatch(es) ${what}:\n  ${mismatches.join('\n  ')}`;
}

/** Runs a command; on failure throws with its exit status and the tail of its output. */
function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      timeout: runTimeoutMs,
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const failure = error as { status?: number | null; signal?: string | null; stdout?: string; stderr?: string };
    const tail = (text: string | undefined) => (text ?? '').split('\n').slice(-40).join('\n');
    throw new Error(
      `${command} ${args.join(' ')} failed (status ${failure.status ?? 'none'}, signal ${failure.signal ?? 'none'})\n` +
        `--- stdout (tail) ---\n${tail(failure.stdout)}\n--- stderr (tail) ---\n${tail(failure.stderr)}`,
    );
  }
}

function realTorchAvailable(): boolean {
  const probe = spawnSync(realPython, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
  return probe.status === 0;
}

/** Every backend the embedded runtime offers: each must stay within the tolerance of PyTorch on every case. */
const BACKENDS = ['wasm', 'cpu', 'tensorflow'] as const;

for (const backend of BACKENDS) {
  test(`the embedded runtime matches real PyTorch on every fidelity case (${backend} backend)`, (t) => {
    const skip = backend === 'tensorflow' ? skipWithoutTensorflow('the fidelity suite') : undefined;
    if (skip) {
      t.skip(skip);
      return;
    }
    const cli = path.join(repoRoot, 'dist', 'cli.js');
    assert.ok(fs.existsSync(cli), `${cli} is missing: build the runtime first (npm run build)`);
    // The runtime runs the script with its own directory as cwd, so a bare file name lands in test/fidelity.
    const outputName = `.actual-${backend}-${process.pid}.json`;
    const outputPath = path.join(fidelityDir, outputName);
    try {
      run(process.execPath, [cli, 'run', path.relative(repoRoot, dumpScript), '--backend', backend, '--', outputName], repoRoot);
      assert.ok(fs.existsSync(outputPath), `the runtime finished but wrote no ${outputPath}`);
      const mismatches = compareResults(loadDump(referencePath), loadDump(outputPath), tolerance);
      assert.deepEqual(mismatches, [], report(mismatches, `between reference.json and the embedded runtime on ${backend}`));
    } finally {
      fs.rmSync(outputPath, { force: true });
    }
  });
}

test('reference.json still matches real PyTorch run live', (t) => {
  if (!realTorchAvailable()) {
    t.skip(`${realPython} cannot import torch, so the reference cannot be rechecked live`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainloop-fidelity-'));
  try {
    const livePath = path.join(dir, 'live.json');
    run(realPython, [dumpScript, livePath], repoRoot);
    const live = loadDump(livePath);
    const reference = loadDump(referencePath);
    const mismatches = compareResults(reference, live, tolerance);
    assert.deepEqual(
      mismatches,
      [],
      report(mismatches, 'between reference.json and live PyTorch; run test/fidelity/make_reference.sh'),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('reference.json is clean and small', () => {
  const reference = loadDump(referencePath);
  const failed = Object.entries(reference).filter(([, result]) => typeof result.error === 'string');
  assert.deepEqual(failed, [], 'no reference case may be an error entry');
  assert.ok(Object.keys(reference).length >= 50, 'the reference covers the whole suite');
  const bytes = fs.statSync(referencePath).size;
  assert.ok(bytes < 500 * 1024, `reference.json is ${bytes} bytes; keep the case outputs small`);
});

// ---------------------------------------------------------------------------
// compareResults itself
// ---------------------------------------------------------------------------

const small: Dump = {
  arith: {
    out: { shape: [2, 2], dtype: 'float32', values: [1, -2.5, 0.0001, 3e6] },
    mask: { shape: [2], dtype: 'bool', values: [true, false] },
    index: { shape: [], dtype: 'int64', values: [3] },
  },
  special: {
    odd: { shape: [3], dtype: 'float32', values: ['nan', 'inf', '-inf'] },
  },
};

function copy(dump: Dump): Dump {
  return JSON.parse(JSON.stringify(dump)) as Dump;
}

test('compareResults: identical dumps and values within tolerance match', () => {
  assert.deepEqual(compareResults(small, copy(small)), []);
  const close = copy(small);
  // rtol 1e-4 of 3e6 is 300; atol 1e-5 covers the 0.0001 entry's small drift.
  (close.arith as Record<string, { values: unknown[] }>).out.values = [1.00009, -2.50002, 0.000108, 3e6 + 250];
  assert.deepEqual(compareResults(small, close, tolerance), []);
});

test('compareResults: a value mismatch names the case, output, worst index, expected and got', () => {
  const off = copy(small);
  (off.arith as Record<string, { values: unknown[] }>).out.values = [1.001, -2.5, 0.0001, 3e6];
  const mismatches = compareResults(small, off, tolerance);
  assert.equal(mismatches.length, 1, mismatches.join('\n'));
  assert.match(mismatches[0], /^arith\/out: 1 of 4 elements differ; worst at \[0, 0\]: expected 1, got 1\.001/);
});

test('compareResults: the worst of several bad elements is reported', () => {
  const off = copy(small);
  (off.arith as Record<string, { values: unknown[] }>).out.values = [1.01, -3.5, 0.0001, 3e6];
  const [mismatch] = compareResults(small, off, tolerance);
  assert.match(mismatch, /2 of 4 elements differ; worst at \[0, 1\]: expected -2\.5, got -3\.5/);
});

test('compareResults: dtype, shape, exact integer and boolean mismatches are detected', () => {
  const off = copy(small);
  const arith = off.arith as Record<string, { shape: number[]; dtype: string; values: unknown[] }>;
  arith.out.shape = [4];
  arith.mask.values = [true, true];
  arith.index.dtype = 'float32';
  const mismatches = compareResults(small, off, tolerance);
  assert.equal(mismatches.length, 3, mismatches.join('\n'));
  assert.match(mismatches.join('\n'), /arith\/out: shape \[4\], expected \[2, 2\]/);
  assert.match(mismatches.join('\n'), /arith\/mask: 1 of 2 elements differ; worst at \[1\]: expected false, got true/);
  assert.match(mismatches.join('\n'), /arith\/index: dtype float32, expected int64/);

  const intOff = copy(small);
  (intOff.arith as Record<string, { values: unknown[] }>).index.values = [4];
  assert.match(compareResults(small, intOff, tolerance).join('\n'), /arith\/index: .*expected 3, got 4/);
});

test('compareResults: an error entry on our side fails and shows the error', () => {
  const broken = copy(small);
  broken.arith = { error: 'NotImplementedError: masked_fill is not supported' };
  const mismatches = compareResults(small, broken, tolerance);
  assert.deepEqual(mismatches, ['arith: raised NotImplementedError: masked_fill is not supported']);
});

test('compareResults: missing and extra cases and outputs are reported', () => {
  const partial = copy(small);
  delete partial.special;
  delete (partial.arith as Record<string, unknown>).mask;
  (partial.arith as Record<string, unknown>).extra = { shape: [], dtype: 'bool', values: [true] };
  partial.unknown_case = {};
  const mismatches = compareResults(small, partial, tolerance);
  assert.deepEqual(mismatches.sort(), [
    'arith/extra: not in the reference (regenerate it with make_reference.sh)',
    'arith/mask: missing from the results',
    'special: missing from the results',
    'unknown_case: not in the reference (regenerate it with make_reference.sh)',
  ]);
});

test('compareResults: NaN matches only NaN, infinities only themselves', () => {
  const swapped = copy(small);
  (swapped.special as Record<string, { values: unknown[] }>).odd.values = [0, '-inf', 'inf'];
  const [mismatch] = compareResults(small, swapped, tolerance);
  assert.match(mismatch, /special\/odd: 3 of 3 elements differ/);
});

test('unravelIndex is row-major', () => {
  assert.deepEqual(unravelIndex(0, []), []);
  assert.deepEqual(unravelIndex(5, [2, 3]), [1, 2]);
  assert.deepEqual(unravelIndex(23, [2, 3, 4]), [1, 2, 3]);
});
