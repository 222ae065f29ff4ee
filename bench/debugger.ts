// Debugger bench: the cost of running under the debugger, and how fast a paused session answers. Prints medians.
//   node --import tsx bench/debugger.ts [--runs N] [--batches N]
// Needs a build (npm run build): it drives dist/runtimeWorker.js and the standalone dist/debugAdapter.js.
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { TrainingRuntime } from '../src/runtime/trainingRuntime';

const root = join(__dirname, '..');
const dist = join(root, 'dist');
const script = join(__dirname, 'fixtures', 'debugger_training.py');
const NEVER_HIT_LINE = 28;
const LOOP_BODY_LINE = 22;

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
  const runtime = new TrainingRuntime();
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

async function client(): Promise<DebugClient> {
  const dc = new DebugClient('node', join(dist, 'debugAdapter.js'), 'trainloop');
  dc.defaultTimeout = 120_000;
  await dc.start();
  return dc;
}

async function launch(dc: DebugClient, lines: number[], args: string[]): Promise<void> {
  await Promise.all([
    dc.waitForEvent('initialized').then(async () => {
      await dc.setBreakpointsRequest({ source: { path: script }, breakpoints: lines.map((line) => ({ line })) });
      await dc.configurationDoneRequest();
    }),
    dc.launch({ program: script, args, backend: 'wasm' }),
  ]);
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Answers of a session paused in the training loop: next, stepBatch, a hover on a 10M-element tensor. */
async function pausedAnswers(samples: number) {
  const dc = await client();
  const stop = () => dc.waitForEvent('stopped');
  const stopped = stop();
  await launch(dc, [LOOP_BODY_LINE], ['1000']);
  await stopped;
  const frameId = async () => (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].id;
  const next: number[] = [];
  const nextWithViews: number[] = [];
  const stepBatch: number[] = [];
  const hover: number[] = [];
  await dc.setBreakpointsRequest({ source: { path: script }, breakpoints: [] });
  for (let i = 0; i < samples; i++) {
    // One line: request → stopped event.
    next.push(await timed(async () => Promise.all([stop(), dc.nextRequest({ threadId: 1 })])));
    // One line as VS Code does it: step, then stack, scopes and locals of the top frame.
    nextWithViews.push(
      await timed(async () => {
        await Promise.all([stop(), dc.nextRequest({ threadId: 1 })]);
        const id = await frameId();
        const scopes = (await dc.scopesRequest({ frameId: id })).body.scopes;
        await dc.variablesRequest({ variablesReference: scopes[0].variablesReference });
      }),
    );
    stepBatch.push(await timed(async () => Promise.all([stop(), dc.customRequest('stepBatch', { count: 1 })])));
    const id = await frameId();
    hover.push(await timed(() => dc.evaluateRequest({ expression: 'big', frameId: id, context: 'hover' })));
  }
  await dc.stop();
  return { next, nextWithViews, stepBatch, hover };
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
  const answers = await pausedAnswers(Math.max(runs * 2, 10));
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
