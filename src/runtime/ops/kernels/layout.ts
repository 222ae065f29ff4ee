// Tensor layout moves the ops share: axes to and from the last place, NCHW↔NHWC, and band masks.
import * as tf from '@tensorflow/tfjs-core';
import { normAxis } from '../shapeRules';

/** Moves the last axis of t to position `axis`. */
export function moveLastAxisTo(t: tf.Tensor, axis: number): tf.Tensor {
  if (axis === t.rank - 1) return t;
  const perm: number[] = [];
  for (let i = 0; i < t.rank - 1; i++) {
    if (i === axis) perm.push(t.rank - 1);
    perm.push(i);
  }
  if (perm.length < t.rank) perm.push(t.rank - 1);
  return tf.transpose(t, perm);
}

/** Moves axis `dim` of x to the last place, applies f along the last axis, moves it back. */
export function alongLastAxis(x: tf.Tensor, dim: number, f: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
  const axis = normAxis(dim, x.rank);
  if (axis === x.rank - 1) return f(x);
  const perm = [...Array(x.rank).keys()];
  perm[axis] = x.rank - 1;
  perm[x.rank - 1] = axis;
  return tf.transpose(f(tf.transpose(x, perm)), perm);
}

/** Converts PyTorch's NCHW layout to tfjs's NHWC and back around `f`. */
export function inNHWC(x: tf.Tensor4D, f: (t: tf.Tensor4D) => tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(f(tf.transpose(x, [0, 2, 3, 1])), [0, 3, 1, 2]);
}

/** PyTorch's symmetric [padH, padW] as tfjs's explicit NHWC padding. */
export function nhwcPadding(pad: number[]): Array<[number, number]> {
  return [[0, 0], [pad[0], pad[0]], [pad[1], pad[1]], [0, 0]];
}

/** Swaps the last two dimensions. */
export function swapLast(t: tf.Tensor): tf.Tensor {
  const perm = [...Array(t.rank).keys()];
  perm[t.rank - 1] = t.rank - 2;
  perm[t.rank - 2] = t.rank - 1;
  return tf.transpose(t, perm);
}

/** A [rows, cols] 0/1 mask of what tril (lower) or triu keeps, offset by diagonal k. */
export function bandMask(shape: number[], k: number, lower: boolean): tf.Tensor {
  const rows = shape[shape.length - 2];
  const cols = shape[shape.length - 1];
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) values[i * cols + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
  }
  return tf.tensor(values, [rows, cols]);
}
