// `npm run bench` (part): ms per training step of an LSTM and of a small CNN on Trainloop's backends against real
// PyTorch (Debian python3-torch) in the same run, the runs interleaved; prints medians, wall and CPU time, with ratios.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { median, timedRun } from './benchSupport';
import { tensorflowBackendMissing } from '../test/support/tensorflowBackend';

const REPO = join(__dirname, '..');
/** The build under test: dist/ unless BENCH_DIST names a copy (so a rebuild mid-bench can't mix two versions). */
const CLI = join(process.env.BENCH_DIST ?? join(REPO, 'dist'), 'cli.js');
const SYSTEM_PYTHON = '/usr/bin/python3';
const SCRIPT = join(REPO, 'bench', 'sequence_conv_step.py');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Timed steps per run (after warm-up steps); each run reports its median step. */
const STEPS: Record<Model, number> = { lstm: 20, cnn: 10 };

type Side = 'wasm' | 'tensorflow' | 'PyTorch';
type Model = 'lstm' | 'cnn';

const TITLES: Record<Model, string> = {
  lstm: 'LSTM step: batch 32, 28 steps of 28 inputs, 128 units, linear head, CrossEntropy, SGD',
  cnn: 'CNN step: 64×1×28×28, conv 1→16 and 16→32 (3×3) + ReLU, 2×2 max pool, linear head, CrossEntropy, SGD',
};

interface StepTimes {
  /** Median wall ms of one step within the run. */
  stepMs: number;
  /** Median CPU ms of one step (every thread of the process). */
  cpuMs: number;
}

function runOnce(side: Side, model: Model): StepTimes {
  const args = [SCRIPT, model, String(STEPS[model])];
  const run = side === 'PyTorch'
    ? timedRun(SYSTEM_PYTHON, args, join(REPO, 'bench'))
    : timedRun(process.execPath, [CLI, 'run', SCRIPT, '--backend', side, '--disable-detectors', 'all', '--', model,
      String(STEPS[model])], join(REPO, 'bench'));
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !line.startsWith('{')) {
    throw new Error(`${side} ${model} step failed (${run.status}):\n${run.stderr.slice(-2000)}`);
  }
  const value = JSON.parse(line) as { step_ms: number; step_cpu_ms: number };
  return { stepMs: value.step_ms, cpuMs: value.step_cpu_ms };
}

function main(): void {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run npm install (or npm run build) first');
  const hasTorch = spawnSync(SYSTEM_PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  if (!hasTorch) console.log('SKIP: PyTorch: real PyTorch is not installed (apt-get install python3-torch): ratios are skipped');
  const tensorflowMissing = tensorflowBackendMissing();
  if (tensorflowMissing) console.log(`SKIP: tensorflow backend: ${tensorflowMissing}`);
  const ours: Side[] = tensorflowMissing ? ['wasm'] : ['wasm', 'tensorflow'];
  const sides: Side[] = hasTorch ? [...ours, 'PyTorch'] : ours;
  const rows: string[] = [];
  for (const model of ['lstm', 'cnn'] as const) {
    console.log(`${TITLES[model]}, ms per step (median of ${STEPS[model]} steps per run; ${RUNS} runs interleaved)`);
    const times = new Map<Side, StepTimes[]>(sides.map((s) => [s, []]));
    for (let i = 0; i < RUNS; i++) for (const side of sides) times.get(side)!.push(runOnce(side, model));
    const medians = new Map<Side, StepTimes>();
    for (const side of sides) {
      const list = times.get(side)!;
      const m = { stepMs: median(list.map((t) => t.stepMs)), cpuMs: median(list.map((t) => t.cpuMs)) };
      medians.set(side, m);
      const all = (pick: (t: StepTimes) => number) => list.map((t) => pick(t).toFixed(1)).join(', ');
      console.log(`  ${side}: wall ${m.stepMs.toFixed(1)} [${all((t) => t.stepMs)}]; CPU ${m.cpuMs.toFixed(1)} [${all((t) => t.cpuMs)}]`);
    }
    const theirs = medians.get('PyTorch');
    for (const side of ours) {
      const m = medians.get(side)!;
      const ratio = (a: number, b: number | undefined) => (b ? (a / b).toFixed(2) : '-');
      rows.push(`| ${model.toUpperCase()} step, ${side} | ${m.stepMs.toFixed(1)} | ${theirs?.stepMs.toFixed(1) ?? '-'} | ` +
        `${ratio(m.stepMs, theirs?.stepMs)} | ${m.cpuMs.toFixed(1)} | ${theirs?.cpuMs.toFixed(1) ?? '-'} | ${ratio(m.cpuMs, theirs?.cpuMs)} |`);
    }
    if (tensorflowMissing) rows.push(`| ${model.toUpperCase()} step, tensorflow | SKIP | | | | | |`);
  }
  console.log('\n| ms per training step | Trainloop wall | PyTorch wall | ratio | Trainloop CPU | PyTorch CPU | CPU ratio |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

main();
