// The embedded runtime's half of the non-finite locator (the agent's non_finite_locator.py): while a training batch's
// forward runs with the non-finite filter on, each op that computes values has its output checked in JavaScript, and
// the first one that made NaN or Inf from finite inputs is reported to Python at once, inside the op's call, so the
// debugger stops on the user's line that called it with the frame still alive.
//
// The check reads the output back (on wasm and cpu a copy or a view of memory the op just wrote, no kernel) and sums
// v·0 over it: NaN exactly when a value is not finite. Only an output that fails has its inputs checked. Shape ops
// (reshape, index, cat…) only move values and are not checked; an in-place op's target is checked before as well.
//
// For backward(), as torch.autograd's anomaly mode but only for the ops whose gradient can be infinite at finite inputs
// (sqrt, log, division, pow, std…, the agent's RISKY_BACKWARD lists the same for real PyTorch): such an op's inputs get
// a gradient hook, and the op its Python site (asked of the agent, an integer). The first of those gradients to come
// back NaN/Inf names the op whose backward made it. Other ops (linear, relu, softmax…) only overflow, and are left out:
// hooking every op cost the quickstart's batch about 10%.
import type * as tf from '@tensorflow/tfjs-core';
import type { TensorEngine } from './tensorEngine';

/** The engine calls that compute new values: a NaN or an Inf can first appear in their outputs. */
const COMPUTING_OPS = new Set([
  'unary', 'unary_', 'binary', 'binary_', 'binary_scalar', 'binary_scalar_', 'where', 'clamp', 'clamp_', 'leaky_relu',
  'masked_fill', 'masked_fill_', 'reduce', 'variance', 'cumsum', 'cumprod', 'matmul', 'linear', 'softmax', 'log_softmax',
  'conv2d', 'avg_pool2d', 'dropout', 'log_sigmoid', 'interpolate', 'batch_norm', 'layer_norm', 'nll_loss',
  'binary_cross_entropy', 'index_put_', 'index_fill_', 'scatter',
]);

/** Ops whose backward can turn a finite gradient into NaN/Inf at finite inputs (1/x, log x, √x at 0; std of a constant). */
const RISKY_UNARY = new Set(['sqrt', 'rsqrt', 'log', 'log2', 'log10', 'log1p', 'reciprocal', 'acos', 'asin', 'atanh', 'logit']);
const RISKY_BINARY = new Set(['div', 'pow', 'atan2']);

function hasRiskyBackward(name: string, args: unknown[]): boolean {
  const op = args[0];
  if (name === 'unary') return RISKY_UNARY.has(op as string);
  if (name === 'binary' || name === 'binary_scalar') return RISKY_BINARY.has(op as string);
  if (name === 'variance') return Boolean(args[4]); // std: its backward divides by the std
  return false;
}

/** How many of a float tensor's values are NaN and how many ±Inf. */
export interface NonFiniteCounts {
  nan: number;
  inf: number;
}

/** NaN and Inf counts of values; the common all-finite case costs one multiply-add per value. */
export function countNonFinite(values: ArrayLike<number>): NonFiniteCounts {
  let probe = 0;
  for (let i = 0; i < values.length; i++) probe += values[i] * 0;
  if (probe === 0) return { nan: 0, inf: 0 };
  let nan = 0;
  let inf = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) nan++;
    else if (v === Infinity || v === -Infinity) inf++;
  }
  return { nan, inf };
}

/** The Python callable told of the first op that makes NaN/Inf: (engine op, NaN count, Inf count, value count). */
type OriginListener = (op: string, nan: number, inf: number, size: number) => void;
/** The Python callable that names the calling user line as an integer (the agent keeps the table). */
type SiteOf = () => number;

/** An op that consumed a checked output: its Python site and the grad_fn it made. */
interface Consumer {
  site: number;
  gradFn: string;
  /** Whether the gradient that came into its backward was already NaN/Inf (then it only carried it on). */
  carried: boolean;
}

/** The functions the agent calls (through the embedded host's `engine`). */
export interface NonFiniteWatchModule {
  /** Checks op outputs while on (the agent turns it on for a training batch's forward, off during backward). */
  watch_non_finite(on: boolean): void;
  /** Checks the gradients of the checked ops' outputs while on (during the batch's backward). */
  watch_backward(on: boolean): void;
  on_non_finite(listener: OriginListener | null, siteOf: SiteOf | null): void;
  /** The backward origin found since watch_backward(true), as JSON {site, grad_fn, nan, inf}, or "" for none. */
  take_backward_origin(): string;
}

export class NonFiniteWatch {
  private on = false;
  private backwardOn = false;
  private listener: OriginListener | null = null;
  private siteOf: SiteOf | null = null;
  private depth = 0;
  /** Inputs of risky ops (by handle) whose gradient is hooked → that op; cleared when a forward starts. */
  private consumers = new Map<number, Consumer>();
  private backwardOrigin: (Consumer & NonFiniteCounts) | null = null;

  constructor(private readonly engine: TensorEngine) {}

  /** `ops` with its computing ops checked while the watch is on, and the watch's own functions added. */
  wrap<T extends object>(ops: T): T & NonFiniteWatchModule {
    const wrapped: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(ops)) {
      wrapped[key] = typeof value === 'function' && COMPUTING_OPS.has(key) ? this.watched(key, value as (...args: unknown[]) => unknown) : value;
    }
    const module: NonFiniteWatchModule = {
      watch_non_finite: (on) => {
        if (on && !this.on && !this.backwardOn) this.consumers.clear();
        this.on = Boolean(on);
      },
      watch_backward: (on) => {
        this.backwardOn = Boolean(on);
        if (on) this.backwardOrigin = null;
      },
      on_non_finite: (listener, siteOf) => {
        for (const previous of [this.listener, this.siteOf] as unknown as ({ destroy?(): void } | null)[]) previous?.destroy?.();
        this.listener = listener ?? null;
        this.siteOf = siteOf ?? null;
      },
      take_backward_origin: () => {
        const origin = this.backwardOrigin;
        this.backwardOrigin = null;
        return origin ? JSON.stringify({ site: origin.site, grad_fn: origin.gradFn, nan: origin.nan, inf: origin.inf }) : '';
      },
    };
    return Object.assign(wrapped, module) as T & NonFiniteWatchModule;
  }

  private watched(name: string, fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
    return (...args: unknown[]) => {
      if (!this.on || this.depth > 0 || !this.listener || !this.engine.gradEnabled) return fn(...args);
      const inPlace = name.endsWith('_');
      const target = inPlace ? args.find((a) => typeof a === 'number') as number | undefined : undefined;
      const targetWasFinite = target === undefined || this.finite(target);
      this.depth++;
      let result: unknown;
      try {
        result = fn(...args);
      } finally {
        this.depth--;
      }
      const outputs = inPlace ? (target === undefined ? [] : [target]) : Array.isArray(result) ? result : [result];
      if (!inPlace && typeof result === 'number' && hasRiskyBackward(name, args)) this.followGradient(result, args);
      for (const output of outputs) {
        if (typeof output !== 'number') continue;
        const counts = this.counts(output);
        if (!counts || (counts.nan === 0 && counts.inf === 0)) continue;
        if (!targetWasFinite || !this.inputsFinite(args)) return result; // carried in, not made here
        const op = typeof args[0] === 'string' ? `${name}:${args[0]}` : name;
        this.listener?.(op, counts.nan, counts.inf, this.engine.tensor(output).size);
        return result;
      }
      return result;
    };
  }

  /** A risky op ran: hooks the gradients of its inputs that come from other ops (a leaf's hook would outlive the
   * batch), to learn whether its backward makes them NaN/Inf. */
  private followGradient(output: number, args: unknown[]): void {
    const gradFn = this.engine.gradFnName(output);
    if (!gradFn || !this.siteOf) return;
    let consumer: Consumer | undefined;
    const hookOutput = () => {
      const by = consumer!;
      this.engine.registerHook(output, (given: number) => {
        const counts = this.counts(given);
        if (counts && (counts.nan || counts.inf)) by.carried = true;
        this.engine.free(given);
        return 0;
      });
    };
    for (const arg of args) {
      if (typeof arg !== 'number' || !Number.isInteger(arg) || this.consumers.has(arg) || !this.floatTensor(arg)) continue;
      if (this.engine.isLeaf(arg)) continue;
      if (!consumer) {
        consumer = { site: this.siteOf(), gradFn, carried: false };
        hookOutput();
      }
      this.consumers.set(arg, consumer);
      const input = arg;
      this.engine.registerHook(input, (given: number) => {
        if (this.backwardOn && !this.backwardOrigin) {
          const counts = this.counts(given);
          const by = this.consumers.get(input);
          if (counts && by && !by.carried && (counts.nan || counts.inf)) this.backwardOrigin = { ...by, ...counts };
        }
        this.engine.free(given);
        return 0;
      });
    }
  }

  /** The float tensor behind a handle, or undefined (not a handle, freed, or not float). */
  private floatTensor(handle: number): tf.Tensor | undefined {
    try {
      const t = this.engine.tensor(handle);
      return t.dtype === 'float32' ? t : undefined;
    } catch {
      return undefined;
    }
  }

  private counts(handle: number): NonFiniteCounts | undefined {
    const t = this.floatTensor(handle);
    return t ? countNonFinite(t.dataSync() as Float32Array) : undefined;
  }

  private finite(handle: number): boolean {
    const counts = this.counts(handle);
    return !counts || (counts.nan === 0 && counts.inf === 0);
  }

  /** Whether every numeric argument is finite: handles of float tensors by their values, numbers as they are (a
   * `masked_fill(mask, -inf)` is meant, not a fault). Other arguments (dims, names) say nothing. */
  private inputsFinite(args: unknown[]): boolean {
    for (const arg of args) {
      if (typeof arg !== 'number') continue;
      if (!Number.isFinite(arg)) return false;
      if (Number.isInteger(arg) && !this.finite(arg)) return false;
    }
    return true;
  }
}
