// What the editor reads from a `trainloop` debug session's custom events (per-batch reports, runtime diagnostics, the runtime's backend), parsed defensively from whatever JSON the adapter sends.

import type { BatchImages, ValueHistogram } from '../webview/panelProtocol';

export type { BatchImages, ValueHistogram };

export interface RuntimeDiagnostic {
  code: string;
  message: string;
  severity: 'error' | 'warning' | 'info';
  path?: string;
  /** 0-based, like the static analysis (the adapter's DAP-style 1-based `line` is converted). */
  line?: number;
  col?: number;
  batch?: number;
}

export interface BatchReport {
  /** The batch the adapter names (0-based): the last one trained, or the next one in a report sent as the run stops. */
  batch: number;
  epoch?: number;
  loss: number | null;
  /**
   * The loss of every batch trained since the previous report, oldest first (the adapter
   * throttles its events, so one report may cover several batches; none when it reports only warnings).
   */
  losses?: Array<number | null>;
  /** ‖grad‖ per parameter name (`0.weight`, `fc.bias`…). */
  gradNorms: Record<string, number>;
  /** ‖ΔW‖/‖W‖ measured across the step of `batch` (the update over the weight) per parameter; empty in most reports. */
  updateRatios: Record<string, number>;
  histograms: Record<string, { weights?: ValueHistogram; grads?: ValueHistogram }>;
  inputs?: BatchImages;
  /** Whether the model was in training mode (model.train()) during the batch. */
  modelTraining?: boolean;
  diagnostics: RuntimeDiagnostic[];
}

export type TrainloopEvent =
  | { kind: 'batch'; report: BatchReport }
  | { kind: 'diagnostic'; diagnostic: RuntimeDiagnostic }
  | { kind: 'runtime'; backend: string; bootMs?: number };

/** Event names the adapter may use for each kind (src/debug/debugContract.ts sends `trainloopBatch` and `trainloopDiagnostic`). */
const BATCH_EVENTS = new Set(['trainloop.batch', 'trainloop/batch', 'trainloopBatch', 'batch']);
const DIAGNOSTIC_EVENTS = new Set(['trainloop.diagnostic', 'trainloop/diagnostic', 'trainloopDiagnostic', 'diagnostic']);
const RUNTIME_EVENTS = new Set(['trainloop.runtime', 'trainloop/runtime', 'trainloop.ready', 'trainloopRuntime', 'ready']);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first of several spellings (`gradNorms`, `grad_norms`) that is present. */
function field(body: Json, ...names: string[]): unknown {
  for (const name of names) if (body[name] !== undefined) return body[name];
  return undefined;
}

function finiteOrNull(value: unknown): number | null {
  if (typeof value === 'number') return value;
  // The runtime writes non-finite floats as text ("nan", "inf") to keep the JSON valid.
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'nan') return Number.NaN;
    if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Number.POSITIVE_INFINITY;
    if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY;
    const parsed = Number(lower);
    return lower !== '' && !Number.isNaN(parsed) ? parsed : null;
  }
  return null;
}

function numberMap(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (isObject(value)) {
    for (const [name, v] of Object.entries(value)) {
      const n = finiteOrNull(isObject(v) ? field(v, 'norm', 'value', 'ratio') : v);
      if (n !== null) out[name] = n;
    }
  } else if (Array.isArray(value)) {
    // [{name, norm}] or [{parameter, value}]
    for (const item of value) {
      if (!isObject(item)) continue;
      const name = field(item, 'name', 'parameter', 'layer');
      const n = finiteOrNull(field(item, 'norm', 'value', 'ratio', 'gradNorm'));
      if (typeof name === 'string' && n !== null) out[name] = n;
    }
  }
  return out;
}

function parseHistogram(value: unknown): ValueHistogram | undefined {
  if (!isObject(value)) return undefined;
  const counts = value.counts;
  const min = finiteOrNull(value.min);
  const max = finiteOrNull(value.max);
  if (!Array.isArray(counts) || min === null || max === null) return undefined;
  return { min, max, counts: counts.map((c) => (typeof c === 'number' && Number.isFinite(c) ? c : 0)) };
}

function parseHistograms(value: unknown): BatchReport['histograms'] {
  const out: BatchReport['histograms'] = {};
  if (!isObject(value)) return out;
  for (const [name, v] of Object.entries(value)) {
    if (!isObject(v)) continue;
    const weights = parseHistogram(field(v, 'weights', 'weight', 'values'));
    const grads = parseHistogram(field(v, 'grads', 'grad', 'gradients'));
    if (weights || grads) out[name] = { ...(weights ? { weights } : {}), ...(grads ? { grads } : {}) };
  }
  return out;
}

function labelList(value: unknown): Array<string | number> | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((v) => (typeof v === 'number' || typeof v === 'string' ? v : String(v)));
}

/** Image-like inputs: a 4-D shape with 1 or 3 channels and, in base64, as many bytes as the shape says. */
export function parseBatchImages(value: unknown): BatchImages | undefined {
  if (!isObject(value)) return undefined;
  const shape = value.shape;
  const bytes = value.bytes;
  if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d > 0)) return undefined;
  const [n, c, h, w] = shape as number[];
  if (c !== 1 && c !== 3) return undefined;
  if (typeof bytes !== 'string' || base64Length(bytes) !== n * c * h * w) return undefined;
  const images: BatchImages = { shape: [n, c, h, w], bytes };
  const labels = labelList(field(value, 'labels', 'targets'));
  const predictions = labelList(field(value, 'predictions', 'preds'));
  if (labels) images.labels = labels;
  if (predictions) images.predictions = predictions;
  return images;
}

/** How many bytes a base64 text decodes to, or -1 when it is not base64. */
function base64Length(text: string): number {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return -1;
  return (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
}

export function parseRuntimeDiagnostic(value: unknown): RuntimeDiagnostic | null {
  if (!isObject(value)) return null;
  const code = value.code;
  const message = value.message;
  if (typeof code !== 'string' || typeof message !== 'string') return null;
  const severity = value.severity === 'error' || value.severity === 'info' ? value.severity : 'warning';
  const diagnostic: RuntimeDiagnostic = { code, message, severity };
  const path = field(value, 'path', 'file');
  if (typeof path === 'string') diagnostic.path = path;
  else if (isObject(value.source) && typeof value.source.path === 'string') diagnostic.path = value.source.path;
  // The runtime's records and DAP both count lines from 1.
  const line = value.line;
  if (typeof line === 'number' && line >= 1) diagnostic.line = Math.floor(line) - 1;
  const col = field(value, 'column', 'col');
  if (typeof col === 'number' && col >= 1) diagnostic.col = Math.floor(col) - 1;
  const batch = value.batch;
  if (typeof batch === 'number') diagnostic.batch = batch;
  return diagnostic;
}

export function parseBatchReport(body: unknown): BatchReport | null {
  if (!isObject(body)) return null;
  const batch = field(body, 'batch', 'index', 'batchIndex');
  if (typeof batch !== 'number' || !Number.isFinite(batch)) return null;
  const report: BatchReport = {
    batch,
    loss: finiteOrNull(body.loss),
    gradNorms: numberMap(field(body, 'gradNorms', 'grad_norms', 'gradientNorms')),
    updateRatios: numberMap(field(body, 'updateRatios', 'update_ratios', 'updateToWeight', 'update_to_weight')),
    histograms: parseHistograms(body.histograms),
    diagnostics: [],
  };
  const epoch = body.epoch;
  if (typeof epoch === 'number') report.epoch = epoch;
  const losses = body.losses;
  // An empty list is a report of warnings only: no batch trained since the last one.
  if (Array.isArray(losses)) report.losses = losses.map(finiteOrNull);
  const inputs = parseBatchImages(field(body, 'inputs', 'images'));
  if (inputs) report.inputs = inputs;
  const training = field(body, 'modelTraining', 'training', 'model_training');
  if (typeof training === 'boolean') report.modelTraining = training;
  const diagnostics = field(body, 'diagnostics', 'warnings');
  if (Array.isArray(diagnostics)) {
    for (const item of diagnostics) {
      const d = parseRuntimeDiagnostic(item);
      if (d) report.diagnostics.push(d);
    }
  }
  return report;
}

/** One custom DAP event of a `trainloop` session, or null for events the editor does not use. */
export function parseTrainloopEvent(event: string, body: unknown): TrainloopEvent | null {
  if (BATCH_EVENTS.has(event)) {
    const report = parseBatchReport(body);
    return report ? { kind: 'batch', report } : null;
  }
  if (DIAGNOSTIC_EVENTS.has(event)) {
    const diagnostic = parseRuntimeDiagnostic(body);
    return diagnostic ? { kind: 'diagnostic', diagnostic } : null;
  }
  if (RUNTIME_EVENTS.has(event) && isObject(body) && typeof body.backend === 'string') {
    const bootMs = field(body, 'bootMs', 'boot_ms');
    return { kind: 'runtime', backend: body.backend, ...(typeof bootMs === 'number' ? { bootMs } : {}) };
  }
  return null;
}
