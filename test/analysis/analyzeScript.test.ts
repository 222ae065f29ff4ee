// analyzeScript as a whole: silent on the PyTorch quickstart, diagnostics of the parsable parts of broken files, never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeScript } from '../../src/analysis/analyzeScript';
import { bugsDir, expectedMarks, found, lineOf, py, readBugScript, repoRoot } from './scriptExpectations';

/** The train()/test() of the official PyTorch quickstart (the seed's example), with its model and setup. */
const QUICKSTART = py(
  'import torch',
  'from torch import nn',
  'from torch.utils.data import DataLoader',
  'from torchvision import datasets',
  'from torchvision.transforms import ToTensor',
  '',
  'training_data = datasets.FashionMNIST(root="data", train=True, download=True, transform=ToTensor())',
  'test_data = datasets.FashionMNIST(root="data", train=False, download=True, transform=ToTensor())',
  'batch_size = 64',
  'train_dataloader = DataLoader(training_data, batch_size=batch_size)',
  'test_dataloader = DataLoader(test_data, batch_size=batch_size)',
  'device = "cuda" if torch.cuda.is_available() else "cpu"',
  '',
  'class NeuralNetwork(nn.Module):',
  '    def __init__(self):',
  '        super().__init__()',
  '        self.flatten = nn.Flatten()',
  '        self.linear_relu_stack = nn.Sequential(',
  '            nn.Linear(28*28, 512),',
  '            nn.ReLU(),',
  '            nn.Linear(512, 512),',
  '            nn.ReLU(),',
  '            nn.Linear(512, 10)',
  '        )',
  '',
  '    def forward(self, x):',
  '        x = self.flatten(x)',
  '        logits = self.linear_relu_stack(x)',
  '        return logits',
  '',
  'model = NeuralNetwork().to(device)',
  'loss_fn = nn.CrossEntropyLoss()',
  'optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)',
  '',
  'def train(dataloader, model, loss_fn, optimizer):',
  '    size = len(dataloader.dataset)',
  '    model.train()',
  '    for batch, (X, y) in enumerate(dataloader):',
  '        X, y = X.to(device), y.to(device)',
  '',
  '        # Compute prediction error',
  '        pred = model(X)',
  '        loss = loss_fn(pred, y)',
  '',
  '        # Backpropagation',
  '        loss.backward()',
  '        optimizer.step()',
  '        optimizer.zero_grad()',
  '',
  '        if batch % 100 == 0:',
  '            loss, current = loss.item(), (batch + 1) * len(X)',
  '            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")',
  '',
  'def test(dataloader, model, loss_fn):',
  '    size = len(dataloader.dataset)',
  '    num_batches = len(dataloader)',
  '    model.eval()',
  '    test_loss, correct = 0, 0',
  '    with torch.no_grad():',
  '        for X, y in dataloader:',
  '            X, y = X.to(device), y.to(device)',
  '            pred = model(X)',
  '            test_loss += loss_fn(pred, y).item()',
  '            correct += (pred.argmax(1) == y).type(torch.float).sum().item()',
  '    test_loss /= num_batches',
  '    correct /= size',
  '    print(f"Test Error: \\n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \\n")',
  '',
  'epochs = 5',
  'for t in range(epochs):',
  '    print(f"Epoch {t+1}\\n-------------------------------")',
  '    train(train_dataloader, model, loss_fn, optimizer)',
  '    test(test_dataloader, model, loss_fn)',
  'print("Done!")',
);

test('the PyTorch quickstart raises nothing', () => {
  assert.deepEqual(found(QUICKSTART, 'quickstart.py'), []);
});

test('examples/quickstart.py, when present, raises nothing', (t) => {
  const path = join(repoRoot, 'examples', 'quickstart.py');
  if (!existsSync(path)) {
    t.skip('examples/quickstart.py is not there yet');
    return;
  }
  assert.deepEqual(found(readFileSync(path, 'utf8'), path), []);
});

test('every example script gets exactly the diagnostics its `# expect:` marks announce', () => {
  for (const name of readdirSync(bugsDir).filter((n) => n.endsWith('.py'))) {
    const source = readBugScript(name);
    const expected = expectedMarks(source).map((m) => `${m.code}@${m.line}`);
    const actual = found(source, name).map((d) => `${d.code}@${d.line}`);
    assert.deepEqual(actual, expected, name);
  }
});

test('diagnostics carry the path, come sorted by position, and several rules report in one file', () => {
  const source =
    readBugScript('tl007_softmax_into_cross_entropy.py').replace('        optimizer.zero_grad()\n', '') +
    py('for x, y in dataloader:', '    loss_fn(model(x), y).backward()', '    optimizer.zero_grad()', '    optimizer.step()');
  const diagnostics = analyzeScript(source, 'dir/mixed.py');
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.line]),
    [
      ['TL007', lineOf(source, 'nn.Softmax(dim=1)')],
      ['TL001', lineOf(source, 'loss.backward()')],
      ['TL002', source.split('\n').lastIndexOf('    optimizer.zero_grad()')],
    ],
  );
  assert.ok(diagnostics.every((d) => d.path === 'dir/mixed.py'));
});

test('a syntax error earlier in the file does not hide TL001 in the loop after it', () => {
  const source = readBugScript('tl001_missing_zero_grad.py');
  const broken = source.replace('torch.manual_seed(0)\n', 'torch.manual_seed(0\n\ndef broken(:\n    x = = 1\n');
  const line = lineOf(broken, 'loss.backward()');
  assert.deepEqual(found(broken), [{ code: 'TL001', line, col: 8 }]);
});

test('a syntax error inside the training loop keeps the diagnostics of the other functions', () => {
  const source = py(
    'import torch',
    'def first(loader, model, optimizer):',
    '    for x, y in loader:',
    '        model(x).sum().backward()',
    '        optimizer.step()',
    '',
    'def second(loader, model, optimizer):',
    '    for x, y in loader:',
    '        loss = model(x).sum(',
    '        loss.backward()',
    '        optimizer.step()',
    '',
    'def third(loader, model, optimizer):',
    '    for x, y in loader:',
    '        model(x).sum().backward()',
    '        optimizer.zero_grad()',
    '        optimizer.step()',
  );
  // The broken statement's calls are parser guesses: nothing is reported from second().
  assert.deepEqual(
    found(source).map((d) => `${d.code}@${d.line}`),
    ['TL001@3', 'TL002@15'],
  );
});

test('analysis never throws: empty, garbage, binary-ish text and every prefix of every example', () => {
  const odd = ['', '\n', '(((', 'def', 'for', 'for x in', ')))]]]', 'class A(:\n  def f(self', '\t\tx = 1\n  y', '"""', "'''unterminated", '\u0000\u0001\uffff', 'x = [' + '('.repeat(500)];
  for (const source of odd) assert.ok(Array.isArray(analyzeScript(source, 'odd.py')));
  for (const name of readdirSync(bugsDir).filter((n) => n.endsWith('.py'))) {
    const source = readBugScript(name);
    for (let end = 0; end <= source.length; end += 17) {
      assert.ok(Array.isArray(analyzeScript(source.slice(0, end), name)));
    }
  }
});

test('Windows line breaks: same diagnostics, and quick fixes keep \\r\\n', () => {
  const source = readBugScript('tl001_missing_zero_grad.py').split('\n').join('\r\n');
  const [diagnostic] = analyzeScript(source, 'crlf.py');
  assert.equal(diagnostic.code, 'TL001');
  assert.equal(diagnostic.line, lineOf(source, 'loss.backward()'));
  assert.equal(diagnostic.fix?.edits[0].newText, '        optimizer.zero_grad()\r\n');
});
