// The last runs' loss curves for the panel's history overlay, kept in the workspace state so that they survive a reload (a run is a debug session).
import type * as vscode from 'vscode';
import { decodeNumber, type BatchPoint, type PastRun } from '../webview/panelProtocol';

/** Runs kept (the current one among them once it has batches). */
export const RUNS_KEPT = 5;
/** Points kept per run: a curve to compare with, thinned evenly. */
export const POINTS_PER_RUN = 400;
const STATE_KEY = 'trainloop.runHistory';

/** A run's curve from its points: at most POINTS_PER_RUN, evenly spaced, the last one always kept. */
export function pastRun(id: string, name: string, startedAt: number, points: readonly BatchPoint[]): PastRun {
  const step = Math.max(1, Math.ceil(points.length / POINTS_PER_RUN));
  const kept = points.filter((_, i) => i % step === 0 || i === points.length - 1);
  return {
    id,
    name,
    startedAt,
    batches: kept.map((p) => p.batch),
    losses: kept.map((p) => {
      const loss = decodeNumber(p.loss);
      return loss !== null && Number.isFinite(loss) ? loss : null;
    }),
  };
}

function isPastRun(value: unknown): value is PastRun {
  const run = value as Partial<PastRun> | null;
  return (
    typeof run === 'object' && run !== null && typeof run.id === 'string' && typeof run.name === 'string' && typeof run.startedAt === 'number' &&
    Array.isArray(run.batches) && Array.isArray(run.losses) && run.batches.length === run.losses.length
  );
}

/** The runs in a Memento (workspace state): newest last; what is not a run (an older format) is left out. */
export class RunHistory {
  constructor(private readonly memento: Pick<vscode.Memento, 'get' | 'update'>) {}

  runs(): PastRun[] {
    const stored = this.memento.get<unknown>(STATE_KEY);
    return Array.isArray(stored) ? stored.filter(isPastRun) : [];
  }

  /** Keeps `run` (replacing a run of the same id) and drops the oldest past RUNS_KEPT; a run with no batch is not
   * kept. Returns the runs kept; the workspace state is written in the background. */
  record(run: PastRun): PastRun[] {
    const runs = this.runs().filter((r) => r.id !== run.id);
    if (run.batches.length > 0) runs.push(run);
    const kept = runs.slice(-RUNS_KEPT);
    void this.memento.update(STATE_KEY, kept);
    return kept;
  }
}
