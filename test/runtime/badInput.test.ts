// Bad input to the runtime: each gets a clear message at the user's line, and the host process lives on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runPython, REPO, CLI } from '../support/runtimeCli';
import { EmbeddedRuntime } from '../../src/runtime/embeddedRuntime';
import { closedPortUrl } from '../support/closedPort';

test('a syntax error is reported as Python reports it, with the line, and exit status 1', () => {
  const run = runPython('import torch\nx = torch.ones(2\nprint(x)\n');
  assert.equal(run.status, 1);
  assert.match(run.stderr, /File ".*script\.py", line 2/);
  assert.match(run.stderr, /SyntaxError/);
});

test('an exception inside train() prints a traceback through the user lines and exits 1', () => {
  const run = runPython(
    ['import torch', 'def train():', '    x = torch.ones(2, 3)', '    return x @ torch.ones(4, 5)', 'train()', ''].join('\n'),
  );
  assert.equal(run.status, 1);
  assert.match(run.stderr, /line 5, in <module>/);
  assert.match(run.stderr, /line 4, in train/);
  assert.match(run.stderr, /RuntimeError: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)/);
  assert.doesNotMatch(run.stderr, /trainloop_agent/, 'the agent frames stay hidden');
});

test('an unsupported torch API raises NotImplementedError naming it, at the user line', async () => {
  const run = runPython('import torch\nx = torch.ones(3, 3)\nu, s, v = torch.linalg.svd(x)\n');
  assert.equal(run.status, 1);
  assert.match(run.stderr, /line 3, in <module>/);
  assert.match(run.stderr, /NotImplementedError: torch\.linalg\.svd is not supported by the Trainloop runtime/);
  // A package index that refuses connections: what an offline machine sees, even where Pyodide's index is reachable.
  const offline = ['--package-index', await closedPortUrl()];
  const method = runPython('import torch\nx = torch.ones(3, requires_grad=True)\n\nx.detach().numpy()\n', { cliArgs: offline });
  assert.equal(method.status, 1);
  assert.match(method.stderr, /line 4, in <module>/);
  // NumPy is Pyodide's, fetched at first use: offline (as here), one message naming it, the mirror setting, the python runtime.
  assert.match(method.stderr, /ModuleNotFoundError: No module named 'numpy': .*trainloop\.packageIndex.*"runtime": "python"/);
});

test('SystemExit passes its status through; stdout is passed through unchanged', () => {
  const run = runPython('import sys\nprint("partial", end="")\nprint(" line")\nsys.exit(3)\n');
  assert.equal(run.status, 3);
  assert.equal(run.stdout, 'partial line\n');
  assert.deepEqual(run.events.at(-1), { event: 'exit', code: 3 });
});

test('a missing script is a clear error, not a crash', () => {
  const result = spawnSync(process.execPath, [CLI, 'run', join(tmpdir(), 'no-such-script.py')], { encoding: 'utf8' });
  assert.equal(result.status, 2);
  assert.match(result.stderr, /can't open file '.*no-such-script\.py': No such file or directory/);
});

/** Starts `script` under a runtime and waits until it prints "started". */
async function startUntilStarted(script: string) {
  const runtime = new EmbeddedRuntime();
  let text = '';
  runtime.on('output', (_stream, chunk) => (text += chunk));
  const exited = runtime.start({ program: script, distDir: join(REPO, 'dist') });
  await new Promise<void>((resolve) => {
    const check = () => (text.includes('started') ? resolve() : setTimeout(check, 20));
    check();
  });
  return { runtime, exited, output: () => text };
}

test('a script that never ends is stopped from the host within a second, and the host lives on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trainloop-test-'));
  const script = join(dir, 'forever.py');
  writeFileSync(script, 'import torch\nx = torch.ones(8)\nprint("started", flush=True)\nwhile True:\n    x = x * 1.0\n');
  const { runtime, output, exited } = await startUntilStarted(script);
  const asked = Date.now();
  const code = await runtime.stop();
  const tookMs = Date.now() - asked;
  assert.equal(code, 130, 'KeyboardInterrupt ends the script with status 130');
  assert.ok(tookMs < 1000, `stopped in ${tookMs} ms`);
  assert.match(output(), /KeyboardInterrupt/);
  assert.equal(await exited, 130);
  assert.equal(runtime.running, false);
});

test('a stop that lands inside a __del__ (where Python drops exceptions) still ends the script at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trainloop-test-'));
  const script = join(dir, 'finalizers.py');
  // Half the time in a __del__, as a loop of tensor ops spends part of its time in Tensor.__del__.
  writeFileSync(script, [
    'import time',
    'class Slow:',
    '    def __del__(self):',
    '        end = time.perf_counter() + 0.005',
    '        while time.perf_counter() < end: pass',
    'print("started", flush=True)',
    'while True:',
    '    s = Slow()',
    '    end = time.perf_counter() + 0.005',
    '    while time.perf_counter() < end: pass',
  ].join('\n'));
  for (let attempt = 0; attempt < 4; attempt++) {
    const { runtime, output, exited } = await startUntilStarted(script);
    await new Promise((resolve) => setTimeout(resolve, 50 + attempt * 37));
    assert.equal(await runtime.stop(), 130, `attempt ${attempt}: KeyboardInterrupt, not the worker terminated`);
    assert.doesNotMatch(output(), /Exception ignored/);
    await exited;
  }
});
