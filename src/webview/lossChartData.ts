// The loss chart's columns, free of the DOM: this run's loss and its smoothing, its evaluation passes, and earlier runs' curves, on one x axis of batches.
import { lossOf, smooth } from './chartData';
import { type EvalPoint, type PastRun, type BatchPoint, decodeNumber } from './panelProtocol';

export interface LossColumns {
  x: number[];
  loss: Array<number | null>;
  smoothed: Array<number | null>;
  /** Each evaluation pass's mean loss at the batch it followed; empty when there is none. */
  evalLoss: Array<number | null>;
  evalAccuracy: Array<number | null>;
  hasEval: boolean;
  hasAccuracy: boolean;
  /** The earlier runs' losses, in the order given (newest first from the host). */
  runs: Array<{ run: PastRun; values: Array<number | null> }>;
}

function finite(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/** The columns of the loss chart (x ascending; a value missing at an x is null). */
export function lossColumns(points: readonly BatchPoint[], smoothing: number, evalPoints: readonly EvalPoint[], runs: readonly PastRun[]): LossColumns {
  const losses = points.map(lossOf);
  const smoothed = smooth(losses, smoothing);
  const hasEval = evalPoints.length > 0;
  const hasAccuracy = evalPoints.some((e) => typeof e.accuracy === 'number');
  if (!hasEval && runs.length === 0) {
    // The common case, as it always was: one x per batch point.
    return { x: points.map((p) => p.batch), loss: losses.map(finite), smoothed, evalLoss: [], evalAccuracy: [], hasEval, hasAccuracy, runs: [] };
  }
  const xs = new Set<number>(points.map((p) => p.batch));
  for (const e of evalPoints) xs.add(e.batch);
  for (const run of runs) for (const b of run.batches) xs.add(b);
  const x = [...xs].sort((a, b) => a - b);
  const at = new Map(x.map((b, i) => [b, i]));
  const column = () => new Array<number | null>(x.length).fill(null);
  const loss = column();
  const smooth_ = column();
  points.forEach((p, i) => {
    const index = at.get(p.batch) as number;
    loss[index] = finite(losses[i]);
    smooth_[index] = smoothed[i];
  });
  const evalLoss = column();
  const evalAccuracy = column();
  for (const e of evalPoints) {
    const index = at.get(e.batch) as number;
    evalLoss[index] = finite(decodeNumber(e.loss));
    if (typeof e.accuracy === 'number') evalAccuracy[index] = e.accuracy;
  }
  const runColumns = runs.map((run) => {
    const values = column();
    run.batches.forEach((b, i) => {
      values[at.get(b) as number] = finite(run.losses[i] ?? null);
    });
    return { run, values };
  });
  return { x, loss, smoothed: smooth_, evalLoss, evalAccuracy, hasEval, hasAccuracy, runs: runColumns };
}
