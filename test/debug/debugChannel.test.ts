// The runtime's debug channel without DAP: EmbeddedRuntime({ debug: true }) and its commands, as the adapter uses them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EmbeddedRuntime } from '../../src/runtime/embeddedRuntime';
import type { DebuggerMessage } from '../../src/runtime/debugChannel';
import { TIMEOUT, fixture } from './adapterClient';

const dist = join(__dirname, '../../dist');

function nextMessage(runtime: EmbeddedRuntime, kind: string): Promise<DebuggerMessage> {
  return new Promise((resolve) => {
    const listener = (message: DebuggerMessage) => {
      if (message.kind !== kind) return;
      runtime.off('debug', listener);
      resolve(message);
    };
    runtime.on('debug', listener);
  });
}

test('a debug run waits for `start`, stops at a breakpoint, answers while paused, and resumes', { timeout: TIMEOUT }, async () => {
  const runtime = new EmbeddedRuntime();
  const program = fixture('counting.py');
  let output = '';
  runtime.on('output', (_stream, text) => (output += text));
  const ready = nextMessage(runtime, 'ready');
  const exited = runtime.start({ program, distDir: dist, debug: true });
  assert.equal((await ready as { problem?: string }).problem, null);

  const answer = await runtime.debugRequest<{ breakpoints: { line: number; verified: boolean }[] }>('setBreakpoints', {
    path: program,
    breakpoints: [{ line: 3, condition: 'value == 2' }],
  });
  assert.deepEqual(answer.breakpoints.map((b) => [b.line, b.verified]), [[3, true]]);
  await assert.rejects(runtime.debugRequest('stackTrace'), /The program is running: pause it first/, 'not started: nothing to show');

  const stopped = nextMessage(runtime, 'stopped');
  await runtime.debugRequest('start', { stopOnEntry: false });
  assert.equal((await stopped as { reason: string }).reason, 'breakpoint');
  const trace = await runtime.debugRequest<{ frames: { name: string; line: number }[] }>('stackTrace');
  assert.deepEqual(trace.frames.map((f) => `${f.name}:${f.line}`), ['square:3', '<module>:9']);
  const value = await runtime.debugRequest<{ value: string }>('evaluate', { expression: 'value * 10', frameId: 1, context: 'repl' });
  assert.equal(value.value, '20');
  await assert.rejects(runtime.debugRequest('evaluate', { expression: 'undefined_name', frameId: 1 }), /NameError/);

  await runtime.debugRequest('setBreakpoints', { path: program, breakpoints: [] });
  await runtime.debugRequest('continue');
  assert.equal(await exited, 0);
  assert.match(output, /total 285/);
  await assert.rejects(runtime.debugRequest('continue'), /the program has ended/);
});

test('a script with a syntax error is reported before it runs', { timeout: TIMEOUT }, async () => {
  const runtime = new EmbeddedRuntime();
  const ready = nextMessage(runtime, 'ready');
  const exited = runtime.start({ program: fixture('syntax_error.py'), distDir: dist, debug: true });
  assert.match((await ready as { problem?: string }).problem ?? '', /^SyntaxError: .* \(syntax_error\.py, line 3\)$/);
  assert.equal(await exited, 1, 'the runner still reports the error as without the debugger');
});

test('stop() ends a paused run', { timeout: TIMEOUT }, async () => {
  const runtime = new EmbeddedRuntime();
  const program = fixture('counting.py');
  const ready = nextMessage(runtime, 'ready');
  const exited = runtime.start({ program, distDir: dist, debug: true });
  await ready;
  const stopped = nextMessage(runtime, 'stopped');
  await runtime.debugRequest('start', { stopOnEntry: true });
  assert.equal((await stopped as { reason: string }).reason, 'entry');
  const started = Date.now();
  await runtime.stop();
  assert.equal(await exited, 130);
  assert.ok(Date.now() - started < 1500, 'ended promptly');
});
