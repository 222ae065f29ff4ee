// The python runtime through the standalone adapter, where it differs from the embedded one: forked DataLoader
// workers, a script's own SIGINT handler, other threads, the process group on stop, a killed child, and the answers to
// a missing, old or torch-less interpreter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { interpreterPath } from '../support/pythonInterpreters';
import { DEBIAN_PYTHON, RUNTIMES_UNDER_TEST, adapterProcess, finish, fixture, outputContaining, launch, launchToStop, resumeToStop, startClient, topFrame, evaluate, TIMEOUT } from './adapterClient';

const PYTHON = RUNTIMES_UNDER_TEST.find((runtime) => runtime.launch.runtime === 'python')!;
const options = { timeout: TIMEOUT * 2, skip: PYTHON.skip };
const LOADER = fixture('native/loader_workers.py');

/** The processes whose process group is `group` (the script and everything it started). */
function processGroup(group: number): number[] {
  const members: number[] = [];
  for (const entry of readdirProc()) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[2]) === group) members.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return members;
}

function readdirProc(): string[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
}

/** pyenv's CPython 3.8, when installed: too old for the python runtime. */
function oldPython(): string | undefined {
  const versions = join(homedir(), '.pyenv', 'versions');
  const found = existsSync(versions) ? readdirSync(versions).filter((name) => name.startsWith('3.8.')).sort() : [];
  return found.length ? join(versions, found[found.length - 1], 'bin', 'python') : undefined;
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return condition();
}

/** The script's pid, from its own `parent <pid>` line. */
function pidFrom(output: string): number {
  return Number(/parent (\d+)/.exec(output)?.[1]);
}

test('python: DataLoader workers (forked) never stop at a breakpoint; the parent stops in its loop and the run ends', options, async () => {
  const client = await startClient(PYTHON);
  try {
    const stopped = await launchToStop(client, LOADER, [{ line: 15 }, { line: 24 }], PYTHON.launch);
    assert.equal(stopped.body.reason, 'breakpoint');
    assert.equal((await topFrame(client)).line, 24, 'the stop is in the parent, not in a worker');
    await client.setBreakpointsRequest({ source: { path: LOADER }, breakpoints: [{ line: 15 }] });
    const output = outputContaining(client, 'stdout', 'total 85344.0');
    const ended = client.waitForEvent('terminated');
    await client.continueRequest({ threadId: 1 });
    await output;
    await ended;
  } finally {
    await finish(client);
  }
});

test('python: terminate ends the script and its DataLoader workers within a second and a half', options, async () => {
  const client = await startClient(PYTHON);
  try {
    const up = outputContaining(client, 'stdout', 'workers up');
    await launch(client, LOADER, [], { ...PYTHON.launch, args: ['linger'] });
    const group = pidFrom(await up);
    assert.ok(processGroup(group).length >= 3, `the script and its two workers run (group ${group}: ${processGroup(group).join(', ')})`);
    const started = Date.now();
    await client.terminateRequest({});
    assert.ok(await until(() => processGroup(group).length === 0, 3000), `left running: ${processGroup(group).join(', ')}`);
    assert.ok(Date.now() - started < 1500, `everything ended ${Date.now() - started} ms after terminate`);
  } finally {
    await finish(client);
  }
});

test("python: pause works in a script that installed its own SIGINT handler", options, async () => {
  const client = await startClient(PYTHON);
  try {
    const looping = outputContaining(client, 'stdout', 'looping');
    await launch(client, fixture('native/own_sigint_handler.py'), [], PYTHON.launch);
    await looping;
    const started = Date.now();
    const stopped = await resumeToStop(client, () => client.pauseRequest({ threadId: 1 }));
    assert.equal(stopped.body.reason, 'pause');
    assert.ok(Date.now() - started < 1000, `paused in ${Date.now() - started} ms`);
    assert.equal((await evaluate(client, 'interrupts')).result, '[]', "the script's handler never saw the pause");
  } finally {
    await finish(client);
  }
});

test('python: only the main thread stops at a breakpoint', options, async () => {
  const client = await startClient(PYTHON);
  const program = fixture('native/other_thread.py');
  try {
    const stopped = await launchToStop(client, program, [{ line: 9 }], PYTHON.launch);
    assert.equal(stopped.body.reason, 'breakpoint');
    assert.equal((await evaluate(client, 'label')).result, "'main'", 'the helper thread ran through 200 times without stopping');
    assert.equal((await evaluate(client, 'len(seen)')).result, '200');
  } finally {
    await finish(client);
  }
});

test('python: a child killed with -9 mid-batch ends the session with its status; the adapter lives on', options, async () => {
  const client = await startClient(PYTHON);
  try {
    const exited = client.waitForEvent('exited') as Promise<DebugProtocol.ExitedEvent>;
    const terminated = client.waitForEvent('terminated'); // sent right after exited: wait for both from the start
    const training = outputContaining(client, 'stdout', '\n');
    await launch(client, fixture('native/slow_batches.py'), [], PYTHON.launch);
    const pid = Number(/training (\d+)/.exec(await training)?.[1]);
    assert.ok(pid > 0, 'the script printed its pid');
    process.kill(pid, 'SIGKILL');
    assert.equal((await exited).body.exitCode, 137);
    await terminated;
    assert.equal(adapterProcess(client).exitCode, null, 'the adapter is still running');
  } finally {
    await finish(client);
  }
});

test('python: bad interpreters get one clear answer each, and no session starts', options, async () => {
  const cases: Array<{ python: string; expect: RegExp }> = [
    { python: '/no/such/python3', expect: /No Python interpreter at .*\/no\/such\/python3/ },
    { python: __filename, expect: /does not run as a Python interpreter|not executable|cannot run/i },
  ];
  const old = oldPython();
  if (old) cases.push({ python: old, expect: /Python 3\.8.* too old .* 3\.10 or newer/ });
  const torchless = interpreterPath('py312');
  if (torchless) cases.push({ python: torchless, expect: /has no torch: .*"runtime": "embedded"/ });
  for (const { python, expect } of cases) {
    const client = await startClient(PYTHON);
    try {
      await client.initializeRequest();
      await assert.rejects(
        client.launchRequest({ program: fixture('counting.py'), runtime: 'python', python } as DebugProtocol.LaunchRequestArguments),
        expect,
        python,
      );
    } finally {
      await finish(client);
    }
  }
});

test('python: a syntax error is answered at its line, as on the embedded runtime', options, async () => {
  const client = await startClient(PYTHON);
  try {
    await client.initializeRequest();
    await assert.rejects(
      client.launchRequest({ program: fixture('syntax_error.py'), runtime: 'python', python: DEBIAN_PYTHON } as DebugProtocol.LaunchRequestArguments),
      /SyntaxError: .*\(syntax_error\.py, line 3\)/,
    );
  } finally {
    await finish(client);
  }
});
