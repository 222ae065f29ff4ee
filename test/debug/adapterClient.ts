// Drives the standalone adapter (`node dist/debugAdapter.js`) with DebugClient: start, launch to a stop, read values.
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { requireOrSkip, type InterpreterName } from '../support/pythonInterpreters';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

export const ADAPTER = join(__dirname, '../../dist/debugAdapter.js');
export const FIXTURES = join(__dirname, 'fixtures');
export const fixture = (name: string) => join(FIXTURES, name);

/** Generous: the first launch of a test run boots Pyodide and TensorFlow.js. */
export const TIMEOUT = 60_000;

/** A runtime the adapter's scenarios run on: its launch attributes, or why it is skipped. */
export interface RuntimeUnderTest {
  name: string;
  launch: Record<string, unknown>;
  /** The reason it is not available here (the scenarios are skipped with a SKIP line), or undefined. */
  skip?: string;
}

export const EMBEDDED: RuntimeUnderTest = { name: 'embedded', launch: { runtime: 'embedded' } };

/** Debian's python3-torch: torch 1.13 on Python 3.11. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

function pythonRuntime(name: string, interpreter: InterpreterName): RuntimeUnderTest {
  const { path, skip } = requireOrSkip(interpreter);
  return { name, launch: { runtime: 'python', python: path ?? interpreter }, skip: skip || undefined };
}

/**
 * The runtimes every adapter scenario runs on: the embedded one, and the user's Python with real PyTorch — Debian's
 * torch 1.13 and torch 2.x in scripts/setup-python.sh's environment (a SKIP line without them; a failure under CI).
 */
export const RUNTIMES_UNDER_TEST: RuntimeUnderTest[] = [
  EMBEDDED,
  pythonRuntime('python (torch 1.13)', 'debianTorch'),
  pythonRuntime('python (torch 2)', 'torch2'),
];

const launchAttributes = new WeakMap<DebugClient, Record<string, unknown>>();

export async function startClient(runtime: RuntimeUnderTest = EMBEDDED): Promise<DebugClient> {
  const client = new DebugClient('node', ADAPTER, 'trainloop');
  client.defaultTimeout = TIMEOUT;
  launchAttributes.set(client, runtime.launch);
  await client.start();
  // TRAINLOOP_TEST_OUTPUT=1 shows what the adapter's sessions print, to see why a scenario failed.
  if (process.env.TRAINLOOP_TEST_OUTPUT === '1') {
    client.on('output', (event: DebugProtocol.OutputEvent) => process.stderr.write(`[${event.body.category}] ${event.body.output}`));
    client.on('exited', (event: DebugProtocol.ExitedEvent) => process.stderr.write(`[exited] ${event.body.exitCode}\n`));
  }
  return client;
}

/** The adapter's process (DebugClient keeps it private). */
export function adapterProcess(client: DebugClient): ChildProcess {
  return (client as unknown as { _adapterProcess: ChildProcess })._adapterProcess;
}

export interface BreakpointSpec {
  line: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

/** Launches `program` with these breakpoints and resolves with the launch's breakpoint answers (no stop awaited). */
export async function launch(
  client: DebugClient,
  program: string,
  breakpoints: BreakpointSpec[] = [],
  extra: Record<string, unknown> = {},
  filters?: string[],
): Promise<DebugProtocol.Breakpoint[]> {
  let answers: DebugProtocol.Breakpoint[] = [];
  await Promise.all([
    client.waitForEvent('initialized').then(async () => {
      const response = await client.setBreakpointsRequest({ source: { path: program }, breakpoints });
      answers = response.body.breakpoints;
      if (filters) await client.setExceptionBreakpointsRequest({ filters });
      await client.configurationDoneRequest();
    }),
    client.launch({ program, ...launchAttributes.get(client), ...extra }),
  ]);
  return answers;
}

/** As `launch`, with `locale` in `initialize` (VS Code sends its display language there: the adapter answers in it). */
export async function launchInLocale(
  client: DebugClient,
  locale: string,
  program: string,
  breakpoints: BreakpointSpec[] = [],
  extra: Record<string, unknown> = {},
): Promise<DebugProtocol.Breakpoint[]> {
  let answers: DebugProtocol.Breakpoint[] = [];
  await Promise.all([
    client.waitForEvent('initialized').then(async () => {
      answers = (await client.setBreakpointsRequest({ source: { path: program }, breakpoints })).body.breakpoints;
      await client.configurationDoneRequest();
    }),
    client
      .initializeRequest({ adapterID: 'trainloop', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true, locale })
      .then(() => client.launchRequest({ program, ...launchAttributes.get(client), ...extra } as DebugProtocol.LaunchRequestArguments)),
  ]);
  return answers;
}

/** Launches and waits for the first stop. */
export async function launchToStop(
  client: DebugClient,
  program: string,
  breakpoints: BreakpointSpec[] = [],
  extra: Record<string, unknown> = {},
  filters?: string[],
): Promise<DebugProtocol.StoppedEvent> {
  const stopped = client.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await launch(client, program, breakpoints, extra, filters);
  return stopped;
}

export async function topFrame(client: DebugClient): Promise<DebugProtocol.StackFrame> {
  const response = await client.stackTraceRequest({ threadId: 1 });
  return response.body.stackFrames[0];
}

export async function scopes(client: DebugClient, frameId?: number): Promise<DebugProtocol.Scope[]> {
  const id = frameId ?? (await topFrame(client)).id;
  return (await client.scopesRequest({ frameId: id })).body.scopes;
}

export async function scopeVariables(client: DebugClient, name: string): Promise<DebugProtocol.Variable[]> {
  const scope = (await scopes(client)).find((s) => s.name === name);
  if (!scope) throw new Error(`no ${name} scope`);
  return (await client.variablesRequest({ variablesReference: scope.variablesReference })).body.variables;
}

export async function evaluate(
  client: DebugClient,
  expression: string,
  context: 'repl' | 'hover' | 'watch' | 'clipboard' = 'repl',
): Promise<DebugProtocol.EvaluateResponse['body']> {
  const frame = await topFrame(client);
  return (await client.evaluateRequest({ expression, frameId: frame.id, context })).body;
}

/** Sends a request that resumes the program and waits for the next stop. */
export async function resumeToStop(client: DebugClient, resume: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const stopped = client.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
  await resume();
  return stopped;
}

/** Ends the session and waits for the adapter's process to exit; resolves with its exit code. */
export async function finish(client: DebugClient): Promise<number | null> {
  const process = adapterProcess(client);
  if (process.exitCode !== null) return process.exitCode;
  const exited = new Promise<number | null>((resolve) => process.once('exit', (code) => resolve(code)));
  await client.disconnectRequest({ terminateDebuggee: true }).catch(() => undefined);
  const timer = setTimeout(() => process.kill(), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

/** Resolves once the session's output of `category` so far contains `text` (DebugClient.assertOutput wants a prefix). */
export function outputContaining(client: DebugClient, category: string, text: string, timeout = TIMEOUT): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${category} output containing ${JSON.stringify(text)}; got ${JSON.stringify(seen.slice(-500))}`)), timeout);
    const listener = (event: DebugProtocol.OutputEvent) => {
      if (event.body.category !== category) return;
      seen += event.body.output;
      if (!seen.includes(text)) return;
      clearTimeout(timer);
      client.removeListener('output', listener);
      resolve(seen);
    };
    client.on('output', listener);
  });
}
