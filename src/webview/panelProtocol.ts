// The messages between the training panel's host (src/extension/trainingPanel.ts) and its page (src/webview/trainingPanel.ts), and the data they carry. Both sides import only this file's types (and the agent's shapes it re-exports, from src/runtime/agentMessages.ts).

import type { BatchImages, ParameterHistograms, ValueHistogram } from '../runtime/agentMessages';

/** The shapes the agent measures travel to the page as they are (src/runtime/agentMessages.ts declares them). */
export type { BatchImages, ParameterHistograms, ValueHistogram };

export interface PanelSession {
  id: string;
  name: string;
  program: string;
  backend?: string;
  state: 'starting' | 'running' | 'paused' | 'ended';
  /** The batch the run is at, as the adapter and the status bar name it (from 0; also the number of batches trained). */
  batch?: number;
  /** The last trained batch's loss. */
  loss?: number | null;
}

/** What the charts plot for one training batch. */
export interface BatchPoint {
  /** The trained batch's number, from 0. */
  batch: number;
  epoch?: number;
  /** null when the batch reported no loss; NaN and ±Infinity travel as text (`encodeNumber`), since messages are JSON. */
  loss: number | string | null;
  gradNorms: Record<string, number>;
  updateRatios: Record<string, number>;
}

export interface PanelHistograms {
  batch: number;
  byParameter: Record<string, Partial<ParameterHistograms>>;
}

/** One evaluation pass (a test loop over a DataLoader under no_grad): its mean loss and, for class logits, accuracy. */
export interface EvalPoint {
  /** The training batches trained before it (where it sits on the loss chart's x axis). */
  batch: number;
  epoch?: number;
  /** Mean loss per sample (NaN and ±Infinity as text, like BatchPoint's). */
  loss: number | string | null;
  /** Share of samples whose argmax was the target, 0…1; absent when the outputs were not class logits. */
  accuracy?: number;
  samples: number;
}

/** A finished run's loss curve, kept by the host (workspace state) for the run history overlay. */
export interface PastRun {
  id: string;
  name: string;
  /** Date.now() when it started. */
  startedAt: number;
  batches: number[];
  /** null where the loss was missing or not finite. */
  losses: Array<number | null>;
}

/** The current batch's inputs when they look like images (N×1×H×W or N×3×H×W): the first images only (the page rescales each image over its own range). */
export interface PanelInputs extends BatchImages {
  batch: number;
}

export interface PanelDiagnostic {
  code: string;
  /** Short title of the code, translated. */
  title: string;
  /** Translated message. */
  message: string;
  origin: 'static' | 'runtime';
  path?: string;
  /** 0-based */
  line?: number;
  col?: number;
  batch?: number;
}

/** The panel's buttons; each runs through the `trainloop` debug session like the CodeLens does. */
export type PanelAction = 'trainOneBatch' | 'trainBatches' | 'continue' | 'stop' | 'openQuickstart';

export interface PanelSnapshot {
  session: PanelSession | null;
  points: BatchPoint[];
  histograms: PanelHistograms | null;
  /** The last histogram samples, oldest first (the heat map of each parameter over time); the last is `histograms`. */
  histogramHistory?: PanelHistograms[];
  inputs: PanelInputs | null;
  /** One point per evaluation pass, in order. */
  evalPoints?: EvalPoint[];
  diagnostics: PanelDiagnostic[];
  /** The earlier runs of this run's script, newest first (the history overlay). */
  runs?: PastRun[];
}

export type HostToPanelMessage =
  | ({
      type: 'init';
      /** vscode.l10n.bundle: the page's translations (undefined in English). */
      l10nBundle?: Record<string, string>;
      /** The batch count of "Train N batches" (setting trainloop.codeLens.batchCount). */
      batchCount: number;
    } & PanelSnapshot)
  | { type: 'session'; session: PanelSession | null }
  /** New batches since the last update, and the latest heavy data if it changed. */
  | { type: 'update'; points: BatchPoint[]; histograms?: PanelHistograms; inputs?: PanelInputs; evalPoints?: EvalPoint[]; session?: PanelSession }
  | { type: 'diagnostics'; diagnostics: PanelDiagnostic[] }
  /** A new session started: drop the charts of the previous run (`runs`: the history, now with the previous run). */
  | { type: 'reset'; session: PanelSession | null; runs?: PastRun[] };

export type PanelToHostMessage =
  | { type: 'ready' }
  | { type: 'openLocation'; path: string; line: number; col: number }
  | { type: 'run'; action: PanelAction }
  /** "Export CSV": the page's curves as CSV text, for the host to save through a save dialog. */
  | { type: 'exportCsv'; text: string }
  /** "Save PNG" of a chart: its canvas as a data: URL (image/png). */
  | { type: 'exportPng'; name: string; dataUrl: string };

/** What the page keeps through getState/setState (restored before the host answers `ready`). */
export interface PanelPageState {
  snapshot: PanelSnapshot;
  selectedParameter?: string;
  /** Smoothing weight of the loss chart's moving average, 0 (none) … 0.99. */
  smoothing: number;
}

/** JSON turns NaN and ±Infinity into null: send them as text and read them back. */
export function encodeNumber(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

export function decodeNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return null;
}
