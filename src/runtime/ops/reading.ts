// Reading ops: shape, dtype and values back to Python, and the training panel's summaries of tensors.
import * as tf from '@tensorflow/tfjs-core';
import type { TorchDtype } from './dtypes';
import { sizeOfShape } from './shapeRules';
import { toNumbers } from './arguments';
import { TorchError } from '../torchError';
import { batchImageBytes } from '../batchImages';
import { valueHistogram } from '../valueHistograms';
import { squaredDistance, sumOfSquares } from '../valueDistances';
import type { OpContext } from './context';

/** Reads a tensor's elements for printing: only the first and last `edge` along every dimension longer than 2·edge. */
function summarizedValues(t: tf.Tensor, edge: number): tf.TypedArray {
  const values = t.dataSync();
  const shape = t.shape;
  if (edge <= 0 || shape.every((d) => d <= 2 * edge)) return values;
  const kept = shape.map((d) => (d > 2 * edge ? [...Array(edge).keys(), ...[...Array(edge).keys()].map((i) => d - edge + i)] : [...Array(d).keys()]));
  const strides = shape.map((_, d) => sizeOfShape(shape.slice(d + 1)));
  const total = sizeOfShape(kept.map((k) => k.length));
  const out = new (values.constructor as new (n: number) => tf.TypedArray)(total);
  const counter = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < total; i++) {
    let source = 0;
    for (let d = 0; d < shape.length; d++) source += kept[d][counter[d]] * strides[d];
    out[i] = values[source];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++counter[d] < kept[d].length) break;
      counter[d] = 0;
    }
  }
  return out;
}

export interface ReadingOps {
  shape: (h: number) => number[] | [number, number, number, number] | [number, number] | [number] | [number, number, number] | [number, number, number, number, number] | [number, number, number, number, number, number];
  dtype: (h: number) => TorchDtype;
  numel: (h: number) => number;
  dim: (h: number) => number;
  item: (h: number) => number | boolean;
  values: (h: number) => Float32Array<ArrayBufferLike> | Int32Array<ArrayBufferLike> | Uint8Array<ArrayBufferLike>;
  value_histograms: (handles: unknown, bins: number, sample: number) => string;
  squared_sums: (handles: unknown) => number[];
  value_copies: (handles: unknown) => (Float32Array<ArrayBufferLike> | Int32Array<ArrayBufferLike> | Uint8Array<ArrayBufferLike>)[];
  squared_distances: (handles: unknown, copies: ArrayLike<number>[]) => number[][];
  batch_image_bytes: (h: number, count: number, stride: number) => string;
  summary_values: (h: number, edge: number) => tf.TypedArray;
}

/** The entries that read tensors back to Python. */
export function createReadingOps(ctx: OpContext): ReadingOps {
  const { T, D } = ctx;

  return {
    shape: (h: number) => T(h).shape,
    dtype: (h: number) => D(h),
    numel: (h: number) => T(h).size,
    dim: (h: number) => T(h).rank,
    item: (h: number) => {
      const t = T(h);
      if (t.size !== 1) throw new TorchError('RuntimeError', `a Tensor with ${t.size} elements cannot be converted to Scalar`);
      const value = t.dataSync()[0];
      return t.dtype === 'bool' ? Boolean(value) : value;
    },
    /** The elements, flat, as a typed array (Float32Array, Int32Array or Uint8Array for bool). */
    values: (h: number) => T(h).dataSync(),
    /** The training panel's histograms of these tensors (JSON: a list of {min, max, counts} or null), counted on
     * their read-back values: see valueHistograms.ts. */
    value_histograms: (handles: unknown, bins: number, sample: number) =>
      JSON.stringify(toNumbers(handles).map((h) => valueHistogram(T(h).dataSync(), bins, sample))),
    /** Σ v² of each tensor, counted on its read-back values (the training panel's norms): see valueDistances.ts. */
    squared_sums: (handles: unknown) => toNumbers(handles).map((h) => sumOfSquares(T(h).dataSync())),
    /** A copy of each tensor's values, held by the caller for squared_distances after the optimizer's step (dataSync
     * copies on the wasm and node backends; on cpu it is the storage of a tfjs tensor, which is never written again). */
    value_copies: (handles: unknown) => toNumbers(handles).map((h) => T(h).dataSync()),
    /** [Σ (v − copy)² of each tensor against its copy from value_copies (NaN when its size changed), Σ copy²]. */
    squared_distances: (handles: unknown, copies: ArrayLike<number>[]) => [
      toNumbers(handles).map((h, k) => squaredDistance(T(h).dataSync(), copies[k])),
      copies.map(sumOfSquares),
    ],
    /** The training panel's view of a batch's first `count` images (JSON {shape, bytes}): see batchImages.ts. */
    batch_image_bytes: (h: number, count: number, stride: number) => JSON.stringify(batchImageBytes(T(h).dataSync(), T(h).shape, count, stride)),
    /** The elements printing shows: the first and last `edge` along each dimension longer than 2·edge. */
    summary_values: (h: number, edge: number) => summarizedValues(T(h), edge),
  };
}
