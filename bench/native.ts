// Native runtime bench: the quickstart epoch in the user's Python with real PyTorch, plain `python` against a Trainloop
// debug session of the same script (monitors on, the extension's panel pipeline on, a breakpoint never hit), then the
// time from launch to the first batch, a line step and a hover on a 10-million-element tensor. Prints medians.
//   node --import tsx bench/native.ts [--python PATH] [--runs N] [--epoch-only] [--cpu N]
// --cpu N runs both kinds of epoch on CPU N with one compute thread: on a machine whose CPUs differ in speed (this
// VM's CPU 0 runs pure Python 1.6x slower than its CPU 1), which CPU a run lands on otherwise outweighs what is measured.
// Needs a build (npm run build) and an interpreter with torch and torchvision (default /usr/bin/python3).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { PanelExtensionHost } from './panelHost';
import { pausedAnswers } from './pausedAnswers';
import { fashionMnistRoot, median } from './benchSupport';

const root = join(__dirname, '..');
const EPOCH_SCRIPT = join(__dirname, 'quickstart_epoch.py');
const BATCH_COST_SCRIPT = join(__dirname, 'agent_batch_cost.py');

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
}
const python = option('python', '/usr/bin/python3');
const runs = Number(option('runs', '5'));
const epochOnly = process.argv.includes('--epoch-only'); // the epoch ratio alone, without the latency measurements
const pinnedCpu = process.argv.includes('--cpu') ? Number(option('cpu', '0')) : undefined;
/** The epoch script's arguments: the data folder, and the CPU to pin itself to. */
const epochArgs = (data: string) => (pinnedCpu === undefined ? [data] : [data, `--cpu=${pinnedCpu}`]);
if (pinnedCpu !== undefined) {
  // One compute thread in both kinds of run, from the start: a BLAS or OpenMP pool made before the script pins itself
  // (the agent imports torch first) would otherwise give the debugged run a second CPU the plain one does not have.
  for (const name of ['OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS']) process.env[name] = '1';
}
const NATIVE = { runtime: 'python', python };

/** A line inside a bench script's training loop that never runs: the breakpoint that is never hit. */
function neverHitLine(script = EPOCH_SCRIPT): number {
  return readFileSync(script, 'utf8').split('\n').findIndex((text) => text.includes('breakpoint: never hit')) + 1;
}

/** The epoch's wall time and the CPU time its process spent in it (all threads): on a shared machine the wall clock
 * also measures the neighbours, the CPU time much less so. */
interface EpochTimes {
  seconds: number;
  cpuSeconds: number;
}

function epochTimes(stdout: string): EpochTimes {
  const line = stdout.trim().split('\n').reverse().find((text) => text.startsWith('{'));
  if (!line) throw new Error(`no result line in:\n${stdout.slice(-2000)}`);
  const result = JSON.parse(line) as { epoch_s: number; epoch_cpu_s: number };
  return { seconds: result.epoch_s, cpuSeconds: result.epoch_cpu_s };
}

/**
 * Plain `python quickstart_epoch.py`, in a session of its own as the native runtime starts its child (`detached`): with
 * the kernel's autogroup scheduling each session gets an equal share of a loaded machine, and a plain run left in the
 * bench's session (with whatever else runs there) got a fifth of the debug session's share, its wall time 5× longer.
 */
function plainEpoch(data: string): Promise<EpochTimes> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [EPOCH_SCRIPT, ...epochArgs(data)], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(epochTimes(stdout));
      else reject(new Error(`plain python failed (${code}):\n${stderr.slice(-2000)}`));
    });
  });
}

async function debuggedEpoch(host: PanelExtensionHost, data: string): Promise<EpochTimes & { batchEvents: number }> {
  const run = await host.run(EPOCH_SCRIPT, epochArgs(data), [], {
    launch: NATIVE,
    breakpoints: [neverHitLine()],
    filters: ['uncaught', 'nonfinite'],
  });
  return { ...epochTimes(run.stdout), batchEvents: run.batchEvents };
}

/**
 * What the debug session adds to a batch, in the main thread's CPU µs, on a loop whose arithmetic is negligible: far
 * less noisy than the epoch ratio (a CPU-time difference of one thread, not two wall clocks). Plain first, then debugged.
 */
async function batchCost(host: PanelExtensionHost): Promise<[number, number]> {
  const cost = (stdout: string) => (JSON.parse(stdout.trim().split('\n').reverse().find((text) => text.startsWith('{')) ?? '{}') as { cpu_us_per_batch: number }).cpu_us_per_batch;
  const plain = spawnSync(python, [BATCH_COST_SCRIPT], { encoding: 'utf8' });
  if (plain.status !== 0) throw new Error(`plain python failed:\n${plain.stderr.slice(-2000)}`);
  const run = await host.run(BATCH_COST_SCRIPT, [], [], {
    launch: NATIVE,
    breakpoints: [neverHitLine(BATCH_COST_SCRIPT)],
    filters: ['uncaught', 'nonfinite'],
  });
  return [cost(plain.stdout), cost(run.stdout)];
}

/** From the launch request to the stop at the first batch's first line (the interpreter's start and imports included). */
async function launchToFirstBatch(): Promise<number> {
  const dc = new DebugClient('node', join(root, 'dist', 'debugAdapter.js'), 'trainloop');
  dc.defaultTimeout = 120_000;
  await dc.start();
  const script = join(__dirname, 'fixtures', 'debugger_training.py');
  const started = process.hrtime.bigint();
  const stopped = dc.waitForEvent('stopped');
  await Promise.all([
    dc.waitForEvent('initialized').then(async () => {
      await dc.setBreakpointsRequest({ source: { path: script }, breakpoints: [{ line: 22 }] });
      await dc.configurationDoneRequest();
    }),
    dc.launch({ program: script, args: ['20'], ...NATIVE }),
  ]);
  await stopped;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await dc.stop();
  return ms;
}

async function main(): Promise<void> {
  const probe = spawnSync(python, ['-c', 'import torch, torchvision, sys; print(sys.version.split()[0], torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.log(`SKIP native bench: ${python} cannot import torch and torchvision`);
    return;
  }
  console.log(
    `native runtime bench: ${python} (Python ${probe.stdout.trim().replace(' ', ', torch ')}), ${runs} runs of each kind` +
      (pinnedCpu === undefined ? '' : `, each epoch on CPU ${pinnedCpu} with one compute thread`),
  );
  const data = fashionMnistRoot();
  const host = new PanelExtensionHost(root, () => undefined);
  host.pageReady();
  const plain: EpochTimes[] = [];
  const debugged: EpochTimes[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  await debuggedEpoch(host, data); // warm-up: the first run of a process is slower
  for (let i = 0; i < runs; i++) {
    // Interleaved, alternating which goes first, so that a slow moment of the machine hits both kinds.
    const order = i % 2 === 0 ? ['plain', 'debug'] : ['debug', 'plain'];
    let p: EpochTimes = { seconds: 0, cpuSeconds: 0 };
    let d: EpochTimes = p;
    let events = 0;
    for (const kind of order) {
      if (kind === 'plain') p = await plainEpoch(data);
      else ({ batchEvents: events, ...d } = await debuggedEpoch(host, data));
    }
    plain.push(p);
    debugged.push(d);
    ratios.push(d.seconds / p.seconds);
    cpuRatios.push(d.cpuSeconds / p.cpuSeconds);
    console.log(
      `  run ${i + 1}: plain ${p.seconds.toFixed(2)} s (CPU ${p.cpuSeconds.toFixed(2)} s), Trainloop debug session ` +
        `${d.seconds.toFixed(2)} s (CPU ${d.cpuSeconds.toFixed(2)} s, ${events} batch events), ratio ` +
        `${(d.seconds / p.seconds).toFixed(3)} (CPU ${(d.cpuSeconds / p.cpuSeconds).toFixed(3)})`,
    );
  }
  const costs: [number, number][] = [];
  for (let i = 0; i < 3; i++) costs.push(await batchCost(host));
  host.dispose();
  const range = (values: number[]) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
  console.log(
    `(n) quickstart epoch: plain python ${median(plain.map((t) => t.seconds)).toFixed(2)} s, under Trainloop ` +
      `${median(debugged.map((t) => t.seconds)).toFixed(2)} s; median of the runs' ratios ${median(ratios).toFixed(3)} ` +
      `(range ${range(ratios)}; target ≤ 1.05: ${median(ratios) <= 1.05 ? 'met' : 'MISSED'})`,
  );
  console.log(
    `(n) the epoch's CPU time: plain python ${median(plain.map((t) => t.cpuSeconds)).toFixed(2)} s, under Trainloop ` +
      `${median(debugged.map((t) => t.cpuSeconds)).toFixed(2)} s; median of the runs' ratios ${median(cpuRatios).toFixed(3)} ` +
      `(range ${range(cpuRatios)})`,
  );
  const plainCost = median(costs.map(([plainUs]) => plainUs));
  const debugCost = median(costs.map(([, debuggedUs]) => debuggedUs));
  console.log(
    `(n) a batch of bench/agent_batch_cost.py (16-wide layers), main thread CPU: plain python ${plainCost.toFixed(0)} µs, ` +
      `under Trainloop ${debugCost.toFixed(0)} µs: the session adds ${(debugCost - plainCost).toFixed(0)} µs a batch`,
  );
  if (epochOnly) return;
  const firstBatch: number[] = [];
  for (let i = 0; i < 3; i++) firstBatch.push(await launchToFirstBatch());
  console.log(`(n) launch to the first batch's stop: median ${median(firstBatch).toFixed(0)} ms of [${firstBatch.map((v) => v.toFixed(0)).join(', ')}]`);
  const answers = await pausedAnswers(10, NATIVE);
  const show = (label: string, values: number[], budget: string) =>
    console.log(`(n) ${label.padEnd(40)} median ${median(values).toFixed(1)} ms  (max ${Math.max(...values).toFixed(1)}; ${budget})`);
  show('line step (next to stopped):', answers.next, 'target ≤ 50 ms');
  show('line step + stack, scopes, locals:', answers.nextWithViews, 'what VS Code asks for');
  show('stepBatch (one batch):', answers.stepBatch, 'includes one batch of training');
  show('hover on a 10M-element tensor:', answers.hover, 'target ≤ 100 ms');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
