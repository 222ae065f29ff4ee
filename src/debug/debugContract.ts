// What the `trainloop` debug type promises its clients: launch attributes, exception filters, custom requests and
// events. One source of truth for the adapter, its tests and the extension's package.json contributions.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { BackendChoice } from '../runtime/tfjsBackend';
import type { BatchEventBody, DiagnosticRecord } from '../runtime/agentMessages';
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
  /**
   * Which runtime runs the script: `python` (the user's interpreter and real PyTorch), `embedded` (Pyodide +
   * TensorFlow.js) or `auto` (default: `python` when the interpreter can import torch, else `embedded`).
   */
  runtime?: RuntimeKind;
  /** The Python interpreter of the `python` runtime (default: the Python extension's, else `python3`). */
  python?: string;
}

export const RUNTIME_KINDS = ['auto', 'python', 'embedded'] as const;
export type RuntimeKind = (typeof RUNTIME_KINDS)[number];

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
    runtime: {
      type: 'string',
      enum: [...RUNTIME_KINDS],
      description: 'auto: your Python with PyTorch when it has torch, else the embedded runtime; python; embedded.',
      default: 'auto',
    },
    python: { type: 'string', description: 'The Python interpreter for the python runtime (default: the Python extension\'s).' },
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

/**
 * Custom event, at most a few times a second: what training did since the last one. Its body is the debugger's
 * `batch` message less `kind`, declared with the other messages from Python in src/runtime/agentMessages.ts.
 */
export const BATCH_EVENT = 'trainloopBatch';
export type { BatchEventBody };

/** Custom event once the runtime has booted (body: RuntimeEventBody). */
export const RUNTIME_EVENT = 'trainloopRuntime';
export interface RuntimeEventBody {
  /** The runtime that runs the script. */
  kind: 'embedded' | 'python';
  /** In the user's words, for the status bar: `Python 3.11 · torch 2.3.1 · cpu`, `embedded · wasm`. */
  label: string;
  /** Why this runtime was chosen (`auto`): `/usr/bin/python3 has torch 1.13.0`, `python3 has no torch`. */
  reason?: string;
  /** Embedded: the TensorFlow.js backend (`wasm`, `cpu`, `tensorflow`). */
  backend?: string;
  /** Python: the interpreter's path, its version, torch's version and the device the script is likely to use. */
  python?: string;
  pythonVersion?: string;
  torch?: string;
  device?: string;
  /** Milliseconds from launch to the runtime taking commands. */
  bootMs: number;
}

/** Custom event for each training-bug report of the runtime's monitors, as it happens: the agent's record itself. */
export const DIAGNOSTIC_EVENT = 'trainloopDiagnostic';
export type DiagnosticEventBody = DiagnosticRecord;

/** Why a launch cannot start, or null. */
export function launchProblem(args: Partial<TrainloopLaunchArguments>, exists: (path: string) => boolean): string | null {
  if (typeof args.program !== 'string' || !args.program) return 'The launch configuration needs a "program": the training script to run.';
  if (!exists(args.program)) return `The program ${args.program} does not exist.`;
  if (args.cwd !== undefined && !exists(args.cwd)) return `The working folder ${args.cwd} does not exist.`;
  if (args.backend !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(args.backend)) {
    return `Unknown backend "${args.backend}": use one of ${BACKEND_CHOICES.join(', ')}.`;
  }
  if (args.runtime !== undefined && !(RUNTIME_KINDS as readonly string[]).includes(args.runtime)) {
    return `Unknown runtime ${JSON.stringify(args.runtime)}: use one of ${RUNTIME_KINDS.join(', ')}.`;
  }
  if (args.python !== undefined && typeof args.python !== 'string') return '"python" must be the path of a Python interpreter (a string).';
  if (args.maxBatches !== undefined && !(Number.isInteger(args.maxBatches) && args.maxBatches >= 0)) {
    return '"maxBatches" must be a whole number (0 for no limit).';
  }
  if (args.args !== undefined && !(Array.isArray(args.args) && args.args.every((a) => typeof a === 'string'))) {
    return '"args" must be a list of strings.';
  }
  return null;
}
