// The messages between the training panel's host (src/extension/trainingPanel.ts) and its page (src/webview/trainingPanel.ts), and the data they carry. Both sides import only this file's types (and the agent's shapes it re-exports, from src/runtime/agentMessages.ts).

import type { BatchImages, ParameterHistograms, ValueHistogram } from '../runtime/agentMessages';

/** The shapes the agent measures travel to the page as they are (src/runtime/agentMessages.ts declares them). */
export type { BatchImages, ValueHistogram };

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
  inputs: PanelInputs | null;
  diagnostics: PanelDiagnostic[];
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
  | { type: 'update'; points: BatchPoint[]; histograms?: PanelHistograms; inputs?: PanelInputs; session?: PanelSession }
  | { type: 'diagnostics'; diagnostics: PanelDiagnostic[] }
  /** A new session started: drop the charts of the previous run. */
  | { type: 'reset'; session: PanelSession | null };

export type PanelToHostMessage =
  | { type: 'ready' }
  | { type: 'openLocation'; path: string; line: number; col: number }
  | { type: 'run'; action: PanelAction };

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
