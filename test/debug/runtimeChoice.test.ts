// Which runtime and which Python: chooseRuntime and probePython against real interpreters (Debian's python3 with torch, pyenv's without, an old one), missing and broken paths.
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseRuntime, DEFAULT_PYTHON, type RuntimeDecision } from '../../src/runtime/runtimeChoice';
import { CLI_ADVICE, clearPythonProbeCache, findOnPath, probePython, type PythonProblemKind } from '../../src/runtime/pythonProbe';

const PYENV = join(homedir(), '.pyenv', 'versions');
const WITH_TORCH = '/usr/bin/python3';
const WITHOUT_TORCH = join(PYENV, '3.12.1', 'bin', 'python');
const TOO_OLD = join(PYENV, '3.8.18', 'bin', 'python');

/** The interpreter, or null after a `SKIP:` line; under CI=true a missing interpreter fails the test instead. */
function interpreter(path: string, why: string, t: { skip(message?: string): void }): string | null {
  if (existsSync(path)) return path;
  const message = `${path} is missing (${why})`;
  if (process.env.CI === 'true') assert.fail(`CI needs ${message}`);
  console.log(`SKIP: ${message}`);
  t.skip(message);
  return null;
}

/** The decision is a problem with this message, from a probe that found this kind of problem. */
function assertProblem(decision: RuntimeDecision, message: string, problemKind: PythonProblemKind): void {
  assert.equal(decision.kind, 'problem', JSON.stringify(decision));
  if (decision.kind !== 'problem') return;
  assert.equal(decision.message, message);
  assert.equal(decision.probe?.problemKind, problemKind);
  assert.equal(decision.probe?.problem, message);
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'trainloop-python-'));
}

/** A shell script standing in for an interpreter: it writes a line to `log` each time it runs, then runs `python`. */
function countingWrapper(folder: string, python: string): { path: string; runs: () => number } {
  const path = join(folder, 'python');
  const log = join(folder, 'runs.log');
  writeFileSync(path, `#!/bin/sh\necho run >> '${log}'\nexec '${python}' "$@"\n`);
  chmodSync(path, 0o755);
  return { path, runs: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0) };
}

test('auto: an interpreter with torch runs the python runtime and says why', async (t) => {
  const python = interpreter(WITH_TORCH, "Debian's python3-torch", t);
  if (!python) return;
  const decision = await chooseRuntime({ runtime: 'auto', python });
  assert.equal(decision.kind, 'python', JSON.stringify(decision));
  if (decision.kind !== 'python') return;
  assert.equal(decision.python, python);
  assert.match(decision.probe.version ?? '', /^3\.\d+\.\d+$/);
  assert.match(decision.probe.torch ?? '', /^\d+\.\d+/);
  assert.equal(decision.probe.problem, undefined);
  assert.equal(decision.reason, `${python} has Python ${decision.probe.version} and torch ${decision.probe.torch}`);
  // Same answer for "runtime": "python", and the reason says it was asked for.
  const asked = await chooseRuntime({ runtime: 'python', python });
  assert.equal(asked.kind, 'python');
  if (asked.kind === 'python') assert.match(asked.reason, /^"runtime": "python": /);
});

test('auto: an interpreter without torch falls back to the embedded runtime, naming it; python: a problem that offers the way out', async (t) => {
  const python = interpreter(WITHOUT_TORCH, "pyenv's 3.12", t);
  if (!python) return;
  const auto = await chooseRuntime({ runtime: 'auto', python });
  assert.deepEqual(auto, { kind: 'embedded', reason: `${python} has no torch: using the embedded runtime` });
  const asked = await chooseRuntime({ runtime: 'python', python });
  assertProblem(asked, `${python} (Python 3.12) has no torch: install PyTorch there, choose another interpreter, or use "runtime": "embedded".`, 'no-torch');
});

test('the command line says "no torch" in its own words', async (t) => {
  const python = interpreter(WITHOUT_TORCH, "pyenv's 3.12", t);
  if (!python) return;
  const decision = await chooseRuntime({ runtime: 'python', python, ...CLI_ADVICE });
  assertProblem(decision, `${python} (Python 3.12) has no torch: install PyTorch there, choose another interpreter, or run with --runtime embedded.`, 'no-torch');
});

test('python: an interpreter older than 3.10 is refused by name and version; auto falls back', async (t) => {
  const python = interpreter(TOO_OLD, "pyenv's 3.8", t);
  if (!python) return;
  const asked = await chooseRuntime({ runtime: 'python', python });
  assertProblem(asked, `Python 3.8 at ${python} is too old for Trainloop's python runtime: it needs 3.10 or newer.`, 'too-old');
  const auto = await chooseRuntime({ python });
  assert.deepEqual(auto, { kind: 'embedded', reason: `${python} is Python 3.8.18, older than 3.10: using the embedded runtime` });
});

test('Python 2 answers the probe too, so it is named as too old rather than broken', async (t) => {
  const python = interpreter(join(PYENV, '2.7.18', 'bin', 'python'), "pyenv's 2.7", t);
  if (!python) return;
  const probe = await probePython(python);
  assert.equal(probe.version, '2.7.18');
  assert.equal(probe.problemKind, 'too-old');
  assert.match(probe.problem ?? '', /^Python 2\.7 at .* is too old/);
});

test('a missing interpreter: a path, a name not on PATH, nothing at all', async () => {
  const missing = join(tmpdir(), 'no-such-folder', 'bin', 'python');
  assertProblem(await chooseRuntime({ runtime: 'python', python: missing }), `No Python interpreter at \`${missing}\`: set trainloop.python or the launch's "python".`, 'not-found');
  assert.deepEqual(await chooseRuntime({ runtime: 'auto', python: missing }), {
    kind: 'embedded',
    reason: `no Python interpreter at ${missing}: using the embedded runtime`,
  });
  const unknownName = await chooseRuntime({ runtime: 'python', python: 'python-that-is-not-on-path' });
  assert.equal(unknownName.kind, 'problem');
  if (unknownName.kind === 'problem') assert.match(unknownName.message, /^No Python interpreter at `python-that-is-not-on-path` \(not on PATH\)/);
  // The command line names its own options.
  const cli = await chooseRuntime({ runtime: 'python', python: missing, ...CLI_ADVICE });
  assertProblem(cli, `No Python interpreter at \`${missing}\`: pass --python PATH.`, 'not-found');
});

test('a file that is not a runnable interpreter: not executable, a folder, a program that is not Python, one that hangs', async () => {
  const folder = scratch();
  try {
    const notExecutable = join(folder, 'python');
    writeFileSync(notExecutable, '#!/usr/bin/python3\n');
    chmodSync(notExecutable, 0o644);
    const decision = await chooseRuntime({ runtime: 'python', python: notExecutable });
    assertProblem(decision, `\`${notExecutable}\` is not a runnable Python interpreter: it is not executable.`, 'not-runnable');
    if (decision.kind === 'problem') assert.equal(decision.probe?.detail, 'it is not executable');

    const asFolder = await probePython(folder);
    assert.equal(asFolder.problemKind, 'not-runnable');
    assert.match(asFolder.problem ?? '', /is a folder, not a Python interpreter/);

    const notPython = join(folder, 'not-python');
    writeFileSync(notPython, '#!/bin/sh\necho "this is not python" >&2\nexit 3\n');
    chmodSync(notPython, 0o755);
    const other = await probePython(notPython);
    assert.equal(other.problem, `\`${notPython}\` is not a runnable Python interpreter: this is not python.`);

    const hangs = join(folder, 'hangs');
    writeFileSync(hangs, '#!/bin/sh\nsleep 30 &\nwait\n');
    chmodSync(hangs, 0o755);
    const started = Date.now();
    const slow = await probePython(hangs, { timeoutMs: 300 });
    assert.ok(Date.now() - started < 3000, `answered after ${Date.now() - started} ms`);
    assert.equal(slow.problem, `\`${hangs}\` is not a runnable Python interpreter: it did not answer within 0.3 s.`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('embedded runs no interpreter; unknown runtimes and non-string paths are problems', async () => {
  assert.deepEqual(await chooseRuntime({ runtime: 'embedded', python: '/does/not/matter' }), {
    kind: 'embedded',
    reason: 'the embedded runtime was chosen ("runtime": "embedded")',
  });
  assert.deepEqual(await chooseRuntime({ runtime: 'native' }), { kind: 'problem', message: 'Unknown runtime "native": use one of auto, python, embedded.' });
  assert.deepEqual(await chooseRuntime({ runtime: 'python', python: 42 }), {
    kind: 'problem',
    message: '"python" must be the path of a Python interpreter (a string).',
  });
});

test('without a "python", auto asks python3 on PATH', async () => {
  const onPath = findOnPath(DEFAULT_PYTHON);
  const decision = await chooseRuntime({});
  if (!onPath) {
    assert.deepEqual(decision, { kind: 'embedded', reason: `no Python interpreter at ${DEFAULT_PYTHON}: using the embedded runtime` });
    return;
  }
  const probe = await probePython(DEFAULT_PYTHON);
  assert.equal(probe.resolvedPath, onPath);
  assert.equal(decision.kind, probe.problem ? 'embedded' : 'python', JSON.stringify({ decision, probe }));
  if (decision.kind === 'embedded') assert.match(decision.reason, /^python3 \(.+\) (has no torch|is Python)/);
});

test('relative and ~ paths are read against the folder given and the home folder', async (t) => {
  const python = interpreter(WITH_TORCH, "Debian's python3-torch", t);
  if (!python) return;
  const folder = scratch();
  try {
    const wrapper = countingWrapper(folder, python);
    const relative = await probePython('./python', { cwd: folder });
    assert.equal(relative.resolvedPath, wrapper.path);
    assert.equal(relative.problem, undefined);
    const home = await probePython('~/no-such-python-here');
    assert.equal(home.resolvedPath, join(homedir(), 'no-such-python-here'));
    assert.equal(home.problemKind, 'not-found');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('one run per interpreter: answers with torch are cached until the file changes, "no torch" is asked again', async (t) => {
  const withTorch = interpreter(WITH_TORCH, "Debian's python3-torch", t);
  const withoutTorch = withTorch && interpreter(WITHOUT_TORCH, "pyenv's 3.12", t);
  if (!withTorch || !withoutTorch) return;
  clearPythonProbeCache();
  const folder = scratch();
  try {
    const wrapper = countingWrapper(folder, withTorch);
    // Three callers at once share one run; a later caller gets the cached answer.
    const together = await Promise.all([probePython(wrapper.path), probePython(wrapper.path), probePython(wrapper.path)]);
    assert.ok(together.every((p) => p.torch && !p.problem));
    assert.equal(wrapper.runs(), 1);
    const started = performance.now();
    const again = await probePython(wrapper.path);
    const cachedMs = performance.now() - started;
    assert.equal(again.torch, together[0].torch);
    assert.equal(wrapper.runs(), 1);
    assert.ok(cachedMs < 20, `cached probe took ${cachedMs.toFixed(1)} ms`);

    // The interpreter changes (here: the wrapper now runs one without torch, with a new mtime): asked again.
    writeFileSync(wrapper.path, readFileSync(wrapper.path, 'utf8').replace(withTorch, withoutTorch));
    const later = new Date(Date.now() + 5000);
    utimesSync(wrapper.path, later, later);
    const changed = await probePython(wrapper.path);
    assert.equal(wrapper.runs(), 2);
    assert.equal(changed.problemKind, 'no-torch');
    // "No torch" is not kept: the user may install torch without touching the interpreter.
    await probePython(wrapper.path);
    assert.equal(wrapper.runs(), 3);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('trainloop run: --runtime and --python are checked before anything runs', () => {
  const repo = join(__dirname, '..', '..');
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'src', 'cli', 'main.ts'), 'run', 'script.py', ...args], { cwd: repo, encoding: 'utf8' });
  const cases: Array<[string[], string]> = [
    [['--runtime', 'native'], '--runtime takes one of auto, python, embedded'],
    [['--runtime', 'embedded', '--python', '/usr/bin/python3'], '--python has no effect with --runtime embedded'],
    [['--python'], '--python needs a value'],
    [['--python', ' '], '--python takes the path of a Python interpreter'],
  ];
  for (const [args, message] of cases) {
    const result = run(...args);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.ok(result.stderr.startsWith(`trainloop: ${message}\nusage:`), result.stderr);
    assert.match(result.stderr, /--runtime embedded\|python\|auto\] \[--python PATH\]/);
  }
});
