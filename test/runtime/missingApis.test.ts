// APIs older and numpy-minded scripts use (issue 15, item 4): numpy-style reduction arguments, empty reductions and
// prod's gradient, torch.autograd.Variable, torch.set_default_device, float64 draws, optim.LBFGS, torchvision.models.
// Each script runs on the embedded runtime (dist/cli.js) and, where values matter, on real PyTorch; outputs compared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runPython, runScriptFile } from '../support/runtimeCli';
import { requireOrSkip } from '../support/pythonInterpreters';
import { assertClose } from '../support/closeValues';

const FIXTURES = join(__dirname, 'fixtures');

function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

/** Runs a fixture with real PyTorch (the given interpreter): its JSON. */
function runReal(python: string, fixture: string, args: string[] = []): Record<string, unknown> {
  const run = spawnSync(python, [join(FIXTURES, fixture), ...args], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(run.status, 0, `real PyTorch: ${run.stderr}`);
  return lastJson(run.stdout);
}

/** Runs a fixture on the embedded runtime with a backend: its JSON. */
function runEmbedded(fixture: string, backend = 'wasm', args: string[] = [], timeoutMs = 300_000): Record<string, unknown> {
  const run = runScriptFile(join(FIXTURES, fixture), { cliArgs: ['--backend', backend, '--disable-detectors', 'all', ...(args.length ? ['--', ...args] : [])], timeoutMs });
  assert.equal(run.status, 0, `runtime (${backend}): ${run.stderr}`);
  return lastJson(run.stdout);
}

for (const backend of ['wasm', 'cpu']) {
  test(`axis/keepdims on reductions, empty sums and products, and prod's gradient match PyTorch 1.13 (${backend})`, { timeout: 600_000 }, (t) => {
    const python = requireOrSkip('debianTorch');
    if (!python.path) return t.skip(python.skip || undefined);
    const real = runReal(python.path, 'numpy_style_reductions.py');
    const runtime = runEmbedded('numpy_style_reductions.py', backend);
    assertClose(runtime, real);
    // The bugs this guards: a sum of nothing was 3.6e-41 on wasm, a product of nothing 0, and prod(dim).backward()
    // threw a JavaScript TypeError.
    assert.deepEqual(runtime['empty sum torch.float32'], ['torch.float32', [], 0]);
    assert.deepEqual(runtime['tuple prod torch.float32'], ['torch.float32', [], 1]);
    assert.deepEqual(runtime['prod dim grad grid'], ['torch.float32', [2, 3], [[-6, 4.5, -3], [6, 48, -4]]]);
  });
}

test('torch.autograd.Variable gives a detached tensor, isinstance holds for tensors, volatile warns as PyTorch 1.13', { timeout: 300_000 }, (t) => {
  const python = requireOrSkip('debianTorch');
  if (!python.path) return t.skip(python.skip || undefined);
  assert.deepEqual(runEmbedded('legacy_variable.py'), runReal(python.path, 'legacy_variable.py'));
});

const DEFAULT_DEVICE = `
import json, torch
out = {}
torch.set_default_device("cpu")
out["cpu"] = [repr(torch.get_default_device()), str(torch.zeros(2).device)]
torch.set_default_device("cpu:0")
out["cpu:0"] = repr(torch.get_default_device())
torch.set_default_device(torch.device("cpu"))
out["device"] = repr(torch.get_default_device())
torch.set_default_device(None)
out["none"] = repr(torch.get_default_device())
for bad in ("gpu", 1.5):
    try:
        torch.set_default_device(bad)
    except Exception as e:
        out[str(bad)] = type(e).__name__
print(json.dumps(out))
`;

test('torch.set_default_device("cpu") and get_default_device behave as in PyTorch 2', { timeout: 300_000 }, (t) => {
  const python = requireOrSkip('torch2');
  if (!python.path) return t.skip(python.skip || undefined);
  const real = spawnSync(python.path, ['-c', DEFAULT_DEVICE], { encoding: 'utf8' });
  assert.equal(real.status, 0, real.stderr);
  const runtime = runPython(DEFAULT_DEVICE);
  assert.equal(runtime.status, 0, runtime.stderr);
  assert.deepEqual(lastJson(runtime.stdout), lastJson(real.stdout));
});

for (const device of ['cuda', 'mps']) {
  test(`torch.set_default_device("${device}") says the embedded runtime has no GPU and names the python runtime, at the user line`, { timeout: 120_000 }, () => {
    const run = runPython(`import torch\nmodel = torch.nn.Linear(2, 2)\n\ntorch.set_default_device("${device}")\n`);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /script\.py", line 4, in <module>/);
    assert.match(run.stderr, new RegExp(`RuntimeError: torch\\.set_default_device\\('${device}'\\): the Trainloop embedded runtime has no GPU; its tensors are on the CPU\\. Use 'cpu', or, to train on your GPU, run the script with your own Python and PyTorch: launch attribute "runtime": "python", or trainloop run --runtime python`));
    assert.equal(run.stderr.match(/^\w+Error: /gm)?.length, 1, run.stderr);
  });
}

test("seeded float64 rand/randn/normal draw PyTorch 1.13's doubles (kept in float32: within 2^-24) and move the stream as it does", { timeout: 300_000 }, (t) => {
  const python = requireOrSkip('debianTorch');
  if (!python.path) return t.skip(python.skip || undefined);
  const real = runReal(python.path, 'float64_draws.py');
  const runtime = runEmbedded('float64_draws.py');
  assert.deepEqual(Object.keys(runtime).sort(), Object.keys(real).sort());
  let worst = 0;
  for (const [label, values] of Object.entries(real)) {
    if (label.startsWith('dtypes')) {
      assert.deepEqual(runtime[label], values);
      continue;
    }
    (values as number[]).forEach((value, i) => {
      const mine = (runtime[label] as number[])[i];
      worst = Math.max(worst, Math.abs(mine - value) / Math.abs(value));
      assert.equal(mine, Math.fround(value), `${label}[${i}]: ${mine} vs PyTorch's ${value} rounded to float32`);
    });
  }
  assert.ok(worst <= 2 ** -24, `worst relative difference ${worst}`);
});

test('optim.LBFGS takes the steps of PyTorch 1.13 (closure, history_size, max_iter, lr, strong_wolfe) to 1e-4', { timeout: 300_000 }, (t) => {
  const python = requireOrSkip('debianTorch');
  if (!python.path) return t.skip(python.skip || undefined);
  const real = runReal(python.path, 'lbfgs_regression.py');
  const runtime = runEmbedded('lbfgs_regression.py');
  assertClose(runtime, real, 1e-4);
  // The same number of closure calls and iterations: the line search and the stopping rules decided alike.
  for (const run of Object.values(real).filter((value) => typeof value === 'object')) {
    const key = Object.keys(real).find((name) => real[name] === run)!;
    for (const count of ['calls', 'func_evals', 'n_iter', 'history']) {
      assert.equal((runtime[key] as Record<string, number>)[count], (run as Record<string, number>)[count], `${key}.${count}`);
    }
  }
});

/** Builds the architectures seeded, on real torchvision and on the runtime, and compares them. */
function compareModels(python: string, args: string[], timeoutMs: number): void {
  const real = runReal(python, 'torchvision_models.py', args);
  const runtime = runEmbedded('torchvision_models.py', 'wasm', args, timeoutMs);
  assert.deepEqual(Object.keys(runtime).sort(), Object.keys(real).sort());
  for (const [name, expected] of Object.entries(real)) {
    if (!(expected !== null && typeof expected === 'object' && 'outputs' in expected)) {
      assert.deepEqual(runtime[name], expected, name);
      continue;
    }
    const { outputs, ...structure } = expected as Record<string, unknown>;
    const { outputs: mine, ...myStructure } = runtime[name] as Record<string, unknown>;
    // Parameter count, every state-dict name and shape (so checkpoints load both ways), output shape: exact.
    assert.deepEqual(myStructure, structure, name);
    // A seeded build draws torchvision's weights: outputs agree to float32 rounding through the network.
    const scale = Math.max(...(outputs as number[][]).flat().map(Math.abs));
    (outputs as number[][]).flat().forEach((value, i) => {
      const got = (mine as number[][]).flat()[i];
      assert.ok(Math.abs(got - value) <= 1e-4 * scale, `${name} output ${i}: ${got} vs ${value}`);
    });
  }
}

test('torchvision.models resnet18/34/50 and mobilenet_v2 build as torchvision 0.14 builds them (seeded: same outputs), and its weights API', { timeout: 900_000 }, (t) => {
  const python = requireOrSkip('debianTorch');
  if (!python.path) return t.skip(python.skip || undefined);
  compareModels(python.path, ['resnet18', 'resnet34', 'resnet50', 'mobilenet_v2', 'api'], 600_000);
});

// Their 100M-weight linear layers take a minute or more to initialise on the runtime (seeded draws in JavaScript).
test('torchvision.models alexnet and vgg11 build as torchvision 0.14 builds them (seeded: same outputs)', { timeout: 1_200_000 }, (t) => {
  const python = requireOrSkip('debianTorch');
  if (!python.path) return t.skip(python.skip || undefined);
  compareModels(python.path, ['alexnet', 'vgg11'], 900_000);
});

test('asking torchvision.models for pretrained weights gives one offline message at the user line', { timeout: 300_000 }, () => {
  const run = runPython('import torch\nfrom torchvision import models\n\nmodel = models.resnet18(pretrained=True)\n');
  assert.equal(run.status, 1);
  assert.match(run.stderr, /script\.py", line 4, in <module>/);
  assert.match(run.stderr, /RuntimeError: torchvision\.models\.resnet18\(pretrained=True\): the Trainloop embedded runtime works offline and downloads no pretrained weights\. Build the model without them \(weights=None\) to train from scratch, or load a copy you have: model\.load_state_dict\(torch\.load\(path\)\), the file from https:\/\/download\.pytorch\.org\/models\/resnet18-f37072fd\.pth; or, to download them, run the script with your own Python and PyTorch: launch attribute "runtime": "python", or trainloop run --runtime python/);
  assert.equal(run.stderr.match(/^\w+Error: /gm)?.length, 1, run.stderr);
  assert.doesNotMatch(run.stderr, /Warning/);

  const forms = runPython(`
import torch, torchvision
from torchvision.models import ResNet18_Weights, ResNet50_Weights
for make in (lambda: torchvision.models.resnet18(weights="DEFAULT"),
             lambda: torchvision.models.resnet18(weights=ResNet18_Weights.DEFAULT),
             lambda: torchvision.models.resnet50(weights=ResNet50_Weights.IMAGENET1K_V1),
             lambda: torchvision.models.vgg11(True),
             lambda: ResNet50_Weights.DEFAULT.get_state_dict(progress=True),
             lambda: torchvision.models.densenet121()):
    try:
        make()
        print("built")
    except Exception as e:
        print(type(e).__name__, str(e).split(":")[0], "|", str(e).split("the file from ")[-1].split(";")[0])
`);
  assert.equal(forms.status, 0, forms.stderr);
  assert.deepEqual(forms.stdout.trim().split('\n').slice(-6), [
    'RuntimeError torchvision.models.resnet18(weights=ResNet18_Weights.IMAGENET1K_V1) | https://download.pytorch.org/models/resnet18-f37072fd.pth',
    'RuntimeError torchvision.models.resnet18(weights=ResNet18_Weights.IMAGENET1K_V1) | https://download.pytorch.org/models/resnet18-f37072fd.pth',
    'RuntimeError torchvision.models.resnet50(weights=ResNet50_Weights.IMAGENET1K_V1) | https://download.pytorch.org/models/resnet50-0676ba61.pth',
    'RuntimeError torchvision.models.vgg11(pretrained=True) | https://download.pytorch.org/models/vgg11-8a719046.pth',
    'RuntimeError ResNet50_Weights.IMAGENET1K_V2.get_state_dict() | https://download.pytorch.org/models/resnet50-11ad3fa6.pth',
    'NotImplementedError torchvision.models.densenet121 is not supported by the Trainloop runtime yet | torchvision.models.densenet121 is not supported by the Trainloop runtime yet',
  ]);
});

test('autograd.Function with several outputs: backward gets one gradient per output (zeros when unused), as PyTorch 1.13', { timeout: 300_000 }, (t) => {
  const python = requireOrSkip('debianTorch');
  if (!python.path) return t.skip(python.skip || undefined);
  assertClose(runEmbedded('autograd_function_outputs.py'), runReal(python.path, 'autograd_function_outputs.py'), 1e-6);
});
