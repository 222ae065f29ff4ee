// The adapter's custom events as the editor reads them, and the training panel's data path: history, throttled updates (100 batches a second), page-side snapshot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrainloopEvent, type BatchReport } from '../../src/extension/adapterEvents';
import { DEFAULT_UPDATE_RATE_HZ, MAX_HISTORY_POINTS, ThrottledPanelUpdates, TrainingHistory, toBatchPoints, type PanelUpdateMessage, type Timers } from '../../src/extension/panelUpdates';
import { applyMessage, emptySnapshot, histogramBars, imageBytes, imagePixels, lossOf, seriesColumns, seriesNames, smooth, chooseParameter } from '../../src/webview/chartData';
import type { BatchPoint, HostToPanelMessage } from '../../src/webview/panelProtocol';
import { BATCH_EVENT, DIAGNOSTIC_EVENT, RUNTIME_EVENT, type BatchEventBody, type RuntimeEventBody } from '../../src/debug/debugContract';

function batchReport(body: unknown): BatchReport {
  const parsed = parseTrainloopEvent(BATCH_EVENT, body);
  assert.equal(parsed?.kind, 'batch');
  return (parsed as { kind: 'batch'; report: BatchReport }).report;
}

test('a batch event as the adapter sends it: several losses since the last event, the latest gradient norms', () => {
  const body: BatchEventBody = {
    batch: 9,
    epoch: 0,
    loss: 2.1,
    losses: [2.3, 'nan' as unknown as number, 2.2, 2.1],
    gradNorms: { 'model.fc.weight': 0.4, 'model.fc.bias': 0.05 },
    updateRatios: {},
    modelTraining: true,
    diagnostics: [
      { event: 'diagnostic', code: 'TL001', severity: 'warning', path: '/w/train.py', line: 18, column: 9, batch: 3, message: 'Gradients accumulate…', template: 'TL001', values: {}, evidence: {} },
    ],
  };
  const report = batchReport(body);
  assert.equal(report.batch, 9);
  assert.equal(report.epoch, 0);
  assert.deepEqual(report.losses?.slice(0, 1), [2.3]);
  assert.ok(Number.isNaN(report.losses?.[1]));
  assert.deepEqual(report.gradNorms, { 'model.fc.weight': 0.4, 'model.fc.bias': 0.05 });
  assert.deepEqual(report.diagnostics, [{ code: 'TL001', message: 'Gradients accumulate…', severity: 'warning', path: '/w/train.py', line: 17, col: 8, batch: 3, template: 'TL001', values: {} }]);

  // Five batches were trained before this report: its four losses are batches 6 to 9 (from 1, as the report's batch 9).
  const points = toBatchPoints(report, 5);
  assert.deepEqual(points.map((p) => p.batch), [6, 7, 8, 9]);
  assert.deepEqual(points.map((p) => p.loss), [2.3, 'NaN', 2.2, 2.1], 'NaN travels as text through JSON');
  assert.deepEqual(points.map((p) => Object.keys(p.gradNorms).length), [0, 0, 0, 2], 'only the last batch has its gradients measured');
  assert.ok(Number.isNaN(lossOf(points[1]) as number));
});

test('the other events and fields of the contract: a diagnostic, the runtime, non-finite values, histograms, images', () => {
  const diagnostic = parseTrainloopEvent(DIAGNOSTIC_EVENT, { code: 'TL003', message: 'loss is not finite', path: 'a.py', line: 1, column: 5 });
  assert.deepEqual(diagnostic, { kind: 'diagnostic', diagnostic: { code: 'TL003', message: 'loss is not finite', severity: 'warning', path: 'a.py', line: 0, col: 4 } });
  const report = batchReport({
    batch: 0,
    loss: 'inf',
    losses: ['nan', '-inf', 1.5, null],
    gradNorms: { w: 2, b: 'inf' },
    updateRatios: { w: 0.001 },
    modelTraining: false,
    histograms: { w: { weights: { min: -1, max: 1, counts: [1, 2, 3, 4] }, grads: { min: 0, max: 1 } } },
    inputs: { shape: [2, 1, 2, 2], bytes: Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]).toString('base64'), labels: [3, 1], predictions: [3, 0] },
  });
  assert.equal(report.loss, Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(report.losses?.[0]));
  assert.deepEqual(report.losses?.slice(1), [Number.NEGATIVE_INFINITY, 1.5, null]);
  assert.deepEqual(report.gradNorms, { w: 2, b: Number.POSITIVE_INFINITY });
  assert.deepEqual(report.updateRatios, { w: 0.001 });
  assert.equal(report.modelTraining, false);
  assert.deepEqual(report.histograms, { w: { weights: { min: -1, max: 1, counts: [1, 2, 3, 4] } } }, 'a histogram without counts is left out');
  assert.deepEqual(report.inputs?.labels, [3, 1]);
  assert.equal(report.inputs?.bytes, 'AAECAwQFBgc=');
  // Not images: 2 channels; as many bytes as the shape says but not base64; fewer or more bytes; an array of values.
  const imagesOf = (inputs: unknown) => batchReport({ batch: 0, loss: 1, inputs }).inputs;
  assert.equal(imagesOf({ shape: [1, 2, 2, 2], bytes: 'AAAAAAAAAAA=' }), undefined);
  assert.ok(imagesOf({ shape: [1, 1, 3, 3], bytes: 'AAAAAAAAAAAA' }), 'nine bytes');
  assert.equal(imagesOf({ shape: [1, 1, 3, 3], bytes: 'AAAAAAAA*AAA' }), undefined);
  assert.equal(imagesOf({ shape: [1, 1, 2, 2], bytes: 'AQI=' }), undefined);
  assert.equal(imagesOf({ shape: [1, 1, 2, 2], bytes: 'AAAAAAAAAAA=' }), undefined);
  assert.equal(imagesOf({ shape: [1, 1, 1, 2], data: [1, 2] }), undefined);
  assert.equal(parseTrainloopEvent(BATCH_EVENT, { loss: 1 }), null, 'a batch event needs its index');
  assert.equal(parseTrainloopEvent('stopped', { reason: 'step' }), null);
  assert.equal(parseTrainloopEvent(BATCH_EVENT, null), null);
  const runtime: RuntimeEventBody = { kind: 'python', label: 'Python 3.11 · torch 1.13.0 · cpu', python: '/usr/bin/python3', torch: '1.13.0', bootMs: 900 };
  assert.deepEqual(parseTrainloopEvent(RUNTIME_EVENT, runtime), { kind: 'runtime', runtime });
  assert.deepEqual(parseTrainloopEvent(RUNTIME_EVENT, { kind: 'embedded', label: 'embedded · wasm', backend: 'wasm', bootMs: 900, extra: 1 }), {
    kind: 'runtime',
    runtime: { kind: 'embedded', label: 'embedded · wasm', backend: 'wasm', bootMs: 900 },
  });
  assert.equal(parseTrainloopEvent(RUNTIME_EVENT, { backend: 'wasm', bootMs: 900 }), null, 'a runtime event needs its kind and label');
});

test('only the names and fields the contract declares are read; malformed bodies are dropped, never thrown on', () => {
  // Spellings no sender uses: other event names, snake_case and alias fields.
  for (const name of ['trainloop.batch', 'trainloop/batch', 'batch']) assert.equal(parseTrainloopEvent(name, { batch: 0, loss: 1 }), null, name);
  for (const name of ['trainloop.diagnostic', 'diagnostic']) assert.equal(parseTrainloopEvent(name, { code: 'TL001', message: 'm' }), null, name);
  for (const name of ['trainloop.runtime', 'ready']) assert.equal(parseTrainloopEvent(name, { kind: 'embedded', label: 'x', bootMs: 1 }), null, name);
  assert.equal(parseTrainloopEvent(BATCH_EVENT, { index: 3, loss: 1 }), null, '`index` is not `batch`');
  const aliased = batchReport({
    batch: 1,
    loss: 1,
    grad_norms: { w: 1 },
    update_ratios: { w: 1 },
    training: true,
    images: { shape: [1, 1, 1, 1], bytes: 'AA==' },
    warnings: [{ code: 'TL001', message: 'm' }],
  });
  assert.deepEqual([aliased.gradNorms, aliased.updateRatios, aliased.modelTraining, aliased.inputs, aliased.diagnostics], [{}, {}, undefined, undefined, []]);
  const located = parseTrainloopEvent(DIAGNOSTIC_EVENT, { code: 'TL001', message: 'm', file: 'a.py', col: 3 });
  assert.deepEqual(located, { kind: 'diagnostic', diagnostic: { code: 'TL001', message: 'm', severity: 'warning' } });

  const malformed: unknown[] = [undefined, null, 0, 'text', [], [1, 2], { batch: '3' }, { batch: Number.NaN }];
  const fields: Record<string, unknown[]> = {
    loss: [{}, [], 'NaN', '1.5'],
    losses: ['nan', {}, [{}, 'x']],
    gradNorms: [[{ name: 'w', norm: 1 }], 'w', { w: { norm: 1 } }],
    histograms: [[], { w: null }, { w: { weights: [1, 2] } }, { w: { weights: { min: 'a', max: 1, counts: [] } } }],
    inputs: [[], { shape: 'x' }, { shape: [1, 1, 1, 1], bytes: 'AA==', labels: ['cat'] }],
    diagnostics: [{}, [null, 1, { code: 1 }]],
    epoch: ['0'],
    modelTraining: ['yes'],
  };
  for (const event of [BATCH_EVENT, DIAGNOSTIC_EVENT, RUNTIME_EVENT]) {
    for (const body of malformed) assert.doesNotThrow(() => parseTrainloopEvent(event, body), `${event} ${JSON.stringify(body)}`);
  }
  for (const [name, values] of Object.entries(fields)) {
    for (const value of values) {
      const parsed = parseTrainloopEvent(BATCH_EVENT, { batch: 2, [name]: value });
      assert.equal(parsed?.kind, 'batch', `${name}: ${JSON.stringify(value)} still gives the batch`);
    }
  }
  const images = batchReport({ batch: 0, inputs: { shape: [1, 1, 1, 1], bytes: 'AA==', labels: ['cat'], predictions: [2] } }).inputs;
  assert.deepEqual(images, { shape: [1, 1, 1, 1], bytes: 'AA==', predictions: [2] }, 'labels that are not class numbers are left out');
});

class FakeTimers implements Timers {
  time = 0;
  private queue: Array<{ at: number; callback: () => void; id: number }> = [];
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.queue.push({ at: this.time + ms, callback, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const next = this.queue[0];
      if (!next || next.at > end) break;
      this.queue.shift();
      this.time = next.at;
      next.callback();
    }
    this.time = end;
  }
}

function point(batch: number): BatchPoint {
  return { batch, loss: 1 / (batch + 1), gradNorms: { w: 1 }, updateRatios: {} };
}

test('100 batches a second reach the page as at most 10 updates a second, every batch in order', () => {
  const timers = new FakeTimers();
  const sent: PanelUpdateMessage[] = [];
  const updates = new ThrottledPanelUpdates((m) => sent.push(m), 10, timers);
  for (let batch = 0; batch < 300; batch++) {
    updates.add({ points: [point(batch)] });
    timers.advance(10);
  }
  timers.advance(1000);
  assert.ok(sent.length <= 31 && sent.length >= 29, `${sent.length} updates for 3 s`);
  assert.deepEqual(sent.flatMap((m) => m.points.map((p) => p.batch)), [...Array(300).keys()]);
  assert.equal(sent[0].points.length, 1, 'the first batch after a quiet period goes at once');
  for (let i = 1; i < sent.length; i++) assert.ok(sent[i].points.length <= 11);
});

test('heavy data goes with its latest value only; a flush (the run paused) sends at once; the rate can change', () => {
  const timers = new FakeTimers();
  const sent: PanelUpdateMessage[] = [];
  const updates = new ThrottledPanelUpdates((m) => sent.push(m), 2, timers);
  updates.add({ points: [point(0)] });
  const histogram = (batch: number) => ({ batch, byParameter: { w: { weights: { min: 0, max: 1, counts: [batch] } } } });
  updates.add({ points: [point(1)], histograms: histogram(1) });
  updates.add({ points: [point(2)], histograms: histogram(2) });
  assert.equal(sent.length, 1);
  updates.flush();
  assert.equal(sent.length, 2);
  assert.deepEqual(sent[1].points.map((p) => p.batch), [1, 2]);
  assert.equal(sent[1].histograms?.batch, 2);
  updates.flush();
  assert.equal(sent.length, 2, 'nothing pending, nothing sent');
  updates.setRate(1000);
  assert.equal(ThrottledPanelUpdates.intervalFor(1000), 1000 / 60, 'capped at 60 Hz');
  assert.equal(ThrottledPanelUpdates.intervalFor(0), 1000 / DEFAULT_UPDATE_RATE_HZ, 'a bad rate falls back to the default');
  updates.add({ points: [point(3)] });
  updates.clear();
  timers.advance(5000);
  assert.equal(sent.length, 2, 'cleared updates are dropped');
});

test('the history numbers batches by counting losses, as the adapter does, whatever a report\'s own batch says', () => {
  const history = new TrainingHistory();
  const report = (body: Record<string, unknown>) => batchReport({ epoch: 0, gradNorms: {}, diagnostics: [], ...body });
  // While training runs, a report names the last batch trained; one sent at a stop inside a batch names that batch.
  history.add(report({ batch: 0, loss: 2.3, losses: [2.3] }));
  history.add(report({ batch: 10, loss: 2.1, losses: [2.25, 2.2, 2.18, 2.16, 2.15, 2.14, 2.13, 2.12, 2.11, 2.1] }));
  assert.equal(history.trainedBatches, 11);
  assert.deepEqual(history.points.map((p) => p.batch), [...Array(11).keys()].map((i) => i + 1), 'eleven batches, eleven points, numbered 1 to 11, as users count');
  const change = history.add(report({ batch: 11, loss: null, losses: [], diagnostics: [{ code: 'TL001', message: 'm', line: 18 }] }));
  assert.deepEqual(change.points, [], 'a report of warnings only trains no batch');
  assert.equal(history.trainedBatches, 11);
});

test('the history keeps every batch of a long run drawable: the older half is thinned', () => {
  const history = new TrainingHistory();
  for (let batch = 0; batch < MAX_HISTORY_POINTS + 10; batch++) history.add({ batch, loss: 1, gradNorms: {}, updateRatios: {}, histograms: {}, diagnostics: [] });
  assert.ok(history.points.length <= MAX_HISTORY_POINTS);
  assert.equal(history.points[history.points.length - 1].batch, MAX_HISTORY_POINTS + 10, 'the newest batches stay (from 1)');
  assert.equal(history.points[0].batch, 1);
  const batches = history.points.map((p) => p.batch);
  assert.deepEqual(batches, [...batches].sort((a, b) => a - b));
});

test('the page applies the host messages to its snapshot', () => {
  const session = { id: 's', name: 'Trainloop: train.py', program: '/w/train.py', state: 'running' as const };
  let snapshot = emptySnapshot();
  const messages: HostToPanelMessage[] = [
    { type: 'init', batchCount: 10, session, points: [point(0)], histograms: null, inputs: null, diagnostics: [] },
    { type: 'update', points: [point(1), point(2)], session: { ...session, state: 'paused', batch: 2 } },
    { type: 'diagnostics', diagnostics: [{ code: 'TL001', title: 't', message: 'm', origin: 'static', path: '/w/train.py', line: 3 }] },
  ];
  for (const m of messages) snapshot = applyMessage(snapshot, m);
  assert.deepEqual(snapshot.points.map((p) => p.batch), [0, 1, 2]);
  assert.equal(snapshot.session?.state, 'paused');
  assert.equal(snapshot.diagnostics.length, 1);
  snapshot = applyMessage(snapshot, { type: 'reset', session: { ...session, id: 't' } });
  assert.deepEqual(snapshot.points, [], 'a new run starts new charts');
  assert.equal(snapshot.diagnostics.length, 1, 'the warnings stay until the host sends new ones');
  assert.equal(snapshot.session?.id, 't');
});

test('chart data: smoothing, per-parameter columns for log scales, histogram bars, image pixels', () => {
  assert.deepEqual(smooth([1, 2, 3], 0), [1, 2, 3]);
  const smoothed = smooth([2, null, 2, Number.NaN, 2], 0.9);
  assert.deepEqual(smoothed.map((v) => (v === null ? null : Math.round(v * 1e9) / 1e9)), [2, null, 2, null, 2], 'debiased: a constant stays constant, gaps stay gaps');
  const falling = smooth([4, 0, 0, 0], 0.5) as number[];
  assert.ok(falling[1] < 4 && falling[1] > 0 && falling[3] < falling[1]);

  const points: BatchPoint[] = [
    { batch: 0, loss: 1, gradNorms: { a: 1, b: 0 }, updateRatios: {} },
    { batch: 1, loss: 1, gradNorms: {}, updateRatios: {} },
    { batch: 2, loss: 1, gradNorms: {}, updateRatios: {} },
    { batch: 3, loss: 1, gradNorms: { a: 2, c: 3 }, updateRatios: {} },
    { batch: 4, loss: 1, gradNorms: { a: 4 }, updateRatios: {} },
  ];
  const names = seriesNames(points, 'gradNorms');
  assert.deepEqual(names, ['a', 'b', 'c']);
  assert.deepEqual(
    seriesColumns(points, 'gradNorms', names),
    [[0, 3, 4], [1, 2, 4], [null, null, null], [null, 3, null]],
    'x is the batches whose norms were measured, so each line joins its measurements; a 0 norm cannot be drawn on a log scale',
  );

  assert.deepEqual(histogramBars({ min: -1, max: 1, counts: [5, 7] }), { centres: [-0.5, 0.5], counts: [5, 7] });
  assert.equal(chooseParameter(['a', 'b'], 'b'), 'b');
  assert.equal(chooseParameter(['a', 'b'], 'gone'), 'a');
  assert.equal(chooseParameter([], undefined), undefined);

  const images = { shape: [2, 1, 1, 2] as [number, number, number, number], bytes: Buffer.from([0, 1, 100, 200]).toString('base64') };
  const bytes = imageBytes(images)!;
  assert.deepEqual([...bytes], [0, 1, 100, 200], 'base64 decoded');
  assert.deepEqual([...imagePixels(images, bytes, 0)], [0, 0, 0, 255, 255, 255, 255, 255]);
  assert.deepEqual([...imagePixels(images, bytes, 1)], [0, 0, 0, 255, 255, 255, 255, 255], 'each image to its own range');
  const rgb = { shape: [1, 3, 1, 1] as [number, number, number, number], bytes: Buffer.from([200, 0, 40]).toString('base64') };
  assert.deepEqual([...imagePixels(rgb, imageBytes(rgb)!, 0)], [255, 0, 51, 255]);
  assert.equal(imageBytes({ shape: [1, 1, 2, 2], bytes: 'AQI=' }), null, 'fewer bytes than the shape says');
  assert.equal(imageBytes({ shape: [1, 1, 1, 2], data: [1, 2] } as never), null, 'a state saved by an older page');
  const flat = { shape: [1, 1, 1, 2] as [number, number, number, number], bytes: Buffer.from([7, 7]).toString('base64') };
  assert.deepEqual([...imagePixels(flat, imageBytes(flat)!, 0)], [0, 0, 0, 255, 0, 0, 0, 255], 'an image of one value is black');
});
