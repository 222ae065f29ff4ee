// The tensorflow backend (tfjs-node): the quickstart's model trains on it with no TensorFlow lines on stderr, it is found
// in `npm run setup:tensorflow`'s build and in a user's own install, `auto` prefers the GPU build, bad installs are named,
// and `--threads` sets its compute threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNativeBindings } from '../../src/runtime/nativeBindings';
import { CLI, runPython, runScriptFile } from '../support/runtimeCli';
import { skipWithoutTensorflow, TFJS_NODE_BUILD } from '../support/tensorflowBackend';

/** The quickstart's MLP on the real Fashion-MNIST, at a learning rate that shows progress within a few batches. */
const TRAINING = `
import json
import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import ToTensor
from torch._engine import E

torch.manual_seed(0)
data = datasets.FashionMNIST(root="data", train=True, download=True, transform=ToTensor())
loader = DataLoader(data, batch_size=64)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
losses = []
for batch, (X, y) in enumerate(loader):
    loss = loss_fn(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if batch == 29:
        break
print(json.dumps({"backend": E.backend_name(), "losses": losses}))
`;

const BACKEND_REPORT = 'from torch._engine import E\nprint(E.backend_name())\n';

/** What TensorFlow prints on stderr at startup unless told not to (TF 2.21: absl's notice, oneDNN, CPU features). */
const TENSORFLOW_BANNER = /absl::InitializeLog|oneDNN|cpu_feature_guard|This TensorFlow binary/;

// The CLI runs inherit this environment: without NODE_PATH, the runtime must find tfjs-node by itself.
delete process.env.NODE_PATH;

test('the quickstart MLP trains a few batches on the tensorflow backend; no TensorFlow lines reach stderr', { timeout: 300_000 }, (t) => {
  const skip = skipWithoutTensorflow('training');
  if (skip) return t.skip(skip);
  const run = runPython(TRAINING, { name: 'train.py', cliArgs: ['--backend', 'tensorflow'] });
  assert.equal(run.status, 0, run.stderr);
  const { backend, losses } = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { backend: string; losses: number[] };
  assert.equal(backend, 'tensorflow');
  assert.equal(losses.length, 30);
  assert.ok(losses.every(Number.isFinite), `finite losses: ${losses}`);
  assert.ok(Math.abs(losses[0] - Math.log(10)) < 0.1, `an untrained 10-class model starts near ln(10): ${losses[0]}`);
  const lastFive = losses.slice(-5).reduce((sum, loss) => sum + loss, 0) / 5;
  assert.ok(lastFive < losses[0] - 0.5, `30 batches at lr 0.1 bring the loss down: ${losses[0]} -> ${lastFive}`);
  assert.equal(run.events.filter((event) => event.event === 'batch').length, 30, 'one batch event per training batch');
  assert.doesNotMatch(run.stderr, TENSORFLOW_BANNER);
  assert.equal(run.stderr, '', 'nothing else on stderr either');
});

test("auto uses a user's own tfjs-node in the script's folder, and leaves the setup's build alone", { timeout: 300_000 }, (t) => {
  const skip = skipWithoutTensorflow("a user's own install");
  if (skip) return t.skip(skip);
  // A user's `npm install @tensorflow/tfjs-node` in the script's folder (linked to the setup's build: the same package).
  const project = mkdtempSync(join(tmpdir(), 'trainloop-tfjs-node-'));
  mkdirSync(join(project, 'node_modules', '@tensorflow'), { recursive: true });
  symlinkSync(TFJS_NODE_BUILD, join(project, 'node_modules', '@tensorflow', 'tfjs-node'), 'dir');
  writeFileSync(join(project, 'report.py'), BACKEND_REPORT);
  const installed = runScriptFile(join(project, 'report.py'), { dir: project });
  assert.equal(installed.status, 0, installed.stderr);
  assert.equal(installed.stdout.trim(), 'tensorflow');
  assert.doesNotMatch(installed.stderr, TENSORFLOW_BANNER);

  const elsewhere = runPython(BACKEND_REPORT, { name: 'report.py' });
  assert.equal(elsewhere.status, 0, elsewhere.stderr);
  assert.equal(elsewhere.stdout.trim(), 'wasm', 'without an install of its own, auto stays on wasm');
});

/** Writes a stand-in package `name` (package.json and an index.js with `main`) under folder/node_modules. */
function fakePackage(folder: string, name: string, main = 'module.exports = {};\n'): void {
  const dir = join(folder, 'node_modules', ...name.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '9.9.9', main: 'index.js' }));
  writeFileSync(join(dir, 'index.js'), main);
}

test('auto picks tfjs-node-gpu ahead of tfjs-node, wherever each is installed', () => {
  const scriptFolder = mkdtempSync(join(tmpdir(), 'trainloop-native-'));
  const nodePath = mkdtempSync(join(tmpdir(), 'trainloop-native-'));
  assert.equal(findNativeBindings([scriptFolder, nodePath]), null);
  fakePackage(scriptFolder, '@tensorflow/tfjs-node');
  assert.deepEqual(findNativeBindings([scriptFolder, nodePath]), {
    name: '@tensorflow/tfjs-node',
    dir: join(scriptFolder, 'node_modules', '@tensorflow', 'tfjs-node'),
    version: '9.9.9',
  });
  fakePackage(nodePath, '@tensorflow/tfjs-node-gpu');
  assert.equal(findNativeBindings([scriptFolder, nodePath])?.name, '@tensorflow/tfjs-node-gpu');
  assert.equal(findNativeBindings([scriptFolder, nodePath])?.dir, join(nodePath, 'node_modules', '@tensorflow', 'tfjs-node-gpu'));
});

test('a tfjs-node that fails to load: named in the error of --backend tensorflow, a warning and wasm under auto', { timeout: 300_000 }, () => {
  const project = mkdtempSync(join(tmpdir(), 'trainloop-broken-'));
  fakePackage(project, '@tensorflow/tfjs-node', "throw new Error('libtensorflow.so.2: cannot open shared object file');\n");
  writeFileSync(join(project, 'report.py'), BACKEND_REPORT);

  const asked = runScriptFile(join(project, 'report.py'), { dir: project, cliArgs: ['--backend', 'tensorflow'] });
  assert.notEqual(asked.status, 0);
  assert.match(asked.stderr, /backend "tensorflow": @tensorflow\/tfjs-node 9\.9\.9 \(.*trainloop-broken-.*\) failed to load: libtensorflow\.so\.2: cannot open shared object file/);

  const auto = runScriptFile(join(project, 'report.py'), { dir: project });
  assert.equal(auto.status, 0, auto.stderr);
  assert.equal(auto.stdout.trim(), 'wasm');
  assert.match(auto.stderr, /^trainloop: @tensorflow\/tfjs-node 9\.9\.9 .* failed to load: libtensorflow\.so\.2: cannot open shared object file; using the wasm backend$/m);
});

/** Threads of a running process (Linux: one /proc entry each). */
function threadCount(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).length;
}

/**
 * Starts the CLI on a script that computes until killed, on the tensorflow backend with `threads` threads; resolves
 * with the process's thread count once TensorFlow has run its first product.
 */
function threadsWhileComputing(threads: number): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), 'trainloop-tf-threads-'));
  const script = join(folder, 'compute.py');
  writeFileSync(script, 'import torch\na = torch.rand(256, 256)\nprint((a @ a).sum().item() > 0, flush=True)\nwhile True:\n    a = (a @ a) / 256\n');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', script, '--backend', 'tensorflow', '--threads', String(threads)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      if (!text.includes('True')) return;
      const count = threadCount(child.pid!);
      child.kill('SIGKILL');
      resolve(count);
    });
    child.on('close', (code) => reject(new Error(`the run ended before computing (${code}):\n${stderr.slice(-2000)}`)));
  });
}

test('--threads sets TensorFlow\'s compute threads (TF_NUM_INTRAOP_THREADS), as it sets the wasm backend\'s', { timeout: 300_000 }, async (t) => {
  const skip = skipWithoutTensorflow('thread count') ?? (existsSync('/proc/self/task') ? undefined : 'no /proc to count threads in');
  if (skip) return t.skip(skip);
  const [one, three] = [await threadsWhileComputing(1), await threadsWhileComputing(3)];
  assert.equal(three - one, 2, `2 more threads with --threads 3 than with --threads 1 (${three} vs ${one})`);
});
