// The dropout family's drop pattern on every input rank, counted over many seeded draws, with PyTorch's warnings and
// errors: asserted against PyTorch's rule, and against real PyTorch 2.x's output for the same script when present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { requireOrSkip } from '../support/pythonInterpreters';
import { runScriptFile, REPO, type ScriptRun } from '../support/runtimeCli';

const PATTERNS = join(REPO, 'test', 'runtime', 'fixtures', 'dropout_patterns.py');
const P = 0.3;

interface Row {
  unit?: number;
  fraction?: number;
  error?: string;
  warnings: string[];
}

function rows(stdout: string): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const line of stdout.split('\n')) {
    const match = /^ROW (\S+) (\d) (.*)$/.exec(line);
    if (match) out.set(`${match[1]} ${match[2]}`, JSON.parse(match[3]) as Row);
  }
  return out;
}

function printed(stdout: string, label: string): unknown {
  const line = stdout.split('\n').find((l) => l.startsWith(`${label} `));
  assert.ok(line, `no ${label} line`);
  return JSON.parse(line.slice(label.length + 1));
}

// PyTorch's rule, per function and rank 0..5: how many leading dimensions index the dropped units (the rank: single
// elements; 2: (n, c) channels; 1: channels of one unbatched sample), or the error it raises.
const FEATURE_ERROR = 'RuntimeError: Feature dropout requires at least 2 dimensions in the input';
const DROPOUT1D_ERROR = (rank: number) => `RuntimeError: dropout1d: Expected 2D or 3D input, but received a ${rank}D input.`;
const RULE: Record<string, Array<number | string>> = {
  dropout: [0, 1, 2, 3, 4, 5],
  alpha_dropout: [0, 1, 2, 3, 4, 5],
  dropout1d: [DROPOUT1D_ERROR(0), DROPOUT1D_ERROR(1), 1, 2, DROPOUT1D_ERROR(4), DROPOUT1D_ERROR(5)],
  dropout2d: [FEATURE_ERROR, FEATURE_ERROR, 2, 2, 2, 2],
  dropout3d: [FEATURE_ERROR, 1, 1, 1, 1, 2],
  feature_alpha_dropout: [FEATURE_ERROR, FEATURE_ERROR, 2, 2, 2, 2],
};

// The ranks that warn, with the start of PyTorch 2.x's message (it names the user's file: stacklevel=2).
const WARNS: Record<string, Record<number, string>> = {
  dropout2d: {
    0: 'UserWarning: dropout2d: Received a 0-D input to dropout2d, which is deprecated',
    1: 'UserWarning: dropout2d: Received a 1-D input to dropout2d, which is deprecated',
    2: 'UserWarning: dropout2d: Received a 2-D input to dropout2d, which is deprecated and will result in an error in a future release. To retain the behavior and silence this warning, please use dropout instead.',
    3: 'UserWarning: dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim.',
    5: 'UserWarning: dropout2d: Received a 5-D input to dropout2d, which is deprecated',
  },
  dropout3d: {
    0: 'UserWarning: dropout3d: Received a 0-D input to dropout3d, which is deprecated',
    1: 'UserWarning: dropout3d: Received a 1-D input to dropout3d, which is deprecated',
    2: 'UserWarning: dropout3d: Received a 2-D input to dropout3d, which is deprecated',
    3: 'UserWarning: dropout3d: Received a 3-D input to dropout3d, which is deprecated',
  },
};

let runtimeRun: ScriptRun | undefined;
function runtime(): ScriptRun {
  runtimeRun ??= runScriptFile(PATTERNS);
  assert.equal(runtimeRun.status, 0, `--- stdout ---\n${runtimeRun.stdout}\n--- stderr ---\n${runtimeRun.stderr}`);
  return runtimeRun;
}

test('each dropout function drops PyTorch\'s units on every rank, at rate p, with its warnings', { timeout: 300_000 }, () => {
  const got = rows(runtime().stdout);
  for (const [fn, byRank] of Object.entries(RULE)) {
    byRank.forEach((rule, rank) => {
      const row = got.get(`${fn} ${rank}`);
      assert.ok(row, `no row for ${fn} on rank ${rank}`);
      if (typeof rule === 'string') {
        assert.ok(row.error?.startsWith(rule), `${fn} on rank ${rank}: ${row.error ?? 'no error'}; PyTorch: ${rule}`);
      } else {
        assert.equal(row.error, undefined, `${fn} on rank ${rank}: ${row.error}`);
        assert.equal(row.unit, rule, `${fn} on rank ${rank} drops units of ${row.unit} leading dims, PyTorch ${rule}`);
        // 60 draws of at least 24 units (rank 0: 60 single values): the dropped share is p within sampling noise.
        const tolerance = rank === 0 ? 0.2 : 0.08;
        assert.ok(Math.abs(row.fraction! - P) < tolerance, `${fn} on rank ${rank} dropped ${row.fraction}, p is ${P}`);
      }
      const warning = WARNS[fn]?.[rank];
      if (warning) {
        assert.equal(row.warnings.length, 1, `${fn} on rank ${rank} warned ${JSON.stringify(row.warnings)}`);
        assert.ok(row.warnings[0].startsWith(warning), `${fn} on rank ${rank} warned ${row.warnings[0]}`);
        assert.ok(row.warnings[0].endsWith('@ dropout_patterns.py'), `the warning names ${row.warnings[0]}, not the caller's file`);
      } else {
        assert.deepEqual(row.warnings, [], `${fn} on rank ${rank} should not warn`);
      }
    });
  }
});

test('dropout modules: Dropout2d on (N, C) drops elements, eval and p=0 are the identity, p=1 and in-place', { timeout: 300_000 }, () => {
  const module = printed(runtime().stdout, 'MODULE') as Record<string, unknown>;
  assert.equal(module.dropout2d_2d_elements, 2, 'Dropout2d on 2-D input drops single elements');
  assert.deepEqual(module.dropout2d_2d_warning, ['UserWarning @ dropout.py']);
  assert.equal(module.grad_fn, 'MulBackward0');
  assert.equal(module.grad_fn_2d, 'MulBackward0');
  assert.equal(module.eval_identity, true);
  assert.equal(module.p0_identity, true);
  assert.deepEqual(module.p1_zero, [-0, -0, -0, -0]);
  assert.deepEqual(module.alpha_values, [-1.23616, 1.18794], 'AlphaDropout(0.2) of ones: SELU saturation then a*x+b');
  assert.equal(printed(runtime().stdout, 'BAD_P'), 'dropout probability has to be between 0 and 1, but got 1.5');
});

const torch2 = requireOrSkip('torch2');

test('the same seeded dropout script prints what PyTorch 2.x prints, masks and warnings included', { skip: torch2.skip, timeout: 300_000 }, () => {
  const reference = spawnSync(torch2.path!, [PATTERNS], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(reference.status, 0, reference.stderr);
  assert.equal(runtime().stdout, reference.stdout);
});
