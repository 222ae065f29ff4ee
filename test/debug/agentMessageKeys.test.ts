// The keys of every message the Python agent sends its host, against the contract (src/runtime/agentMessages.ts): a
// script that makes the agent say everything it says runs under each runtime with the debugger, and each run record
// and debugger message it sent (replies too) must have its kind's required keys and none but its optional ones; each
// key the contract declares must also be seen, so that a declared key Python no longer sends fails too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createRuntime, type RuntimeImplementation } from '../../src/runtime/runtimeFactory';
import { DebugReplies } from '../../src/runtime/debugReplies';
import type { DebuggerMessage } from '../../src/runtime/debugChannel';
import type { Runtime } from '../../src/runtime/runtime';
import {
  BATCH_IMAGES_KEYS,
  EVALUATION_PASS_KEYS,
  GRADIENT_ACCUMULATION_EVIDENCE_KEYS,
  PARAMETER_HISTOGRAMS_KEYS,
  RUNTIME_EVENT_KEYS,
  VALUE_HISTOGRAM_KEYS,
  debuggerMessageKeys,
  runtimeEventKeys,
  type MessageKeys,
} from '../../src/runtime/agentMessages';
import { TIMEOUT, fixture } from './adapterClient';

const DIST = join(__dirname, '../../dist');
const SCRIPT = fixture('every_message.py');
/** Lines of the script: the loss.backward() of the loop and the sleep after the step. */
const BACKWARD_LINE = 26;
const SLEEP_LINE = 28;
/** Seconds of training: the watch samples histograms and images at most every 2 s, within a share of the run's time. */
const TRAINING_SECONDS = 6;
const NATIVE_PYTHON = '/usr/bin/python3';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Compares messages' keys with their declared lists, and remembers which declared keys were seen. */
class KeyCheck {
  /** Each problem once, with how often it came and the first message that had it. */
  private readonly found = new Map<string, { count: number; example: string }>();
  private readonly seen = new Map<MessageKeys, { name: string; keys: Set<string> }>();

  get problems(): string[] {
    return [...this.found].map(([problem, { count, example }]) => `${problem} (${count}×), e.g. ${example}`);
  }

  private problem(text: string, value: unknown): void {
    const known = this.found.get(text);
    if (known) known.count++;
    else this.found.set(text, { count: 1, example: JSON.stringify(value).slice(0, 160) });
  }

  check(name: string, value: unknown, keys: MessageKeys | null): value is Json {
    if (keys === null) {
      this.problem(`${name}: not in the contract`, value);
      return false;
    }
    if (!isObject(value)) {
      this.problem(`${name}: not an object`, value);
      return false;
    }
    const present = Object.keys(value);
    for (const key of keys.required) if (!present.includes(key)) this.problem(`${name}: no \`${key}\``, value);
    for (const key of present) {
      if (!keys.required.includes(key) && !keys.optional.includes(key)) this.problem(`${name}: \`${key}\` is not in the contract`, value);
    }
    const seen = this.seen.get(keys) ?? { name, keys: new Set<string>() };
    for (const key of present) seen.keys.add(key);
    this.seen.set(keys, seen);
    return true;
  }

  /** A batch body's nested shapes: its diagnostics (run records), images, histograms and evaluation passes. */
  checkBatchBody(body: Json): void {
    if (Array.isArray(body.diagnostics)) {
      for (const item of body.diagnostics) this.check('batch message diagnostics[]', item, runtimeEventKeys(isObject(item) ? item : {}));
    }
    if (body.inputs !== undefined) this.check('batch message inputs', body.inputs, BATCH_IMAGES_KEYS);
    if (Array.isArray(body.evaluations)) for (const item of body.evaluations) this.check('batch message evaluations[]', item, EVALUATION_PASS_KEYS);
    if (body.histograms !== undefined && isObject(body.histograms)) {
      for (const [name, histograms] of Object.entries(body.histograms)) {
        if (!this.check(`batch message histograms.${name}`, histograms, PARAMETER_HISTOGRAMS_KEYS)) continue;
        this.check(`batch message histograms.${name}.weights`, histograms.weights, VALUE_HISTOGRAM_KEYS);
        this.check(`batch message histograms.${name}.grads`, histograms.grads, VALUE_HISTOGRAM_KEYS);
      }
    }
  }

  /** Declared keys of the messages seen that no message had. */
  unseen(): string[] {
    const missing: string[] = [];
    for (const [keys, { name, keys: seen }] of this.seen) {
      for (const key of [...keys.required, ...keys.optional]) if (!seen.has(key)) missing.push(`${name}: \`${key}\` never sent`);
    }
    return missing;
  }

  /** Whether any message with these keys was seen. */
  saw(keys: MessageKeys): boolean {
    return this.seen.has(keys);
  }
}

interface Collected {
  code: number;
  debuggerMessages: unknown[];
  records: unknown[];
  output: string;
}

function nextDebuggerMessage(runtime: Runtime, kind: DebuggerMessage['kind']): Promise<DebuggerMessage> {
  return new Promise((resolve) => {
    const listener = (message: DebuggerMessage) => {
      if (message.kind !== kind) return;
      runtime.off('debug', listener);
      resolve(message);
    };
    runtime.on('debug', listener);
  });
}

/** Runs the script under the debugger through stops of each kind, a logpoint and a failing condition. */
async function runEveryMessage(kind: RuntimeImplementation): Promise<Collected> {
  const debuggerMessages: unknown[] = [];
  const records: unknown[] = [];
  // Every message of the runtime's debugger passes here, replies included (the runtime publishes only the others).
  const receive = DebugReplies.prototype.receive;
  DebugReplies.prototype.receive = function (this: DebugReplies, message: DebuggerMessage) {
    debuggerMessages.push(structuredClone(message));
    return receive.call(this, message);
  };
  const runtime = createRuntime(kind);
  let output = '';
  try {
    runtime.on('output', (_stream, text) => (output += text));
    runtime.on('event', (record) => records.push(structuredClone(record)));
    const ready = nextDebuggerMessage(runtime, 'ready');
    const exited = runtime.start({ program: SCRIPT, args: [String(TRAINING_SECONDS)], distDir: DIST, debug: true, python: NATIVE_PYTHON });
    const problem = await Promise.race([ready.then((m) => (m as { problem: string | null }).problem), exited.then((code) => `exited with ${code}`)]);
    assert.equal(problem, null, output);

    await runtime.debugRequest('setExceptionFilters', { filters: ['uncaught'] });
    const logpoint = { line: SLEEP_LINE, logMessage: 'loss {loss.item():.3f}', hitCondition: '% 20' };
    await runtime.debugRequest('setBreakpoints', { path: SCRIPT, breakpoints: [{ line: BACKWARD_LINE, condition: 'undefined_name > 0' }, logpoint] });
    let stopped = nextDebuggerMessage(runtime, 'stopped');
    await runtime.debugRequest('start', { stopOnEntry: false });
    assert.equal((await stopped as { reason: string }).reason, 'breakpoint', 'a condition that fails stops, and says why');
    await runtime.debugRequest('stackTrace');
    await assert.rejects(runtime.debugRequest('evaluate', { expression: 'undefined_name', frameId: 1, context: 'repl' }), /NameError/);
    // The debugger's own error, in parts too.
    await assert.rejects(runtime.debugRequest('evaluate', { expression: '1', frameId: 99, context: 'repl' }), /That stack frame is gone/);

    await runtime.debugRequest('setBreakpoints', { path: SCRIPT, breakpoints: [logpoint] });
    // A training problem's stop (its message in parts), then a batch's.
    await runtime.debugRequest('setExceptionFilters', { filters: ['uncaught', 'TL001'] });
    stopped = nextDebuggerMessage(runtime, 'stopped');
    await runtime.debugRequest('stepBatch', { count: 2 });
    assert.equal((await stopped as { problem?: { kind: string } }).problem?.kind, 'TL001', 'the TL001 filter stops the step');
    await runtime.debugRequest('exceptionInfo');
    stopped = nextDebuggerMessage(runtime, 'stopped');
    await runtime.debugRequest('stepBatch', { count: 2 });
    assert.match((await stopped as { description?: string }).description ?? '', /^batch \d+$/);

    stopped = nextDebuggerMessage(runtime, 'stopped');
    await runtime.debugRequest('continue');
    assert.equal((await stopped as { reason: string }).reason, 'exception', 'the script ends by an uncaught exception');
    await runtime.debugRequest('continue');
    const code = await exited;
    // A program the debugger cannot open (a folder): its ready message says why, in parts too.
    const refusing = createRuntime(kind);
    const refused = nextDebuggerMessage(refusing, 'ready');
    const ended = refusing.start({ program: dirname(SCRIPT), args: [], distDir: DIST, debug: true, python: NATIVE_PYTHON });
    assert.match(String((await refused as { problem: string | null }).problem), /^Cannot open /);
    await ended;
    return { code, debuggerMessages, records, output };
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- what the script printed ---\n${output}`, { cause: error });
  } finally {
    DebugReplies.prototype.receive = receive;
    if (runtime.running) await runtime.stop(); // a failed step leaves nothing running
  }
}

function checkRun(run: Collected): KeyCheck {
  const check = new KeyCheck();
  for (const message of run.debuggerMessages) {
    const keys = debuggerMessageKeys(isObject(message) ? message : {});
    const name = isObject(message) ? `${String(message.kind)}${message.kind === 'reply' ? (message.ok ? ' (ok)' : ' (error)') : ''} message` : 'message';
    if (check.check(name, message, keys) && message.kind === 'batch') check.checkBatchBody(message);
  }
  for (const record of run.records) {
    const name = `${isObject(record) ? String(record.event) : ''} record`;
    if (!check.check(name, record, runtimeEventKeys(isObject(record) ? record : {}))) continue;
    if (record.event === 'diagnostic' && record.code === 'TL001') check.check('TL001 evidence', record.evidence, GRADIENT_ACCUMULATION_EVIDENCE_KEYS);
  }
  return check;
}

function nativeProblem(): string | null {
  const probe = spawnSync(NATIVE_PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 120_000 });
  if (probe.error) return `${NATIVE_PYTHON} cannot run: ${probe.error.message}`;
  return probe.status === 0 ? null : `${NATIVE_PYTHON} cannot import torch`;
}

for (const kind of ['embedded', 'python'] as const) {
  test(`${kind} runtime: every message the agent sends has the keys the contract declares`, { timeout: TIMEOUT * 3 }, async (t) => {
    if (kind === 'python') {
      const problem = nativeProblem();
      if (problem) {
        assert.notEqual(process.env.CI, 'true', `CI needs the python runtime's interpreter: ${problem}`);
        console.log(`SKIP: ${problem}`);
        t.skip(problem);
        return;
      }
    }
    const run = await runEveryMessage(kind);
    assert.equal(run.code, 1, `the script ends by its RuntimeError\n${run.output}`);
    const check = checkRun(run);
    assert.deepEqual(check.problems, [], 'keys against the contract');

    const kinds = (messages: unknown[], field: string) => new Set(messages.map((m) => (isObject(m) ? m[field] : undefined)));
    assert.deepEqual([...kinds(run.debuggerMessages, 'kind')].sort(), ['batch', 'output', 'ready', 'reply', 'stopped']);
    assert.deepEqual([...kinds(run.records, 'event')].sort(), ['batch', 'diagnostic']);
    assert.ok(check.saw(BATCH_IMAGES_KEYS) && check.saw(PARAMETER_HISTOGRAMS_KEYS), 'batch messages with images and histograms');
    assert.ok(check.saw(RUNTIME_EVENT_KEYS.diagnostic) && check.saw(GRADIENT_ACCUMULATION_EVIDENCE_KEYS), 'a TL001 report, with its evidence');
    assert.deepEqual(check.unseen(), [], 'every key the contract declares for these messages was sent');
  });
}
