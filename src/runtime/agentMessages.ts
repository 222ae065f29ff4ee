// What the Python agent sends its host, declared once: the run's records (events.py, as `--events` files hold them)
// and the debugger's messages (debugger.py, training_watch.py), with each message's keys listed for the test that
// compares them with what Python really sends (test/debug/agentMessageKeys.test.ts). Types and plain lists only, no
// imports: the runtimes, the adapter, the extension and the panel page all read these shapes from here.

/** A float as the agent writes it to JSON: NaN and ±Inf travel as Python's text for them ("nan", "inf", "-inf"). */
export type WireFloat = number | string;

// ---- shapes inside messages ------------------------------------------------------------------------------------------

/**
 * A sentence of the agent for the user, as the editor renders it in its language (agent_text.py builds it): a template
 * id (src/runtime/agentTextTemplates.ts, or a runtime finding's template id) and its values, shown as they are (code,
 * names, numbers) or, when a value is a text too, rendered first.
 */
export type AgentText = {
  id: string;
  values: { [name: string]: string | number | AgentText };
};

/** What a training-problem stop says, in parts: the description is `kind: message`, or `kind (line N): message`. */
export type TrainingProblemStop = {
  /** `NonFiniteValue`, `NonFiniteLoss`, `NonFiniteGradient`, or a report's code (`TL001`). */
  kind: string;
  /** The report's line, for a TL… report; else null. */
  line: number | null;
  message: AgentText;
};

/** A histogram of a tensor's values: `counts[i]` values fall in bin i of equal bins from `min` to `max`. */
export type ValueHistogram = {
  min: number;
  max: number;
  counts: number[];
};

/** One parameter's histograms after a backward(): its weights and its gradient (parameter_histograms.py). */
export type ParameterHistograms = {
  weights: ValueHistogram;
  grads: ValueHistogram;
};

/**
 * The first images of a batch (N×1×H×W or N×3×H×W inputs), as the panel draws them: n·c·h·w values scaled over their
 * range to bytes 0..255, row-major, in base64 (a third the size of a JSON array of integers).
 */
export type BatchImages = {
  /** [n, channels, height, width] of the images sent (not of the whole batch). */
  shape: [number, number, number, number];
  bytes: string;
  /** The batch's integer targets (its second element), when it had them. */
  labels?: number[];
  /** The argmax of the logits given to the batch's cross_entropy/nll_loss, when it had one. */
  predictions?: number[];
  /** The names of the classes, by class number: the `classes` of the dataset of the DataLoader the batch came from
   * (torchvision's datasets have them), when it had them. */
  classes?: string[];
};

/** One evaluation pass: a pass over a DataLoader under torch.no_grad() that called a loss function (eval_metrics.py). */
export type EvaluationPass = {
  /** The training batches trained before it (the next training batch's number, from 0). */
  batches: number;
  /** The training pass (epoch, 0-based) it followed, or null before the first. */
  epoch: number | null;
  /** The loss function's mean over the pass's samples. */
  loss: WireFloat;
  /** The share of samples whose argmax was the target (0…1), when the outputs were class logits; else null. */
  accuracy: number | null;
  /** The samples the loss covered. */
  samples: number;
};

// ---- the detectors' evidence: what each one measured (monitors/*.py), by code ------------------------------------------

/** TL001 (gradient_accumulation.py): gradients a step already applied were added to again. */
export type GradientAccumulationEvidence = {
  /** backward() passes summed into the gradients since they were last cleared. */
  backward_passes_in_gradient: number;
  steps_already_applied: number;
  /** The optimizer's gradient norm at the step that applied old gradients again. */
  gradient_norm: WireFloat;
  /** At the optimizer's first step, and the growth since (when that step followed one backward()). */
  gradient_norm_first_step?: WireFloat;
  gradient_norm_growth?: WireFloat;
  /** The parameter watched (`model.0.weight`): its `.grad` against the sum of what each backward() added. */
  parameter?: string;
  /** The largest |`.grad` − that sum|. */
  sum_max_error?: WireFloat;
  /** The norm of that running sum after each backward(), oldest first. */
  parameter_gradient_norms?: WireFloat[];
};

/** TL002 (cleared_before_step.py): the step found no gradient. */
export type ClearedBeforeStepEvidence = {
  /** What the gradients were: `None` or `0`. */
  gradients: string;
  parameter: string;
  /** The largest change of `parameter` in the step (momentum, weight decay), and whether it changed. */
  largest_change: WireFloat;
  parameters_changed_by_step: boolean;
};

/** TL003 (non_finite.py). */
export type NonFiniteEvidence = {
  /** The non-finite loss, when the loss was. */
  loss?: WireFloat;
  first_batch: number | null;
  /** The names of the gradients that hold NaN or ±Inf, of `gradients` gradients. */
  non_finite_gradients: string[];
  gradients: number;
};

/** TL004 (exploding_gradients.py). */
export type ExplodingGradientEvidence = {
  gradient_norm: WireFloat;
  median_of_previous: WireFloat;
  factor: WireFloat;
  norms_above_limit: WireFloat[];
  previous_norms: WireFloat[];
  rule: string;
};

/** TL005 (vanishing_gradients.py). */
export type VanishingGradientEvidence = {
  first_layer: string;
  last_layer: string;
  first_gradient_norm: WireFloat;
  last_gradient_norm: WireFloat;
  ratio: WireFloat;
  steps_in_a_row: number;
  rule: string;
};

/** TL006 (dying_relu.py). */
export type DyingReluEvidence = {
  layer: string;
  dead_units: number;
  units: number;
  window_batches: number;
  rule: string;
};

/** TL007 (softmax_into_cross_entropy.py). */
export type SoftmaxIntoCrossEntropyEvidence = {
  input: 'softmax' | 'log_softmax';
  classes: number;
  /** The producing module's class name, when the output came from a module. */
  producer: string | null;
  rule: string;
  /** The largest distance from a row sum of 1 (softmax) or a logsumexp of 0 (log-softmax). */
  max_error: WireFloat;
};

/** TL008 (train_eval_mode.py): one of the two ways. */
export type TrainEvalModeEvidence = {
  calls_under_no_grad?: number;
  layers_in_training_mode?: string[];
  layers_in_eval_mode?: string[];
};

/** TL009 (loss_with_graph.py): a sum (`value`, `added_per_batch`) or a list (`length`). */
export type LossWithGraphEvidence = {
  variable: string;
  batches_in_a_row: number;
  value?: WireFloat;
  added_per_batch?: string;
  length?: number;
  items_with_grad_fn?: string;
};

/** TL010 (missing_step.py): backward() without step(), or parameters no optimizer holds. */
export type MissingStepEvidence = {
  batches_without_step?: number;
  optimizers?: number;
  sample_parameter?: string;
  sample_parameter_changed?: boolean;
  batches_in_loader_pass?: number;
  parameters?: string[];
  elements?: number;
  steps_checked?: number;
};

/** TL011 (learning_rate.py). */
export type LearningRateEvidence = {
  update_to_weight_ratio: WireFloat;
  measurements_in_a_row: number;
  recent_ratios: WireFloat[];
  learning_rate: number | null;
  rule: string;
};

/** The evidence of each code. */
export type DiagnosticEvidenceByCode = {
  TL001: GradientAccumulationEvidence;
  TL002: ClearedBeforeStepEvidence;
  TL003: NonFiniteEvidence;
  TL004: ExplodingGradientEvidence;
  TL005: VanishingGradientEvidence;
  TL006: DyingReluEvidence;
  TL007: SoftmaxIntoCrossEntropyEvidence;
  TL008: TrainEvalModeEvidence;
  TL009: LossWithGraphEvidence;
  TL010: MissingStepEvidence;
  TL011: LearningRateEvidence;
};

export type DiagnosticEvidence = DiagnosticEvidenceByCode[keyof DiagnosticEvidenceByCode];

// ---- run records: `emit(event, **fields)` in events.py ---------------------------------------------------------------

/** A training-bug report of the monitors (diagnostics.py's Reporter): once per cause, on the user's line. */
export type DiagnosticRecord = {
  event: 'diagnostic';
  /** The catalog's code: `TL001`... */
  code: string;
  severity: 'error' | 'warning' | 'info';
  path: string;
  /** 1-based, like DAP's lines. */
  line: number;
  /** 1-based. */
  column: number;
  /** The training batch it was found in, as users count (from 1), or null outside a training loop. */
  batch: number | null;
  /** In English: `template` filled with `values`. */
  message: string;
  /** The wording's id (src/runtime/runtimeFindingTemplates.ts): the code, or `code.variant` (`TL003.loss`). */
  template: string;
  /** The template's placeholder values, names and numbers only: the editor fills the translated template with them. */
  values: Record<string, string | number>;
  /** The numbers behind the report (norms, ratios, names), rounded; non-finite ones as text (by code: DiagnosticEvidenceByCode). */
  evidence: DiagnosticEvidence;
};

/** Each training batch, as it ends (batches.py): its number as users count (from 1), its index from 0, and the loss it
 * backwarded (null: none scalar). */
export type BatchRecord = {
  event: 'batch';
  batch: number;
  index: number;
  loss: WireFloat | null;
};

/** A monitor that raised and was switched off (monitors/registry.py); the run goes on. */
export type InternalRecord = {
  event: 'internal';
  kind: 'monitor-failed';
  /** The detector's code (`TL004`), or the monitor's name for a shared one. */
  detector: string;
  monitor: string | null;
  /** `TypeError: ...` */
  error: string;
  /** `path:line` of the failure. */
  where: string;
};

/** The records the agent emits while the script runs (the runtimes' `event`). */
export type RuntimeEvent = BatchRecord | DiagnosticRecord | InternalRecord;

/** The last record of an `--events` file, written by the CLI (not by Python) when the script has ended. */
export type ExitRecord = {
  event: 'exit';
  code: number;
};

/** One line of an `--events` file. */
export type EventsFileRecord = RuntimeEvent | ExitRecord;

// ---- debugger messages: `DebugSession.send(kind, **fields)` in debugger.py ---------------------------------------------

/**
 * What training did since the previous one, at most every half second and at every stop (training_watch.py's
 * flush). The adapter forwards it, less `kind`, as the `trainloopBatch` event's body.
 */
export type BatchEventBody = {
  /** The training batch being trained or just ended, as users count (from 1); 0 before the first. */
  batch: number;
  epoch: number | null;
  loss: WireFloat | null;
  /** Every batch's loss since the previous message, oldest first (null where not known). */
  losses: (WireFloat | null)[];
  /** Gradient norm per named parameter (`model.fc.weight`), measured after a backward() of `batch` (sampled
   * batches only; sent once, in the message that ends with the batch measured; else empty). */
  gradNorms: Record<string, WireFloat>;
  /**
   * ‖ΔW‖/‖W‖ per named parameter that the optimizer's step moved, measured across the step of `batch` (sampled
   * batches only; sent once, in the message that ends with the batch measured; else empty).
   */
  updateRatios: Record<string, WireFloat>;
  /** 30-bin histograms of each parameter's weights and gradient after a backward() of `batch` (fewer batches; sent once). */
  histograms?: Record<string, ParameterHistograms>;
  /** Up to 16 images of the batch with labels and predictions (sent once). */
  inputs?: BatchImages;
  /** Evaluation passes that ended since the previous message, oldest first. */
  evaluations?: EvaluationPass[];
  /** Whether the model was in training mode (model.train()) at the latest measured backward(), null before one. */
  modelTraining: boolean | null;
  /** The monitors' `diagnostic` records since the previous message. */
  diagnostics: DiagnosticRecord[];
};

/** The debugger has read the script and takes commands; `problem` says why it cannot run (a syntax error). */
export type ReadyMessage = {
  kind: 'ready';
  problem: string | null;
  /** `problem` in parts, when it is the agent's own words (a file it cannot open), not Python's (a syntax error). */
  problemText?: AgentText;
};

export type ReplyOkMessage = {
  kind: 'reply';
  id: number;
  ok: true;
  /** The command's answer; its shape is the command's (the adapter reads each one). */
  body: unknown;
};

export type ReplyErrorMessage = {
  kind: 'reply';
  id: number;
  ok: false;
  error: string;
  /** `error` in parts, for the client's language (the agent's own errors, not an exception of the user's code). */
  text?: AgentText;
};

export type StoppedMessage = {
  kind: 'stopped';
  reason: 'entry' | 'breakpoint' | 'step' | 'pause' | 'exception';
  /** `batch 10` (from 1) at the end of a batch after stepBatch (reason 'breakpoint'); the exception's line. */
  description?: string;
  text?: string;
  /** The ids of the breakpoints hit. */
  breakpoints?: number[];
  /** A training-problem stop's description in parts (`description` and `text` are its English). */
  problem?: TrainingProblemStop;
};

/** A logpoint's text (`console`), or a breakpoint condition that failed (`stderr`), with where it came from. */
export type OutputMessage = {
  kind: 'output';
  category: 'console' | 'stderr';
  text: string;
  /** The text in parts, when it is the agent's own words (a failed condition); not for a logpoint's. */
  message?: AgentText;
  path?: string;
  line?: number;
};

export type BatchMessage = { kind: 'batch' } & BatchEventBody;

/** Everything the debugger inside the runtime says: replies to commands and what it notices on its own. */
export type DebuggerMessage = ReadyMessage | ReplyOkMessage | ReplyErrorMessage | StoppedMessage | OutputMessage | BatchMessage;

// ---- the keys of each message, for the test that compares them with what Python sends -------------------------------

/** A message's keys: those it always has and those it may have. */
export interface MessageKeys {
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

type RequiredKey<T> = { [K in keyof T]-?: Record<never, never> extends Pick<T, K> ? never : K }[keyof T];
type OptionalKey<T> = Exclude<keyof T, RequiredKey<T>>;
/** `unknown` when `Listed` covers `All`; else a type no list literal has, so the missing keys show in the error. */
type Covers<All, Listed> = [Exclude<All, Listed>] extends [never] ? unknown : { missingKeys: Exclude<All, Listed> };

/** Lists T's keys, checked by the compiler: each list names every key of its kind and nothing else. */
function keysOf<T>() {
  return <const R extends readonly RequiredKey<T>[], const O extends readonly OptionalKey<T>[]>(keys: {
    required: R & Covers<RequiredKey<T>, R[number]>;
    optional: O & Covers<OptionalKey<T>, O[number]>;
  }): { readonly required: R; readonly optional: O } => keys;
}

export const VALUE_HISTOGRAM_KEYS = keysOf<ValueHistogram>()({ required: ['min', 'max', 'counts'], optional: [] });
export const PARAMETER_HISTOGRAMS_KEYS = keysOf<ParameterHistograms>()({ required: ['weights', 'grads'], optional: [] });
export const BATCH_IMAGES_KEYS = keysOf<BatchImages>()({ required: ['shape', 'bytes'], optional: ['labels', 'predictions', 'classes'] });
export const EVALUATION_PASS_KEYS = keysOf<EvaluationPass>()({ required: ['batches', 'epoch', 'loss', 'accuracy', 'samples'], optional: [] });

export const RUNTIME_EVENT_KEYS: Record<EventsFileRecord['event'], MessageKeys> = {
  batch: keysOf<BatchRecord>()({ required: ['event', 'batch', 'index', 'loss'], optional: [] }),
  diagnostic: keysOf<DiagnosticRecord>()({
    required: ['event', 'code', 'severity', 'path', 'line', 'column', 'batch', 'message', 'template', 'values', 'evidence'],
    optional: [],
  }),
  internal: keysOf<InternalRecord>()({ required: ['event', 'kind', 'detector', 'monitor', 'error', 'where'], optional: [] }),
  exit: keysOf<ExitRecord>()({ required: ['event', 'code'], optional: [] }),
};

/** TL001's evidence keys (the report the key test's script makes). */
export const GRADIENT_ACCUMULATION_EVIDENCE_KEYS = keysOf<GradientAccumulationEvidence>()({
  required: ['backward_passes_in_gradient', 'steps_already_applied', 'gradient_norm'],
  optional: ['gradient_norm_first_step', 'gradient_norm_growth', 'parameter', 'sum_max_error', 'parameter_gradient_norms'],
});

export const BATCH_EVENT_BODY_KEYS = keysOf<BatchEventBody>()({
  required: ['batch', 'epoch', 'loss', 'losses', 'gradNorms', 'updateRatios', 'modelTraining', 'diagnostics'],
  optional: ['histograms', 'inputs', 'evaluations'],
});

const DEBUGGER_MESSAGE_KEYS: Record<'ready' | 'replyOk' | 'replyError' | 'stopped' | 'output' | 'batch', MessageKeys> = {
  ready: keysOf<ReadyMessage>()({ required: ['kind', 'problem'], optional: ['problemText'] }),
  replyOk: keysOf<ReplyOkMessage>()({ required: ['kind', 'id', 'ok', 'body'], optional: [] }),
  replyError: keysOf<ReplyErrorMessage>()({ required: ['kind', 'id', 'ok', 'error'], optional: ['text'] }),
  stopped: keysOf<StoppedMessage>()({ required: ['kind', 'reason'], optional: ['description', 'text', 'breakpoints', 'problem'] }),
  output: keysOf<OutputMessage>()({ required: ['kind', 'category', 'text'], optional: ['message', 'path', 'line'] }),
  batch: keysOf<BatchMessage>()({
    required: ['kind', ...BATCH_EVENT_BODY_KEYS.required],
    optional: BATCH_EVENT_BODY_KEYS.optional,
  }),
};

/** The keys a debugger message of this kind must and may have (a reply's depend on `ok`), or null for an unknown kind. */
export function debuggerMessageKeys(message: { kind?: unknown; ok?: unknown }): MessageKeys | null {
  switch (message.kind) {
    case 'reply':
      return message.ok === true ? DEBUGGER_MESSAGE_KEYS.replyOk : DEBUGGER_MESSAGE_KEYS.replyError;
    case 'ready':
    case 'stopped':
    case 'output':
    case 'batch':
      return DEBUGGER_MESSAGE_KEYS[message.kind];
    default:
      return null;
  }
}

/** The keys a run record of this `event` must and may have, or null for an unknown event. */
export function runtimeEventKeys(record: { event?: unknown }): MessageKeys | null {
  const event = record.event;
  return typeof event === 'string' && Object.hasOwn(RUNTIME_EVENT_KEYS, event) ? RUNTIME_EVENT_KEYS[event as EventsFileRecord['event']] : null;
}
