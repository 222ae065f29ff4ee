// The training panel's data on the host side: the run's history (replayed when the page opens) and the throttle that batches live updates to the page's update rate.
import type { BatchReport } from './adapterEvents';
import { withHistogramSample } from '../webview/chartData';
import {
  type BatchPoint,
  type EvalPoint,
  type HostToPanelMessage,
  type PanelDiagnostic,
  type PanelHistograms,
  type PanelInputs,
  type PanelSession,
  type PanelSnapshot,
  encodeNumber,
} from '../webview/panelProtocol';

export type PanelUpdateMessage = Extract<HostToPanelMessage, { type: 'update' }>;

/** trainloop.panel.updateRateHz's default: a live chart needs no more, and every update takes time from training. */
export const DEFAULT_UPDATE_RATE_HZ = 2;

/** Batches kept for the charts; past this the older half is thinned to every other batch. */
export const MAX_HISTORY_POINTS = 20_000;

function encodeLoss(loss: number | null): number | string | null {
  return loss === null ? null : encodeNumber(loss);
}

/**
 * The chart points of a report: one per batch it covers, numbered on from `first` (the batches
 * trained before it). Each loss in a report is one trained batch, oldest first, so counting them
 * numbers the batches as the adapter does (from 0), whatever the report's own `batch` field
 * says (the runtime's last report before a stop names the batch about to be trained). Earlier
 * batches of a throttled report have only their loss; the last one carries the gradient norms
 * and update ratios. A report with no losses (only warnings) adds no point.
 */
export function toBatchPoints(report: BatchReport, first: number): BatchPoint[] {
  const losses = report.losses ?? [report.loss];
  return losses.map((loss, i) => {
    const last = i === losses.length - 1;
    const point: BatchPoint = {
      batch: first + i + 1, // as users count: the first batch is batch 1
      loss: encodeLoss(loss),
      gradNorms: last ? report.gradNorms : {},
      updateRatios: last ? report.updateRatios : {},
    };
    if (report.epoch !== undefined) point.epoch = report.epoch;
    return point;
  });
}

/** The evaluation passes of a report, on the loss chart's axis: at the last training batch before each. */
export function toEvalPoints(report: BatchReport): EvalPoint[] {
  return (report.evaluations ?? []).map((e) => {
    const point: EvalPoint = { batch: e.batches, loss: encodeLoss(e.loss), samples: e.samples };
    if (e.epoch !== null) point.epoch = e.epoch;
    if (e.accuracy !== null) point.accuracy = e.accuracy;
    return point;
  });
}

export interface HistoryChange {
  points: BatchPoint[];
  histograms?: PanelHistograms;
  inputs?: PanelInputs;
  evalPoints?: EvalPoint[];
}

/** Everything the panel shows about one run, kept while the run lasts (and after, until the next). */
export class TrainingHistory {
  points: BatchPoint[] = [];
  histograms: PanelHistograms | null = null;
  /** The last histogram samples, for the page's heat map over time. */
  histogramHistory: PanelHistograms[] = [];
  inputs: PanelInputs | null = null;
  evalPoints: EvalPoint[] = [];
  diagnostics: PanelDiagnostic[] = [];
  /** Batches trained so far (the next batch's number). */
  trainedBatches = 0;

  /** Records a report; returns what changed, for the live update. */
  add(report: BatchReport): HistoryChange {
    const points = toBatchPoints(report, this.trainedBatches);
    this.trainedBatches += points.length;
    for (const point of points) this.points.push(point);
    while (this.points.length > MAX_HISTORY_POINTS) this.thin();
    const changed: HistoryChange = { points };
    // Every sample is kept and sent as it comes (the latest one is what the page shows).
    if (Object.keys(report.histograms).length > 0) {
      this.histograms = { batch: report.batch, byParameter: report.histograms };
      this.histogramHistory = withHistogramSample(this.histogramHistory, this.histograms);
      changed.histograms = this.histograms;
    }
    const evalPoints = toEvalPoints(report);
    if (evalPoints.length > 0) {
      for (const point of evalPoints) this.evalPoints.push(point);
      changed.evalPoints = evalPoints;
    }
    if (report.inputs) {
      this.inputs = { ...report.inputs, batch: report.batch };
      changed.inputs = this.inputs;
    }
    return changed;
  }

  /** Keeps every other point of the older half, so long runs stay drawable and small. */
  private thin(): void {
    const half = this.points.length >> 1;
    const older = this.points.slice(0, half).filter((_, i) => i % 2 === 0);
    this.points = older.concat(this.points.slice(half));
  }

  snapshot(session: PanelSession | null): PanelSnapshot {
    return {
      session,
      points: this.points,
      histograms: this.histograms,
      histogramHistory: this.histogramHistory,
      inputs: this.inputs,
      evalPoints: this.evalPoints,
      diagnostics: this.diagnostics,
    };
  }
}

export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Sends the page at most `rateHz` updates a second however fast batches come: the first batch
 * after a quiet period goes at once, later ones are gathered (every loss point, the latest
 * histograms, inputs and session state) and go together when the interval has passed.
 */
export class ThrottledPanelUpdates {
  private pending: PanelUpdateMessage | null = null;
  private timer: unknown = null;
  private lastSent = Number.NEGATIVE_INFINITY;
  private intervalMs: number;

  constructor(
    private readonly send: (message: PanelUpdateMessage) => void,
    rateHz: number,
    private readonly timers: Timers = systemTimers,
  ) {
    this.intervalMs = ThrottledPanelUpdates.intervalFor(rateHz);
  }

  static intervalFor(rateHz: number): number {
    const hz = Number.isFinite(rateHz) && rateHz > 0 ? Math.min(rateHz, 60) : DEFAULT_UPDATE_RATE_HZ;
    return 1000 / hz;
  }

  setRate(rateHz: number): void {
    this.intervalMs = ThrottledPanelUpdates.intervalFor(rateHz);
  }

  add(change: { points?: BatchPoint[]; histograms?: PanelHistograms; inputs?: PanelInputs; evalPoints?: EvalPoint[]; session?: PanelSession }): void {
    const pending = (this.pending ??= { type: 'update', points: [] });
    if (change.points) for (const point of change.points) pending.points.push(point);
    if (change.evalPoints) pending.evalPoints = (pending.evalPoints ?? []).concat(change.evalPoints);
    // Histograms gathered in one interval: the latest is sent (the page's heat map gets one sample per update).
    if (change.histograms) pending.histograms = change.histograms;
    if (change.inputs) pending.inputs = change.inputs;
    if (change.session) pending.session = change.session;
    if (this.timer !== null) return;
    const wait = this.lastSent + this.intervalMs - this.timers.now();
    if (wait <= 0) this.flush();
    else this.timer = this.timers.setTimeout(() => this.flush(), wait);
  }

  /** Sends what is pending now (e.g. when the session pauses, so the page shows the exact last batch). */
  flush(): void {
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
    const message = this.pending;
    this.pending = null;
    if (!message) return;
    this.lastSent = this.timers.now();
    this.send(message);
  }

  /** Drops what is pending (the page is being reset or closed). */
  clear(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }
}
