// `npm run bench`: times Trainloop's runtime against real PyTorch (Debian python3-torch) in the same run; prints medians.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { stepMatrixProductsMs } from './matrixProducts';
import { fashionMnistRoot, median } from './benchSupport';

const REPO = join(__dirname, '..');
const CLI = join(REPO, 'dist', 'cli.js');
const SYSTEM_PYTHON = '/usr/bin/python3';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function runJson(command: string, args: string[]): Record<string, number> {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: REPO, maxBuffer: 1 << 26 });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0 || !line.startsWith('{')) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr.slice(-2000)}`);
  }
  return JSON.parse(line) as Record<string, number>;
}

const underTrainloop = (script: string, ...args: string[]) => runJson(process.execPath, [CLI, 'run', script, '--', ...args]);
const onThreads = (threads: number, script: string) =>
  runJson(process.execPath, [CLI, 'run', script, '--threads', String(threads)]);
const underPyTorch = (script: string, ...args: string[]) => runJson(SYSTEM_PYTHON, [script, ...args]);

function measure(label: string, runs: number, f: () => number): number {
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(f());
  const m = median(values);
  console.log(`  ${label}: median ${m.toFixed(3)} of [${values.map((v) => v.toFixed(3)).join(', ')}]`);
  return m;
}

function coldStartSeconds(): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [CLI, 'run', join(REPO, 'examples', 'quickstart.py'), '--max-batches', '1'], {
    encoding: 'utf8',
    cwd: join(REPO, 'examples'),
  });
  if (result.status !== 0) throw new Error(`cold start run failed:\n${result.stderr.slice(-2000)}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run npm install (or npm run build) first');
  const hasTorch = spawnSync(SYSTEM_PYTHON, ['-c', 'import torch, torchvision'], { encoding: 'utf8' }).status === 0;
  if (!hasTorch) console.log('real PyTorch is not installed (apt-get install python3-torch python3-torchvision): ratios are skipped');
  const root = fashionMnistRoot();
  const epochScript = join(REPO, 'bench', 'quickstart_epoch.py');
  const stepScript = join(REPO, 'bench', 'training_step.py');
  const rows: Array<[string, number, number | null, string]> = [];

  console.log('(a) quickstart epoch, train + test, seconds');
  const ours = measure('Trainloop', RUNS, () => underTrainloop(epochScript, root).epoch_s);
  const theirs = hasTorch ? measure('PyTorch', RUNS, () => underPyTorch(epochScript, root).epoch_s) : null;
  rows.push(['quickstart epoch (s)', ours, theirs, '<= 1.0']);

  console.log('(b) one training step of the quickstart MLP, batch 64, ms');
  const oursStep = measure('Trainloop', RUNS, () => underTrainloop(stepScript).step_ms);
  const theirsStep = hasTorch ? measure('PyTorch', RUNS, () => underPyTorch(stepScript).step_ms) : null;
  rows.push(['training step (ms)', oursStep, theirsStep, '<= 5']);
  // The default leaves a core to the editor (threadedWasm.ts); on a quiet machine every core can compute.
  const cores = availableParallelism();
  if (cores > 1) {
    console.log(`(b') the same step with --threads ${cores} (every core; the default is ${Math.max(1, cores - 1)}), ms`);
    const allCores = measure('Trainloop', RUNS, () => onThreads(cores, stepScript).step_ms);
    rows.push([`training step, --threads ${cores} (ms)`, allCores, theirsStep, '<= 5']);
  }

  console.log('(c) cold start to the first training batch of examples/quickstart.py, seconds');
  const cold = measure('Trainloop', RUNS, coldStartSeconds);
  rows.push(['cold start to batch 1 (s)', cold, null, '<= 4 s']);

  console.log("(d) the floor under (b): the step's matrix products alone on tfjs's wasm backend, ms");
  const products = await stepMatrixProductsMs();
  console.log(`  tfjs ${products.backend}: median ${products.ms.toFixed(3)} (PyTorch's whole step: ${theirsStep?.toFixed(3) ?? '-'})`);
  rows.push(["the step's matrix products alone (ms)", products.ms, theirsStep, '-']);

  console.log('\n| measure | Trainloop | PyTorch | ratio | target |\n|---|---|---|---|---|');
  for (const [name, a, b, target] of rows) {
    const ratio = b ? (a / b).toFixed(2) : '-';
    console.log(`| ${name} | ${a.toFixed(3)} | ${b === null ? '-' : b.toFixed(3)} | ${ratio} | ${target} |`);
  }
}

void main();
