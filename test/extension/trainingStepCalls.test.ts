// Hovers over training-step calls: which calls are recognised, their two-line explanations (English and Chinese), and what they did in this run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeLastEffect, explainTrainingStep, trainingStepCallAt } from '../../src/extension/trainingStepCalls';
import { english } from '../../src/extension/localization';
import type { BatchReport } from '../../src/extension/adapterEvents';
import { SEED_TRAIN, chinese, positionOf, py } from './support';

function callAt(source: string, needle: string, offsetInNeedle: number) {
  const { line, col } = positionOf(source, needle);
  return trainingStepCallAt(source, line, col + offsetInNeedle);
}

test('each training-step call of the seed loop is recognised from its method name', () => {
  const cases: Array<[needle: string, offset: number, kind: string, receiver: string, text: string]> = [
    ['model.train()', 'model.'.length + 1, 'train', 'model', 'model.train()'],
    ['X.to(device)', 'X.'.length, 'to', 'X', 'X.to(device)'],
    ['loss.backward()', 'loss.back'.length, 'backward', 'loss', 'loss.backward()'],
    ['optimizer.step()', 'optimizer.'.length + 2, 'step', 'optimizer', 'optimizer.step()'],
    ['optimizer.zero_grad()', 'optimizer.zero'.length, 'zero_grad', 'optimizer', 'optimizer.zero_grad()'],
    ['loss.item()', 'loss.item'.length, 'item', 'loss', 'loss.item()'],
  ];
  for (const [needle, offset, kind, receiver, text] of cases) {
    const call = callAt(SEED_TRAIN, needle, offset);
    assert.ok(call, needle);
    assert.equal(call.kind, kind, needle);
    assert.equal(call.receiver, receiver, needle);
    assert.equal(call.text, text, needle);
    const start = positionOf(SEED_TRAIN, needle);
    assert.deepEqual([call.startLine, call.startCol, call.endLine, call.endCol], [start.line, start.col, start.line, start.col + needle.length]);
  }
});

test('model.eval(), a receiver that is an attribute, and a call split over lines', () => {
  const source = py('self.model.eval()', 'optimizer.step(', '    closure)', 'net.to(', '   "cpu")');
  assert.equal(callAt(source, 'self.model.eval()', 'self.model.e'.length)?.receiver, 'self.model');
  const step = callAt(source, 'optimizer.step(', 'optimizer.s'.length);
  assert.equal(step?.kind, 'step');
  assert.equal(step?.text, 'optimizer.step(closure)');
  assert.equal(step?.endLine, 2);
  assert.equal(callAt(source, 'net.to(', 'net.t'.length)?.text, 'net.to("cpu")');
});

test('no explanation off the method name, for schedulers, for .to() without a device, or for other methods', () => {
  const source = py('scheduler.step()', 'lr_scheduler.step()', 'x.to()', 'loss.detach()', 'optimizer.step()', 'train()');
  assert.equal(callAt(source, 'scheduler.step()', 'scheduler.st'.length), null);
  assert.equal(callAt(source, 'lr_scheduler.step()', 'lr_scheduler.st'.length), null);
  assert.equal(callAt(source, 'x.to()', 'x.t'.length), null);
  assert.equal(callAt(source, 'loss.detach()', 'loss.de'.length), null);
  assert.equal(callAt(source, 'optimizer.step()', 'optim'.length), null, 'over the receiver: the debugger shows its value');
  assert.equal(callAt(source, 'train()', 1), null, 'a plain function named train');
});

test('every explanation has two non-empty lines, in English and in Chinese, naming the receiver', () => {
  const zh = chinese();
  for (const kind of ['train', 'eval', 'backward', 'step', 'zero_grad', 'to', 'item'] as const) {
    const [what, why] = explainTrainingStep({ kind, receiver: 'RECV' }, english);
    assert.ok(what.length > 20 && why.length > 20, kind);
    assert.ok(what.includes('RECV'), `${kind}: ${what}`);
    const [whatZh, whyZh] = explainTrainingStep({ kind, receiver: 'RECV' }, zh);
    assert.ok(whatZh.includes('RECV'), `${kind}: ${whatZh}`);
    assert.notEqual(whatZh, what, `${kind} is translated`);
    assert.notEqual(whyZh, why, `${kind} is translated`);
    assert.match(whatZh + whyZh, /[\u4e00-\u9fff]/, `${kind} reads as Chinese`);
  }
  // The seed's words for backward() and zero_grad().
  assert.match(explainTrainingStep({ kind: 'backward', receiver: 'loss' }, zh)[0], /反向传播/);
  assert.match(explainTrainingStep({ kind: 'zero_grad', receiver: 'optimizer' }, zh)[1], /默认会累积梯度/);
});

function report(fields: Partial<BatchReport>): BatchReport {
  return { batch: 6, loss: 0.5321, gradNorms: {}, updateRatios: {}, histograms: {}, diagnostics: [], ...fields };
}

test('what the call just did in this run, from the last batch report and the last measurements', () => {
  const last = report({ modelTraining: true });
  // Measured at earlier batches than the last report's: the hovers name those batches.
  const measured = {
    gradNorms: { batch: 5, values: { '0.weight': 0.5, '0.bias': 0.01, '2.weight': 1.25 } },
    updateRatios: { batch: 4, values: { '0.weight': 1e-3, '0.bias': 2e-3, '2.weight': 1.2e-3, '2.bias': 9e-4 } },
  };
  assert.equal(
    describeLastEffect({ kind: 'backward' }, last, undefined, english, measured),
    'In this run (batch 5): computed gradients for 3 parameters; largest ‖grad‖ = 1.25 (2.weight).',
  );
  assert.equal(describeLastEffect({ kind: 'step' }, last, undefined, english, measured), 'In this run (batch 4): updated 4 parameters; median |Δw|/|w| = 0.0011.');
  assert.equal(describeLastEffect({ kind: 'item' }, last, undefined, english), 'In this run: the loss of batch 6 was 0.532.');
  assert.equal(describeLastEffect({ kind: 'train' }, last, undefined, english), 'In this run (batch 6): the model was in training mode.');
  assert.equal(describeLastEffect({ kind: 'to' }, last, 'wasm', english), 'In this run: tensors live on the embedded runtime (wasm backend).');
  assert.equal(describeLastEffect({ kind: 'zero_grad' }, last, undefined, english), 'In this run: 7 batches so far, no gradient accumulation detected.');
  const accumulating = report({ diagnostics: [{ code: 'TL001', message: 'm', severity: 'warning' }] });
  assert.equal(describeLastEffect({ kind: 'zero_grad' }, accumulating, undefined, english), 'In this run (batch 6): gradients were not cleared between steps (TL001).');
  assert.match(describeLastEffect({ kind: 'step' }, last, undefined, chinese(), measured) ?? '', /第 4 个批次.*更新了 4 个参数/);
});

test('nothing is claimed about the run when the report does not say', () => {
  const bare = report({});
  assert.equal(describeLastEffect({ kind: 'backward' }, bare, undefined, english), null);
  assert.equal(describeLastEffect({ kind: 'step' }, bare, undefined, english), null);
  assert.equal(describeLastEffect({ kind: 'step' }, bare, undefined, english, { updateRatios: { batch: 3, values: {} } }), null);
  assert.equal(describeLastEffect({ kind: 'backward' }, report({ gradNorms: { w: 1 } }), undefined, english), null, 'only measurements count');
  assert.equal(describeLastEffect({ kind: 'eval' }, bare, undefined, english), null);
  assert.equal(describeLastEffect({ kind: 'to' }, bare, undefined, english), null);
  assert.equal(describeLastEffect({ kind: 'item' }, report({ loss: null }), undefined, english), null);
  assert.equal(describeLastEffect({ kind: 'item' }, undefined, undefined, english), null);
});

test('a file that does not parse still gets hovers where its code does, and never throws', () => {
  const broken = py('def train(:', '    loss.backward()', 'optimizer.step()', 'x = (');
  assert.equal(callAt(broken, 'optimizer.step()', 'optimizer.s'.length)?.kind, 'step');
  for (let line = 0; line < 6; line++) for (let col = 0; col < 20; col++) trainingStepCallAt(broken, line, col);
  assert.equal(trainingStepCallAt('', 0, 0), null);
  assert.equal(trainingStepCallAt('x', 99, 99), null);
});
