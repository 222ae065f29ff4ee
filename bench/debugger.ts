// Debugger bench: the cost of running under the debugger, and how fast a paused session answers. Prints medians.
//   node --import tsx bench/debugger.ts [--runs N] [--batches N]
// Needs a build (npm run build): it drives dist/runtimeWorker.js and the standalone dist/debugAdapter.js.
import { join } from 'node:path';
import { EmbeddedRuntime } from '../src/runtime/embeddedRuntime';
import { pausedAnswers } from './pausedAnswers';

const root = join(__dirname, '..');
const dist = join(root, 'dist');
const script = join(__dirname, 'fixtures', 'debugger_training.py');
const NEVER_HIT_LINE = 28;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}
const runs = option('runs', 5);
const batches = option('batches', 200);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const trainSeconds = (output: string) => Number(/train_seconds=([\d.]+)/.exec(output)?.[1] ?? NaN);

interface RunCost {
  /** Training time measured by the script itself (wall clock). */
  seconds: number;
  /** CPU time of this process (the runtime worker included), which a busy machine disturbs far less than wall time. */
  cpuMs: number;
  batchEvents: number;
}

/**
 * One run of the bench script in a runtime worker of this process: without the debugger (as `trainloop run` runs
 * it), or under it with a breakpoint that is never hit and the default exception filters, batch events listened to.
 */
async function run(debug: boolean, batchCount: number): Promise<RunCost> {
  const runtime = new EmbeddedRuntime();
  let output = '';
  let batchEvents = 0;
  runtime.on('output', (_stream, text) => (output += text));
  const cpuBefore = process.cpuUsage();
  const exited = runtime.start({ program: script, args: [String(batchCount)], distDir: dist, backend: 'wasm', debug });
  if (debug) {
    await new Promise<void>((resolve) => runtime.once('debug', () => resolve()));
    runtime.on('debug', (message) => {
      if (message.kind === 'batch') batchEvents++;
    });
    await runtime.debugRequest('setExceptionFilters', { filters: ['uncaught', 'nonfinite'] });
    await runtime.debugRequest('setBreakpoints', { path: script, breakpoints: [{ line: NEVER_HIT_LINE }] });
    await runtime.debugRequest('start', { stopOnEntry: false });
  }
  const code = await exited;
  const cpu = process.cpuUsage(cpuBefore);
  if (code !== 0) throw new Error(`bench run failed (${code}): ${output}`);
  return { seconds: trainSeconds(output), cpuMs: (cpu.user + cpu.system) / 1000, batchEvents };
}

async function main(): Promise<void> {
  console.log(`debugger bench: ${batches} training batches, ${runs} runs of each kind, wasm backend`);
  const kinds = { plain: [] as RunCost[], debug: [] as RunCost[], plainIdle: [] as RunCost[], debugIdle: [] as RunCost[] };
  for (let i = 0; i < runs; i++) {
    // Interleaved, so that a slow moment of the machine hits every kind.
    kinds.plain.push(await run(false, batches));
    kinds.debug.push(await run(true, batches));
    kinds.plainIdle.push(await run(false, 0));
    kinds.debugIdle.push(await run(true, 0));
  }
  const cpu = (list: RunCost[]) => median(list.map((r) => r.cpuMs));
  const wall = (list: RunCost[]) => median(list.map((r) => r.seconds * 1000));
  // CPU spent on training alone: a run's CPU time less that of a run of 0 batches (boot, data, model set-up).
  const plainTraining = cpu(kinds.plain) - cpu(kinds.plainIdle);
  const debugTraining = cpu(kinds.debug) - cpu(kinds.debugIdle);
  const percent = (with_: number, without: number) => `${(((with_ - without) / without) * 100).toFixed(1)} %`;
  console.log(`training CPU without the debugger:         median ${plainTraining.toFixed(0)} ms  (wall ${wall(kinds.plain).toFixed(0)} ms)`);
  console.log(`training CPU, breakpoints set, never hit:  median ${debugTraining.toFixed(0)} ms  (wall ${wall(kinds.debug).toFixed(0)} ms)`);
  console.log(`debugger overhead:                         ${percent(debugTraining, plainTraining)} CPU, ${percent(wall(kinds.debug), wall(kinds.plain))} wall  (budget 10 %), ${median(kinds.debug.map((r) => r.batchEvents))} batch events a run`);
  const answers = await pausedAnswers(Math.max(runs * 2, 10), { runtime: 'embedded', backend: 'wasm' });
  const show = (label: string, values: number[], budget: string) =>
    console.log(`${label.padEnd(42)} median ${median(values).toFixed(1)} ms  (max ${Math.max(...values).toFixed(1)}; ${budget})`);
  show('next (request to stopped event):', answers.next, 'budget 100 ms');
  show('next + stack, scopes, locals:', answers.nextWithViews, 'what VS Code asks for');
  show('stepBatch (one batch):', answers.stepBatch, 'includes one batch of training');
  show('hover on a 10M-element tensor:', answers.hover, 'budget 100 ms for the summary');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
