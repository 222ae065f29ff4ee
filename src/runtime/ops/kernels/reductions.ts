// Reduction kernels: cascaded float sums, and max/min whose gradients share ties (whole) or pick the index (along a dim).
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './customGrad';
import { moveLastAxisTo } from './layout';

const SUM_BLOCK = 1024;

/**
 * tf.sum, but long float reductions add up blocks of SUM_BLOCK elements first and then the block sums, so rounding
 * error grows with about √n rather than n (PyTorch's CPU sums are similarly cascaded; a plain float32 running sum of
 * 400k gradients is off in the 4th digit).
 */
export function blockedSum(x: tf.Tensor, axes: number[] | undefined, keep: boolean): tf.Tensor {
  const all = axes ?? [...Array(x.rank).keys()];
  const count = all.reduce((n, a) => n * x.shape[a], 1);
  if (x.dtype !== 'float32' || count <= 4 * SUM_BLOCK) return tf.sum(x, axes, keep);
  const rest = [...Array(x.rank).keys()].filter((a) => !all.includes(a));
  const moved = rest.length && !all.every((a, i) => a === rest.length + i) ? tf.transpose(x, [...rest, ...all]) : x;
  const outer = rest.map((a) => x.shape[a]);
  const blocks = Math.ceil(count / SUM_BLOCK);
  let flat = tf.reshape(moved, [...outer, count]);
  if (blocks * SUM_BLOCK !== count) {
    flat = tf.pad(flat, [...outer.map(() => [0, 0] as [number, number]), [0, blocks * SUM_BLOCK - count]]);
  }
  const partial = tf.sum(tf.reshape(flat, [...outer, blocks, SUM_BLOCK]), outer.length + 1);
  const total = tf.sum(partial, outer.length);
  if (!keep) return total;
  return tf.reshape(total, x.shape.map((d, a) => (all.includes(a) ? 1 : d)));
}

/**
 * amax/amin, and full max()/min() (`whole`): the gradient is shared evenly among tied extreme elements, as in
 * PyTorch. When the extreme is NaN, amax/amin's gradient is NaN (no element equals it) while max()/min() share it
 * among the NaN elements (PyTorch's evenly_distribute_backward).
 */
export function extremeReduce(x: tf.Tensor, axes: number[] | undefined, keep: boolean, which: 'max' | 'min', whole = false): tf.Tensor {
  const f = which === 'max' ? tf.max : tf.min;
  if (x.dtype !== 'float32') return f(x, axes, keep);
  const all = axes ?? [...Array(x.rank).keys()];
  return customOp([x], ([xv], save) => {
    const kept = f(xv, all, true);
    save([xv, kept]);
    return {
      value: keep ? tf.clone(kept) : tf.reshape(kept, kept.shape.filter((_, axis) => !all.includes(axis))),
      gradFunc: (dy, [xs, m]) => {
        const hits = tf.equal(xs, m);
        const mask = tf.cast(whole ? tf.logicalOr(hits, tf.logicalAnd(tf.isNaN(xs), tf.isNaN(m))) : hits, 'float32');
        const count = tf.sum(mask, all, true);
        return tf.mul(tf.div(mask, count), tf.reshape(dy, m.shape));
      },
    };
  });
}

/**
 * argmax/argmin along an axis as PyTorch picks it: a NaN is both the largest and the smallest value, so a slice with
 * a NaN gives its first NaN's index (tfjs's kernels skip NaN).
 */
export function argExtreme(x: tf.Tensor, axis: number, which: 'max' | 'min'): tf.Tensor {
  const indices = which === 'max' ? tf.argMax(x, axis) : tf.argMin(x, axis);
  if (x.dtype !== 'float32') return indices;
  const nan = tf.isNaN(x);
  return tf.where(tf.any(nan, axis), tf.argMax(tf.cast(nan, 'float32'), axis), indices);
}

/** max/min along one dimension: values whose gradient goes to the first extreme element (the returned index). */
export function extremeAlong(x: tf.Tensor, axis: number, keep: boolean, which: 'max' | 'min'): { values: tf.Tensor; indices: tf.Tensor } {
  const indices = argExtreme(x, axis, which);
  const f = which === 'max' ? tf.max : tf.min;
  const n = x.shape[axis];
  let values: tf.Tensor;
  if (x.dtype !== 'float32') {
    values = f(x, axis, keep);
  } else {
    values = customOp([x, indices], ([xv, iv], save) => {
      save([iv]);
      return {
        value: f(xv, axis, keep),
        gradFunc: (dy, [is]) => {
          const picked = tf.oneHot(is, n); // [..., n] with the reduced axis last
          const moved = moveLastAxisTo(picked, axis);
          const g = tf.mul(moved, keep ? dy : tf.expandDims(dy, axis));
          return [g, tf.zerosLike(is)];
        },
      };
    });
  }
  return { values, indices: keep ? tf.expandDims(indices, axis) : indices };
}

/**
 * What a reduction over no elements gives: its identity (0 for a sum, 1 for a product, ...) in the reduced shape.
 * tfjs's wasm kernels read uninitialised memory there (a sum of nothing came out as 3.6e-41). Float results keep a
 * gradient (of zeros, the shape of the empty input) so autograd runs through them.
 */
export function emptyReduction(x: tf.Tensor, axes: number[] | undefined, keep: boolean, identity: number, dtype: 'float32' | 'int32' | 'bool'): tf.Tensor {
  const all = axes ?? [...Array(x.rank).keys()];
  const shape = keep ? x.shape.map((d, a) => (all.includes(a) ? 1 : d)) : x.shape.filter((_, a) => !all.includes(a));
  if (dtype !== 'float32' || x.dtype !== 'float32') return tf.fill(shape, dtype === 'bool' ? Number(Boolean(identity)) : identity, dtype);
  return customOp([x], ([xv]) => ({ value: tf.fill(shape, identity, 'float32'), gradFunc: () => tf.zerosLike(xv) }));
}

/**
 * prod over `axes` (all when undefined) with PyTorch's gradient: grad · result / x when the input holds no zero,
 * else grad times the product of the other elements of the slice (exclusive products from both ends). tfjs's own
 * Prod gradient calls a chained Tensor method this build does not register.
 */
export function product(x: tf.Tensor, axes: number[] | undefined, keep: boolean): tf.Tensor {
  if (x.dtype !== 'float32') return tf.prod(x, axes, keep);
  const all = axes ?? [...Array(x.rank).keys()];
  return customOp([x], ([xv], save) => {
    const kept = tf.prod(xv, all, true);
    save([xv, kept]);
    return {
      value: keep ? tf.clone(kept) : tf.reshape(kept, kept.shape.filter((_, a) => !all.includes(a))),
      gradFunc: (dy, [xs, result]) => {
        const g = tf.reshape(dy, result.shape);
        const noZero = tf.logicalNot(tf.any(tf.equal(xs, 0)));
        const others = exclusiveProducts(xs, all);
        return tf.mul(g, tf.where(noZero, tf.div(result, xs), others));
      },
    };
  });
}

/** For each element, the product of the other elements of its slice along `axes`. */
function exclusiveProducts(x: tf.Tensor, axes: number[]): tf.Tensor {
  const rest = [...Array(x.rank).keys()].filter((a) => !axes.includes(a));
  const perm = [...rest, ...axes];
  const moved = tf.transpose(x, perm);
  const outer = rest.map((a) => x.shape[a]);
  const flat = tf.reshape(moved, [...outer, axes.reduce((n, a) => n * x.shape[a], 1)]);
  const last = outer.length;
  const others = tf.mul(tf.cumprod(flat, last, true, false), tf.cumprod(flat, last, true, true));
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return tf.transpose(tf.reshape(others, moved.shape), inverse);
}
