// The debugger's Python helpers: the expression a hover evaluates, and the names a paused function has bound (where inline values go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatableExpressionAt, firstBodyLine, namesBoundBefore } from '../../src/extension/pythonExpressions';
import { parseTensorSummary, formatShapeAndDtype } from '../../src/extension/tensorSummary';
import { SEED_TRAIN, positionOf, py, readRepoFile } from './support';

function expressionAt(source: string, needle: string, offsetInNeedle: number, skip = 0): string | null {
  const { line, col } = positionOf(source, needle, skip);
  return evaluatableExpressionAt(source, line, col + offsetInNeedle)?.expression ?? null;
}

test('hovering a dotted chain evaluates it from its start up to the part under the mouse', () => {
  const source = py('print(model.fc.weight.grad)');
  assert.equal(expressionAt(source, 'model', 2), 'model');
  assert.equal(expressionAt(source, '.fc', 1), 'model.fc');
  assert.equal(expressionAt(source, 'weight', 3), 'model.fc.weight');
  assert.equal(expressionAt(source, 'grad', 2), 'model.fc.weight.grad');
  assert.equal(expressionAt(source, 'grad', 4), 'model.fc.weight.grad', 'at the end of the word');
  const found = evaluatableExpressionAt(source, 0, source.indexOf('grad') + 1);
  assert.deepEqual(found && [found.startLine, found.startCol, found.endLine, found.endCol], [0, 6, 0, 26]);
});

test('subscripts with constant or name indexes are part of the expression; calls are never evaluated', () => {
  const source = py('y = outputs[0].shape', 'z = X[i, :3]', 'w = model(X).grad', 'v = get()[0]', 'optimizer.step()');
  assert.equal(expressionAt(source, 'shape', 1), 'outputs[0].shape');
  assert.equal(expressionAt(source, '[0]', 0), 'outputs[0]');
  assert.equal(expressionAt(source, '[i', 0), 'X[i, :3]');
  assert.equal(expressionAt(source, 'i, :3', 0), 'i', 'the index name alone');
  assert.equal(expressionAt(source, 'grad', 1), null, 'model(X).grad would run the model');
  assert.equal(expressionAt(source, '[0]', 0, 1), null, 'get()[0] would call get');
  assert.equal(expressionAt(source, 'step', 1), null, 'a method about to be called is not a value');
  assert.equal(expressionAt(source, 'optimizer', 1), 'optimizer');
});

test('keywords, literals, comments and blank space evaluate nothing', () => {
  const source = py('for x in range(3):  # loss here', '    pass', '', 'y = 42');
  assert.equal(expressionAt(source, 'for', 1), null);
  assert.equal(expressionAt(source, 'loss', 1), null);
  assert.equal(expressionAt(source, '42', 1), null);
  assert.equal(evaluatableExpressionAt(source, 2, 0), null);
  assert.equal(expressionAt(source, 'x in', 0), 'x');
});

test('in a file with a syntax error, the code that parses still evaluates', () => {
  const source = py('def broken(:', '    pass', 'loss = model.fc.weight')
  assert.equal(expressionAt(source, 'weight', 1), 'model.fc.weight');
  assert.doesNotThrow(() => evaluatableExpressionAt('x = (', 0, 4));
});

test('names bound before the stop line of the seed train(): parameters, the loop targets, the assignments', () => {
  const stopAtForward = positionOf(SEED_TRAIN, 'pred = model(X)').line;
  const names = namesBoundBefore(SEED_TRAIN, stopAtForward);
  assert.deepEqual(
    names.map((n) => n.name),
    ['dataloader', 'model', 'loss_fn', 'optimizer', 'size', 'batch', 'X', 'y'],
  );
  // X and y at their latest binding: `X, y = X.to(device), y.to(device)`.
  const x = names.find((n) => n.name === 'X');
  assert.deepEqual(x && [x.startLine, x.startCol], [positionOf(SEED_TRAIN, 'X, y = X.to').line, 8]);
  // Stopped at the first line of the loop body (where stepBatch stops), X is the loop's X.
  const stopAtBody = positionOf(SEED_TRAIN, 'X, y = X.to').line;
  const atBody = namesBoundBefore(SEED_TRAIN, stopAtBody).find((n) => n.name === 'X');
  assert.equal(atBody?.startLine, positionOf(SEED_TRAIN, 'for batch').line);
  // After the loss is computed, loss is there too.
  assert.ok(namesBoundBefore(SEED_TRAIN, positionOf(SEED_TRAIN, 'loss.backward()').line).some((n) => n.name === 'loss'));
});

test('stopped on the loop line at a batch\'s end (stepBatch), the names its body bound count, each where every pass binds it', () => {
  const loopLine = positionOf(SEED_TRAIN, 'for batch').line;
  const names = namesBoundBefore(SEED_TRAIN, loopLine);
  const where = (name: string) => names.find((n) => n.name === name)?.startLine;
  assert.deepEqual(names.map((n) => n.name).sort(), ['X', 'batch', 'current', 'dataloader', 'loss', 'loss_fn', 'model', 'optimizer', 'pred', 'size', 'y']);
  assert.equal(where('batch'), loopLine, 'the loop target, on the loop line');
  assert.equal(where('X'), positionOf(SEED_TRAIN, 'X, y = X.to').line);
  assert.equal(where('y'), positionOf(SEED_TRAIN, 'X, y = X.to').line);
  assert.equal(where('pred'), positionOf(SEED_TRAIN, 'pred = model(X)').line);
  assert.equal(where('loss'), positionOf(SEED_TRAIN, 'loss = loss_fn').line, 'not the `if` that binds it on some batches only');
  assert.equal(where('current'), positionOf(SEED_TRAIN, 'loss, current').line, 'bound only under the `if`: there');

  // A `while` header too; the names after the loop and in a nested function stay out.
  const source = py('def run(it):', '    step = 0', '    while step < 3:', '        out = f(step)', '        step += 1', '    after = out', '    def g():', '        inner = 1');
  assert.deepEqual(namesBoundBefore(source, 2).map((n) => [n.name, n.startLine]), [['it', 0], ['out', 3], ['step', 4]]);
  // Stopped inside the body, nothing changes: only what is bound before the stop line.
  assert.deepEqual(namesBoundBefore(source, 3).map((n) => n.name), ['it', 'step']);
});

test('module-level scripts, with/as, walrus and nested functions', () => {
  const source = py(
    'import torch',
    'model = Net()',
    'def helper(a):',
    '    inner = a',
    'with torch.no_grad() as ctx:',
    '    if (n := 3) > 2:',
    '        logits = model(x)',
    'done = True',
  );
  const names = namesBoundBefore(source, 7).map((n) => n.name);
  assert.deepEqual(names, ['model', 'helper', 'ctx', 'n', 'logits']);
  assert.ok(!names.includes('inner'), 'names of a nested function are not the module\'s');
  assert.deepEqual(namesBoundBefore(source, 4).map((n) => n.name), ['model', 'helper']);
});

test('the quickstart: stopped in test(), the names of test() only', () => {
  const quickstart = readRepoFile('examples', 'quickstart.py');
  const stop = positionOf(quickstart, 'test_loss += loss_fn').line;
  const names = namesBoundBefore(quickstart, stop).map((n) => n.name);
  assert.deepEqual(names, ['dataloader', 'model', 'loss_fn', 'size', 'num_batches', 'test_loss', 'correct', 'X', 'y', 'pred']);
});

test('tensor summaries give shape and dtype; anything else gives nothing', () => {
  const cases: Array<[string, string | null]> = [
    ['tensor[64, 1, 28, 28] f32 n=50176 x∈[0, 1.000] μ=0.286 σ=0.353', '[64, 1, 28, 28] f32'],
    ['tensor[64] i64 x∈[0, 9] μ=4.6 σ=2.9', '[64] i64'],
    ['tensor f32 2.303 grad_fn=NllLossBackward0', '[] f32'],
    ['Parameter[512, 784] f32 n=401408 x∈[-0.036, 0.036] μ=1e-4 σ=0.021 grad=None', '[512, 784] f32'],
    ['tensor[10] dtype=torch.float64 ...', '[10] float64'],
    ['tensor[3, 0] bool all_zeros', '[3, 0] bool'],
    ['tensor[2, 2]', '[2, 2]'],
    ['tensor([1., 2.])', null],
    ['42', null],
    ["'tensor'", null],
    ['tensor[a, b] f32', null],
  ];
  for (const [summary, expected] of cases) {
    const parsed = parseTensorSummary(summary);
    assert.equal(parsed ? formatShapeAndDtype(parsed) : null, expected, summary);
  }
});

test('the first body line of a loop: where "Train one batch" and "Evaluate" stop with the batch bound', () => {
  const quickstart = readRepoFile('examples', 'quickstart.py');
  const trainLoop = positionOf(quickstart, 'for batch, (X, y) in enumerate(dataloader):').line;
  const evalLoop = positionOf(quickstart, 'for X, y in dataloader:').line;
  assert.equal(firstBodyLine(quickstart, trainLoop), trainLoop + 1);
  assert.equal(firstBodyLine(quickstart, evalLoop), evalLoop + 1);
  assert.equal(firstBodyLine(py('for x in y:  # c', '', '    # comment', '    pass'), 0), 3, 'blank lines and comments are skipped');
  assert.equal(firstBodyLine(py('while True: step()'), 0), 0, 'a one-line loop');
  assert.equal(firstBodyLine(py('x = 1', 'for a in b:', '    pass'), 0), null, 'no loop on that line');
  assert.equal(firstBodyLine('', 5), null);
});
