// Which CodeLenses the editor puts over the quickstart and the bug scripts: Train/Stop/Panel over training loops, Evaluate over evaluation loops, in English and Chinese.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findTrainingLoops } from '../../src/analysis/trainingLoops';
import { COMMANDS, lensTargets, planLenses } from '../../src/extension/trainingLoopLenses';
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
      `${batchLoop.line}:${batchLoop.col} ▶ Train one batch → ${COMMANDS.trainOneBatch}`,
      `${batchLoop.line}:${batchLoop.col} ⏭ Train 10 batches → ${COMMANDS.trainBatches}`,
      `${batchLoop.line}:${batchLoop.col} Show training panel → ${COMMANDS.showPanel}`,
      `${evalLoop.line}:${evalLoop.col} ▶ Evaluate → ${COMMANDS.evaluate}`,
    ],
  );
  assert.ok(lenses.find((l) => l.command === COMMANDS.evaluate)?.withLine);
});

test('Stop appears while the file has a session; the batch count comes from the setting; Chinese titles', () => {
  const source = readRepoFile('examples', 'bugs', 'tl001_missing_zero_grad.py');
  const running = planLenses(findTrainingLoops(source), { running: true, batchCount: 25 }, english).map((l) => l.title);
  assert.deepEqual(running, ['▶ Train one batch', '⏭ Train 25 batches', '■ Stop', 'Show training panel']);
  const zh = planLenses(findTrainingLoops(source), { running: true, batchCount: 25 }, chinese()).map((l) => l.title);
  assert.deepEqual(zh, ['▶ 训练一个批次', '⏭ 训练 25 个批次', '■ 停止', '显示训练面板']);
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
