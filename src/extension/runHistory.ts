// The last runs' loss curves of each script for the panel's history overlay, kept in the workspace state so that they survive a reload (a run is a debug session).
import { normalize } from 'node:path';
import type * as vscode from 'vscode';
import { decodeNumber, type BatchPoint, type PastRun } from '../webview/panelProtocol';

/** Runs kept per script (the current one among them once it has batches). */
export const RUNS_KEPT = 5;
/** Scripts whose runs are kept: those run last (bounds the workspace state to PROGRAMS_KEPT × RUNS_KEPT curves). */
export const PROGRAMS_KEPT = 4;
/** Points kept per run: a curve to compare with, thinned evenly. */
export const POINTS_PER_RUN = 400;
const STATE_KEY = 'trainloop.runHistory';

/** A run as stored: its curve and the script it trained (programKey of its path). */
export interface StoredRun extends PastRun {
  program: string;
}

/** The script's path as runs are matched by: `a/./b.py`, `a//b.py` and `a/b.py` are one script, and so are paths
 * differing in case where the file system ignores it (Windows, macOS). '' for no path. */
export function programKey(path: string | undefined): string {
  if (typeof path !== 'string' || path === '') return '';
  const normal = normalize(path);
  return process.platform === 'win32' || process.platform === 'darwin' ? normal.toLowerCase() : normal;
}

/** A run's curve from its points: at most POINTS_PER_RUN, evenly spaced, the last one always kept. */
export function pastRun(id: string, name: string, program: string, startedAt: number, points: readonly BatchPoint[]): StoredRun {
  const step = Math.max(1, Math.ceil(points.length / POINTS_PER_RUN));
  const kept = points.filter((_, i) => i % step === 0 || i === points.length - 1);
  return {
    id,
    name,
    program: programKey(program),
    startedAt,
    batches: kept.map((p) => p.batch),
    losses: kept.map((p) => {
      const loss = decodeNumber(p.loss);
      return loss !== null && Number.isFinite(loss) ? loss : null;
    }),
  };
}

/** A stored run of a known script; a run stored by an older version (no `program`) cannot be matched to its script. */
function isStoredRun(value: unknown): value is StoredRun {
  const run = value as Partial<StoredRun> | null;
  return (
    typeof run === 'object' && run !== null && typeof run.id === 'string' && typeof run.name === 'string' && typeof run.startedAt === 'number' &&
    typeof run.program === 'string' && run.program !== '' &&
    Array.isArray(run.batches) && Array.isArray(run.losses) && run.batches.length === run.losses.length
  );
}

/** The runs in a Memento (workspace state), per script; what is not a run of a known script (an older format) is left out. */
export class RunHistory {
  constructor(private readonly memento: Pick<vscode.Memento, 'get' | 'update'>) {}

  /** Every stored run, newest last. */
  runs(): StoredRun[] {
    const stored = this.memento.get<unknown>(STATE_KEY);
    return Array.isArray(stored) ? stored.filter(isStoredRun) : [];
  }

  /** The earlier runs of the script at `program` for the history overlay, newest first, without the run `exceptId`
   * (the one the panel shows); none for no script. */
  runsOf(program: string | undefined, exceptId?: string): StoredRun[] {
    const key = programKey(program);
    if (key === '') return [];
    return this.runs()
      .filter((r) => r.program === key && r.id !== exceptId)
      .reverse();
  }

  /** Keeps `run` (replacing a run of the same id), then the last RUNS_KEPT runs of each of the last PROGRAMS_KEPT
   * scripts run; a run with no batch or no script is not kept. Returns the runs kept, newest last; the workspace
   * state is written in the background. */
  record(run: StoredRun): StoredRun[] {
    const runs = this.runs().filter((r) => r.id !== run.id);
    if (run.batches.length > 0 && run.program !== '') runs.push(run);
    const perProgram = new Map<string, number>();
    const kept: StoredRun[] = [];
    for (let i = runs.length - 1; i >= 0; i--) {
      const count = perProgram.get(runs[i].program);
      if (count === undefined && perProgram.size >= PROGRAMS_KEPT) continue;
      if ((count ?? 0) >= RUNS_KEPT) continue;
      perProgram.set(runs[i].program, (count ?? 0) + 1);
      kept.unshift(runs[i]);
    }
    void this.memento.update(STATE_KEY, kept);
    return kept;
  }
}
