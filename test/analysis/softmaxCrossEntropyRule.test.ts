// TL007 (softmax/log-softmax fed to CrossEntropyLoss): fires on the softmax line, silent when logits reach the loss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeScript } from '../../src/analysis/analyzeScript';
import { parseScript } from '../../src/analysis/pythonSyntax';
import { colOf, expectedMarks, found, lineOf, py, readBugScript, withFix } from './scriptExpectations';

function tl007(source: string): Array<{ code: string; line: number; col: number }> {
  return found(source).filter((d) => d.code === 'TL007');
}

test('TL007 fires on the nn.Softmax line of a Sequential built in __init__, and nothing else fires', () => {
  const source = readBugScript('tl007_softmax_into_cross_entropy.py');
  const [mark] = expectedMarks(source);
  assert.deepEqual(found(source), [{ code: 'TL007', line: mark.line, col: colOf(source, mark.line, 'nn.Softmax') }]);
  const [diagnostic] = analyzeScript(source, 'm.py');
  assert.match(diagnostic.message, /^nn\.Softmax is the model's last layer/);
  assert.match(diagnostic.message, /CrossEntropyLoss/);
});

test('TL007 fires on F.log_softmax returned at the end of forward()', () => {
  const source = readBugScript('tl007_log_softmax_forward.py');
  const [mark] = expectedMarks(source);
  assert.deepEqual(found(source), [{ code: 'TL007', line: mark.line, col: colOf(source, mark.line, 'F.log_softmax') }]);
});

test('TL007 silent on the correct sibling, which only uses softmax to report probabilities', () => {
  assert.deepEqual(found(readBugScript('tl007_ok.py')), []);
});

test('TL007 fires for a module-level nn.Sequential ending in nn.LogSoftmax, moved with .to(device)', () => {
  const source = py(
    'import torch',
    'from torch import nn',
    'model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.LogSoftmax(dim=1)).to("cpu")',
    'criterion = nn.CrossEntropyLoss()',
    'x, y = torch.randn(5, 4), torch.randint(0, 3, (5,))',
    'print(criterion(model(x), y))',
  );
  assert.deepEqual(tl007(source), [{ code: 'TL007', line: 2, col: colOf(source, 2, 'nn.LogSoftmax') }]);
});

test('TL007 fires for self.softmax = nn.Softmax(...) applied last in forward()', () => {
  const source = py(
    'import torch.nn as nn',
    'class Net(nn.Module):',
    '    def __init__(self):',
    '        super().__init__()',
    '        self.fc = nn.Linear(4, 3)',
    '        self.softmax = nn.Softmax(dim=1)',
    '    def forward(self, x):',
    '        x = self.fc(x)',
    '        x = self.softmax(x)',
    '        return x',
    'net = Net()',
    'loss = nn.functional.cross_entropy(net(inputs), targets)',
  );
  assert.deepEqual(tl007(source), [{ code: 'TL007', line: 5, col: colOf(source, 5, 'nn.Softmax') }]);
});

test('TL007 silent for LogSoftmax with NLLLoss, softmax inside the model, and a model that is never trained with CrossEntropyLoss', () => {
  const nll = py(
    'from torch import nn',
    'model = nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=1))',
    'loss_fn = nn.NLLLoss()',
    'loss = loss_fn(model(x), y)',
  );
  assert.deepEqual(tl007(nll), []);
  const attention = py(
    'import torch',
    'from torch import nn',
    'class Attend(nn.Module):',
    '    def __init__(self):',
    '        super().__init__()',
    '        self.score = nn.Sequential(nn.Linear(4, 1), nn.Softmax(dim=0))',
    '        self.head = nn.Linear(4, 3)',
    '    def forward(self, x):',
    '        weights = self.score(x)',
    '        return self.head((weights * x).sum(0, keepdim=True))',
    'model = Attend()',
    'loss = nn.CrossEntropyLoss()(model(x), y)',
  );
  assert.deepEqual(tl007(attention), []);
  const softmaxFirst = py(
    'from torch import nn',
    'model = nn.Sequential(nn.Softmax(dim=1), nn.Linear(4, 3))',
    'loss = nn.CrossEntropyLoss()(model(x), y)',
  );
  assert.deepEqual(tl007(softmaxFirst), []);
});

test('TL007 needs the model to be called: a softmax model that is only defined is not reported', () => {
  const source = py(
    'from torch import nn',
    'classifier = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))',
    'loss_fn = nn.CrossEntropyLoss()',
  );
  assert.deepEqual(tl007(source), []);
  const called = `${source}print(loss_fn(classifier(x), y))\n`;
  assert.deepEqual(tl007(called), [{ code: 'TL007', line: lineOf(called, 'nn.Softmax'), col: colOf(called, 1, 'nn.Softmax') }]);
});

test('TL007 quick fixes take the softmax out, leave valid Python, and the warning goes away', () => {
  const check = (source: string, expectedLine: (fixed: string) => void) => {
    const diagnostic = analyzeScript(source, 'm.py').find((d) => d.code === 'TL007');
    assert.ok(diagnostic?.fix, 'TL007 with a fix');
    const fixed = withFix(source, diagnostic);
    assert.equal(parseScript(fixed).hasSyntaxErrors, false, fixed);
    assert.deepEqual(tl007(fixed), []);
    expectedLine(fixed);
  };
  // A layer on its own line in a multi-line Sequential: the line goes.
  const sequential = readBugScript('tl007_softmax_into_cross_entropy.py');
  check(sequential, (fixed) => {
    assert.equal(fixed.split('\n').length, sequential.split('\n').length - 1);
    assert.ok(fixed.includes('            nn.Linear(64, 10),\n        )'));
  });
  // F.log_softmax(z, dim=1) returned: z is returned.
  check(readBugScript('tl007_log_softmax_forward.py'), (fixed) => {
    assert.ok(fixed.includes('        return self.out(x)  # expect: TL007\n'));
  });
  // One-line Sequential: the argument and its comma go.
  check(
    py('from torch import nn', 'model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))', 'loss = nn.CrossEntropyLoss()(model(x), y)'),
    (fixed) => assert.ok(fixed.includes('model = nn.Sequential(nn.Linear(4, 3))')),
  );
  // x = self.softmax(x) in forward: the statement goes.
  check(
    py(
      'import torch.nn as nn',
      'class Net(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.fc = nn.Linear(4, 3)',
      '        self.softmax = nn.Softmax(dim=1)',
      '    def forward(self, x):',
      '        x = self.fc(x)',
      '        x = self.softmax(x)',
      '        return x',
      'net = Net()',
      'loss = nn.CrossEntropyLoss()(net(inputs), targets)',
    ),
    (fixed) => assert.ok(fixed.includes('        x = self.fc(x)\n        return x\n')),
  );
  // logits.softmax(dim=1) returned: logits are returned.
  check(
    py(
      'import torch.nn as nn',
      'class Net(nn.Module):',
      '    def forward(self, x):',
      '        logits = self.fc(x)',
      '        return logits.softmax(dim=1)',
      'net = Net()',
      'loss = nn.CrossEntropyLoss()(net(inputs), targets)',
    ),
    (fixed) => assert.ok(fixed.includes('        return logits\n')),
  );
});

test('TL007 does not take a softmax followed by *unpacked layers for the last layer', () => {
  const source = py(
    'from torch import nn',
    'model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1), *more_layers)',
    'loss = nn.CrossEntropyLoss()(model(x), y)',
  );
  assert.deepEqual(tl007(source), []);
});
