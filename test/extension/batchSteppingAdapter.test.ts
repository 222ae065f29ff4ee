// The adapter in front of the Trainloop debug adapter, against a scripted adapter: a new session's run to the loop and
// its batches stay hidden until the stop after them, the user's breakpoints are left as they were, stepBatch is
// announced to VS Code as `continued`, a live session runs to a line on request, and Evaluate's run evaluates at the loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { BatchSteppingAdapter, RUN_TO_LINE_REQUEST, type LoopRun, type MessageAdapter } from '../../src/extension/batchSteppingAdapter';

const PROGRAM = '/w/train.py';
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

type Answer = { success: boolean; body?: unknown; message?: string };

/** A debug adapter whose answers the test writes: it answers requests with `answer` and sends the events it is told to. */
class ScriptedAdapter implements MessageAdapter {
  readonly received: DebugProtocol.Request[] = [];
  private listener: ((message: unknown) => void) | undefined;
  private seq = 1;
  breakpointIds = new Map<number, number>();
  nextBreakpointId = 1;

  answer(request: DebugProtocol.Request): Answer | undefined {
    if (request.command === 'setBreakpoints') {
      const args = request.arguments as DebugProtocol.SetBreakpointsArguments;
      // Ids stay with their lines, as the runtime keeps them.
      const breakpoints = (args.breakpoints ?? []).map((b) => {
        if (!this.breakpointIds.has(b.line)) this.breakpointIds.set(b.line, this.nextBreakpointId++);
        return { id: this.breakpointIds.get(b.line), verified: true, line: b.line };
      });
      return { success: true, body: { breakpoints } };
    }
    return { success: true };
  }

  handleMessage(message: DebugProtocol.ProtocolMessage): void {
    const request = message as DebugProtocol.Request;
    this.received.push(request);
    const answer = this.answer(request);
    if (answer) queueMicrotask(() => this.respond(request, answer));
  }

  respond(request: DebugProtocol.Request, answer: Answer): void {
    this.listener?.({ seq: this.seq++, type: 'response', request_seq: request.seq, command: request.command, ...answer });
  }

  event(event: string, body?: unknown): void {
    this.listener?.({ seq: this.seq++, type: 'event', event, body });
  }

  onDidSendMessage(listener: (message: unknown) => void) {
    this.listener = listener;
    return { dispose: () => (this.listener = undefined) };
  }

  dispose(): void {
    this.listener = undefined;
  }

  commands(): string[] {
    return this.received.map((r) => r.command);
  }

  last(command: string): DebugProtocol.Request | undefined {
    return [...this.received].reverse().find((r) => r.command === command);
  }
}

/** VS Code's side: sends requests, keeps what it gets. */
function client(run?: LoopRun) {
  const adapter = new ScriptedAdapter();
  const errors: unknown[] = [];
  const proxy = new BatchSteppingAdapter(adapter, PROGRAM, run, (error) => errors.push(error));
  const got: DebugProtocol.ProtocolMessage[] = [];
  proxy.onDidSendMessage((m) => got.push(m));
  let seq = 1;
  const send = async (command: string, args?: unknown) => {
    const request = { seq: seq++, type: 'request', command, arguments: args } as DebugProtocol.Request;
    proxy.handleMessage(request);
    await tick();
    return request;
  };
  const events = (name?: string) => got.filter((m): m is DebugProtocol.Event => m.type === 'event' && (name === undefined || (m as DebugProtocol.Event).event === name));
  const responseTo = (request: DebugProtocol.Request) => got.find((m): m is DebugProtocol.Response => m.type === 'response' && (m as DebugProtocol.Response).request_seq === request.seq);
  return { adapter, proxy, got, send, events, responseTo, errors };
}

async function launch(c: ReturnType<typeof client>, breakpoints?: number[]): Promise<void> {
  await c.send('initialize', { adapterID: 'trainloop', linesStartAt1: true });
  await c.send('launch', { program: PROGRAM });
  if (breakpoints) await c.send('setBreakpoints', { source: { path: PROGRAM }, breakpoints: breakpoints.map((line) => ({ line })) });
  await c.send('setExceptionBreakpoints', { filters: ['uncaught'] });
  await c.send('configurationDone');
  await tick();
}

test('a new session with a run: the loop line goes in before the program starts, its stop stays hidden, the batches train, the stop after them shows', async () => {
  const c = client({ line: 17, batches: 10 });
  await launch(c);
  const commands = c.adapter.commands();
  assert.deepEqual(commands, ['initialize', 'launch', 'setExceptionBreakpoints', 'setBreakpoints', 'configurationDone'], 'the run\'s line is set before configurationDone');
  assert.deepEqual((c.adapter.last('setBreakpoints')?.arguments as DebugProtocol.SetBreakpointsArguments).breakpoints, [{ line: 17 }]);
  assert.equal(c.got.filter((m) => m.type === 'response').length, 4, 'VS Code gets an answer to each of its requests, and only those');

  c.adapter.event('stopped', { reason: 'breakpoint', threadId: 1, hitBreakpointIds: [1] });
  await tick();
  await tick();
  assert.deepEqual(c.events('stopped'), [], 'VS Code does not see the stop at the loop');
  assert.deepEqual(c.adapter.commands().slice(5), ['setBreakpoints', 'stepBatch']);
  assert.deepEqual((c.adapter.received[5].arguments as DebugProtocol.SetBreakpointsArguments).breakpoints, [], 'the loop line is gone before the batches run');
  assert.deepEqual(c.adapter.received[6].arguments, { count: 10 });

  c.adapter.event('trainloopBatch', { batch: 10, losses: [1, 2, 3] });
  c.adapter.event('stopped', { reason: 'step', threadId: 1, description: 'batch 10' });
  await tick();
  assert.deepEqual(c.events().map((e) => e.event), ['trainloopBatch', 'stopped']);
  assert.equal((c.events('stopped')[0].body as { description: string }).description, 'batch 10');
  assert.deepEqual(c.errors, []);
});

test('a new session for Evaluate: at the loop line it evaluates instead of training, then the stop there shows', async () => {
  const c = client({ line: 17, batches: 0, evaluate: { line: 30 } });
  await launch(c);
  c.adapter.event('stopped', { reason: 'breakpoint', threadId: 1, hitBreakpointIds: [1] });
  await tick();
  await tick();
  await tick();
  assert.deepEqual(c.adapter.commands().slice(5), ['setBreakpoints', 'trainloopEvaluateLoop'], 'no stepBatch: nothing is trained');
  assert.deepEqual(c.adapter.received[6].arguments, { path: PROGRAM, line: 30 });
  assert.deepEqual(c.events('stopped').map((e) => (e.body as { reason: string }).reason), ['breakpoint'], 'the stop before the first batch shows once evaluated');
  assert.deepEqual(c.errors, []);

  // A stop of the user's before the loop is shown as it is, and nothing is evaluated there.
  const early = client({ line: 17, batches: 0, evaluate: { line: 30 } });
  await launch(early, [3]);
  early.adapter.event('stopped', { reason: 'breakpoint', threadId: 1, hitBreakpointIds: [1] });
  await tick();
  await tick();
  assert.ok(!early.adapter.commands().includes('trainloopEvaluateLoop'));
  assert.equal(early.events('stopped').length, 1);
});

test('the user\'s breakpoints: VS Code gets its own answers back, a stop of theirs before the loop wins, theirs on the loop line is shared', async () => {
  const c = client({ line: 17, batches: 1 });
  await launch(c, [3]);
  const set = c.adapter.received.find((r) => r.command === 'setBreakpoints')!;
  assert.deepEqual((set.arguments as DebugProtocol.SetBreakpointsArguments).breakpoints, [{ line: 3 }, { line: 17 }]);
  const answer = c.got.find((m) => m.type === 'response' && (m as DebugProtocol.Response).command === 'setBreakpoints') as DebugProtocol.SetBreakpointsResponse;
  assert.deepEqual(answer.body.breakpoints, [{ id: 1, verified: true, line: 3 }], 'one answer per breakpoint VS Code set');
  assert.equal(c.adapter.commands().filter((x) => x === 'setBreakpoints').length, 1, 'no second setBreakpoints before configurationDone');

  c.adapter.event('stopped', { reason: 'breakpoint', threadId: 1, hitBreakpointIds: [1] });
  await tick();
  await tick();
  assert.equal(c.events('stopped').length, 1, 'the user\'s stop shows');
  assert.deepEqual((c.adapter.last('setBreakpoints')?.arguments as DebugProtocol.SetBreakpointsArguments).breakpoints, [{ line: 3 }], 'the run is over: its line is gone');
  assert.ok(!c.adapter.commands().includes('stepBatch'));

  // The user's breakpoint on the loop's line is the run's too.
  const shared = client({ line: 17, batches: 2 });
  await launch(shared, [17]);
  assert.deepEqual((shared.adapter.last('setBreakpoints')?.arguments as DebugProtocol.SetBreakpointsArguments).breakpoints, [{ line: 17 }]);
  shared.adapter.event('stopped', { reason: 'breakpoint', threadId: 1, hitBreakpointIds: [1] });
  await tick();
  await tick();
  assert.deepEqual(shared.events('stopped'), []);
  assert.deepEqual(shared.adapter.last('stepBatch')?.arguments, { count: 2 });
});

test('a training problem or an exception while running to the loop shows as it is; a run whose stepBatch fails shows its stop', async () => {
  const c = client({ line: 17, batches: 10 });
  await launch(c);
  c.adapter.event('stopped', { reason: 'exception', threadId: 1, description: 'TL001 (line 18): Gradients accumulate' });
  await tick();
  await tick();
  assert.equal(c.events('stopped').length, 1);
  assert.ok(!c.adapter.commands().includes('stepBatch'));

  const failing = client({ line: 17, batches: 10 });
  failing.adapter.answer = (request) => (request.command === 'stepBatch' ? { success: false, message: 'The program is not running.' } : ScriptedAdapter.prototype.answer.call(failing.adapter, request));
  await launch(failing);
  failing.adapter.event('stopped', { reason: 'breakpoint', threadId: 1, hitBreakpointIds: [1] });
  await tick();
  await tick();
  await tick();
  assert.equal(failing.events('stopped').length, 1, 'the stop at the loop shows when the batches cannot be trained');
});

test('VS Code\'s stepBatch request is announced as `continued`, unless the program stopped again first', async () => {
  const c = client();
  await launch(c);
  c.adapter.event('stopped', { reason: 'pause', threadId: 1 });
  await tick();
  const step = await c.send('stepBatch', { count: 10 });
  await tick();
  const after = c.got.slice(c.got.indexOf(c.responseTo(step)!));
  assert.deepEqual(after.map((m) => (m.type === 'event' ? (m as DebugProtocol.Event).event : m.type)), ['response', 'continued']);
  assert.deepEqual(after[1], { seq: 0, type: 'event', event: 'continued', body: { threadId: 1, allThreadsContinued: true } });

  // The adapter stops (one batch is quick) before it answers: no `continued` after that stop.
  c.adapter.answer = () => undefined;
  const quick = await c.send('stepBatch', { count: 1 });
  c.adapter.event('stopped', { reason: 'step', threadId: 1, description: 'batch 1' });
  c.adapter.respond(quick, { success: true });
  await tick();
  assert.equal(c.events('continued').length, 1);
});

test('a live session runs to a line on request: paused it continues (announced), running it only gets the breakpoint', async () => {
  const c = client();
  await launch(c, [5]);
  c.adapter.event('stopped', { reason: 'breakpoint', threadId: 1, hitBreakpointIds: [1] });
  await tick();
  const request = await c.send(RUN_TO_LINE_REQUEST, { line: 40, batches: 0 });
  await tick();
  await tick();
  assert.deepEqual(c.adapter.commands().slice(-2), ['setBreakpoints', 'continue']);
  assert.deepEqual((c.adapter.last('setBreakpoints')?.arguments as DebugProtocol.SetBreakpointsArguments).breakpoints, [{ line: 5 }, { line: 40 }]);
  assert.equal(c.responseTo(request)?.success, true);
  assert.equal(c.events('continued').length, 1);
  c.adapter.event('stopped', { reason: 'breakpoint', threadId: 1, hitBreakpointIds: [2] });
  await tick();
  await tick();
  assert.equal(c.events('stopped').length, 2, 'with no batches to train, the stop at the line shows');
  assert.deepEqual((c.adapter.last('setBreakpoints')?.arguments as DebugProtocol.SetBreakpointsArguments).breakpoints, [{ line: 5 }]);

  const bad = await c.send(RUN_TO_LINE_REQUEST, { line: 0 });
  assert.equal(c.responseTo(bad)?.success, false);
});
