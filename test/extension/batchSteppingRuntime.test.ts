// The editor's training actions through the real debug adapter and runtime (Pyodide + torch shim, built dist/), as
// VS Code's inline adapter runs them: "Train one batch" in a new session shows its first stop after batch 0 trained,
// with batch 1 bound, and "Train 10 batches" after it stops at batch 11; the TL001 exception filter stops a run at the
// optimizer.step() that consumes the accumulated gradients; "Evaluate" without a session evaluates before batch 1.
// Skipped when dist/ is not built (npm run build).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { BatchSteppingAdapter, type LoopRun } from '../../src/extension/batchSteppingAdapter';
import { TrainloopSession } from '../../src/debug/trainloopSession';
import { repoRoot } from './support';

const DIST = join(repoRoot, 'dist');
const skip = existsSync(join(DIST, 'runtimeWorker.js')) ? false : 'dist/ is not built (npm run build)';
const TIMEOUT = 120_000;

/** VS Code's side of an inline adapter: requests with answers, events as they come. */
class InlineClient {
  readonly events: DebugProtocol.Event[] = [];
  private readonly pending = new Map<number, (response: DebugProtocol.Response) => void>();
  private readonly waiting: Array<{ name: string; resolve: (event: DebugProtocol.Event) => void }> = [];
  private seq = 1;

  constructor(readonly adapter: BatchSteppingAdapter) {
    adapter.onDidSendMessage((message) => {
      if (message.type === 'response') {
        const response = message as DebugProtocol.Response;
        this.pending.get(response.request_seq)?.(response);
        this.pending.delete(response.request_seq);
      } else if (message.type === 'event') {
        const event = message as DebugProtocol.Event;
        this.events.push(event);
        const index = this.waiting.findIndex((w) => w.name === event.event);
        if (index >= 0) this.waiting.splice(index, 1)[0].resolve(event);
      }
    });
  }

  request<T extends DebugProtocol.Response = DebugProtocol.Response>(command: string, args?: unknown): Promise<T> {
    const seq = this.seq++;
    return new Promise((resolve) => {
      this.pending.set(seq, resolve as (response: DebugProtocol.Response) => void);
      this.adapter.handleMessage({ seq, type: 'request', command, arguments: args } as DebugProtocol.Request);
    });
  }

  /** The next event of this name from now on. */
  next(name: string): Promise<DebugProtocol.Event> {
    return new Promise((resolve) => this.waiting.push({ name, resolve }));
  }

  async launch(program: string, run: LoopRun, filters: string[]): Promise<void> {
    await this.request('initialize', { adapterID: 'trainloop', linesStartAt1: true, columnsStartAt1: true });
    const initialized = this.next('initialized');
    const launched = this.request('launch', { program, cwd: join(program, '..'), backend: 'auto', __trainloopRun: run });
    await initialized;
    await this.request('setExceptionBreakpoints', { filters });
    await this.request('configurationDone');
    const response = await launched;
    assert.ok(response.success, response.message);
  }

  async top(): Promise<DebugProtocol.StackFrame> {
    const trace = await this.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: 1 });
    return trace.body.stackFrames[0];
  }

  async locals(): Promise<Map<string, string>> {
    const frame = await this.top();
    const scopes = await this.request<DebugProtocol.ScopesResponse>('scopes', { frameId: frame.id });
    const locals = scopes.body.scopes.find((s) => s.name === 'Locals')!;
    const variables = await this.request<DebugProtocol.VariablesResponse>('variables', { variablesReference: locals.variablesReference });
    return new Map(variables.body.variables.map((v) => [v.name, v.value]));
  }

  /** Losses the batch events have carried so far: one per trained batch. */
  lossCount(): number {
    return this.events.filter((e) => e.event === 'trainloopBatch').reduce((n, e) => n + ((e.body as { losses?: unknown[] }).losses?.length ?? 0), 0);
  }
}

function lineOf(text: string, pattern: RegExp): number {
  const index = text.split('\n').findIndex((line) => pattern.test(line));
  assert.ok(index >= 0, `no line matches ${pattern}`);
  return index + 1;
}

describe('training actions through the real adapter and runtime', { skip, timeout: TIMEOUT * 3 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'trainloop-actions-'));
  const clients: InlineClient[] = [];
  after(async () => {
    for (const client of clients) await client.request('disconnect', { terminateDebuggee: true }).catch(() => undefined);
    for (const client of clients) client.adapter.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  function start(program: string, run: LoopRun): InlineClient {
    const client = new InlineClient(new BatchSteppingAdapter(new TrainloopSession({ distDir: DIST }), program, run, (error) => assert.fail(String(error))));
    clients.push(client);
    return client;
  }

  it('"Train one batch" stops once, at the end of batch 1 with its values bound; "Train 10 batches" then stops at the end of batch 11', { timeout: TIMEOUT }, async () => {
    mkdirSync(join(work, 'quickstart'));
    const program = join(work, 'quickstart', 'quickstart.py');
    copyFileSync(join(repoRoot, 'examples', 'quickstart.py'), program);
    const text = readFileSync(program, 'utf8');
    const loop = lineOf(text, /^\s*for batch, \(X, y\) in enumerate\(dataloader\):/);
    const body = loop + 1;
    const client = start(program, { line: body, batches: 1 });
    const stopped = client.next('stopped');
    await client.launch(program, { line: body, batches: 1 }, ['uncaught', 'nonfinite']);
    const first = (await stopped) as DebugProtocol.StoppedEvent;
    assert.deepEqual(client.events.filter((e) => e.event === 'stopped'), [first], 'one stop: the one at the loop before training stays hidden');
    assert.equal(first.body.description, 'batch 1');
    assert.equal(first.body.reason, 'breakpoint', 'VS Code reveals Run and Debug');
    assert.equal((await client.top()).line, loop, 'at the loop line, before the next batch is fetched');
    assert.equal(client.lossCount(), 1, 'batch 1 trained');
    const locals = await client.locals();
    assert.match(locals.get('X') ?? '', /^tensor\[64, 1, 28, 28\]/);
    assert.equal(locals.get('batch'), '0', "the script's own batch counter (from 0): batch 1's values are still bound");

    const again = client.next('stopped');
    const step = await client.request('stepBatch', { count: 10 });
    assert.ok(step.success, step.message);
    assert.ok(client.events.some((e) => e.event === 'continued'), 'VS Code is told the program runs');
    const second = (await again) as DebugProtocol.StoppedEvent;
    assert.equal(second.body.description, 'batch 11');
    assert.equal((await client.top()).line, loop);
    assert.equal((await client.locals()).get('batch'), '10');
    assert.equal(client.lossCount(), 11, 'ten more batches trained');
  });

  it('"Evaluate" in a new session: the quickstart pauses before batch 1, test() runs there with the initial weights, nothing trains', { timeout: TIMEOUT }, async () => {
    mkdirSync(join(work, 'evaluate'));
    const program = join(work, 'evaluate', 'quickstart.py');
    copyFileSync(join(repoRoot, 'examples', 'quickstart.py'), program);
    const text = readFileSync(program, 'utf8');
    const body = lineOf(text, /^\s*for batch, \(X, y\) in enumerate\(dataloader\):/) + 1;
    const evalLoop = lineOf(text, /^\s*for X, y in dataloader:/);
    const run: LoopRun = { line: body, batches: 0, evaluate: { line: evalLoop } };
    const client = start(program, run);
    const stopped = client.next('stopped');
    const evaluated = client.next('trainloopEvaluated');
    const started = Date.now();
    await client.launch(program, run, ['uncaught', 'nonfinite']);
    const result = (await evaluated).body as { ok: boolean; code: string; seconds: number; trainedBatches: number; evaluations: Array<{ loss: number; accuracy: number; samples: number }> };
    const stop = (await stopped) as DebugProtocol.StoppedEvent;
    const seconds = (Date.now() - started) / 1000;
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.code, 'test(test_dataloader, model, loss_fn)');
    assert.equal(result.trainedBatches, 0);
    const pass = result.evaluations[0];
    assert.equal(pass.samples, 10000, 'the whole Fashion-MNIST test set');
    // Ten classes and untrained weights: about chance, and a loss near ln 10.
    assert.ok(pass.accuracy > 0.02 && pass.accuracy < 0.3, `accuracy ${pass.accuracy}`);
    assert.ok(Math.abs(pass.loss - Math.log(10)) < 0.2, `loss ${pass.loss}`);
    assert.equal(stop.body.reason, 'breakpoint');
    assert.equal((await client.top()).line, body, 'paused before batch 1 trains');
    assert.equal(client.lossCount(), 0, 'no batch trained');
    process.stdout.write(`# Evaluate without a session on the quickstart: ${seconds.toFixed(1)} s to the result (the pass itself ${result.seconds} s)\n`);
  });

  it('the TL001 exception filter stops "Train 10 batches" at the optimizer.step() that consumes the accumulated gradients', { timeout: TIMEOUT }, async () => {
    mkdirSync(join(work, 'tl001'));
    const program = join(work, 'tl001', 'tl001_missing_zero_grad.py');
    copyFileSync(join(repoRoot, 'examples', 'bugs', 'runtime', 'tl001_missing_zero_grad.py'), program);
    const text = readFileSync(program, 'utf8');
    const body = lineOf(text, /^\s*for inputs, targets in loader:/) + 1;
    const backward = lineOf(text, /# expect: TL001/);
    const step = lineOf(text, /^\s*optimizer\.step\(\)/);
    const client = start(program, { line: body, batches: 10 });
    const stopped = client.next('stopped');
    await client.launch(program, { line: body, batches: 10 }, ['uncaught', 'nonfinite', 'TL001']);
    const stop = (await stopped) as DebugProtocol.StoppedEvent;
    assert.equal(stop.body.reason, 'exception');
    assert.equal((await client.top()).line, step, 'where execution is: the step() call');
    assert.match(stop.body.description ?? '', new RegExp(`^TL001 \\(line ${backward}\\)`), 'the description names the backward() line TL001 is about');
    const info = await client.request<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: 1 });
    assert.equal(info.body.exceptionId, 'TL001');
    assert.match(info.body.description ?? '', /Gradients accumulate across batches/);
  });
});
