// Creation ops: tensors from Python values and buffers, filled tensors and ranges (random tensors: ops/random.ts).
import * as tf from '@tensorflow/tfjs-core';
import { type TorchDtype, isFloatDtype, storageOf, castTo } from './dtypes';
import { listText } from './shapeRules';
import { toNumbers } from './arguments';
import { TorchError } from '../torchError';
import type { OpContext } from './context';

export interface CreationOps {
  from_values: (values: unknown, shape: unknown, dtype: string) => number;
  from_buffer: (buffer: {
      getBuffer(type: string): {
          data: ArrayBufferView;
          release(): void;
      };
  }, bufferType: string, shape: unknown, dtype: string) => number;
  full: (shape: unknown, value: number | boolean, dtype: string) => number;
  full_like: (h: number, value: number | boolean, dtype?: string) => number;
  arange: (start: number, end: number, step: number, dtype: string) => number;
  linspace: (start: number, end: number, steps: number, dtype?: string) => number;
  eye: (n: number, m: number, dtype?: string) => number;
}

/** The creation entries of the op table. */
export function createCreationOps(ctx: OpContext): CreationOps {
  const { engine, T, D } = ctx;

  return {
    from_values: (values: unknown, shape: unknown, dtype: string) => {
      const d = dtype as TorchDtype;
      const numbers = toNumbers(values);
      const storage = storageOf(d);
      const data = storage === 'float32' ? Float32Array.from(numbers) : storage === 'int32' ? Int32Array.from(numbers) : Uint8Array.from(numbers, (v) => (v ? 1 : 0));
      return engine.adopt(tf.tensor(data, toNumbers(shape), storage), false, null, d);
    },
    /** Copies a Python buffer (bytes, memoryview, array) of the given element type into a new tensor. */
    from_buffer: (buffer: { getBuffer(type: string): { data: ArrayBufferView; release(): void } }, bufferType: string, shape: unknown, dtype: string) => {
      const view = buffer.getBuffer(bufferType);
      try {
        const data = view.data as unknown as ArrayLike<number>;
        const d = dtype as TorchDtype;
        const target = storageOf(d);
        const values = target === 'float32' ? Float32Array.from(data) : target === 'int32' ? Int32Array.from(data) : Uint8Array.from(data);
        return engine.adopt(tf.tensor(values, toNumbers(shape), target), false, null, d);
      } finally {
        view.release();
      }
    },
    full: (shape: unknown, value: number | boolean, dtype: string) => {
      const d = dtype as TorchDtype;
      const dims = toNumbers(shape);
      for (const n of dims) if (!(n >= 0) || !Number.isInteger(n)) throw new TorchError('RuntimeError', `Trying to create tensor with negative dimension ${n}: ${listText(dims)}`);
      const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      return engine.adopt(tf.fill(dims, numeric, storageOf(d)), false, null, d);
    },
    /** A tensor of x's shape filled with `value` (zeros_like, ones_like, full_like); dtype defaults to x's. */
    full_like: (h: number, value: number | boolean, dtype?: string) => {
      const d = (dtype as TorchDtype | undefined) ?? D(h);
      const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      return engine.adopt(tf.fill(T(h).shape, numeric, storageOf(d)), false, null, d);
    },
    arange: (start: number, end: number, step: number, dtype: string) => {
      if (step === 0) throw new TorchError('RuntimeError', 'step must be nonzero');
      if ((end - start) / step < 0) throw new TorchError('RuntimeError', 'upper bound and larger bound inconsistent with step sign');
      const d = dtype as TorchDtype;
      const count = Math.max(0, Math.ceil((end - start) / step));
      const storage = storageOf(d);
      const values = storage === 'float32' ? new Float32Array(count) : new Int32Array(count);
      for (let i = 0; i < count; i++) values[i] = start + i * step;
      return engine.adopt(tf.tensor(values, [count], storage === 'bool' ? 'int32' : storage), false, null, d);
    },
    linspace: (start: number, end: number, steps: number, dtype?: string) => {
      if (steps < 0) throw new TorchError('RuntimeError', 'number of steps must be non-negative');
      const values = new Float32Array(steps);
      const step = steps > 1 ? (end - start) / (steps - 1) : 0;
      for (let i = 0; i < steps; i++) values[i] = i < steps / 2 ? start + step * i : end - step * (steps - 1 - i);
      const d = (dtype as TorchDtype | undefined) ?? 'float32';
      return engine.adopt(tf.tensor(isFloatDtype(d) ? values : Int32Array.from(values, Math.trunc), [steps], isFloatDtype(d) ? 'float32' : 'int32'), false, null, d);
    },
    eye: (n: number, m: number, dtype?: string) => {
      const d = (dtype as TorchDtype | undefined) ?? 'float32';
      return engine.adopt(tf.tidy(() => castTo(tf.eye(n, m), d)), false, null, d);
    },
  };
}
