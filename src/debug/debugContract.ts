// What the `trainloop` debug type promises its clients: launch attributes, exception filters, custom requests and
// events. One source of truth for the adapter, its tests and the extension's package.json contributions.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { BackendChoice } from '../runtime/tfjsBackend';
import type { BatchEventBody, DiagnosticRecord, EvaluationPass } from '../runtime/agentMessages';
import { DIAGNOSTIC_CATALOG, type DiagnosticCode } from '../analysis/diagnosticCatalog';
import { type AdapterText, englishText } from './adapterText';
import type { RuntimeReady } from '../runtime/runtime';

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
  /** The training problems (TL001…) the "Training problems" exception filter stops on, unless its condition names others. */
  stopOnTrainingProblems?: string[];
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
    stopOnTrainingProblems: {
      type: 'array',
      items: { type: 'string' },
      description: 'Training problems (TL001, ...) that stop the run while the "Training problems" exception filter is on (default: the setting trainloop.stopOnTrainingProblems).',
      default: [],
    },
  },
} as const;

export const INITIAL_CONFIGURATION = {
  type: DEBUG_TYPE,
  request: 'launch',
  name: 'Trainloop: debug training script',
  program: '${file}',
  stopOnEntry: false,
};

/** The one exception filter for every training problem the runtime's monitors report (TL001…): the codes are picked apart. */
export const TRAINING_PROBLEMS_FILTER = 'trainingProblems';

const TRAINING_PROBLEM_CODES = Object.keys(DIAGNOSTIC_CATALOG) as DiagnosticCode[];

/**
 * The exception filters of the Breakpoints view, in the client's language (ids are sent back in
 * `setExceptionBreakpoints`). The detectors' codes are one "Training problems" filter, so that the view stays short:
 * which codes stop comes from its condition (`TL001, TL004`) or else from the launch's `stopOnTrainingProblems`.
 */
export function exceptionFilters(t: AdapterText = englishText): DebugProtocol.ExceptionBreakpointsFilter[] {
  return [
    { filter: 'uncaught', label: t('Uncaught Exceptions'), default: true, description: t('Stop where an exception ends the script.') },
    { filter: 'raised', label: t('Raised Exceptions'), default: false, description: t('Stop where any exception is raised in your code.') },
    {
      filter: 'nonfinite',
      label: t('Non-finite Loss or Gradients'),
      default: true,
      description: t('Stop at the backward() whose loss or gradients are NaN or Inf.'),
    },
    {
      filter: TRAINING_PROBLEMS_FILTER,
      label: t('Training Problems'),
      default: true,
      description: t(
        'Stop when the runtime reports a training problem you chose with "Trainloop: Choose Training Problems to Stop On" (none at first), or the codes of this filter\'s condition.',
      ),
      supportsCondition: true,
      conditionDescription: t('Codes to stop on, e.g. TL001, TL004 (or: all)'),
    },
  ];
}

/** The filters in English, for package.json and tests. */
export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = exceptionFilters();

/** The TL codes a condition or a setting names (`TL001, tl004`, `all`); unknown words are left out. */
export function trainingProblemCodes(text: string | readonly string[] | undefined): DiagnosticCode[] {
  const words = (typeof text === 'string' ? text.split(/[\s,;]+/) : [...(text ?? [])]).map((word) => String(word).trim().toUpperCase());
  if (words.includes('ALL')) return [...TRAINING_PROBLEM_CODES];
  return TRAINING_PROBLEM_CODES.filter((code) => words.includes(code));
}

/**
 * The filter ids the runtime's debugger takes (`uncaught`, `nonfinite`, `TL001`…) from what the client set: the
 * "Training problems" filter becomes the codes of its condition, else the chosen codes. TL codes sent as filters
 * themselves (older clients, tests) pass through.
 */
export function runtimeExceptionFilters(
  filters: readonly string[],
  filterOptions: readonly DebugProtocol.ExceptionFilterOptions[] | undefined,
  chosen: readonly string[] | undefined,
): string[] {
  const out = new Set<string>();
  const add = (id: string, condition?: string) => {
    if (id !== TRAINING_PROBLEMS_FILTER) {
      out.add(id);
      return;
    }
    const codes = condition && condition.trim() ? trainingProblemCodes(condition) : trainingProblemCodes(chosen);
    for (const code of codes) out.add(code);
  };
  for (const id of filters) add(id);
  for (const option of filterOptions ?? []) add(option.filterId, option.condition);
  return [...out];
}

/** Custom request: run to the first line of the loop body of the next training batch (`count` batches ahead). */
export const STEP_BATCH_REQUEST = 'stepBatch';
export interface StepBatchArguments {
  count?: number;
}

/**
 * Custom request: run the evaluation loop that starts at `line` of `path` now, in the paused program, with the model's
 * current weights; nothing is trained (src/runtime/python/agent/trainloop_agent/evaluation_run.py says how). Its
 * response body is an EvaluateLoopResult; an evaluation that could not run or raised is an error response. Either way
 * an EVALUATED_EVENT follows, so that the editor tells the user the outcome whoever asked.
 */
export const EVALUATE_LOOP_REQUEST = 'trainloopEvaluateLoop';
export interface EvaluateLoopArguments {
  /** The file of the loop (the program by default). */
  path?: string;
  /** 1-based line of the loop's `for`/`while`. */
  line: number;
}
export interface EvaluateLoopResult {
  /** The code that ran: the script's own call of the loop's function (`test(test_dataloader, model, loss_fn)`). */
  code: string;
  seconds: number;
  /** The evaluation passes it measured (usually one: loss and accuracy). */
  evaluations: EvaluationPass[];
  /** Training batches run meanwhile (0: the point of Evaluate). */
  trainedBatches: number;
}
export const EVALUATED_EVENT = 'trainloopEvaluated';
export type EvaluatedEventBody = ({ ok: true } & EvaluateLoopResult) | { ok: false; problem: string; line: number };

/**
 * Custom event, at most a few times a second: what training did since the last one. Its body is the debugger's
 * `batch` message less `kind`, declared with the other messages from Python in src/runtime/agentMessages.ts.
 */
export const BATCH_EVENT = 'trainloopBatch';
export type { BatchEventBody };

/** Custom event once the runtime has booted (body: RuntimeEventBody). */
export const RUNTIME_EVENT = 'trainloopRuntime';
/** What the runtime said when it booted (runtime.ts declares it), and why it was chosen (`auto`). */
export type RuntimeEventBody = RuntimeReady & {
  /** `/usr/bin/python3 has Python 3.11.2 and torch 1.13.0`, `python3 has no torch: using the embedded runtime`. */
  reason?: string;
};

/** Custom request from the extension: the training problems to stop on changed (its setting). */
export const TRAINING_PROBLEM_STOPS_REQUEST = 'trainloopTrainingProblemStops';
export interface TrainingProblemStopsArguments {
  codes: string[];
}

/**
 * Custom event before a failed launch's error response (which has `showUser: false`, so that VS Code opens no modal
 * dialog): what went wrong and, for a syntax error, where, so that the editor puts a diagnostic at the line.
 */
export const LAUNCH_PROBLEM_EVENT = 'trainloopLaunchProblem';
export interface LaunchProblemEventBody {
  message: string;
  /** The file and 1-based line (and column) the problem is at, when it has a place. */
  path?: string;
  line?: number;
  column?: number;
}

/** Custom event for each training-bug report of the runtime's monitors, as it happens: the agent's record itself. */
export const DIAGNOSTIC_EVENT = 'trainloopDiagnostic';
export type DiagnosticEventBody = DiagnosticRecord;

/** Why a launch cannot start, or null; in the client's language. */
export function launchProblem(args: Partial<TrainloopLaunchArguments>, exists: (path: string) => boolean, t: AdapterText = englishText): string | null {
  if (typeof args.program !== 'string' || !args.program) return t('The launch configuration needs a "program": the training script to run.');
  if (!exists(args.program)) return t('The program {program} does not exist.', { program: args.program });
  if (args.cwd !== undefined && !exists(args.cwd)) return t('The working folder {cwd} does not exist.', { cwd: args.cwd });
  if (args.backend !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(args.backend)) {
    return t('Unknown backend "{backend}": use one of {choices}.', { backend: String(args.backend), choices: BACKEND_CHOICES.join(', ') });
  }
  if (args.runtime !== undefined && !(RUNTIME_KINDS as readonly string[]).includes(args.runtime)) {
    return t('Unknown runtime {runtime}: use one of {choices}.', { runtime: JSON.stringify(args.runtime), choices: RUNTIME_KINDS.join(', ') });
  }
  if (args.python !== undefined && typeof args.python !== 'string') return t('"python" must be the path of a Python interpreter (a string).');
  if (args.maxBatches !== undefined && !(Number.isInteger(args.maxBatches) && args.maxBatches >= 0)) {
    return t('"maxBatches" must be a whole number (0 for no limit).');
  }
  if (args.args !== undefined && !(Array.isArray(args.args) && args.args.every((a) => typeof a === 'string'))) {
    return t('"args" must be a list of strings.');
  }
  if (args.stopOnTrainingProblems !== undefined && !(Array.isArray(args.stopOnTrainingProblems) && args.stopOnTrainingProblems.every((a) => typeof a === 'string'))) {
    return t('"stopOnTrainingProblems" must be a list of codes such as TL001.');
  }
  return null;
}
