// The Python agent under real PyTorch — torch 1.13 (Debian's python3-torch on /usr/bin/python3) and torch 2.x (the
// .cache/python/torch2 venv of scripts/setup-python.sh): every module imports without the embedded shim, tensor
// summaries of every dtype (and a 10^7-element hover, timed for the log; bench/native.ts holds its 100 ms target), the same detector findings when values are read
// back later in batches as on an accelerator, GradScaler's scaled losses and skipped steps, and torch.compile.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireOrSkip, type InterpreterName } from '../support/pythonInterpreters';

const REPO = join(__dirname, '..', '..');
const AGENT = join(REPO, 'src', 'runtime', 'python', 'agent');
const HERE = join(__dirname, 'realTorch');
const DETECTOR_HARNESS = join(__dirname, 'detectors', 'run_on_real_torch.py');
const EXAMPLES = join(REPO, 'examples', 'bugs', 'runtime');

type Event = Record<string, unknown>;

interface WatchReport {
  exit: number;
  batches: Array<{ batch: number; losses: Array<number | string | null>; gradNorms: Record<string, number> }>;
  stops: Array<{ kind: string; message: string; line: number }>;
  events: Event[];
}

function run(python: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(python, args, { encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** Runs a script under watch_driver.py (agent, detectors and the training watch): its printed lines and the report. */
function watched(python: string, script: string, flags: string[] = [], env: Record<string, string> = {}) {
  const result = run(python, [join(HERE, 'watch_driver.py'), AGENT, join(HERE, script), ...flags], env);
  assert.equal(result.status, 0, result.stderr.slice(-3000));
  const lines = result.stdout.trimEnd().split('\n');
  const report = JSON.parse(lines.at(-1) ?? '{}') as WatchReport;
  assert.equal(report.exit, 0, result.stderr.slice(-3000));
  return { lines: lines.slice(0, -1), report, stderr: result.stderr };
}

/** `word BATCH VALUE` lines of a script's output, as a map. */
function printed(lines: string[], word: string): Map<number, number> {
  const values = new Map<number, number>();
  for (const line of lines) {
    const match = new RegExp(`^${word} (\\d+) (\\S+)$`).exec(line);
    if (match) values.set(Number(match[1]), Number(match[2]));
  }
  return values;
}

function detectorRun(python: string, script: string, deferReads: boolean) {
  const events = join(mkdtempSync(join(tmpdir(), 'trainloop-agent-real-')), 'events.jsonl');
  const result = run(python, [DETECTOR_HARNESS, script, '--events', events, ...(deferReads ? ['--defer-reads'] : [])]);
  assert.equal(result.status, 0, result.stderr.slice(-3000));
  const records = readFileSync(events, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Event);
  return {
    findings: records.filter((r) => r.event === 'diagnostic').map((r) => `${r.code}@${r.line} batch ${r.batch}`).sort(),
    batches: records.filter((r) => r.event === 'batch').map((r) => `${r.batch}:${r.loss}`),
    internal: records.filter((r) => r.event === 'internal'),
  };
}

for (const name of ['debianTorch', 'torch2'] as InterpreterName[]) {
  const python = requireOrSkip(name);
  describe(`the agent under real PyTorch (${name})`, { skip: python.skip }, () => {
    const py = python.path ?? '';

    it('imports every trainloop_agent module, without the shim', { timeout: 120_000 }, () => {
      const result = run(py, [join(HERE, 'import_every_module.py'), AGENT]);
      assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, / 0 failed$/m);
      assert.match(result.stdout, /^ok trainloop_agent\.training_watch$/m);
      assert.match(result.stdout, /^ok trainloop_agent\.debugger$/m);
    });

    it('summarizes tensors of every dtype, layout and shape, a 10^7-element one included', { timeout: 180_000 }, () => {
      const result = run(py, [join(HERE, 'tensor_summaries_check.py'), AGENT]);
      assert.equal(result.status, 0, result.stderr.slice(-3000));
      assert.match(result.stdout, /^ok$/m);
      const [, median, worst] = /^hover_ms (\S+) (\S+)$/m.exec(result.stdout) ?? [];
      console.log(`${name}: hover on a 10^7-element tensor: median ${median} ms, slowest ${worst} ms (of 7)`);
      assert.ok(Number.isFinite(Number(median)), 'the 10^7-element hover answered');
    });

    it('reads back later in batches (as on an accelerator) with the same findings and batch events', { timeout: 300_000 }, () => {
      for (const example of ['tl003_constant_feature_nan.py', 'tl006_dying_relu.py', 'tl009_total_loss_with_graph.py',
        'tl009_losses_list_with_graph.py', 'tl004_exploding_gradients.py', 'quickstart_mlp_ok.py']) {
        const script = join(EXAMPLES, example);
        const atOnce = detectorRun(py, script, false);
        const later = detectorRun(py, script, true);
        assert.deepEqual(later.findings, atOnce.findings, example);
        assert.deepEqual(later.batches, atOnce.batches, `${example}: one batch event per batch, same losses`);
        assert.deepEqual(later.internal, [], example);
      }
    });
  });
}

const torch2 = requireOrSkip('torch2');
describe('mixed precision and torch.compile (torch 2.x)', { skip: torch2.skip }, () => {
  const py = torch2.path ?? '';

  for (const deferred of [false, true]) {
    it(`GradScaler: unscaled losses and norms, skipped steps neither shown nor stopped${deferred ? ' (deferred reads)' : ''}`, { timeout: 180_000 }, () => {
      const { lines, report } = watched(py, 'amp_training.py', ['--every-batch', ...(deferred ? ['--defer-reads'] : [])]);
      const losses = printed(lines, 'loss');
      const norms = printed(lines, 'norm');
      const skipped = lines.filter((line) => line.startsWith('skipped ')).map((line) => Number(line.split(' ')[1]));
      assert.ok(skipped.length >= 2, `the scaler skipped steps with inf gradients (${skipped.length})`);
      assert.deepEqual(report.stops, [], 'no NonFiniteLoss / NonFiniteGradient stop');
      assert.deepEqual(report.events.filter((e) => e.event !== 'batch'), [], 'no TL003/TL004 report, no internal error');
      const reported = report.batches.flatMap((message) => message.losses.map(Number));
      assert.deepEqual(reported, [...losses.values()], 'the panel shows the unscaled losses, every batch once');
      for (const message of report.batches) {
        const values = Object.values(message.gradNorms);
        if (skipped.includes(message.batch - 1)) { // the script counts from 0, the agent from 1
          assert.deepEqual(values, [], `batch ${message.batch} (skipped step): no gradient norms shown`);
          continue;
        }
        const expected = norms.get(message.batch - 1);
        if (expected === undefined || values.length === 0) continue;
        const total = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
        assert.ok(Math.abs(total - expected) <= 1e-3 * expected, `batch ${message.batch}: norm ${total} is the unscaled ${expected}`);
      }
    });
  }

  it('GradScaler: a NaN in the unscaled loss still stops and reports TL003', { timeout: 180_000 }, () => {
    const { report } = watched(py, 'amp_training.py', [], { NAN_AT: '5' });
    assert.deepEqual(report.stops.map((stop) => stop.kind), ['NonFiniteLoss']);
    assert.match(report.stops[0].message, /^The loss is nan at batch 6\.$/, 'the script\'s step 5 (from 0) is batch 6');
    const diagnostics = report.events.filter((e) => e.event === 'diagnostic');
    assert.deepEqual(diagnostics.map((d) => `${d.code} batch ${d.batch}`), ['TL003 batch 6']);
    assert.match(String(diagnostics[0].message), /^The loss is not finite \(nan\)/);
  });

  it('torch.compile(model, backend="eager") trains under the agent, batches reported, no graph break added', { timeout: 300_000 }, () => {
    const plain = run(py, [join(HERE, 'compiled_training.py')]);
    assert.equal(plain.status, 0, plain.stderr.slice(-3000));
    const { lines, report } = watched(py, 'compiled_training.py');
    assert.ok(lines.includes('finished'));
    assert.deepEqual(lines.filter((l) => l.startsWith('graph_breaks')), plain.stdout.split('\n').filter((l) => l.startsWith('graph_breaks')));
    const losses = printed(lines, 'loss');
    assert.equal(losses.size, 16);
    assert.deepEqual(report.batches.flatMap((message) => message.losses.map(Number)), [...losses.values()]);
    const named = report.batches.find((message) => Object.keys(message.gradNorms).length > 0);
    assert.deepEqual(Object.keys(named?.gradNorms ?? {}), ['model.conv.weight', 'model.conv.bias', 'model.fc.weight', 'model.fc.bias']);
    assert.deepEqual(report.stops, []);
    assert.deepEqual(report.events.filter((e) => e.event !== 'batch'), [], 'no detector report, no internal error');
  });
});
