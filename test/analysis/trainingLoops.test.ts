// findTrainingLoops: the ranges the editor's CodeLens uses for training loops/functions and evaluation loops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findTrainingLoops, type TrainingLoopRange } from '../../src/analysis/trainingLoops';
import { lineOf, py, readBugScript } from './scriptExpectations';

function summary(ranges: TrainingLoopRange[]): string[] {
  return ranges.map((r) => `${r.kind} ${r.construct} ${r.functionName} ${r.startLine}-${r.endLine}`);
}

test('quickstart-style train()/test(): the batch loop and train() are training, the no_grad loop is evaluation', () => {
  const source = py(
    'import torch',
    'def train(dataloader, model, loss_fn, optimizer):',
    '    model.train()',
    '    for batch, (X, y) in enumerate(dataloader):',
    '        loss = loss_fn(model(X), y)',
    '        loss.backward()',
    '        optimizer.step()',
    '        optimizer.zero_grad()',
    '',
    'def test(dataloader, model, loss_fn):',
    '    model.eval()',
    '    with torch.no_grad():',
    '        for X, y in dataloader:',
    '            print(loss_fn(model(X), y).item())',
    '',
    'for t in range(5):',
    '    train(train_dataloader, model, loss_fn, optimizer)',
    '    test(test_dataloader, model, loss_fn)',
  );
  assert.deepEqual(summary(findTrainingLoops(source)), [
    'training function train 1-7',
    'training for train 3-7',
    'evaluation for test 12-13',
  ]);
  const [, loop] = findTrainingLoops(source);
  assert.equal(loop.startCol, 4);
  assert.equal(loop.endCol, '        optimizer.zero_grad()'.length);
});

test('nested epoch/batch loops: the batch loop; with accumulation micro-batches: the loop that steps', () => {
  const epochs = readBugScript('tl001_missing_zero_grad.py');
  assert.deepEqual(
    findTrainingLoops(epochs).map((r) => [r.kind, r.startLine]),
    [['training', lineOf(epochs, 'for inputs, targets in loader:')]],
  );
  const micro = py(
    'for batch in loader:',
    '    for chunk in batch.split(4):',
    '        model(chunk).sum().backward()',
    '    optimizer.step()',
    '    optimizer.zero_grad()',
  );
  assert.deepEqual(summary(findTrainingLoops(micro)), ['training for <module> 0-4']);
});

test('a loop calling a train_step() helper is the training loop; the helper is a training function', () => {
  const source = py(
    'def train_step(x, y):',
    '    optimizer.zero_grad()',
    '    loss_fn(model(x), y).backward()',
    '    optimizer.step()',
    'def fit():',
    '    while True:',
    '        x, y = next(batches)',
    '        train_step(x, y)',
    'def main():',
    '    fit()',
  );
  assert.deepEqual(summary(findTrainingLoops(source)), [
    'training function train_step 0-3',
    'training function fit 4-7',
    'training while fit 5-7',
  ]);
});

test('@torch.no_grad() functions and inference_mode blocks hold evaluation loops; no backward means no training', () => {
  const source = py(
    'import torch',
    '@torch.no_grad()',
    'def evaluate(model, loader):',
    '    for x, y in loader:',
    '        model(x)',
    'with torch.inference_mode():',
    '    while running:',
    '        step()',
    'for x in data:',
    '    print(x)',
  );
  assert.deepEqual(summary(findTrainingLoops(source)), ['evaluation for evaluate 3-4', 'evaluation while <module> 6-7']);
});

test('findTrainingLoops never throws on broken code', () => {
  assert.deepEqual(findTrainingLoops(''), []);
  assert.ok(Array.isArray(findTrainingLoops('for x in (:\n  loss.backward(')));
});
