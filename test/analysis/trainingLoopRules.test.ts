// TL001 (zero_grad missing) and TL002 (gradients cleared between backward and step): where they fire, where they stay silent, and their quick fixes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeScript } from '../../src/analysis/analyzeScript';
import { colOf, expectedMarks, found, lineOf, py, readBugScript, withFix } from './scriptExpectations';

const PREAMBLE = [
  'import torch',
  'from torch import nn',
  'model = nn.Linear(4, 2)',
  'loss_fn = nn.CrossEntropyLoss()',
  'optimizer = torch.optim.SGD(model.parameters(), lr=0.1)',
  'loader = [(torch.randn(8, 4), torch.randint(0, 2, (8,)))] * 3',
];

function codes(source: string): string[] {
  return found(source).map((d) => d.code);
}

test('TL001 fires on the backward() line of tl001_missing_zero_grad.py, at the call', () => {
  const source = readBugScript('tl001_missing_zero_grad.py');
  const [mark] = expectedMarks(source);
  assert.deepEqual(found(source), [{ code: 'TL001', line: mark.line, col: colOf(source, mark.line, 'loss.backward()') }]);
  const [diagnostic] = analyzeScript(source, 'x.py');
  assert.match(diagnostic.message, /accumulate across batches/);
  assert.match(diagnostic.message, /optimizer\.zero_grad\(\)/);
  assert.equal(diagnostic.severity, 'warning');
});

test('TL001 stays silent on tl001_ok.py and on intentional gradient accumulation', () => {
  assert.deepEqual(found(readBugScript('tl001_ok.py')), []);
  assert.deepEqual(found(readBugScript('intentional_accumulation_ok.py')), []);
});

test('TL001 quick fix inserts optimizer.zero_grad() before backward() with the same indentation, and the warning goes away', () => {
  const source = readBugScript('tl001_missing_zero_grad.py');
  const [diagnostic] = analyzeScript(source, 'x.py');
  assert.deepEqual(diagnostic.fix, {
    title: 'Call optimizer.zero_grad() before backward()',
    edits: [{ startLine: diagnostic.line, startCol: 0, endLine: diagnostic.line, endCol: 0, newText: '        optimizer.zero_grad()\n' }],
  });
  const fixed = withFix(source, diagnostic);
  assert.equal(fixed.split('\n')[diagnostic.line], '        optimizer.zero_grad()');
  assert.deepEqual(found(fixed), []);
});

test('TL001 silent wherever the loop clears gradients: before forward, after step, model.zero_grad, set_to_none, p.grad = None, grad.zero_()', () => {
  const body = (...lines: string[]) =>
    py(...PREAMBLE, 'for x, y in loader:', ...lines.map((l) => `    ${l}`));
  const forward = 'loss = loss_fn(model(x), y)';
  const variants = [
    body('optimizer.zero_grad()', forward, 'loss.backward()', 'optimizer.step()'),
    body(forward, 'loss.backward()', 'optimizer.step()', 'optimizer.zero_grad()'),
    body(forward, 'model.zero_grad()', 'loss.backward()', 'optimizer.step()'),
    body(forward, 'loss.backward()', 'optimizer.step()', 'optimizer.zero_grad(set_to_none=True)'),
    body(forward, 'loss.backward()', 'optimizer.step()', 'for p in model.parameters():', '    p.grad = None'),
    body(forward, 'loss.backward()', 'optimizer.step()', 'for p in model.parameters():', '    p.grad.zero_()'),
    body(forward, 'loss.backward()', 'optimizer.step()', 'for p in model.parameters():', '    if p.grad is not None:', '        p.grad.detach_()', '        p.grad.data.zero_()'),
    body(forward, 'loss.backward()', 'optimizer.step()', 'if True:', '    optimizer.zero_grad()'),
  ];
  for (const source of variants) assert.deepEqual(codes(source), [], source);
});

test('TL001 silent when a local helper clears the gradients, or an LBFGS closure does', () => {
  const helper = py(
    ...PREAMBLE,
    'def reset_gradients():',
    '    for p in model.parameters():',
    '        p.grad = None',
    'for x, y in loader:',
    '    reset_gradients()',
    '    loss_fn(model(x), y).backward()',
    '    optimizer.step()',
  );
  assert.deepEqual(codes(helper), []);
  const lbfgs = py(
    ...PREAMBLE,
    'optimizer = torch.optim.LBFGS(model.parameters())',
    'x, y = loader[0]',
    'def closure():',
    '    optimizer.zero_grad()',
    '    loss = loss_fn(model(x), y)',
    '    loss.backward()',
    '    return loss',
    'for i in range(5):',
    '    optimizer.step(closure)',
  );
  assert.deepEqual(codes(lbfgs), []);
});

test('TL001 silent when the loop steps nothing but a scheduler, or an environment', () => {
  const scheduler = py(
    ...PREAMBLE,
    'scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1)',
    'for x, y in loader:',
    '    loss_fn(model(x), y).backward()',
    '    scheduler.step()',
    'optimizer.step()',
  );
  assert.deepEqual(codes(scheduler), []);
  const environment = py(
    ...PREAMBLE,
    'for t in range(10):',
    '    observation, reward, done, info = env.step(action)',
    '    (-reward * model(observation).sum()).backward()',
    'optimizer.step()',
    'optimizer.zero_grad()',
  );
  assert.deepEqual(codes(environment), []);
});

test('TL001 fires when zero_grad() runs once before the loop only', () => {
  const source = py(
    ...PREAMBLE,
    'optimizer.zero_grad()',
    'for x, y in loader:',
    '    loss = loss_fn(model(x), y)',
    '    loss.backward()',
    '    optimizer.step()',
  );
  assert.deepEqual(found(source), [{ code: 'TL001', line: lineOf(source, 'loss.backward()'), col: 4 }]);
});

test('TL001 fires in a while loop and names the optimizer of self.optimizer / GradScaler steps', () => {
  const trainer = py(
    'import torch',
    'class Trainer:',
    '    def __init__(self, model):',
    '        self.model = model',
    '        self.optimizer = torch.optim.Adam(model.parameters())',
    '        self.scaler = torch.cuda.amp.GradScaler()',
    '    def fit(self, batches):',
    '        step = 0',
    '        while step < 100:',
    '            x, y = next(batches)',
    '            loss = torch.nn.functional.cross_entropy(self.model(x), y)',
    '            self.scaler.scale(loss).backward()',
    '            self.scaler.step(self.optimizer)',
    '            self.scaler.update()',
    '            step += 1',
  );
  const diagnostics = analyzeScript(trainer, 'trainer.py');
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.line, d.col]),
    [['TL001', lineOf(trainer, 'backward()'), colOf(trainer, lineOf(trainer, 'backward()'), 'self.scaler.scale')]],
  );
  assert.match(diagnostics[0].message, /Call self\.optimizer\.zero_grad\(\)/);
  assert.deepEqual(found(withFix(trainer, diagnostics[0])), []);
});

test('TL001 follows a train_step() helper called from the loop and fixes it inside the helper', () => {
  const source = py(
    ...PREAMBLE,
    'def train_step(x, y):',
    '    loss = loss_fn(model(x), y)',
    '    loss.backward()',
    '    optimizer.step()',
    '    return loss.item()',
    'for epoch in range(2):',
    '    for x, y in loader:',
    '        train_step(x, y)',
  );
  const diagnostics = analyzeScript(source, 's.py');
  assert.deepEqual(diagnostics.map((d) => [d.code, d.line, d.col]), [['TL001', lineOf(source, 'loss.backward()'), 4]]);
  const fixed = withFix(source, diagnostics[0]);
  assert.equal(fixed.split('\n')[lineOf(source, 'loss.backward()')], '    optimizer.zero_grad()');
  assert.deepEqual(found(fixed), []);

  const clearedByCaller = source.replace('        train_step(x, y)', '        optimizer.zero_grad()\n        train_step(x, y)');
  assert.deepEqual(found(clearedByCaller), []);
});

test('TL001 quick fix on a one-line loop body inserts `optimizer.zero_grad(); ` in the line', () => {
  const source = py(...PREAMBLE, 'for x, y in loader: loss_fn(model(x), y).backward(); optimizer.step()');
  const [diagnostic] = analyzeScript(source, 's.py');
  assert.equal(diagnostic.code, 'TL001');
  const fixed = withFix(source, diagnostic);
  assert.equal(fixed.split('\n')[diagnostic.line], 'for x, y in loader: optimizer.zero_grad(); loss_fn(model(x), y).backward(); optimizer.step()');
  assert.deepEqual(found(fixed), []);
});

test('TL002 fires on the zero_grad() line of its buggy script and not on the correct sibling', () => {
  const source = readBugScript('tl002_zero_grad_between_backward_and_step.py');
  const [mark] = expectedMarks(source);
  assert.deepEqual(found(source), [{ code: 'TL002', line: mark.line, col: colOf(source, mark.line, 'optimizer.zero_grad()') }]);
  assert.match(analyzeScript(source, 'x.py')[0].message, /step sees no gradients/);
  assert.deepEqual(found(readBugScript('tl002_ok.py')), []);
});

test('TL002 quick fix moves zero_grad() (with its comment) after step(), and nothing is reported after', () => {
  const source = readBugScript('tl002_zero_grad_between_backward_and_step.py');
  const [diagnostic] = analyzeScript(source, 'x.py');
  assert.equal(diagnostic.fix?.title, 'Move optimizer.zero_grad() after optimizer.step()');
  const fixed = withFix(source, diagnostic);
  const lines = fixed.split('\n');
  const step = lines.findIndex((l) => l.includes('optimizer.step()'));
  assert.equal(lines[step - 1], '        loss.backward()');
  assert.equal(lines[step + 1], '        optimizer.zero_grad()  # expect: TL002');
  assert.equal(fixed.split('\n').length, source.split('\n').length);
  assert.deepEqual(found(fixed), []);
});

test('TL002 fires for model.zero_grad() and for a p.grad = None loop between backward and step', () => {
  const forModel = py(...PREAMBLE, 'for x, y in loader:', '    loss_fn(model(x), y).backward()', '    model.zero_grad()', '    optimizer.step()');
  assert.deepEqual(found(forModel), [{ code: 'TL002', line: lineOf(forModel, 'model.zero_grad()'), col: 4 }]);
  assert.deepEqual(found(withFix(forModel, analyzeScript(forModel, 's.py')[0])), []);

  const manual = py(
    ...PREAMBLE,
    'for x, y in loader:',
    '    loss_fn(model(x), y).backward()',
    '    for p in model.parameters():',
    '        p.grad = None',
    '    optimizer.step()',
  );
  assert.deepEqual(found(manual), [{ code: 'TL002', line: lineOf(manual, 'for p in'), col: 4 }]);
  assert.deepEqual(found(withFix(manual, analyzeScript(manual, 's.py')[0])), []);
});

test('TL002 silent for a GAN clearing the other network between backward() and step()', () => {
  const source = py(
    'import torch',
    'from torch import nn, optim',
    'netD, netG = nn.Linear(4, 1), nn.Linear(2, 4)',
    'optimizerD = optim.Adam(netD.parameters())',
    'optimizerG = optim.Adam(netG.parameters())',
    'for real in loader:',
    '    netD.zero_grad()',
    '    errD = -netD(real).mean() + netD(netG(torch.randn(8, 2)).detach()).mean()',
    '    errD.backward()',
    '    netG.zero_grad()',
    '    optimizerG.zero_grad()',
    '    optimizerD.step()',
    '    errG = -netD(netG(torch.randn(8, 2))).mean()',
    '    errG.backward()',
    '    optimizerG.step()',
  );
  assert.deepEqual(found(source), []);
});

test('TL002 silent when zero_grad() is only conditional, or when a second backward() refills the gradients', () => {
  const conditional = py(
    ...PREAMBLE,
    'for i, (x, y) in enumerate(loader):',
    '    loss_fn(model(x), y).backward()',
    '    if i == 0:',
    '        optimizer.zero_grad()',
    '    optimizer.step()',
  );
  assert.deepEqual(codes(conditional), []);
  const refilled = py(
    ...PREAMBLE,
    'for x, y in loader:',
    '    loss_fn(model(x), y).backward()',
    '    optimizer.zero_grad()',
    '    loss_fn(model(x), y).backward()',
    '    optimizer.step()',
  );
  assert.deepEqual(codes(refilled), []);
});

test('TL001 silent for distributed autograd, whose gradients live in a per-iteration context', () => {
  const source = py(
    'import torch.distributed.autograd as dist_autograd',
    'for indices, offsets, target in batches:',
    '    with dist_autograd.context() as context_id:',
    '        loss = criterion(model(indices, offsets), target)',
    '        dist_autograd.backward(context_id, [loss])',
    '        opt.step(context_id)',
  );
  assert.deepEqual(codes(source), []);
});

test('TL001 silent for a DeepSpeed-style engine whose step() clears the gradients it backpropagated', () => {
  const source = py(
    'model_engine, optimizer, _, _ = deepspeed.initialize(model=model, model_parameters=model.parameters())',
    'for batch in loader:',
    '    loss = model_engine(batch).loss',
    '    model_engine.backward(loss)',
    '    model_engine.step()',
  );
  assert.deepEqual(codes(source), []);
});

const GAN = [
  'import torch',
  'from torch import nn',
  'generator, discriminator = nn.Linear(2, 4), nn.Linear(4, 1)',
  'optimizer_G = torch.optim.Adam(generator.parameters(), lr=2e-4)',
  'optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=2e-4)',
  'for real in loader:',
  '    optimizer_G.zero_grad()',
  '    g_loss = -discriminator(generator(torch.randn(8, 2))).mean()',
  '    g_loss.backward()',
  '    optimizer_G.step()',
  '    optimizer_D.zero_grad()',
  '    d_loss = discriminator(generator(torch.randn(8, 2)).detach()).mean() - discriminator(real).mean()',
  '    d_loss.backward()',
  '    optimizer_D.step()',
];

test('TL001 with two optimizers: each needs its own zero_grad(); reported at the backward() feeding the uncleared one', () => {
  assert.deepEqual(codes(py(...GAN)), []);
  const withoutD = py(...GAN.filter((line) => line !== '    optimizer_D.zero_grad()'));
  const diagnostics = analyzeScript(withoutD, 'gan.py');
  assert.deepEqual(diagnostics.map((d) => [d.code, d.line]), [['TL001', lineOf(withoutD, 'd_loss.backward()')]]);
  assert.match(diagnostics[0].message, /Call optimizer_D\.zero_grad\(\)/);
  assert.deepEqual(found(withFix(withoutD, diagnostics[0])), []);
  // Clearing the model an optimizer trains counts for that optimizer only.
  const byModel = py(...GAN.map((line) => line.replace('optimizer_G.zero_grad()', 'generator.zero_grad()').replace('optimizer_D.zero_grad()', 'discriminator.zero_grad()')));
  assert.deepEqual(codes(byModel), []);
  const onlyDiscriminator = py(...GAN.filter((line) => line !== '    optimizer_G.zero_grad()').map((line) => line.replace('optimizer_D.zero_grad()', 'discriminator.zero_grad()')));
  assert.deepEqual(found(onlyDiscriminator), [{ code: 'TL001', line: lineOf(onlyDiscriminator, 'g_loss.backward()'), col: 4 }]);
});

test('TL001: a profiler or other unknown .step() next to a cleared optimizer is not an uncleared optimizer', () => {
  const source = py(
    ...PREAMBLE,
    'scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 0.9 ** epoch)',
    'with torch.profiler.profile() as prof:',
    '    for x, y in loader:',
    '        loss_fn(model(x), y).backward()',
    '        optimizer.step()',
    '        scheduler.step()',
    '        optimizer.zero_grad(set_to_none=True)',
    '        prof.step()',
  );
  assert.deepEqual(codes(source), []);
});

test('TL002 sees through `with` blocks, and its fix moves zero_grad() out to the step() indentation', () => {
  const source = py(
    ...PREAMBLE,
    'for x, y in loader:',
    '    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):',
    '        loss = loss_fn(model(x), y)',
    '        loss.backward()',
    '        optimizer.zero_grad()',
    '    optimizer.step()',
  );
  const diagnostics = analyzeScript(source, 's.py');
  assert.deepEqual(diagnostics.map((d) => [d.code, d.line, d.col]), [['TL002', lineOf(source, 'optimizer.zero_grad()'), 8]]);
  const fixed = withFix(source, diagnostics[0]);
  assert.ok(fixed.endsWith('        loss.backward()\n    optimizer.step()\n    optimizer.zero_grad()\n'), fixed);
  assert.deepEqual(found(fixed), []);
});
