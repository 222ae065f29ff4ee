// `npm run bench`: times Trainloop's runtime on its backends against real PyTorch (Debian python3-torch) in the same run,
// the runs interleaved (wasm, tensorflow, PyTorch, then again); prints medians, with each process's CPU time.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { stepMatrixProductsMs } from './matrixProducts';
import { fashionMnistRoot, median, timedRun, type TimedRun } from './benchSupport';
import { tensorflowBackendMissing } from '../test/support/tensorflowBackend';

const REPO = join(__dirname, '..');
/** The build under test: dist/ unless BENCH_DIST names a copy (so a rebuild mid-bench can't mix two versions). */
const CLI = join(process.env.BENCH_DIST ?? join(REPO, 'dist'), 'cli.js');
const SYSTEM_PYTHON = '/usr/bin/python3';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Training batches in one quickstart epoch (60,000 images in batches of 64): the floor (a′) is this many steps' products. */
const EPOCH_BATCHES = Math.ceil(60000 / 64);

type Side = 'wasm' | 'tensorflow' | 'PyTorch';

function runJson(command: string, args: string[], cwd = REPO): TimedRun<Record<string, number>> {
  const run = timedRun(command, args, cwd);
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !line.startsWith('{')) {
    throw new Error(`${command} ${args.join(' ')} failed (${run.status}):\n${run.stderr.slice(-2000)}`);
  }
  return { ...run, value: JSON.parse(line) as Record<string, number> };
}

function runScript(side: Side, script: string, scriptArgs: string[] = [], extra: string[] = []) {
  if (side === 'PyTorch') return runJson(SYSTEM_PYTHON, [script, ...scriptArgs]);
  return runJson(process.execPath, [CLI, 'run', script, '--backend', side, ...extra, '--', ...scriptArgs]);
}

interface Measured {
  value: number;
  /** CPU time, in the unit `interleaved` is told (every thread of the process counts). */
  cpu: number | null;
}

/** Runs every side `runs` times, interleaved; prints and returns each side's medians (value, and CPU time). */
function interleaved(
  title: string,
  sides: Side[],
  runs: number,
  once: (side: Side) => Measured,
  cpuLabel = 'process CPU (start-up included), s',
): Map<Side, Measured> {
  console.log(title);
  const values = new Map<Side, Measured[]>(sides.map((s) => [s, []]));
  for (let i = 0; i < runs; i++) for (const side of sides) values.get(side)!.push(once(side));
  const medians = new Map<Side, Measured>();
  for (const side of sides) {
    const list = values.get(side)!;
    const value = median(list.map((m) => m.value));
    const cpus = list.map((m) => m.cpu).filter((c): c is number => c !== null);
    const cpu = cpus.length ? median(cpus) : null;
    medians.set(side, { value, cpu });
    const cpuText = cpu === null ? '' : `; ${cpuLabel}: median ${cpu.toFixed(3)} of [${cpus.map((c) => c.toFixed(3)).join(', ')}]`;
    console.log(`  ${side}: median ${value.toFixed(3)} of [${list.map((m) => m.value.toFixed(3)).join(', ')}]${cpuText}`);
  }
  return medians;
}

function coldStart(side: Side): Measured {
  const run = timedRun(
    process.execPath,
    [CLI, 'run', join(REPO, 'examples', 'quickstart.py'), '--max-batches', '1', '--backend', side],
    join(REPO, 'examples'),
  );
  if (run.status !== 0) throw new Error(`cold start run failed:\n${run.stderr.slice(-2000)}`);
  return { value: run.wallS, cpu: run.cpuS };
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run npm install (or npm run build) first');
  const hasTorch = spawnSync(SYSTEM_PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }).status === 0;
  if (!hasTorch) console.log('real PyTorch is not installed (apt-get install python3-torch python3-torchvision): ratios are skipped');
  const tensorflowMissing = tensorflowBackendMissing();
  if (tensorflowMissing) console.log(`the tensorflow backend is skipped: ${tensorflowMissing}`);
  const ours: Side[] = tensorflowMissing ? ['wasm'] : ['wasm', 'tensorflow'];
  const sides: Side[] = hasTorch ? [...ours, 'PyTorch'] : ours;
  const root = fashionMnistRoot();
  const script = (name: string) => join(REPO, 'bench', name);
  const rows: Array<[string, number, number | null, string]> = [];
  const ratioRows = (name: string, medians: Map<Side, Measured>, targets: Partial<Record<Side, string>>) => {
    const theirs = medians.get('PyTorch')?.value ?? null;
    for (const side of ours) rows.push([`${name}, ${side}`, medians.get(side)!.value, theirs, targets[side] ?? '-']);
  };

  const epoch = interleaved('(a) quickstart epoch, train + test, seconds', sides, RUNS, (side) => {
    const run = runScript(side, script('quickstart_epoch.py'), [root]);
    return { value: run.value.epoch_s, cpu: run.cpuS };
  });
  ratioRows('(a) quickstart epoch (s)', epoch, { tensorflow: '<= 1.0', wasm: '-' });

  const step = interleaved(
    '(b) one training step of the quickstart MLP, batch 64, ms',
    sides,
    RUNS,
    (side) => {
      const run = runScript(side, script('training_step.py'));
      return { value: run.value.step_ms, cpu: run.value.step_cpu_ms };
    },
    'CPU per step, ms',
  );
  ratioRows('(b) training step (ms)', step, { tensorflow: '<= 1.5', wasm: '<= 3' });
  const theirsStep = step.get('PyTorch')?.value ?? null;
  // The default leaves a core to the editor (threadedWasm.ts); on a quiet machine every core can compute.
  const cores = availableParallelism();
  if (cores > 1) {
    const allCores = interleaved(`(b') the step on wasm with --threads ${cores} (the default is ${Math.max(1, cores - 1)}), ms`, ['wasm'], RUNS, () => {
      const run = runScript('wasm', script('training_step.py'), [], ['--threads', String(cores)]);
      return { value: run.value.step_ms, cpu: run.value.step_cpu_ms };
    }, 'CPU per step, ms');
    rows.push([`(b') training step, wasm --threads ${cores} (ms)`, allCores.get('wasm')!.value, theirsStep, '-']);
  }

  const cold = interleaved('(c) cold start to the first training batch of examples/quickstart.py, seconds', ours, RUNS, coldStart);
  rows.push(['(c) cold start to batch 1, wasm (s)', cold.get('wasm')!.value, null, '<= 2.6']);
  if (cold.has('tensorflow')) rows.push(['(c) cold start to batch 1, tensorflow (s)', cold.get('tensorflow')!.value, null, '-']);

  console.log("(d) the floor under (b): the step's matrix products alone, ms");
  const products = await stepMatrixProductsMs('wasm');
  console.log(`  tfjs ${products.backend}: median ${products.ms.toFixed(3)} (PyTorch's whole step: ${theirsStep?.toFixed(3) ?? '-'})`);
  rows.push(["(d) the step's matrix products alone, wasm (ms)", products.ms, theirsStep, '-']);
  const floorS = (products.ms * EPOCH_BATCHES) / 1000;
  rows.push([`(a') epoch on wasm against its floor, (d) × ${EPOCH_BATCHES} batches (s)`, epoch.get('wasm')!.value, floorS, '<= 1.3']);
  if (!tensorflowMissing) {
    const tfProducts = await stepMatrixProductsMs('tensorflow');
    console.log(`  tfjs ${tfProducts.backend}: median ${tfProducts.ms.toFixed(3)}`);
    rows.push(["(d) the step's matrix products alone, tensorflow (ms)", tfProducts.ms, theirsStep, '-']);
  }

  console.log('(e) kernels that compute in one training step of the quickstart MLP (torch.profiler on both sides)');
  const kernels = new Map<Side, number>();
  for (const side of sides) {
    // The op layer's own count: the training-bug detectors (on by default) add their measurements' kernels.
    const counted = runScript(side, script('ops_per_step.py'), [], side === 'PyTorch' ? [] : ['--disable-detectors', 'all']).value;
    kernels.set(side, counted.kernels);
    let detail = `${counted.aten_ops} aten ops in all`;
    if (side !== 'PyTorch') {
      const detected = runScript(side, script('ops_per_step.py')).value;
      detail = `${counted.all_kernels} with those that only alias; ${counted.engine_calls} Python → engine calls; with the detectors on: ${detected.kernels} kernels, ${detected.engine_calls} calls`;
    }
    console.log(`  ${side}: ${counted.kernels} kernels (${detail})`);
  }
  for (const side of ours) rows.push([`(e) kernels per step, ${side}`, kernels.get(side)!, kernels.get('PyTorch') ?? null, '<= 1.5']);

  const cost = new Map<Side, Record<string, number>[]>(sides.map((s) => [s, []]));
  console.log('(f) one op from Python on 4-element tensors, µs: unrecorded, recorded by autograd, recorded + its backward');
  for (let i = 0; i < RUNS; i++) for (const side of sides) cost.get(side)!.push(runScript(side, script('op_cost.py')).value);
  const costMedians = new Map<Side, Record<string, number>>();
  for (const side of sides) {
    const list = cost.get(side)!;
    const m = Object.fromEntries(Object.keys(list[0]).map((k) => [k, median(list.map((r) => r[k]))]));
    costMedians.set(side, m);
    console.log(
      `  ${side}: ${m.unrecorded_us.toFixed(1)} / ${m.recorded_us.toFixed(1)} / ${m.recorded_backward_us.toFixed(1)}` +
        ` (CPU: ${m.unrecorded_cpu_us.toFixed(1)} / ${m.recorded_cpu_us.toFixed(1)} / ${m.recorded_backward_cpu_us.toFixed(1)})`,
    );
  }
  for (const side of ours) {
    const m = costMedians.get(side)!;
    const t = costMedians.get('PyTorch');
    rows.push([`(f) op from Python, unrecorded, ${side} (µs)`, m.unrecorded_us, t?.unrecorded_us ?? null, '<= 10 µs']);
    rows.push([`(f) op from Python, recorded, ${side} (µs)`, m.recorded_us, t?.recorded_us ?? null, '<= 20 µs']);
    rows.push([`(f) the same in CPU time, unrecorded, ${side} (µs)`, m.unrecorded_cpu_us, t?.unrecorded_cpu_us ?? null, '-']);
    rows.push([`(f) the same in CPU time, recorded, ${side} (µs)`, m.recorded_cpu_us, t?.recorded_cpu_us ?? null, '-']);
  }

  console.log('\n| measure | Trainloop | PyTorch (or floor) | ratio | target |\n|---|---|---|---|---|');
  for (const [name, a, b, target] of rows) {
    const ratio = b ? (a / b).toFixed(2) : '-';
    console.log(`| ${name} | ${a.toFixed(3)} | ${b === null ? '-' : b.toFixed(3)} | ${ratio} | ${target} |`);
  }
}

void main();
