// Which CodeLenses the editor puts over the quickstart and the bug scripts: Train/Stop/Panel over training loops, Evaluate over evaluation loops, in English and Chinese.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { findTrainingLoops } from '../../src/analysis/trainingLoops';
import { COMMANDS, OPEN_AT_COMMAND, lensTargets, planLenses, syntaxMessageOf } from '../../src/extension/trainingLoopLenses';
import { firstSyntaxProblem } from '../../src/analysis/syntaxProblem';
import { english } from '../../src/extension/localization';
import { chinese, positionOf, py, readRepoFile } from './support';

test('the quickstart: the batch loop of train() gets the training lenses, the no_grad loop of test() gets Evaluate', () => {
  const source = readRepoFile('examples', 'quickstart.py');
  const lenses = planLenses(findTrainingLoops(source), { running: false, batchCount: 10 }, english);
  const batchLoop = positionOf(source, 'for batch, (X, y) in enumerate(dataloader):');
  const evalLoop = positionOf(source, 'for X, y in dataloader:');
  assert.deepEqual(
    lenses.map((l) => `${l.line}:${l.col} ${l.title} → ${l.command}`),
    [
      `${batchLoop.line}:${batchLoop.col} $(debug-start) Train one batch → ${COMMANDS.trainOneBatch}`,
      `${batchLoop.line}:${batchLoop.col} $(run-all) Train 10 batches → ${COMMANDS.trainBatches}`,
      `${batchLoop.line}:${batchLoop.col} $(graph-line) Show training panel → ${COMMANDS.showPanel}`,
      `${evalLoop.line}:${evalLoop.col} $(play) Evaluate → ${COMMANDS.evaluate}`,
    ],
  );
  assert.ok(lenses.find((l) => l.command === COMMANDS.evaluate)?.withLine);
});

test('Stop appears while the file has a session; the batch count comes from the setting; Chinese titles', () => {
  const source = readRepoFile('examples', 'bugs', 'tl001_missing_zero_grad.py');
  const running = planLenses(findTrainingLoops(source), { running: true, batchCount: 25 }, english).map((l) => l.title);
  assert.deepEqual(running, ['$(debug-start) Train one batch', '$(run-all) Train 25 batches', '$(debug-stop) Stop', '$(graph-line) Show training panel']);
  const zh = planLenses(findTrainingLoops(source), { running: true, batchCount: 25 }, chinese()).map((l) => l.title);
  assert.deepEqual(zh, ['$(debug-start) 训练一个批次', '$(run-all) 训练 25 个批次', '$(debug-stop) 停止', '$(graph-line) 显示训练面板']);
});

test('titles use codicons, not symbols some fonts lack ("⏭" is an empty box on Linux)', () => {
  const lenses = planLenses(findTrainingLoops(readRepoFile('examples', 'quickstart.py')), { running: true, batchCount: 10 }, english);
  for (const lens of lenses) assert.match(lens.title, /^\$\([a-z-]+\) \w/, lens.title);
});

test('a file that does not parse gets one lens per loop saying why, going to the error, instead of Train', () => {
  const source = py(
    'import torch',
    'def broken(:',
    '    return 1',
    '',
    'for X, y in loader:',
    '    loss = loss_fn(model(X), y)',
    '    loss.backward()',
    '    optimizer.step()',
    '    optimizer.zero_grad()',
  );
  const problem = firstSyntaxProblem(source);
  assert.deepEqual(problem, { line: 1, col: 11, unexpected: ':' });
  const lenses = planLenses(findTrainingLoops(source), { running: false, batchCount: 10, syntaxProblem: problem }, english);
  assert.deepEqual(
    lenses.map((l) => [l.title, l.command, l.at]),
    [['$(error) Syntax error on line 2: unexpected ":"', OPEN_AT_COMMAND, { line: 1, col: 11 }]],
  );
  // Python's own words, once a launch reported them.
  const fromPython = planLenses(findTrainingLoops(source), { running: false, batchCount: 10, syntaxProblem: { line: 1, col: 0, message: 'invalid syntax' } }, chinese());
  assert.deepEqual(fromPython.map((l) => l.title), ['$(error) 第 2 行有语法错误:invalid syntax']);
  assert.equal(syntaxMessageOf('SyntaxError: invalid syntax (train.py, line 2)'), 'invalid syntax');
  assert.equal(syntaxMessageOf("SyntaxError: '(' was never closed (train.py, line 2)"), "'(' was never closed");
});

test('valid Python that the editor\'s parser does not know (x = yield, parenthesized with) keeps its lenses', () => {
  assert.equal(firstSyntaxProblem(py('def f():', '    x = yield', '    return x')), null);
  assert.equal(firstSyntaxProblem(py('with (open(a) as f, open(b) as g):', '    pass')), null);
  assert.equal(firstSyntaxProblem(readRepoFile('examples', 'quickstart.py')), null);
  assert.deepEqual(firstSyntaxProblem(py('x = 1 +')), { line: 0, col: 7, unexpected: null });
});

test('a training-step function called from elsewhere gets lenses; a function whose loop has them does not', () => {
  const source = py(
    'def train_step(model, batch, optimizer):',
    '    loss = model(batch).sum()',
    '    loss.backward()',
    '    optimizer.step()',
    '    optimizer.zero_grad()',
    '',
    'for batch in loader:',
    '    train_step(model, batch, optimizer)',
  );
  const targets = lensTargets(findTrainingLoops(source)).map((r) => `${r.construct}@${r.startLine}`);
  assert.ok(targets.includes('function@0'), targets.join());
  assert.ok(targets.includes('for@6'), targets.join());
  const quickstart = lensTargets(findTrainingLoops(readRepoFile('examples', 'quickstart.py')));
  assert.ok(!quickstart.some((r) => r.construct === 'function'), 'train() itself has no lenses: its loop has them');
});

test('a script with no training loop, or one that does not parse, gets no lenses and no error', () => {
  assert.deepEqual(planLenses(findTrainingLoops(py('print("hello")')), { running: false, batchCount: 10 }, english), []);
  assert.doesNotThrow(() => planLenses(findTrainingLoops(py('for x in (:', '  loss.backward(')), { running: false, batchCount: 10 }, english));
});

test('the Evaluate tooltip says what will run: test() before training in a new session, now in a live one, a run to the loop without training', () => {
  const source = readRepoFile('examples', 'quickstart.py');
  const tooltip = (running: boolean, text = source) => planLenses(findTrainingLoops(text), { running, batchCount: 10 }, english).find((l) => l.command === COMMANDS.evaluate)?.tooltip;
  assert.equal(
    tooltip(false),
    "Start the script and pause before its first training batch, where the model and data exist, then run the script's own call of test() with the initial weights. Nothing is trained; the time is one pass over the evaluation data.",
  );
  assert.equal(tooltip(true), "Run the script's own call of test() now with the current weights (a running session pauses first). Nothing is trained; the session stays where it was.");
  const moduleLevel = py('import torch', 'with torch.no_grad():', '    for X, y in loader:', '        loss = loss_fn(model(X), y)');
  assert.equal(tooltip(false, moduleLevel), 'Run the script from its start to this loop and stop in it (it has no training loop to skip).');
  assert.match(tooltip(true, moduleLevel) ?? '', /^Run this loop now with the current weights/);
  const inMain = readFileSync(join(__dirname, '..', 'debug', 'fixtures', 'evaluated_in_main.py'), 'utf8');
  assert.match(tooltip(false, inMain) ?? '', /then run this loop with the initial weights/, 'main() also trains: the loop runs alone, main() is not called again');
  const zh = planLenses(findTrainingLoops(source), { running: false, batchCount: 10 }, chinese()).find((l) => l.command === COMMANDS.evaluate)?.tooltip ?? '';
  assert.match(zh, /脚本自己对 test\(\) 的调用/);
});
