// Breakpoints set and cleared while the script trains, on every runtime: each setBreakpoints is answered promptly, a
// final breakpoint is hit, the adapter and the runtime sit idle while paused (CPU time, not wall time), and continue,
// a batch step (with breakpoints changing under it) and terminate still work. A race here once left the adapter spinning at 90 % CPU after a stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { RUNTIMES_UNDER_TEST, TIMEOUT, adapterProcess, finish, fixture, launch, outputContaining, resumeToStop, startClient, topFrame, type RuntimeUnderTest } from './adapterClient';

const PROGRAM = fixture('endless_training.py');
const HOT_LINE = 18; // `loss = loss_fn(pred, y)`: runs every batch
const NEVER_LINE = 23; // `print("never runs")`
const EPOCH_LINE = 29; // `train(loader)`: runs every epoch
const CYCLES = 100;
/** Generous for a loaded 2-core machine: a healthy answer takes milliseconds; a lost one never comes. */
const ANSWER_LIMIT_MS = 5_000;
const IDLE_WINDOW_MS = 2_000;
/** CPU time of the adapter and the runtime over the idle window, at most (10 % of one core). */
const IDLE_CPU_LIMIT_MS = 200;
const TICK_MS = 1000 / 100; // /proc's clock ticks (USER_HZ is 100 on Linux)

const options = { timeout: TIMEOUT * 4 };

/** The adapter's process and everything it started (the python runtime's interpreter), by pid. */
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, parent] of parents) if (parent === tree[i]) tree.push(pid);
  return tree;
}

/** User + system CPU time of a process (all its threads), in ms; 0 once it is gone. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** CPU time each process of the tree spends over `ms` of wall time. */
async function cpuOver(pids: number[], ms: number): Promise<Map<number, number>> {
  const before = pids.map(cpuMs);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return new Map(pids.map((pid, i) => [pid, cpuMs(pid) - before[i]]));
}

let setsSent = 0;
async function timedSet(client: DebugClient, breakpoints: DebugProtocol.SourceBreakpoint[]): Promise<{ ms: number; verified: boolean[] }> {
  const number = ++setsSent;
  const started = Date.now();
  const response = await Promise.race([
    client.setBreakpointsRequest({ source: { path: PROGRAM }, breakpoints }),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`setBreakpoints #${number} unanswered after ${ANSWER_LIMIT_MS} ms`)), ANSWER_LIMIT_MS)),
  ]);
  return { ms: Date.now() - started, verified: response.body.breakpoints.map((b) => b.verified) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function scenario(runtime: RuntimeUnderTest): void {
  test(`${runtime.name}: ${CYCLES} breakpoint sets and clears while training race nothing; the adapter idles when paused`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      const training = outputContaining(client, 'stdout', 'training');
      await launch(client, PROGRAM);
      await training;
      // Breakpoints that never fire (false conditions on hot lines, a line that never runs) come and go while batches run.
      const idle: DebugProtocol.SourceBreakpoint[] = [
        { line: HOT_LINE, condition: 'batch < 0' },
        { line: NEVER_LINE },
        { line: EPOCH_LINE, condition: 'epoch < 0' },
      ];
      const times: number[] = [];
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const set = await timedSet(client, idle);
        assert.deepEqual(set.verified, [true, true, true], `cycle ${cycle}: the breakpoints are verified`);
        const cleared = await timedSet(client, []);
        times.push(set.ms, cleared.ms);
        if (cycle % 10 === 9) await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 30)));
      }
      // A burst of unawaited sets, as VS Code sends them when several files' breakpoints change at once.
      const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => timedSet(client, i % 2 ? [] : idle)));
      times.push(...burst.map((b) => b.ms));

      // The final breakpoint fires, and more sets arrive while the stop is under way.
      const stopped = client.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      const final = timedSet(client, [{ line: HOT_LINE }]);
      const racing = Promise.all(Array.from({ length: 5 }, () => timedSet(client, [{ line: HOT_LINE }, { line: NEVER_LINE }])));
      assert.equal((await stopped).body.reason, 'breakpoint');
      times.push((await final).ms, ...(await racing).map((r) => r.ms));
      assert.equal((await topFrame(client)).line, HOT_LINE);
      process.stdout.write(`# ${runtime.name}: ${times.length} setBreakpoints answered, median ${median(times)} ms, slowest ${Math.max(...times)} ms\n`);

      // Paused: nothing spins. The adapter's threads (the embedded runtime's worker among them) and the interpreter.
      const tree = processTree(adapterProcess(client).pid!);
      const spent = await cpuOver(tree, IDLE_WINDOW_MS);
      const total = [...spent.values()].reduce((a, b) => a + b, 0);
      const detail = [...spent].map(([pid, ms]) => `${pid}: ${ms} ms`).join(', ');
      process.stdout.write(`# ${runtime.name}: CPU over ${IDLE_WINDOW_MS} ms paused: ${total} ms (${detail})\n`);
      assert.ok(total <= IDLE_CPU_LIMIT_MS, `paused, the adapter and the runtime spent ${total} ms of CPU in ${IDLE_WINDOW_MS} ms (${detail})`);

      // Continue works: the breakpoint fires again at the next batch; cleared, the run goes on until terminated.
      const again = await resumeToStop(client, () => client.continueRequest({ threadId: 1 }));
      assert.equal(again.body.reason, 'breakpoint');
      assert.equal((await topFrame(client)).line, HOT_LINE);
      // Breakpoints come and go while a batch step runs too: the step still ends at its batch.
      await timedSet(client, []);
      const stepped = client.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      await client.customRequest('stepBatch', { count: 5 });
      for (let cycle = 0; cycle < 10; cycle++) times.push((await timedSet(client, cycle % 2 ? [] : idle)).ms);
      const batchEnd = await stepped;
      assert.match(batchEnd.body.description ?? '', /^batch \d+$/, 'the step stops at the end of its batch');
      await timedSet(client, []);
      const batches = new Promise<void>((resolve) => client.on('trainloopBatch', () => resolve()));
      await client.continueRequest({ threadId: 1 });
      await batches;
      const terminated = client.waitForEvent('terminated', 10_000);
      await client.terminateRequest({});
      await terminated;
    } finally {
      await finish(client);
    }
  });
}

for (const runtime of RUNTIMES_UNDER_TEST) scenario(runtime);
