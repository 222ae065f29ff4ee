// `node --import tsx bench/detectors.ts`: what the training-bug detectors cost on the quickstart's training step.
// Each run alternates blocks of steps with the detectors running and paused inside one process (same machine load for
// both), past the detectors' dense first steps; the budget is +10%. Also times whole runs with --disable-detectors all.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(__dirname, '..');
const CLI = join(REPO, 'dist', 'cli.js');
const SCRIPT = join(REPO, 'test', 'runtime', 'detectors', 'training_step_timing.py');
const HARNESS = join(REPO, 'test', 'runtime', 'detectors', 'run_on_real_torch.py');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const STEPS = Number(process.env.BENCH_STEPS ?? 150);
const BUDGET = 0.1;

interface Timing {
  step_ms: number;
  mean_ms: number;
  off_ms?: number;
  off_mean_ms?: number;
  overhead?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function run(command: string, args: string[]): Timing {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: REPO, maxBuffer: 1 << 26 });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0 || !line.startsWith('{')) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr.slice(-2000)}`);
  }
  return JSON.parse(line) as Timing;
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

function main(): number {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run npm run build first');
  console.log(`quickstart MLP training step (batch 64) in a DataLoader loop, ${STEPS} steps per mode, ${RUNS} runs`);

  console.log('(a) Trainloop runtime, detectors running vs paused in the same process:');
  const overheads: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = run(process.execPath, [CLI, 'run', SCRIPT, '--', String(STEPS)]);
    overheads.push(t.overhead ?? NaN);
    console.log(`  on ${t.step_ms.toFixed(2)} ms, off ${t.off_ms?.toFixed(2)} ms (medians): ${pct(t.overhead ?? NaN)}`);
  }
  const overhead = median(overheads);
  console.log(`  median overhead ${pct(overhead)} (budget ${pct(BUDGET)})`);

  console.log('(b) Trainloop runtime, separate runs with all detectors on / --disable-detectors all:');
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    on.push(run(process.execPath, [CLI, 'run', SCRIPT, '--', String(STEPS), String(1e9)]).step_ms);
    off.push(run(process.execPath, [CLI, 'run', SCRIPT, '--disable-detectors', 'all', '--', String(STEPS)]).step_ms);
  }
  console.log(`  on ${median(on).toFixed(2)} ms, off ${median(off).toFixed(2)} ms: ${pct(median(on) / median(off) - 1)}`);

  if (spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) {
    console.log('(c) real PyTorch, detectors running vs paused in the same process:');
    const real = [...Array(RUNS)].map(() => run('/usr/bin/python3', [HARNESS, SCRIPT, '--', String(STEPS)]));
    for (const t of real) console.log(`  on ${t.step_ms.toFixed(2)} ms, off ${t.off_ms?.toFixed(2)} ms: ${pct(t.overhead ?? NaN)}`);
    console.log(`  median overhead ${pct(median(real.map((t) => t.overhead ?? NaN)))}`);
  }
  return overhead <= BUDGET ? 0 : 1;
}

process.exitCode = main();
