// What the `trainloop` debug type promises its clients: launch attributes, exception filters, custom requests and
// events. One source of truth for the adapter, its tests and the extension's package.json contributions.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { BackendChoice } from '../runtime/tfjsBackend';
import { DIAGNOSTIC_CATALOG, type DiagnosticCode } from '../analysis/diagnosticCatalog';

export const DEBUG_TYPE = 'trainloop';

/**
 * The runtime's backend choices, spelled out here so that the adapter bundle does not load TensorFlow.js
 * (tfjsBackend.ts imports it); the type below fails to compile when the two lists drift apart.
 */
const BACKEND_CHOICES = ['auto', 'wasm', 'cpu', 'tensorflow'] as const satisfies readonly BackendChoice[];
type MissingBackend = Exclude<BackendChoice, (typeof BACKEND_CHOICES)[number]>;
const everyBackendListed: [MissingBackend] extends [never] ? true : never = true;
void everyBackendListed;

/** The `launch` request's arguments (a `trainloop` launch configuration). */
export interface TrainloopLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** The training script to run (absolute, or relative to `cwd`). */
  program: string;
  /** The script's working folder; defaults to the script's folder. */
  cwd?: string;
  /** Command-line arguments for the script (`sys.argv[1:]`). */
  args?: string[];
  /** Stop at the script's first line. */
  stopOnEntry?: boolean;
  /** The TensorFlow.js backend: `auto` (native TensorFlow if installed, else wasm), `wasm`, `cpu`, `tensorflow`. */
  backend?: BackendChoice;
  /** End the run cleanly after this many training batches (0: no limit). */
  maxBatches?: number;
  /** Training-bug detectors to switch off, by code (`TL004`) or `all`. */
  disabledDetectors?: string[];
}

/** Attributes for package.json's `configurationAttributes.launch`, kept next to the interface they describe. */
export const LAUNCH_ATTRIBUTES = {
  required: ['program'],
  properties: {
    program: { type: 'string', description: 'The training script to run.', default: '${file}' },
    cwd: { type: 'string', description: "The script's working folder (defaults to its own folder).", default: '${workspaceFolder}' },
    args: { type: 'array', items: { type: 'string' }, description: 'Command-line arguments for the script.', default: [] },
    stopOnEntry: { type: 'boolean', description: "Stop at the script's first line.", default: false },
    backend: { type: 'string', enum: [...BACKEND_CHOICES], description: 'TensorFlow.js backend.', default: 'auto' },
    maxBatches: { type: 'number', description: 'Stop after this many training batches (0: no limit).', default: 0 },
    disabledDetectors: { type: 'array', items: { type: 'string' }, description: 'Training-bug detectors to switch off (TL004, ... or all).', default: [] },
  },
} as const;

export const INITIAL_CONFIGURATION = {
  type: DEBUG_TYPE,
  request: 'launch',
  name: 'Trainloop: debug training script',
  program: '${file}',
  stopOnEntry: false,
};

/** Exception filters the runtime understands (ids are sent back in `setExceptionBreakpoints`). */
export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  { filter: 'uncaught', label: 'Uncaught Exceptions', default: true, description: 'Stop where an exception ends the script.' },
  { filter: 'raised', label: 'Raised Exceptions', default: false, description: 'Stop where any exception is raised in your code.' },
  {
    filter: 'nonfinite',
    label: 'Non-finite Loss or Gradients',
    default: true,
    description: 'Stop at the backward() whose loss or gradients are NaN or Inf.',
  },
  ...(Object.keys(DIAGNOSTIC_CATALOG) as DiagnosticCode[]).map((code) => ({
    filter: code,
    label: `${code}: ${DIAGNOSTIC_CATALOG[code].title}`,
    default: false,
    description: `Stop when the runtime reports ${code} (${DIAGNOSTIC_CATALOG[code].title}).`,
  })),
];

/** Custom request: run to the first line of the loop body of the next training batch (`count` batches ahead). */
export const STEP_BATCH_REQUEST = 'stepBatch';
export interface StepBatchArguments {
  count?: number;
}

/** Custom event, at most a few times a second: what training did since the last one. */
export const BATCH_EVENT = 'trainloopBatch';
export interface BatchEventBody {
  /** The index of the last finished training batch (0-based). */
  batch: number;
  epoch: number | null;
  loss: number | string | null;
  /** Every batch's loss since the previous event, oldest first (null where not known; NaN and ±Inf as "nan", "inf"). */
  losses: (number | string | null)[];
  /** Gradient norm per named parameter (`model.fc.weight`), measured after a backward() of `batch` (sampled batches
   * only; sent once, in the event that ends with the batch measured). */
  gradNorms: Record<string, number>;
  /**
   * ‖ΔW‖/‖W‖ per named parameter that the optimizer's step moved, measured across the step of `batch` (sampled
   * batches only; sent once, in the event that ends with the batch measured).
   */
  updateRatios?: Record<string, number>;
  /** 30-bin histograms of each parameter's weights and gradient after a backward() of `batch` (fewer batches; sent once). */
  histograms?: Record<string, { weights: { min: number; max: number; counts: number[] }; grads: { min: number; max: number; counts: number[] } }>;
  /**
   * Up to 16 images of the batch: their n·c·h·w values scaled over their range to bytes 0..255, row-major, in base64
   * (a third the size of a JSON array of integers), with labels and predictions: the argmax of the logits given to
   * the batch's cross_entropy/nll_loss, when it had one (sent once).
   */
  inputs?: { shape: [number, number, number, number]; bytes: string; labels?: number[]; predictions?: number[] };
  /** Whether the model was in training mode (model.train()) at the latest measured backward(). */
  modelTraining?: boolean | null;
  /** The monitors' `diagnostic` records since the previous event. */
  diagnostics: Record<string, unknown>[];
}

/** Custom event once the runtime has booted: `{ backend: 'wasm' | 'cpu' | 'tensorflow', bootMs }`. */
export const RUNTIME_EVENT = 'trainloopRuntime';

/** Custom event for each training-bug report of the runtime's monitors, as it happens. */
export const DIAGNOSTIC_EVENT = 'trainloopDiagnostic';

/** Why a launch cannot start, or null. */
export function launchProblem(args: Partial<TrainloopLaunchArguments>, exists: (path: string) => boolean): string | null {
  if (typeof args.program !== 'string' || !args.program) return 'The launch configuration needs a "program": the training script to run.';
  if (!exists(args.program)) return `The program ${args.program} does not exist.`;
  if (args.cwd !== undefined && !exists(args.cwd)) return `The working folder ${args.cwd} does not exist.`;
  if (args.backend !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(args.backend)) {
    return `Unknown backend "${args.backend}": use one of ${BACKEND_CHOICES.join(', ')}.`;
  }
  if (args.maxBatches !== undefined && !(Number.isInteger(args.maxBatches) && args.maxBatches >= 0)) {
    return '"maxBatches" must be a whole number (0 for no limit).';
  }
  if (args.args !== undefined && !(Array.isArray(args.args) && args.args.every((a) => typeof a === 'string'))) {
    return '"args" must be a list of strings.';
  }
  return null;
}
