// torch.nn and torch.optim in the runtime: module printing as PyTorch prints, state dicts and their save/load round
// trip, train/eval modes, hooks, zero_grad, in-place optimizer steps, NotImplementedError for missing layers, and the
// values of the layers beyond the fidelity suite (nnCases.py) against real PyTorch's (nnReference.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareResults, type Dump } from '../fidelity/compareResults';
import { runPython, runScriptFile, type ScriptRun } from '../support/runtimeCli';
import { skipWithoutTensorflow } from '../support/tensorflowBackend';

function succeeded(run: ScriptRun): void {
  assert.equal(run.status, 0, `exit status ${run.status}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
}

/** The JSON value a script printed on its line `label {...}`. */
function printed(run: ScriptRun, label: string): unknown {
  const line = run.stdout.split('\n').find((l) => l.startsWith(`${label} `));
  assert.ok(line, `the script printed no "${label}" line\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
  return JSON.parse(line.slice(label.length + 1));
}

const QUICKSTART_MODEL = `
import torch
from torch import nn

class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28*28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10)
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits
`;

// What PyTorch prints for the quickstart's model (checked against real PyTorch).
const QUICKSTART_PRINT = `NeuralNetwork(
  (flatten): Flatten(start_dim=1, end_dim=-1)
  (linear_relu_stack): Sequential(
    (0): Linear(in_features=784, out_features=512, bias=True)
    (1): ReLU()
    (2): Linear(in_features=512, out_features=512, bias=True)
    (3): ReLU()
    (4): Linear(in_features=512, out_features=10, bias=True)
  )
)`;

test('printing the quickstart model gives PyTorch\'s text exactly', { timeout: 120_000 }, () => {
  const run = runPython(`${QUICKSTART_MODEL}
model = NeuralNetwork()
print(model)
print("=====")
print(nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.MaxPool2d(2), nn.Dropout(0.25),
                    nn.LayerNorm(10), nn.Embedding(10, 3), nn.GELU(), nn.Softmax(dim=1), nn.CrossEntropyLoss()))
`);
  succeeded(run);
  const [model, layers] = run.stdout.split('=====\n');
  assert.equal(model, `${QUICKSTART_PRINT}\n`);
  assert.equal(layers, `Sequential(
  (0): Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
  (1): BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
  (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  (3): Dropout(p=0.25, inplace=False)
  (4): LayerNorm((10,), eps=1e-05, elementwise_affine=True)
  (5): Embedding(10, 3)
  (6): GELU(approximate='none')
  (7): Softmax(dim=1)
  (8): CrossEntropyLoss()
)
`);
});

test('state_dict has PyTorch\'s keys, parameters first then buffers, and Parameters print as PyTorch\'s', { timeout: 120_000 }, () => {
  const run = runPython(`${QUICKSTART_MODEL}
import json
from collections import OrderedDict
model = NeuralNetwork()
state = model.state_dict()
print("quickstart", json.dumps({"type": type(state).__name__, "keys": list(state.keys()),
      "shapes": [list(v.shape) for v in state.values()],
      "parameters": [name for name, _ in model.named_parameters()],
      "count": sum(p.numel() for p in model.parameters()),
      "is_parameter": [isinstance(p, nn.Parameter) and isinstance(p, torch.Tensor) for p in model.parameters()],
      "requires_grad": [p.requires_grad for p in model.parameters()],
      "state_requires_grad": [v.requires_grad for v in state.values()]}))
net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Sequential(nn.Linear(4, 2), nn.BatchNorm1d(2)))
print("batchnorm", json.dumps({"keys": list(net.state_dict().keys()),
      "buffers": [name for name, _ in net.named_buffers()],
      "modules": [name for name, _ in net.named_modules()],
      "tracked": str(net.state_dict()["1.num_batches_tracked"].dtype)}))
print(nn.Parameter(torch.ones(2)))
`);
  succeeded(run);
  assert.deepEqual(printed(run, 'quickstart'), {
    type: 'OrderedDict',
    keys: ['linear_relu_stack.0.weight', 'linear_relu_stack.0.bias', 'linear_relu_stack.2.weight',
      'linear_relu_stack.2.bias', 'linear_relu_stack.4.weight', 'linear_relu_stack.4.bias'],
    shapes: [[512, 784], [512], [512, 512], [512], [10, 512], [10]],
    parameters: ['linear_relu_stack.0.weight', 'linear_relu_stack.0.bias', 'linear_relu_stack.2.weight',
      'linear_relu_stack.2.bias', 'linear_relu_stack.4.weight', 'linear_relu_stack.4.bias'],
    count: 669706,
    is_parameter: [true, true, true, true, true, true],
    requires_grad: [true, true, true, true, true, true],
    state_requires_grad: [false, false, false, false, false, false],
  });
  assert.deepEqual(printed(run, 'batchnorm'), {
    keys: ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked',
      '2.0.weight', '2.0.bias', '2.1.weight', '2.1.bias', '2.1.running_mean', '2.1.running_var',
      '2.1.num_batches_tracked'],
    buffers: ['1.running_mean', '1.running_var', '1.num_batches_tracked', '2.1.running_mean', '2.1.running_var',
      '2.1.num_batches_tracked'],
    modules: ['', '0', '1', '2', '2.0', '2.1'],
    tracked: 'torch.int64',
  });
  assert.match(run.stdout, /^Parameter containing:\ntensor\(\[1\., 1\.\], requires_grad=True\)$/m);
});

test('torch.save(state_dict) then load_state_dict(torch.load(..., weights_only=True)) gives identical outputs', { timeout: 120_000 }, () => {
  const run = runPython(`${QUICKSTART_MODEL}
import json
torch.manual_seed(0)
model = NeuralNetwork()
net = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
net(torch.randn(8, 4))  # moves the running statistics away from their initial values
torch.save(model.state_dict(), "model.pth")
torch.save(net.state_dict(), "net.pth")

torch.manual_seed(1)
fresh = NeuralNetwork()
x = torch.rand(3, 28, 28)
before = (fresh(x) - model(x)).abs().max().item()
result = fresh.load_state_dict(torch.load("model.pth", weights_only=True))
fresh_net = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
fresh_net.load_state_dict(torch.load("net.pth", weights_only=True))
net.eval(), fresh_net.eval()
y = torch.randn(5, 4)
print("roundtrip", json.dumps({
    "differed_before": before > 0,
    "result": repr(result),
    "outputs_equal": torch.equal(fresh(x), model(x)),
    "net_outputs_equal": torch.equal(fresh_net(y), net(y)),
    "running_mean_equal": torch.equal(fresh_net[1].running_mean, net[1].running_mean),
    "batches_tracked": fresh_net[1].num_batches_tracked.item(),
    "still_parameters": all(isinstance(p, nn.Parameter) and p.requires_grad for p in fresh.parameters()),
}))
`);
  succeeded(run);
  assert.deepEqual(printed(run, 'roundtrip'), {
    differed_before: true,
    result: '<All keys matched successfully>',
    outputs_equal: true,
    net_outputs_equal: true,
    running_mean_equal: true,
    batches_tracked: 1,
    still_parameters: true,
  });
});

test('load_state_dict reports missing, unexpected and mis-shaped keys with PyTorch\'s messages', { timeout: 120_000 }, () => {
  const run = runPython(`
import json
import torch
from torch import nn
state = nn.Linear(2, 3).state_dict()
messages = []
for bad in [{"weight": state["weight"]},
            {"weight": state["weight"], "bias": state["bias"], "scale": state["bias"]},
            {"weight": torch.zeros(3, 5), "bias": state["bias"]}]:
    try:
        nn.Linear(2, 3).load_state_dict(bad)
    except RuntimeError as error:
        messages.append(str(error))
loose = nn.Linear(2, 3).load_state_dict({"weight": state["weight"], "scale": state["bias"]}, strict=False)
print("messages", json.dumps(messages))
print("loose", json.dumps([loose.missing_keys, loose.unexpected_keys]))
`);
  succeeded(run);
  assert.deepEqual(printed(run, 'messages'), [
    'Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "bias". ',
    'Error(s) in loading state_dict for Linear:\n\tUnexpected key(s) in state_dict: "scale". ',
    'Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param with shape ' +
      'torch.Size([3, 5]) from checkpoint, the shape in current model is torch.Size([3, 2]).',
  ]);
  assert.deepEqual(printed(run, 'loose'), [['bias'], ['scale']]);
});

test('train() and eval() switch Dropout and BatchNorm between their two behaviours', { timeout: 120_000 }, () => {
  const run = runPython(`
import json
import torch
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
x = torch.ones(64, 4)
drop = model[2]
train_out = drop(x)
kept = train_out[train_out != 0]
before_mean = model[1].running_mean.clone()
model(torch.randn(16, 4))
moved = not torch.equal(model[1].running_mean, before_mean)
model.eval()
flags_eval = [m.training for m in model.modules()]
eval_out = drop(x)
frozen_mean = model[1].running_mean.clone()
y = torch.randn(16, 4)
first, second = model(y), model(y)
bn = model[1]
expected = (model[0](y) - bn.running_mean) / (bn.running_var + bn.eps).sqrt() * bn.weight + bn.bias
model.train()
print("modes", json.dumps({
    "dropped_some": (train_out == 0).any().item(),
    "kept_scaled": torch.allclose(kept, torch.full_like(kept, 2.0)),
    "eval_identity": torch.equal(eval_out, x),
    "running_stats_move_in_train": moved,
    "running_stats_frozen_in_eval": torch.equal(model[1].running_mean, frozen_mean),
    "eval_deterministic": torch.equal(first, second),
    "eval_uses_running_stats": torch.allclose(first, expected, atol=1e-5),
    "flags_eval": flags_eval,
    "flags_train": [m.training for m in model.modules()],
    "batches_tracked": model[1].num_batches_tracked.item(),
}))
`);
  succeeded(run);
  assert.deepEqual(printed(run, 'modes'), {
    dropped_some: true,
    kept_scaled: true,
    eval_identity: true,
    running_stats_move_in_train: true,
    running_stats_frozen_in_eval: true,
    eval_deterministic: true,
    eval_uses_running_stats: true,
    flags_eval: [false, false, false, false],
    flags_train: [true, true, true, true],
    batches_tracked: 1,
  });
});

test('zero_grad sets gradients to None; optimizer steps update the same Parameter objects in place', { timeout: 120_000 }, () => {
  const run = runPython(`
import json
import torch
from torch import nn
torch.manual_seed(0)
model = nn.Linear(3, 2)
weight = model.weight
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
x, y = torch.randn(4, 3), torch.randn(4, 2)
nn.functional.mse_loss(model(x), y).backward()
had_grads = [p.grad is not None for p in model.parameters()]
before = weight.detach().clone()
expected = before - 0.1 * weight.grad
optimizer.step()
stepped = torch.allclose(weight, expected)
optimizer.zero_grad()
after_optimizer = [p.grad is None for p in model.parameters()]
nn.functional.mse_loss(model(x), y).backward()
model.zero_grad()
after_module = [p.grad is None for p in model.parameters()]
nn.functional.mse_loss(model(x), y).backward()
optimizer.zero_grad(set_to_none=False)
zeros = [p.grad is not None and p.grad.abs().sum().item() == 0 for p in model.parameters()]
print("grads", json.dumps({
    "had_grads": had_grads, "stepped": stepped, "same_object": model.weight is weight,
    "leaf": weight.is_leaf, "requires_grad": weight.requires_grad,
    "after_optimizer": after_optimizer, "after_module": after_module, "zeros": zeros,
    "state": sorted(optimizer.state_dict()["state"][0].keys()),
    "groups": optimizer.state_dict()["param_groups"][0]["params"],
}))
`);
  succeeded(run);
  assert.deepEqual(printed(run, 'grads'), {
    had_grads: [true, true],
    stepped: true,
    same_object: true,
    leaf: true,
    requires_grad: true,
    after_optimizer: [true, true],
    after_module: [true, true],
    zeros: [true, true],
    state: ['momentum_buffer'],
    groups: [0, 1],
  });
});

test('forward hooks and pre-hooks see every call and can be removed', { timeout: 120_000 }, () => {
  const run = runPython(`
import json
import torch
from torch import nn
from torch.nn.modules.module import register_module_forward_hook
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
seen = []
handles = [m.register_forward_hook(lambda m, args, out: seen.append((type(m).__name__, list(out.shape))))
           for m in model]
doubled = model[0].register_forward_pre_hook(lambda m, args: (args[0] * 2,))
everywhere = []
global_handle = register_module_forward_hook(lambda m, args, out: everywhere.append(type(m).__name__))
x = torch.ones(5, 3)
hooked = model(x)
for h in handles:
    h.remove()
doubled.remove()
global_handle.remove()
plain = model(x)
unhooked_twice = model(x * 2)
print("hooks", json.dumps({"seen": seen, "everywhere": everywhere,
                           "pre_hook_changed_input": torch.equal(hooked, unhooked_twice),
                           "removed": len(seen) == 3 and not torch.equal(plain, hooked)}))
`);
  succeeded(run);
  assert.deepEqual(printed(run, 'hooks'), {
    seen: [['Linear', [5, 4]], ['ReLU', [5, 4]], ['Linear', [5, 2]]],
    everywhere: ['Linear', 'ReLU', 'Linear', 'Sequential'],
    pre_hook_changed_input: true,
    removed: true,
  });
});

test('an unsupported layer raises NotImplementedError naming it, at the user\'s line', { timeout: 120_000 }, () => {
  const run = runPython(`import torch
from torch import nn

class VolumeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(1, 4, 3)

model = VolumeNet()
`, { name: 'volume.py' });
  assert.notEqual(run.status, 0, 'the script should fail');
  assert.match(run.stderr, /NotImplementedError: torch\.nn\.Conv3d is not supported by the Trainloop runtime yet/);
  assert.match(run.stderr, /volume\.py", line 7, in __init__\n\s+self\.conv = nn\.Conv3d\(1, 4, 3\)/);
  assert.match(run.stderr, /volume\.py", line 9, in <module>/);
});

test('default initialization follows torch.manual_seed and PyTorch\'s bounds', { timeout: 120_000 }, () => {
  const run = runPython(`
import json, math
import torch
from torch import nn
torch.manual_seed(42)
a = nn.Linear(20, 5)
torch.manual_seed(42)
b = nn.Linear(20, 5)
c = nn.Linear(20, 5)
conv = nn.Conv2d(3, 8, 3)
bound = 1 / math.sqrt(20)
print("init", json.dumps({
    "same_seed_same_weights": torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias),
    "next_draw_differs": not torch.equal(b.weight, c.weight),
    "weight_in_bound": a.weight.abs().max().item() <= bound,
    "bias_in_bound": a.bias.abs().max().item() <= bound,
    "spread": a.weight.abs().max().item() > bound * 0.5,
    "conv_bound": conv.weight.abs().max().item() <= 1 / math.sqrt(27),
}))
`);
  succeeded(run);
  assert.deepEqual(printed(run, 'init'), {
    same_seed_same_weights: true,
    next_draw_differs: true,
    weight_in_bound: true,
    bias_in_bound: true,
    spread: true,
    conv_bound: true,
  });
});

// On tensorflow too: its products and recurrent layers take their own kernel plans (ops/kernels/backendPlans.ts).
for (const backend of ['wasm', 'tensorflow']) {
  test(`layers, losses, optimizers and schedulers beyond the fidelity suite give real PyTorch's values (${backend})`, { timeout: 300_000 }, (t) => {
    if (backend === 'tensorflow' && skipWithoutTensorflow('the nn cases')) return t.skip();
    const dir = mkdtempSync(join(tmpdir(), 'trainloop-nn-'));
    const script = join(dir, 'nnCases.py');
    copyFileSync(join(__dirname, 'nnCases.py'), script);
    const run = runScriptFile(script, { dir, cliArgs: ['--backend', backend, '--disable-detectors', 'all', '--', 'values.json'] });
    succeeded(run);
    const reference = JSON.parse(readFileSync(join(__dirname, 'nnReference.json'), 'utf8')) as Dump;
    const actual = JSON.parse(readFileSync(join(dir, 'values.json'), 'utf8')) as Dump;
    assert.deepEqual(compareResults(reference, actual), []);
  });
}
