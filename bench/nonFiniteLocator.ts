// Non-finite locator bench: what watching each op of a training batch for the first NaN/Inf costs, on every runtime.
//   node --import tsx bench/nonFiniteLocator.ts [--runs N] [--batches N] [--cpu]
// Each run is one debug session (the standalone dist/debugAdapter.js, non-finite filter on) of the quickstart MLP that
// alternates blocks of batches with the locator watching and not, inside one process (same machine load for both);
// prints the median overhead per runtime (wall time, and process CPU time on real PyTorch). Budget: +10%. The embedded
// cpu backend (plain JavaScript, about 100× slower on this MLP) runs with --cpu only.
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { median } from './benchSupport';
import { tensorflowBackendMissing } from '../test/support/tensorflowBackend';
import { requireOrSkip } from '../test/support/pythonInterpreters';

const root = join(__dirname, '..');
const ADAPTER = join(root, 'dist', 'debugAdapter.js');
const SCRIPT = join(__dirname, 'fixtures', 'non_finite_locator_timing.py');
const BUDGET = 0.1;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
}
const runs = option('runs', 3);
const batches = option('batches', 100);

interface Overhead {
  on_ms: number;
  off_ms: number;
  overhead: number;
}
type Timing = Record<'wall' | 'cpu', Overhead>;

/** One debug session of the timing script; resolves with its JSON line. */
async function session(launch: Record<string, unknown>): Promise<Timing> {
  const client = new DebugClient('node', ADAPTER, 'trainloop');
  client.defaultTimeout = 1_800_000;
  await client.start();
  let stdout = '';
  client.on('output', (event: DebugProtocol.OutputEvent) => {
    if (event.body.category === 'stdout') stdout += event.body.output;
  });
  try {
    const ended = client.waitForEvent('terminated', 1_800_000);
    await Promise.all([
      client.waitForEvent('initialized').then(async () => {
        await client.setExceptionBreakpointsRequest({ filters: ['uncaught', 'nonfinite'] });
        await client.configurationDoneRequest();
      }),
      client.launch({ program: SCRIPT, args: [String(batches)], ...launch }),
    ]);
    await ended;
  } finally {
    await client.stop().catch(() => undefined);
  }
  const line = stdout.trim().split('\n').reverse().find((text) => text.startsWith('{'));
  if (!line) throw new Error(`no result line in:\n${stdout.slice(-2000)}`);
  return JSON.parse(line) as Timing;
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  if (!existsSync(ADAPTER)) throw new Error('dist/debugAdapter.js is missing: run npm run build first');
  const runtimes: [string, Record<string, unknown>][] = [['embedded wasm', { runtime: 'embedded', backend: 'wasm' }]];
  if (process.argv.includes('--cpu')) runtimes.push(['embedded cpu', { runtime: 'embedded', backend: 'cpu' }]);
  if (!tensorflowBackendMissing()) runtimes.push(['embedded tensorflow', { runtime: 'embedded', backend: 'tensorflow' }]);
  for (const [name, interpreter] of [['python torch 1.13', 'debianTorch'], ['python torch 2', 'torch2']] as const) {
    const { path } = requireOrSkip(interpreter);
    if (path) runtimes.push([name, { runtime: 'python', python: path }]);
  }
  console.log(`quickstart MLP batch (64) under the debugger, locator watching vs not, ${batches} batches each, ${runs} runs`);
  for (const [name, launch] of runtimes) {
    const timings: Timing[] = [];
    for (let i = 0; i < runs; i++) timings.push(await session(launch));
    const wall = median(timings.map((t) => t.wall.overhead));
    const cpu = median(timings.map((t) => t.cpu.overhead));
    const on = median(timings.map((t) => t.wall.on_ms));
    const off = median(timings.map((t) => t.wall.off_ms));
    const cpuText = name.startsWith('python') ? `, CPU ${pct(cpu)}` : '';
    console.log(`  ${name}: ${on.toFixed(2)} ms vs ${off.toFixed(2)} ms per batch: wall ${pct(wall)}${cpuText} (budget ${pct(BUDGET)})`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
