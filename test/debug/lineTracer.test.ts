// The debugger's line tracer under each CPython the native runtime supports: sys.settrace on 3.10/3.11 (Debian's
// /usr/bin/python3 and pyenv's 3.10), sys.monitoring on 3.12/3.13. A Python driver runs it with a stand-in session
// over a user program (fixtures/traced_program.py, lines named by `# mark:` comments) and prints what it saw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const AGENT = join(__dirname, '../../src/runtime/python/agent');
const DRIVER = join(__dirname, 'fixtures', 'line_tracer_driver.py');
const PROGRAM = join(__dirname, 'fixtures', 'traced_program.py');
const HOOKS_CHECK = join(__dirname, 'fixtures', 'line_hooks_check.py');

/** Line numbers of the program's `# mark: NAME` lines. */
const mark: Record<string, number> = {};
readFileSync(PROGRAM, 'utf8').split('\n').forEach((text, index) => {
  const found = / # mark: (\S+)/.exec(text);
  if (found) mark[found[1]] = index + 1;
});

/** The interpreters under test: Debian's python3, and pyenv's newest of each minor version. */
function interpreters(): { name: string; path: string | undefined; settrace: boolean }[] {
  const pyenv = join(homedir(), '.pyenv', 'versions');
  const newest = (minor: string) => {
    if (!existsSync(pyenv)) return undefined;
    const versions = readdirSync(pyenv).filter((name) => name.startsWith(`3.${minor}.`))
      .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
    const path = versions.length ? join(pyenv, versions[versions.length - 1], 'bin', 'python') : undefined;
    return path && existsSync(path) ? path : undefined;
  };
  return [
    { name: 'Debian /usr/bin/python3 (3.11)', path: existsSync('/usr/bin/python3') ? '/usr/bin/python3' : undefined, settrace: true },
    { name: 'pyenv 3.10', path: newest('10'), settrace: true },
    { name: 'pyenv 3.12', path: newest('12'), settrace: false },
    { name: 'pyenv 3.13', path: newest('13'), settrace: false },
  ];
}

type Stop = [reason: string, func: string, line: number, onMainThread: boolean];
interface Scenario {
  scenario: string;
  stops: Stop[];
  [fact: string]: unknown;
}

function runDriver(python: string): Map<string, Scenario> {
  const run = spawnSync(python, [DRIVER, AGENT], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, `the driver failed under ${python}:\n${run.stderr}`);
  assert.equal(run.stderr, '', 'nothing on stderr (no internal error of the tracer)');
  const scenarios = new Map<string, Scenario>();
  for (const line of run.stdout.trim().split('\n')) {
    const scenario = JSON.parse(line) as Scenario;
    scenarios.set(scenario.scenario, scenario);
  }
  return scenarios;
}

for (const { name, path, settrace } of interpreters()) {
  test(`line tracer under ${name}`, { timeout: 60_000 }, (t) => {
    if (!path) {
      assert.notEqual(process.env.CI, 'true', `CI needs ${name}`);
      console.log(`SKIP: ${name} is not installed`);
      t.skip(`${name} is not installed`);
      return;
    }
    const seen = runDriver(path);
    const scenario = (title: string) => {
      const found = seen.get(title);
      assert.ok(found, `the driver ran "${title}"`);
      return found;
    };
    const stopsOf = (title: string) => scenario(title).stops.map(([reason, func, line]) => `${reason} ${func}:${line}`);

    const start = scenario('start');
    assert.equal(start.tracer, settrace ? 'SettraceLineTracer' : 'MonitoringLineTracer');
    assert.equal(start.script_ends, 1, 'the script\'s end is told once');
    assert.deepEqual(start.uncaught, []);
    const userFiles = start.user_files as Record<string, boolean | null>;
    assert.equal(userFiles.program, true);
    assert.equal(userFiles.json, false, 'the standard library is not user code');
    assert.equal(userFiles.string, false, '<string> is not user code');
    if (userFiles.torch !== null) assert.equal(userFiles.torch, false, 'torch (site-packages, or Debian\'s dist-packages) is not user code');

    const untraced = { global: false, frame: false };
    assert.deepEqual(scenario('idle').probe, untraced, 'no breakpoints: nothing traced at all');
    // A breakpoint elsewhere: on 3.10/3.11 a hook in that function's code, no trace function.
    assert.deepEqual(scenario('breakpoint elsewhere').probe, untraced);
    assert.deepEqual(stopsOf('breakpoint elsewhere'), [`breakpoint never_called:${mark.never}`]);
    assert.deepEqual(stopsOf('breakpoint behind a false condition'), []);
    assert.equal(scenario('breakpoint behind a false condition').result, 499500);

    assert.deepEqual(stopsOf('breakpoint'), [`breakpoint inner:${mark['inner-1']}`, `breakpoint inner:${mark['inner-1']}`]);
    assert.deepEqual(stopsOf('step over, into, out of a return'), [
      `breakpoint outer:${mark['outer-1']}`,
      `step outer:${mark['outer-2']}`, // over inner(1)
      `step inner:${mark['inner-1']}`, // into inner(a)
      `step inner:${mark['inner-2']}`,
      `step outer:${mark['outer-2']}`, // over `return y`: back on the calling line
      `step outer:${mark['outer-3']}`,
    ]);
    assert.equal(scenario('step over, into, out of a return').result, 5, 'stepping leaves the program\'s results alone');
    assert.deepEqual(scenario('step over, into, out of a return').probe, { global: false, frame: false },
      'continuing with no breakpoints left stops tracing at once');
    assert.deepEqual(stopsOf('step out'), [
      `breakpoint inner:${mark['inner-1']}`,
      `step outer:${mark['outer-1']}`,
      `breakpoint inner:${mark['inner-1']}`,
    ]);
    assert.deepEqual(stopsOf('library frames'), [
      `breakpoint encode:${mark['encode-call']}`,
      `step describe:${mark.describe}`, // into json.dumps' default= callback, past json's own frames
      `step encode:${mark['encode-call']}`, // out of it, past json's frames again
      `step encode:${mark['encode-return']}`,
    ]);

    const fork = scenario('fork');
    assert.deepEqual(fork.child, { stops: 0, ended: true, forked_child: true, global_trace: false },
      'the forked child neither traces nor stops, and its session is ended and handed off');
    assert.deepEqual(stopsOf('fork'), [`breakpoint in_child:${mark.child}`], 'the parent still stops there');

    assert.deepEqual(scenario('thread').seen, ['ran', 'ran']);
    assert.deepEqual(scenario('thread').stops, [['breakpoint', 'in_thread', mark.thread, true]], 'only the main thread stops');

    const added = scenario('breakpoint added while running');
    assert.deepEqual(stopsOf('breakpoint added while running'), [`breakpoint spin:${mark.spin}`]);
    assert.equal((added.result as { stopped_by_flag: boolean }).stopped_by_flag, true, 'the loop ended by the stop, not its deadline');

    const before = scenario('breakpoints before the script runs');
    assert.deepEqual(stopsOf('breakpoints before the script runs'), Array(3).fill(`breakpoint <module>:${mark['module-loop']}`));
    assert.deepEqual(before.probes, [untraced, untraced, untraced], 'a module-level breakpoint set before the run needs no tracing');
    assert.deepEqual(stopsOf('breakpoint added while stopped'), [
      `breakpoint outer:${mark['outer-1']}`,
      `breakpoint inner:${mark['inner-2']}`, // set at the first stop, in a function made before
      `breakpoint inner:${mark['inner-2']}`,
    ]);
    assert.deepEqual(scenario('breakpoint added while stopped').probe, untraced);
    assert.deepEqual(stopsOf('breakpoint added in a closure made by a running loop'),
      [`breakpoint closure:${mark.closure}`, `breakpoint closure:${mark.closure}`],
      'closures made by the running loop after the breakpoint was set stop');
    assert.deepEqual(scenario('breakpoint added in a closure made by a running loop').result, [0, 2, 4]);
    assert.deepEqual(scenario('after the loop').probe, untraced, 'tracing ends with the loop that needed it');
    assert.deepEqual(scenario('after the loop').functions_with_hooks, [], 'hooks go with their breakpoints');

    assert.deepEqual(scenario('raised').raises, [['fails', mark.raise], ['catches', mark.catch]]);
    assert.equal(scenario('raised').result, 'caught');
    assert.deepEqual(scenario('uncaught').uncaught, [['RuntimeError', '<module>']], 'an uncaught exception is told once');
    assert.equal(scenario('uncaught').script_ends, 1);
    assert.deepEqual(scenario('stopped').probe, { global: false, frame: false });
  });
}

// 3.10/3.11 take breakpoints through hooks compiled into the user's code (line_hooks.py), not a trace function: a hook
// on every line of every code object of a program full of Python constructs fires exactly where, and as often as,
// the interpreter's own 'line' events do, and the program's results do not change.
for (const { name, path, settrace } of interpreters()) {
  test(`breakpoint hooks match line events under ${name}`, { timeout: 60_000 }, (t) => {
    if (!path) {
      assert.notEqual(process.env.CI, 'true', `CI needs ${name}`);
      console.log(`SKIP: ${name} is not installed`);
      t.skip(`${name} is not installed`);
      return;
    }
    const run = spawnSync(path, [HOOKS_CHECK, AGENT], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 0, run.stderr);
    const check = JSON.parse(run.stdout) as { supported: boolean; refused: string[]; same_result: boolean; line_events: number; hook_calls: number; first_difference: number | null; around_difference: unknown };
    assert.equal(check.supported, settrace, 'hooks on 3.10 and 3.11 only (sys.monitoring from 3.12)');
    if (!settrace) return;
    assert.deepEqual(check.refused, [], 'every code object takes hooks');
    assert.equal(check.same_result, true, 'the hooked program computes what the plain one does');
    assert.equal(check.first_difference, null, `hooks and line events part ways: ${JSON.stringify(check.around_difference)}`);
    assert.equal(check.hook_calls, check.line_events);
  });
}
