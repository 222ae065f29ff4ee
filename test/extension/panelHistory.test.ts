// The panel's newer data paths without a browser: evaluation points and class names from batch events, every histogram sample kept for the heat map, the run history in the workspace state, the CSV export and the heat map's bins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrainloopEvent, type BatchReport } from '../../src/extension/adapterEvents';
import { ThrottledPanelUpdates, TrainingHistory, type PanelUpdateMessage, type Timers } from '../../src/extension/panelUpdates';
import { POINTS_PER_RUN, PROGRAMS_KEPT, RUNS_KEPT, RunHistory, pastRun } from '../../src/extension/runHistory';
import { HISTOGRAM_SAMPLES, applyMessage, emptySnapshot } from '../../src/webview/chartData';
import { curvesCsv } from '../../src/webview/curvesCsv';
import { heatMapOf } from '../../src/webview/histogramHeatMap';
import { lossColumns } from '../../src/webview/lossChartData';
import type { BatchPoint, PanelHistograms } from '../../src/webview/panelProtocol';
import { BATCH_EVENT } from '../../src/debug/debugContract';

function report(body: Record<string, unknown>): BatchReport {
  const parsed = parseTrainloopEvent(BATCH_EVENT, { epoch: 0, loss: 1, gradNorms: {}, updateRatios: {}, modelTraining: true, diagnostics: [], ...body });
  assert.equal(parsed?.kind, 'batch');
  return (parsed as { kind: 'batch'; report: BatchReport }).report;
}

const histograms = (spread: number) => ({ 'fc.weight': { weights: { min: -spread, max: spread, counts: [1, 2, 1] }, grads: { min: -1, max: 1, counts: [4] } } });

test('evaluation passes and class names travel from the batch event to the page, on the loss chart\'s axis', () => {
  const history = new TrainingHistory();
  history.add(report({ batch: 7, losses: Array.from({ length: 8 }, () => 1.5) }));
  const change = history.add(
    report({
      batch: 8,
      losses: [1.2],
      evaluations: [
        { batches: 8, epoch: 0, loss: 1.25, accuracy: 0.75, samples: 40 },
        { batches: 8, epoch: 0, loss: 'nan', accuracy: null, samples: 40 },
        { batches: 'eight', epoch: 0, loss: 1, accuracy: 1, samples: 40 },
      ],
      inputs: { shape: [1, 1, 1, 2], bytes: 'AAE=', labels: [1], predictions: [0], classes: ['cat', 'dog'] },
    }),
  );
  // After 8 trained batches (1…8, as users count): at batch 8, where the loss chart's eighth point is.
  assert.deepEqual(change.evalPoints, [
    { batch: 8, epoch: 0, loss: 1.25, accuracy: 0.75, samples: 40 },
    { batch: 8, epoch: 0, loss: 'NaN', samples: 40 },
  ]);
  assert.deepEqual(change.inputs?.classes, ['cat', 'dog']);
  assert.equal(history.snapshot(null).evalPoints?.length, 2);
  // Class names that are not all text are left out, the images kept.
  const odd = report({ batch: 9, losses: [1], inputs: { shape: [1, 1, 1, 2], bytes: 'AAE=', labels: [1], classes: ['cat', 2] } });
  assert.ok(odd.inputs && odd.inputs.classes === undefined);

  const sent: PanelUpdateMessage[] = [];
  const timers: Timers = { now: () => 0, setTimeout: () => 1, clearTimeout: () => undefined };
  const throttle = new ThrottledPanelUpdates((m) => sent.push(m), 2, timers);
  throttle.add({ points: [], evalPoints: [{ batch: 1, loss: 1, samples: 1 }] });
  throttle.add({ points: [], evalPoints: [{ batch: 2, loss: 2, samples: 1 }] });
  throttle.flush();
  assert.deepEqual(sent.at(-1)?.evalPoints?.map((e) => e.batch), [2], 'the second waited for the interval, alone');

  const page = applyMessage(applyMessage(emptySnapshot(), { type: 'update', points: [], evalPoints: [{ batch: 1, loss: 1, samples: 1 }] }), {
    type: 'update',
    points: [],
    evalPoints: [{ batch: 2, loss: 2, samples: 1 }],
  });
  assert.deepEqual(page.evalPoints?.map((e) => e.batch), [1, 2]);
});

test('every histogram sample is kept for the heat map (the last ones, a batch measured again replaced), and the latest shown', () => {
  const history = new TrainingHistory();
  for (let i = 0; i < HISTOGRAM_SAMPLES + 5; i++) history.add(report({ batch: i, losses: [1], histograms: histograms(1 + i) }));
  history.add(report({ batch: HISTOGRAM_SAMPLES + 4, losses: [], histograms: histograms(100) }));
  const snapshot = history.snapshot(null);
  assert.equal(snapshot.histograms?.batch, HISTOGRAM_SAMPLES + 4);
  assert.equal(snapshot.histogramHistory?.length, HISTOGRAM_SAMPLES);
  assert.equal(snapshot.histogramHistory?.at(-1)?.byParameter['fc.weight'].weights?.max, 100, 'the stop\'s measurement replaces the sample of its batch');
  assert.deepEqual(snapshot.histogramHistory?.map((h) => h.batch).slice(0, 2), [5, 6]);

  let page = applyMessage(emptySnapshot(), { type: 'init', batchCount: 10, ...snapshot, diagnostics: [] });
  page = applyMessage(page, { type: 'update', points: [], histograms: { batch: 99, byParameter: histograms(3) } });
  assert.equal(page.histograms?.batch, 99, 'the latest sample is the one shown');
  assert.deepEqual(page.histogramHistory?.map((h) => h.batch).slice(-2), [HISTOGRAM_SAMPLES + 4, 99]);
  assert.equal(page.histogramHistory?.length, HISTOGRAM_SAMPLES);
});

test('the run history keeps the last runs in the workspace state, thinned, through a reload; bad stored data is left out', () => {
  const store = new Map<string, unknown>();
  const memento = { get: <T>(key: string) => store.get(key) as T, update: async (key: string, value: unknown) => void store.set(key, value) };
  const history = new RunHistory(memento);
  const points = (n: number): BatchPoint[] => Array.from({ length: n }, (_, batch) => ({ batch, loss: batch === 3 ? 'NaN' : 2 - batch / n, gradNorms: {}, updateRatios: {} }));
  for (let run = 0; run < RUNS_KEPT + 2; run++) history.record(pastRun(`run${run}`, `Trainloop: run${run}`, '/w/train.py', 1000 + run, points(10 + run)));
  history.record(pastRun('empty', 'no batches', '/w/train.py', 2000, []));
  const kept = new RunHistory(memento).runs();
  assert.deepEqual(kept.map((r) => r.id), ['run2', 'run3', 'run4', 'run5', 'run6'], 'the last five with batches, oldest first');
  assert.equal(kept[0].losses[3], null, 'a NaN loss is a gap');
  history.record(pastRun('run4', 'again', '/w/train.py', 3000, points(5000)));
  const again = history.runs();
  assert.equal(again.at(-1)?.id, 'run4');
  assert.ok((again.at(-1)?.batches.length ?? 0) <= POINTS_PER_RUN + 1);
  assert.equal(again.at(-1)?.batches.at(-1), 4999, 'the last batch is kept');
  store.set('trainloop.runHistory', [{ id: 1 }, ...again]);
  assert.equal(history.runs().length, again.length, 'a stored item that is not a run is left out');

  // On the page: earlier runs on one x axis with this run's loss, gaps where a run has no batch.
  const columns = lossColumns(points(4), 0, [{ batch: 1, loss: 1.5, accuracy: 0.5, samples: 4 }], [{ id: 'a', name: 'a', startedAt: 0, batches: [0, 6], losses: [3, 2] }]);
  assert.deepEqual(columns.x, [0, 1, 2, 3, 6]);
  assert.deepEqual(columns.runs[0].values, [3, null, null, null, 2]);
  assert.deepEqual(columns.evalAccuracy, [null, 0.5, null, null, null]);
  assert.deepEqual(columns.loss, [2, 1.75, 1.5, null, null]);
});

test('the overlay\'s runs are the same script\'s only (its path normalised), newest first; older stored runs without a script are dropped', () => {
  const store = new Map<string, unknown>();
  const memento = { get: <T>(key: string) => store.get(key) as T, update: async (key: string, value: unknown) => void store.set(key, value) };
  const history = new RunHistory(memento);
  const points: BatchPoint[] = [{ batch: 0, loss: 1, gradNorms: {}, updateRatios: {} }];
  const record = (id: string, program: string) => history.record(pastRun(id, id, program, Date.now(), points));
  // A history written before runs kept their script, and what is not a run at all.
  store.set('trainloop.runHistory', [{ id: 'old', name: 'old', startedAt: 1, batches: [0], losses: [1] }, null, 'run', { id: 'blank', name: 'b', program: '', startedAt: 1, batches: [], losses: [] }]);
  assert.deepEqual(history.runsOf('/w/a.py'), [], 'a run of an unknown script is never shown');
  record('a1', '/w/a.py');
  record('b1', '/w/b.py');
  record('a2', '/w/./a.py');
  record('b2', '/w/sub/../b.py');
  record('a3', '/w//a.py');
  assert.deepEqual(history.runs().map((r) => r.id), ['a1', 'b1', 'a2', 'b2', 'a3'], 'the old entries are gone once a run is recorded');
  assert.deepEqual(history.runsOf('/w/a.py').map((r) => r.id), ['a3', 'a2', 'a1'], 'newest first, however the path was written');
  assert.deepEqual(history.runsOf('/w/b.py', 'b2').map((r) => r.id), ['b1'], 'not the run the panel shows');
  assert.deepEqual(history.runsOf('/w/c.py'), []);
  assert.deepEqual(history.runsOf(undefined), [], 'no script, no runs');
  assert.deepEqual(history.runsOf(''), []);

  // Each script keeps its own last RUNS_KEPT runs: another script's runs do not push them out.
  for (let i = 0; i < RUNS_KEPT + 3; i++) record(`b${10 + i}`, '/w/b.py');
  assert.deepEqual(history.runsOf('/w/a.py').map((r) => r.id), ['a3', 'a2', 'a1']);
  assert.equal(history.runsOf('/w/b.py').length, RUNS_KEPT);
  assert.equal(history.runsOf('/w/b.py')[0].id, `b${10 + RUNS_KEPT + 2}`);
  // The runs of the scripts run last are kept; the oldest script's go.
  for (let i = 0; i < PROGRAMS_KEPT - 1; i++) record(`other${i}`, `/w/other${i}.py`);
  assert.deepEqual(history.runsOf('/w/a.py'), [], 'a.py was run longest ago');
  assert.equal(history.runsOf('/w/b.py').length, RUNS_KEPT);
  assert.equal(history.runs().length, RUNS_KEPT + PROGRAMS_KEPT - 1);

  // A stored value that is not a list at all.
  store.set('trainloop.runHistory', { runs: 3 });
  assert.deepEqual(history.runsOf('/w/a.py'), []);
  assert.equal(record('a4', '/w/a.py').length, 1);
});

test('the curves as CSV: names quoted, non-finite values as text, each evaluation on its batch\'s row', () => {
  const points: BatchPoint[] = [
    { batch: 0, epoch: 0, loss: 2, gradNorms: { 'a,"b"': 0.5 }, updateRatios: { fc: 1e-3 } },
    { batch: 1, epoch: 0, loss: 'Infinity', gradNorms: {}, updateRatios: {} },
  ];
  const csv = curvesCsv(points, [{ batch: 1, epoch: 0, loss: 1.5, accuracy: 0.25, samples: 8 }, { batch: 5, loss: 'NaN', samples: 8 }]);
  assert.equal(csv, ['batch,epoch,loss,eval_loss,eval_accuracy,"grad_norm:a,""b""",update_ratio:fc', '0,0,2,,,0.5,0.001', '1,0,Infinity,1.5,0.25,,', '5,,,NaN,,,', ''].join('\n'));
});

test('the heat map spreads each sample over common bins, keeping each one\'s shape', () => {
  const sample = (batch: number, min: number, max: number, counts: number[]): PanelHistograms => ({ batch, byParameter: { w: { weights: { min, max, counts } } } });
  const map = heatMapOf([sample(1, 0, 1, [2, 2]), sample(2, 0, 2, [1, 0, 0, 3]), sample(3, 5, 5, [7])], 'w', 'weights', 4);
  assert.ok(map);
  assert.deepEqual(map.batches, [1, 2, 3]);
  assert.deepEqual([map.min, map.max], [0, 5]);
  // Bins of 1.25: [0,1] spreads over the first bin (1 of 1.25) only.
  assert.deepEqual(map.rows[0], [1, 0, 0, 0]);
  assert.deepEqual(map.rows[2], [0, 0, 0, 1], 'a constant sample is one bin');
  assert.equal(heatMapOf([sample(1, 0, 1, [1])], 'other', 'weights'), null);
  assert.equal(heatMapOf([sample(1, 0, 1, [1])], 'w', 'grads'), null);
});
