// The embedded runtime's half of the non-finite locator (the agent's non_finite_locator.py): while a training batch's
// forward runs with the non-finite filter on, each op that computes values has its output checked in JavaScript, and
// the first one that made NaN or Inf from finite inputs is reported to Python at once, inside the op's call, so the
// debugger stops on the user's line that called it with the frame still alive.
//
// The check reads the output back (on wasm and cpu a copy or a view of memory the op just wrote, no kernel) and sums
// v·0 over it: NaN exactly when a value is not finite. Only an output that fails has its inputs checked. Shape ops
// (reshape, index, cat…) only move values and are not checked; an in-place op's target is checked before as well.
import type * as tf from '@tensorflow/tfjs-core';
import type { TensorEngine } from './tensorEngine';

/** The engine calls that compute new values: a NaN or an Inf can first appear in their outputs. */
const COMPUTING_OPS = new Set([
  'unary', 'unary_', 'binary', 'binary_', 'binary_scalar', 'binary_scalar_', 'where', 'clamp', 'clamp_', 'leaky_relu',
  'masked_fill', 'masked_fill_', 'reduce', 'variance', 'cumsum', 'cumprod', 'matmul', 'linear', 'softmax', 'log_softmax',
  'conv2d', 'avg_pool2d', 'dropout', 'log_sigmoid', 'interpolate', 'batch_norm', 'layer_norm', 'nll_loss',
  'binary_cross_entropy', 'index_put_', 'index_fill_', 'scatter',
]);

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

/** The functions the agent calls (through the embedded host's `engine`). */
export interface NonFiniteWatchModule {
  /** Checks op outputs while on (the agent turns it on for a training batch's forward, off during backward). */
  watch_non_finite(on: boolean): void;
  /** The Python callable told of the first op that makes NaN/Inf: (engine op, NaN count, Inf count, value count). */
  on_non_finite(listener: ((op: string, nan: number, inf: number, size: number) => void) | null): void;
}

export class NonFiniteWatch {
  private on = false;
  private listener: ((op: string, nan: number, inf: number, size: number) => void) | null = null;
  private depth = 0;

  constructor(private readonly engine: TensorEngine) {}

  /** `ops` with its computing ops checked while the watch is on, and the watch's own functions added. */
  wrap<T extends object>(ops: T): T & NonFiniteWatchModule {
    const wrapped: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(ops)) {
      wrapped[key] = typeof value === 'function' && COMPUTING_OPS.has(key) ? this.watched(key, value as (...args: unknown[]) => unknown) : value;
    }
    const module: NonFiniteWatchModule = {
      watch_non_finite: (on) => {
        this.on = Boolean(on);
      },
      on_non_finite: (listener) => {
        const previous = this.listener as unknown as { destroy?(): void } | null;
        previous?.destroy?.();
        this.listener = listener ?? null;
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
