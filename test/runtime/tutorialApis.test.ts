// The APIs the PyTorch tutorials and examples use (issue 15, item 4), each script run on the embedded runtime and on
// real PyTorch 1.13 + torchvision (/usr/bin/python3), and their printed JSON compared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPython, runScriptFile } from '../support/runtimeCli';
import { requireOrSkip } from '../support/pythonInterpreters';
import { assertClose } from '../support/closeValues';

/** Runs `source` (given its argv[1], a folder it may write to) on real PyTorch and on the runtime: [real, runtime]. */
function runBoth(realPython: string, source: string): { real: Record<string, unknown>; runtime: Record<string, unknown>; realDir: string; runtimeDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'trainloop-tutorial-apis-'));
  const script = join(dir, 'script.py');
  writeFileSync(script, source);
  const realDir = mkdtempSync(join(dir, 'real-'));
  const runtimeDir = mkdtempSync(join(dir, 'runtime-'));
  const real = spawnSync(realPython, [script, realDir], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(real.status, 0, `real PyTorch: ${real.stderr}`);
  const runtime = runScriptFile(script, { cliArgs: ['--', runtimeDir] });
  assert.equal(runtime.status, 0, `runtime: ${runtime.stderr}`);
  return { real: lastJson(real.stdout), runtime: lastJson(runtime.stdout), realDir, runtimeDir };
}

function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

/** Decodes the PNG files a script wrote with PIL (a real decoder): mode, size and pixel bytes of each. */
const DECODE_PNGS = `
import json, sys
from PIL import Image
out = {}
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        assert f.read(8) == b"\\x89PNG\\r\\n\\x1a\\n", path
    image = Image.open(path)
    image.load()
    out[path.rsplit("/", 1)[-1]] = [image.format, image.mode, list(image.size), list(image.tobytes())]
print(json.dumps(out))
`;

const MAKE_GRID = `
import json, os, sys, torch, torchvision
from torchvision.utils import make_grid, save_image
folder = sys.argv[1]
images = (torch.arange(5 * 1 * 4 * 3, dtype=torch.float32).reshape(5, 1, 4, 3) / 59) * 2 - 0.5
rgb = torch.arange(3 * 3 * 5 * 2, dtype=torch.float32).reshape(3, 3, 5, 2) / 89
out = {
    "default": make_grid(images).tolist(),
    "nrow_padding": make_grid(images, nrow=2, padding=1, pad_value=0.5).tolist(),
    "normalize": make_grid(images, nrow=3, normalize=True).tolist(),
    "value_range": make_grid(images, normalize=True, value_range=(0.0, 1.0)).tolist(),
    "scale_each": make_grid(images, normalize=True, scale_each=True, padding=0).tolist(),
    "list": make_grid([rgb[0], rgb[1]], padding=3).tolist(),
    "single": make_grid(rgb[:1]).tolist(),
    "plain_2d": list(make_grid(images[0, 0]).shape),
}
save_image(images, os.path.join(folder, "batch.png"), nrow=3)
save_image(rgb[2], os.path.join(folder, "one.png"))
save_image(rgb, os.path.join(folder, "normalized.png"), normalize=True, padding=4, pad_value=1.0)
with open(os.path.join(folder, "handle.png"), "wb") as handle:
    save_image(images[:2], handle, format="png")
print(json.dumps(out))
`;

test('torchvision.utils.make_grid tiles as torchvision does, and save_image writes PNGs a real decoder reads the same', { timeout: 300_000 }, (t) => {
  const python = requireOrSkip('debianTorch');
  if (!python.path) return t.skip(python.skip || undefined);
  const { real, runtime, realDir, runtimeDir } = runBoth(python.path, MAKE_GRID);
  assertClose(runtime, real, 1e-6);
  const names = ['batch.png', 'one.png', 'normalized.png', 'handle.png'];
  const decode = (folder: string): Record<string, unknown> => {
    const run = spawnSync(python.path!, ['-c', DECODE_PNGS, ...names.map((name) => join(folder, name))], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return lastJson(run.stdout);
  };
  const decoded = decode(runtimeDir);
  assert.deepEqual(decoded, decode(realDir));
  assert.deepEqual((decoded['batch.png'] as unknown[]).slice(0, 3), ['PNG', 'RGB', [17, 14]]);
});

test('save_image to a format other than PNG says so at the user line', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'trainloop-grid-'));
  const script = join(dir, 'jpeg.py');
  writeFileSync(script, 'import torch\nfrom torchvision.utils import save_image\nimage = torch.zeros(3, 4, 4)\nsave_image(image, "out.jpg")\n');
  const run = runScriptFile(script);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /jpeg\.py", line 4, in <module>/);
  assert.match(run.stderr, /NotImplementedError: torchvision\.utils\.save_image in JPG format .*not supported by the Trainloop runtime yet/);
});

const SUBMODULES = `
import json, torch
out = {}
def attempt(label, fn):
    try:
        out[label] = ["ok", fn()]
    except Exception as e:
        out[label] = [type(e).__name__, str(e)]
import torch.backends.cudnn
torch.backends.cudnn.deterministic = True
torch.backends.cudnn.benchmark = False
import torch.onnx
from torch.cuda.amp import GradScaler, autocast
import torch.distributed as dist
import torchvision
import torchvision.io
import torch.nn.utils.parametrize
import torch.fft
attempt("cudnn", lambda: [torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark, torch.backends.cudnn.is_available()])
attempt("cuda", lambda: [torch.cuda.is_available(), torch.cuda.device_count()])
attempt("dist", lambda: dist.is_available() and dist.is_initialized())
attempt("scaler", lambda: type(GradScaler(enabled=False)).__name__)
attempt("no_such_module", lambda: __import__("torch.no_such_module"))
attempt("mps", lambda: torch.backends.mps.is_available())
print(json.dumps(out))
`;

test("PyTorch's submodules import (import torch.backends.cudnn, torch.onnx, torch.cuda.amp), as in real PyTorch", { timeout: 300_000 }, (t) => {
  const python = requireOrSkip('debianTorch');
  if (!python.path) return t.skip(python.skip || undefined);
  const { real, runtime } = runBoth(python.path, SUBMODULES);
  assert.deepEqual(runtime, real);
});

test('every module of real PyTorch imports; a missing name fails when used, at the user line; unknown modules stay missing', { timeout: 300_000 }, () => {
  const everyModule = runPython(`
import importlib, torch
from torch._module_names import NAMES
failed = []
for name in sorted(NAMES):
    try:
        importlib.import_module(name)
    except Exception as e:
        failed.append(f"{name}: {type(e).__name__}: {e}")
print(len(NAMES), failed)
`);
  assert.equal(everyModule.status, 0, everyModule.stderr);
  const [count, failed] = everyModule.stdout.trim().split('\n').at(-1)!.split(' ', 2);
  assert.ok(Number(count) > 800, `only ${count} module names`);
  assert.equal(failed, '[]');

  const tensorboard = runPython('import torch\nfrom torch.utils.tensorboard import SummaryWriter\n\nwriter = SummaryWriter("runs")\n');
  assert.equal(tensorboard.status, 1);
  assert.match(tensorboard.stderr, /script\.py", line 4, in <module>/);
  assert.match(tensorboard.stderr, /NotImplementedError: torch\.utils\.tensorboard\.SummaryWriter is not supported by the Trainloop runtime yet/);

  const onnx = runPython('import torch\nimport torch.onnx\nmodel = torch.nn.Linear(2, 2)\ntorch.onnx.export(model, torch.ones(1, 2), "m.onnx")\n');
  assert.equal(onnx.status, 1);
  assert.match(onnx.stderr, /script\.py", line 4, in <module>/);
  assert.match(onnx.stderr, /NotImplementedError: torch\.onnx\.export is not supported by the Trainloop runtime yet/);

  const unknown = runPython('import torch\nimport torch.no_such_module\n');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /ModuleNotFoundError: No module named 'torch\.no_such_module'/);
});

/** Every number in a nested list, in order. */
function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.flatMap(numbers) : [value as number];
}

test('the augmentation transforms give what torchvision gives, on PIL images and on tensor images', { timeout: 300_000 }, (t) => {
  const python = requireOrSkip('debianTorch');
  if (!python.path) return t.skip(python.skip || undefined);
  const { real, runtime } = runBoth(python.path, readFileSync(join(__dirname, 'fixtures', 'tutorial_transforms.py'), 'utf8'));
  assert.deepEqual(runtime.shapes, real.shapes, 'the random transforms give images of the sizes torchvision gives');
  let offByOne = 0;
  let bytes = 0;
  for (const group of ['pil', 'tensor'] as const) {
    const expected = real[group] as Record<string, [string, number[], unknown]>;
    const actual = runtime[group] as Record<string, [string, number[], unknown]>;
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
    for (const [name, [dtype, shape, values]] of Object.entries(expected)) {
      assert.deepEqual(actual[name].slice(0, 2), [dtype, shape], `${group} ${name}: dtype and shape`);
      const mine = numbers(actual[name][2]);
      numbers(values).forEach((value, i) => {
        // PIL resamples in fixed point: a byte may differ by one grey level; floats agree to float32 rounding.
        const tolerance = dtype === 'torch.uint8' ? 1 : 1e-5;
        assert.ok(Math.abs(mine[i] - value) <= tolerance, `${group} ${name}[${i}]: ${mine[i]} vs ${value}`);
        if (dtype === 'torch.uint8') {
          bytes += 1;
          if (mine[i] !== value) offByOne += 1;
        }
      });
    }
  }
  assert.ok(offByOne <= bytes * 0.002, `${offByOne} of ${bytes} bytes differ by one grey level`);
});

test('a transform the runtime lacks, or an option it lacks, says so at the user line', { timeout: 120_000 }, () => {
  const run = runPython('import torch\nfrom torchvision import transforms as T\nimage = torch.zeros(8, 8, dtype=torch.uint8)\nT.Resize(4, interpolation=T.InterpolationMode.BICUBIC)(image)\n');
  assert.equal(run.status, 1);
  assert.match(run.stderr, /script\.py", line 4, in <module>/);
  assert.match(run.stderr, /NotImplementedError: torchvision\.transforms\.Resize with interpolation='bicubic' .*not supported by the Trainloop runtime yet/);
});

const GRAD_FN = `
import json, torch
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
chain = []
fn = out.grad_fn
while fn is not None:
    chain.append([fn.name(), type(fn).__name__, repr(fn).split(" ")[0], type(fn.next_functions).__name__])
    fn = fn.next_functions[0][0] if fn.next_functions else None
print(json.dumps({"chain": chain, "leaf": x.grad_fn is None, "y": y.grad_fn.name()}))
`;

test("grad_fn.next_functions walks the graph as the Blitz autograd tutorial does, with PyTorch's node names", { timeout: 300_000 }, (t) => {
  const python = requireOrSkip('debianTorch');
  if (!python.path) return t.skip(python.skip || undefined);
  const { real, runtime } = runBoth(python.path, GRAD_FN);
  assert.deepEqual(runtime, real);
  assert.equal((real.chain as unknown[]).length, 5, 'Mean, Mul, Mul, Add, AccumulateGrad');
});

test('torch.autograd.Function: save_for_backward, saved_tensors, needs_input_grad, apply, once_differentiable', { timeout: 300_000 }, (t) => {
  const python = requireOrSkip('debianTorch');
  if (!python.path) return t.skip(python.skip || undefined);
  const { real, runtime } = runBoth(python.path, readFileSync(join(__dirname, 'fixtures', 'autograd_function.py'), 'utf8'));
  assertClose(runtime, real, 1e-6);
});

test('legacy tensor types: torch.LongTensor(list) is int64, x.type(torch.LongTensor), isinstance, .type()', { timeout: 300_000 }, (t) => {
  const python = requireOrSkip('debianTorch');
  if (!python.path) return t.skip(python.skip || undefined);
  const { real, runtime } = runBoth(python.path, readFileSync(join(__dirname, 'fixtures', 'legacy_tensor_types.py'), 'utf8'));
  assert.deepEqual(runtime, real);
});

test("loss.data[0] on a 0-dim tensor says to use .item(), in PyTorch's words, at the user line", { timeout: 120_000 }, () => {
  const run = runPython('import torch\nloss = torch.tensor(2.5)\n\nprint(loss.data[0])\n');
  assert.equal(run.status, 1);
  assert.match(run.stderr, /script\.py", line 4, in <module>/);
  assert.match(run.stderr, /IndexError: invalid index of a 0-dim tensor\. Use `tensor\.item\(\)` in Python/);
});
