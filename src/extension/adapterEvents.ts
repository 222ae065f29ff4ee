// What the editor reads from a `trainloop` debug session's custom events (per-batch reports, runtime diagnostics, the
// runtime that runs the script): the names and fields of src/debug/debugContract.ts, checked before use, since a body
// is JSON from another process. A malformed body or field is dropped, never thrown on.

import {
  BATCH_EVENT,
  DIAGNOSTIC_EVENT,
  LAUNCH_PROBLEM_EVENT,
  RUNTIME_EVENT,
  type BatchEventBody,
  type DiagnosticEventBody,
  type LaunchProblemEventBody,
  type RuntimeEventBody,
} from '../debug/debugContract';
import type { BatchImages, EvaluationPass, ParameterHistograms, ValueHistogram } from '../runtime/agentMessages';

export type { BatchImages, ValueHistogram };

/** A runtime diagnostic as the editor shows it: the agent's record with 0-based lines, as the static analysis has them. */
export interface RuntimeDiagnostic {
  code: string;
  message: string;
  severity: DiagnosticEventBody['severity'];
  path?: string;
  /** 0-based (the record's 1-based `line` is converted). */
  line?: number;
  col?: number;
  batch?: number;
  /** The runtime wording's id (`TL003.loss`) and its placeholder values: the message, ready to be translated. */
  template?: string;
  values?: Record<string, string | number>;
}

/** A `trainloopBatch` body with its numbers decoded (NaN and ±Infinity as numbers again) and its diagnostics read. */
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
  /** Each parameter's histograms that arrived whole (a malformed one is left out). */
  histograms: Record<string, Partial<ParameterHistograms>>;
  inputs?: BatchImages;
  /** Evaluation passes (test loops) that ended since the previous report, oldest first; loss NaN/±Infinity as numbers. */
  evaluations?: Array<Omit<EvaluationPass, 'loss'> & { loss: number | null }>;
  /** Whether the model was in training mode (model.train()) during the batch. */
  modelTraining?: boolean;
  diagnostics: RuntimeDiagnostic[];
}

export type TrainloopEvent =
  | { kind: 'batch'; report: BatchReport }
  | { kind: 'diagnostic'; diagnostic: RuntimeDiagnostic }
  | { kind: 'runtime'; runtime: RuntimeEventBody }
  | { kind: 'launchProblem'; problem: LaunchProblemEventBody };

type Json = Record<string, unknown>;
/** A body as it may arrive: any of the contract's fields may be missing or of another type. */
type Unchecked<T> = { [K in keyof T]?: unknown };

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A float as the agent writes it: a number, or Python's text for NaN and ±Inf ("nan", "inf", "-inf"); else null. */
function wireFloat(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (value === 'nan') return Number.NaN;
  if (value === 'inf') return Number.POSITIVE_INFINITY;
  if (value === '-inf') return Number.NEGATIVE_INFINITY;
  return null;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** `{name: float}`; entries that are not floats are left out. */
function floatMap(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isObject(value)) return out;
  for (const [name, v] of Object.entries(value)) {
    const n = wireFloat(v);
    if (n !== null) out[name] = n;
  }
  return out;
}

function parseHistogram(value: unknown): ValueHistogram | undefined {
  if (!isObject(value)) return undefined;
  const { min, max, counts } = value as Unchecked<ValueHistogram>;
  if (typeof min !== 'number' || typeof max !== 'number' || !Array.isArray(counts)) return undefined;
  return { min, max, counts: counts.map((c) => (isCount(c) ? c : 0)) };
}

function parseHistograms(value: unknown): BatchReport['histograms'] {
  const out: BatchReport['histograms'] = {};
  if (!isObject(value)) return out;
  for (const [name, v] of Object.entries(value)) {
    if (!isObject(v)) continue;
    const weights = parseHistogram((v as Unchecked<ParameterHistograms>).weights);
    const grads = parseHistogram((v as Unchecked<ParameterHistograms>).grads);
    if (weights || grads) out[name] = { ...(weights ? { weights } : {}), ...(grads ? { grads } : {}) };
  }
  return out;
}

function classList(value: unknown): number[] | undefined {
  return Array.isArray(value) && value.every(isCount) ? value : undefined;
}

/** Image-like inputs: a 4-D shape with 1 or 3 channels and, in base64, as many bytes as the shape says. */
export function parseBatchImages(value: unknown): BatchImages | undefined {
  if (!isObject(value)) return undefined;
  const { shape, bytes, labels, predictions, classes } = value as Unchecked<BatchImages>;
  if (!Array.isArray(shape) || shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d > 0)) return undefined;
  const [n, c, h, w] = shape as number[];
  if (c !== 1 && c !== 3) return undefined;
  if (typeof bytes !== 'string' || base64Length(bytes) !== n * c * h * w) return undefined;
  const images: BatchImages = { shape: [n, c, h, w], bytes };
  const labelList = classList(labels);
  const predictionList = classList(predictions);
  if (labelList) images.labels = labelList;
  if (predictionList) images.predictions = predictionList;
  if (Array.isArray(classes) && classes.every((name) => typeof name === 'string')) images.classes = classes as string[];
  return images;
}

/** How many bytes a base64 text decodes to, or -1 when it is not base64. */
function base64Length(text: string): number {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return -1;
  return (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
}

/** An evaluation pass, or nothing when it lacks its numbers. */
function parseEvaluation(value: unknown): NonNullable<BatchReport['evaluations']> {
  if (!isObject(value)) return [];
  const { batches, epoch, loss, accuracy, samples } = value as Unchecked<EvaluationPass>;
  if (!isCount(batches) || !isCount(samples)) return [];
  return [{ batches, epoch: typeof epoch === 'number' ? epoch : null, loss: wireFloat(loss), accuracy: typeof accuracy === 'number' ? accuracy : null, samples }];
}

const SEVERITIES: ReadonlySet<unknown> = new Set<DiagnosticEventBody['severity']>(['error', 'warning', 'info']);

/** A `diagnostic` record (a `trainloopDiagnostic` body, or an item of a batch body's `diagnostics`), or null. */
export function parseRuntimeDiagnostic(value: unknown): RuntimeDiagnostic | null {
  if (!isObject(value)) return null;
  const { code, message, severity, path, line, column, batch, template, values } = value as Unchecked<DiagnosticEventBody>;
  if (typeof code !== 'string' || typeof message !== 'string') return null;
  const diagnostic: RuntimeDiagnostic = { code, message, severity: SEVERITIES.has(severity) ? (severity as RuntimeDiagnostic['severity']) : 'warning' };
  if (typeof path === 'string') diagnostic.path = path;
  // The agent counts lines and columns from 1, as DAP does; the editor from 0.
  if (typeof line === 'number' && line >= 1) diagnostic.line = Math.floor(line) - 1;
  if (typeof column === 'number' && column >= 1) diagnostic.col = Math.floor(column) - 1;
  if (typeof batch === 'number') diagnostic.batch = batch;
  if (typeof template === 'string' && isObject(values)) {
    const kept = Object.entries(values).filter((entry): entry is [string, string | number] => typeof entry[1] === 'string' || typeof entry[1] === 'number');
    diagnostic.template = template;
    diagnostic.values = Object.fromEntries(kept);
  }
  return diagnostic;
}

/** A `trainloopBatch` body, or null when it has no batch number. */
export function parseBatchReport(body: unknown): BatchReport | null {
  if (!isObject(body)) return null;
  const fields = body as Unchecked<BatchEventBody>;
  if (typeof fields.batch !== 'number' || !Number.isFinite(fields.batch)) return null;
  const report: BatchReport = {
    batch: fields.batch,
    loss: wireFloat(fields.loss),
    gradNorms: floatMap(fields.gradNorms),
    updateRatios: floatMap(fields.updateRatios),
    histograms: parseHistograms(fields.histograms),
    diagnostics: [],
  };
  if (typeof fields.epoch === 'number') report.epoch = fields.epoch;
  // An empty list is a report of warnings only: no batch trained since the last one.
  if (Array.isArray(fields.losses)) report.losses = fields.losses.map(wireFloat);
  const inputs = parseBatchImages(fields.inputs);
  if (inputs) report.inputs = inputs;
  if (typeof fields.modelTraining === 'boolean') report.modelTraining = fields.modelTraining;
  if (Array.isArray(fields.evaluations)) report.evaluations = fields.evaluations.flatMap(parseEvaluation);
  if (Array.isArray(fields.diagnostics)) {
    for (const item of fields.diagnostics) {
      const diagnostic = parseRuntimeDiagnostic(item);
      if (diagnostic) report.diagnostics.push(diagnostic);
    }
  }
  return report;
}

const RUNTIME_KINDS: ReadonlySet<unknown> = new Set<RuntimeEventBody['kind']>(['embedded', 'python']);
const RUNTIME_TEXT_FIELDS = ['reason', 'backend', 'python', 'pythonVersion', 'torch', 'device'] as const satisfies readonly (keyof RuntimeEventBody)[];

/** A `trainloopRuntime` body: which runtime runs the script, in the user's words; null without kind, label and bootMs. */
export function parseRuntimeBody(body: unknown): RuntimeEventBody | null {
  if (!isObject(body)) return null;
  const fields = body as Unchecked<RuntimeEventBody>;
  if (!RUNTIME_KINDS.has(fields.kind) || typeof fields.label !== 'string' || typeof fields.bootMs !== 'number') return null;
  const runtime: RuntimeEventBody = { kind: fields.kind as RuntimeEventBody['kind'], label: fields.label, bootMs: fields.bootMs };
  for (const name of RUNTIME_TEXT_FIELDS) {
    const value = fields[name];
    if (typeof value === 'string') runtime[name] = value;
  }
  return runtime;
}

/** A `trainloopLaunchProblem` body: why the launch failed and, when it has one, where (1-based line); null without a message. */
export function parseLaunchProblem(body: unknown): LaunchProblemEventBody | null {
  if (!isObject(body)) return null;
  const { message, path, line, column } = body as Unchecked<LaunchProblemEventBody>;
  if (typeof message !== 'string' || message === '') return null;
  const problem: LaunchProblemEventBody = { message };
  if (typeof path === 'string' && path !== '') problem.path = path;
  if (typeof line === 'number' && Number.isInteger(line) && line >= 1) problem.line = line;
  if (typeof column === 'number' && Number.isInteger(column) && column >= 1) problem.column = column;
  return problem;
}

/** One custom DAP event of a `trainloop` session, or null for other events and for bodies without what they need. */
export function parseTrainloopEvent(event: string, body: unknown): TrainloopEvent | null {
  switch (event) {
    case BATCH_EVENT: {
      const report = parseBatchReport(body);
      return report ? { kind: 'batch', report } : null;
    }
    case DIAGNOSTIC_EVENT: {
      const diagnostic = parseRuntimeDiagnostic(body);
      return diagnostic ? { kind: 'diagnostic', diagnostic } : null;
    }
    case RUNTIME_EVENT: {
      const runtime = parseRuntimeBody(body);
      return runtime ? { kind: 'runtime', runtime } : null;
    }
    case LAUNCH_PROBLEM_EVENT: {
      const problem = parseLaunchProblem(body);
      return problem ? { kind: 'launchProblem', problem } : null;
    }
    default:
      return null;
  }
}
