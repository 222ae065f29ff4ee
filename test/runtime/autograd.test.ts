// Autograd in the embedded runtime: memory stays flat over a long training-like loop, and backward, grad
// accumulation, retain_graph, no_grad, detach and non-leaf .grad behave (and word their errors) as in PyTorch.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runPython } from '../support/runtimeCli';

/** Runs a script that prints one JSON object per line and returns them (with the run's stderr for messages). */
function runJsonLines(source: string): { records: Array<Record<string, unknown>>; stderr: string } {
  const run = runPython(source);
  assert.equal(run.status, 0, run.stderr);
  const records = run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { records, stderr: run.stderr };
}

test('2,000 iterations of forward, backward and a manual SGD step leave the live tensor count flat', { timeout: 600_000 }, () => {
  const { records } = runJsonLines(`
import json
import torch
from torch._engine import E

torch.manual_seed(0)
w1 = torch.randn(16, 8, requires_grad=True)
b1 = torch.zeros(16, requires_grad=True)
w2 = torch.randn(4, 16, requires_grad=True)
x = torch.randn(32, 8)
y = torch.randint(0, 4, (32,))
rows = torch.arange(32)
for iteration in range(1, 2001):
    hidden = (x @ w1.t() + b1).relu()
    logits = hidden @ w2.t()
    loss = -logits.log_softmax(dim=1)[rows, y].mean() + 1e-4 * (w1 ** 2).sum()
    loss.backward()
    with torch.no_grad():
        for p in (w1, b1, w2):
            p -= 0.05 * p.grad
            p.grad = None
    # things a training loop also does with its tensors
    accuracy = (logits.argmax(1) == y).float().mean().item()
    text = repr(logits[:2])
    if iteration in (100, 2000):
        print(json.dumps({"iteration": iteration, "live_tensors": E.live_tensors(), "handles": E.live_handles(),
                          "loss": loss.item()}), flush=True)
`);
  assert.equal(records.length, 2);
  const [early, late] = records;
  assert.equal(late.live_tensors, early.live_tensors, 'tfjs tensors leak between iteration 100 and 2,000');
  assert.equal(late.handles, early.handles, 'engine handles leak between iteration 100 and 2,000');
  assert.ok((late.loss as number) < (early.loss as number), 'the loop trains');
});

describe('autograd semantics', () => {
  let results: Record<string, unknown> = {};
  let stderr = '';
  before(() => {
    const run = runJsonLines(`
import json
import warnings
import torch
from torch._engine import E

out = {}
def record(name, value):
    out[name] = value

def error_of(f):
    try:
        f()
    except Exception as error:
        return type(error).__name__ + ": " + str(error)
    return None

# .grad accumulates across backward calls until it is cleared, in place (same tensor object)
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
(x * x).sum().backward()
first = x.grad
record("after_first", first.tolist())
(x * 3).sum().backward()
record("after_second", x.grad.tolist())
record("grad_is_same_object", x.grad is first)
x.grad.zero_()
record("after_zero_", x.grad.tolist())
x.grad = None
record("after_none", x.grad is None)
(x ** 2).sum().backward()
record("after_none_then_backward", x.grad.tolist())

# a tensor used twice in one graph gets both contributions
a = torch.tensor([2.0], requires_grad=True)
h = a * 3
(h * h + h * a).sum().backward()
record("reuse_grad", a.grad.tolist())

# retain_graph
w = torch.tensor([0.5, -1.0], requires_grad=True)
y = (w.tanh() * w).sum()
y.backward(retain_graph=True)
y.backward()
record("retained_twice", [round(v, 6) for v in w.grad.tolist()])
z = (w.exp() * 2).sum()
z.backward()
record("second_backward", error_of(lambda: z.backward()))

# backward errors
record("no_grad_backward", error_of(lambda: torch.ones(2).sum().backward()))
record("non_scalar_backward", error_of(lambda: (torch.ones(2, requires_grad=True) * 2).backward()))
record("gradient_argument", (lambda t: ((t * 2).backward(torch.tensor([1.0, 0.5])), t.grad.tolist())[1])(torch.ones(2, requires_grad=True)))
record("int_requires_grad", error_of(lambda: torch.arange(3).requires_grad_()))

# no_grad, as a block, a decorator and set_grad_enabled
p = torch.ones(2, requires_grad=True)
with torch.no_grad():
    inside = p * 2
    record("enabled_inside", torch.is_grad_enabled())
record("enabled_after", torch.is_grad_enabled())
record("inside_requires_grad", inside.requires_grad)
record("inside_grad_fn_none", inside.grad_fn is None)

@torch.no_grad()
def evaluate(t):
    return t * 3
record("decorated_requires_grad", evaluate(p).requires_grad)

@torch.no_grad
def evaluate_bare(t):
    return t * 3
record("bare_decorator_requires_grad", evaluate_bare(p).requires_grad)
torch.set_grad_enabled(False)
record("set_grad_enabled_false", (p * 2).requires_grad)
torch.set_grad_enabled(True)
with torch.no_grad():
    with torch.enable_grad():
        record("enable_grad_nested", (p * 2).requires_grad)

# in-place update of a leaf under no_grad keeps it a leaf; outside no_grad it is an error
q = torch.tensor([1.0, 2.0], requires_grad=True)
(q * q).sum().backward()
with torch.no_grad():
    q -= 0.5 * q.grad
record("sgd_step", q.tolist())
record("still_leaf", q.is_leaf)
record("leaf_in_place", error_of(lambda: q.add_(1)))

# detach shares storage but leaves the graph
d = q.detach()
record("detached_requires_grad", d.requires_grad)
d[0] = 10.0
record("detach_shares_storage", q.tolist())
r = torch.tensor([3.0], requires_grad=True)
(r * r.detach()).sum().backward()
record("detached_factor_grad", r.grad.tolist())

# .grad of a non-leaf: None with PyTorch's warning, unless retain_grad()
leaf = torch.tensor([1.0, 2.0], requires_grad=True)
mid = leaf * 2
kept = leaf * 3
kept.retain_grad()
(mid * kept).sum().backward()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    record("non_leaf_grad", mid.grad is None)
record("non_leaf_warning", [str(w.message)[:60] for w in caught])
record("retained_grad", kept.grad.tolist())
record("leaf_flags", [leaf.is_leaf, mid.is_leaf, mid.requires_grad, mid.grad_fn.name()])

# torch.autograd.grad returns gradients without touching .grad
u = torch.tensor([1.0, 2.0], requires_grad=True)
(g,) = torch.autograd.grad((u ** 3).sum(), u)
record("autograd_grad", g.tolist())
record("autograd_grad_leaves_grad_alone", u.grad is None)

# PyTorch's conventions at kinks and ties
def grad_of(f, values):
    t = torch.tensor(values, requires_grad=True)
    f(t).sum().backward()
    return t.grad.tolist()
record("abs_at_0", grad_of(torch.abs, [-1.0, 0.0, 2.0]))
record("relu_at_0", grad_of(torch.relu, [-1.0, 0.0, 2.0]))
record("clamp_bounds", grad_of(lambda t: t.clamp(0.0, 1.0), [-1.0, 0.0, 0.5, 1.0, 2.0]))
record("max_shares_ties", grad_of(lambda t: t.max(), [1.0, 3.0, 3.0]))
record("max_dim_first_tie", grad_of(lambda t: t.reshape(1, 3).max(1).values, [1.0, 3.0, 3.0]))
record("maximum_splits_tie", grad_of(lambda t: torch.maximum(t, torch.tensor([0.0, 1.0])), [0.0, 2.0]))
record("repeated_index", grad_of(lambda t: t[torch.tensor([0, 0, 2])], [1.0, 2.0, 3.0]))

# memory: graphs that are dropped without backward, and backward through retained graphs, free everything
start = E.live_tensors()
for _ in range(50):
    t = torch.ones(3, 3, requires_grad=True)
    loss = ((t @ t).relu().sum(0)[1:] ** 2).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    unused = (t * 2).exp().mean()
del t, loss, unused
record("no_leak", E.live_tensors() - start)
print(json.dumps(out))
`);
    results = run.records[0];
    stderr = run.stderr;
  });

  test('.grad accumulates in place until zero_() or None', () => {
    assert.deepEqual(results.after_first, [2, 4, 6]);
    assert.deepEqual(results.after_second, [5, 7, 9]);
    assert.equal(results.grad_is_same_object, true);
    assert.deepEqual(results.after_zero_, [0, 0, 0]);
    assert.equal(results.after_none, true);
    assert.deepEqual(results.after_none_then_backward, [2, 4, 6]);
    assert.deepEqual(results.reuse_grad, [2 * 9 * 2 + 3 * 2 + 6]);
  });

  test('retain_graph allows a second backward; without it PyTorch\'s message', () => {
    const t = Math.tanh;
    const d = (v: number) => 2 * (t(v) + v * (1 - t(v) ** 2));
    (results.retained_twice as number[]).forEach((g, i) => assert.ok(Math.abs(g - d([0.5, -1][i])) < 1e-5));
    assert.equal(
      results.second_backward,
      'RuntimeError: Trying to backward through the graph a second time (or directly access saved tensors after they ' +
        'have already been freed). Saved intermediate values of the graph are freed when you call .backward() or ' +
        'autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you ' +
        'need to access saved tensors after calling backward.',
    );
  });

  test('backward errors word it as PyTorch does', () => {
    assert.equal(results.no_grad_backward, 'RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn');
    assert.equal(results.non_scalar_backward, 'RuntimeError: grad can be implicitly created only for scalar outputs');
    assert.deepEqual(results.gradient_argument, [2, 1]);
    assert.equal(results.int_requires_grad, 'RuntimeError: only Tensors of floating point and complex dtype can require gradients');
  });

  test('no_grad, decorators and set_grad_enabled', () => {
    assert.equal(results.enabled_inside, false);
    assert.equal(results.enabled_after, true);
    assert.equal(results.inside_requires_grad, false);
    assert.equal(results.inside_grad_fn_none, true);
    assert.equal(results.decorated_requires_grad, false);
    assert.equal(results.bare_decorator_requires_grad, false);
    assert.equal(results.set_grad_enabled_false, false);
    assert.equal(results.enable_grad_nested, true);
  });

  test('manual SGD under no_grad keeps the leaf; in-place on a leaf that requires grad is refused', () => {
    assert.deepEqual(results.sgd_step, [0, 0]);
    assert.equal(results.still_leaf, true);
    assert.equal(results.leaf_in_place, 'RuntimeError: a leaf Variable that requires grad is being used in an in-place operation.');
  });

  test('detach shares storage and stops gradients', () => {
    assert.equal(results.detached_requires_grad, false);
    assert.deepEqual(results.detach_shares_storage, [10, 0]);
    assert.deepEqual(results.detached_factor_grad, [3]);
  });

  test('.grad of a non-leaf is None (with a warning) unless retain_grad()', () => {
    assert.equal(results.non_leaf_grad, true);
    assert.deepEqual(results.non_leaf_warning, ['The .grad attribute of a Tensor that is not a leaf Tensor is']);
    assert.deepEqual(results.retained_grad, [2, 4]);
    assert.deepEqual(results.leaf_flags, [true, false, true, 'MulBackward0']);
  });

  test('torch.autograd.grad', () => {
    assert.deepEqual(results.autograd_grad, [3, 12]);
    assert.equal(results.autograd_grad_leaves_grad_alone, true);
  });

  test("PyTorch's gradient conventions at kinks and ties", () => {
    assert.deepEqual(results.abs_at_0, [-1, 0, 1]);
    assert.deepEqual(results.relu_at_0, [0, 0, 1]);
    assert.deepEqual(results.clamp_bounds, [0, 1, 1, 1, 0]);
    assert.deepEqual(results.max_shares_ties, [0, 0.5, 0.5]);
    assert.deepEqual(results.max_dim_first_tie, [0, 1, 0]);
    assert.deepEqual(results.maximum_splits_tie, [0.5, 1]);
    assert.deepEqual(results.repeated_index, [2, 0, 1]);
  });

  test('graphs freed by backward or dropped unused leave no tensors behind', () => {
    assert.equal(results.no_leak, 0, stderr);
  });
});
