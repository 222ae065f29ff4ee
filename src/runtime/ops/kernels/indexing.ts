// Indexing kernels with gradients tfjs lacks or gets wrong on some backend: strided slices, scattered updates.
import * as tf from '@tensorflow/tfjs-core';
import { toBool } from '../dtypes';
import { customOp } from './customGrad';

/**
 * x[begin:end:stride] per axis (positive strides, ends already clamped). Built from slice, pad and reshape, whose
 * gradients tfjs has (it has none for StridedSlice, and the wasm StridedSlice reads integer tensors as floats): along
 * an axis with stride s, the picked range is padded to count·s elements, viewed as (count, s), and column 0 kept.
 */
export function stridedSliceWithGrad(x: tf.Tensor, begin: number[], end: number[], strides: number[]): tf.Tensor {
  const sizes = end.map((e, i) => e - begin[i]);
  let y = tf.slice(x, begin, sizes);
  for (let axis = 0; axis < strides.length; axis++) {
    const s = strides[axis];
    if (s === 1) continue;
    const length = y.shape[axis];
    const count = Math.ceil(length / s);
    if (count === 0) continue;
    if (count * s !== length) {
      const pads: Array<[number, number]> = y.shape.map(() => [0, 0] as [number, number]);
      pads[axis] = [0, count * s - length];
      y = tf.pad(y.dtype === 'bool' ? tf.cast(y, 'int32') : y, pads);
    }
    const grouped = tf.reshape(y, [...y.shape.slice(0, axis), count, s, ...y.shape.slice(axis + 1)]);
    const picked = tf.slice(grouped, grouped.shape.map(() => 0), grouped.shape.map((d, i) => (i === axis + 1 ? 1 : d)));
    y = tf.reshape(picked, [...y.shape.slice(0, axis), count, ...y.shape.slice(axis + 1)]);
  }
  return x.dtype === 'bool' && y.dtype !== 'bool' ? toBool(y) : y;
}

/** x.flat[positions] = values (positions int32 of any shape, values of the same shape) with gradients for both. */
export function scatterUpdateWithGrad(x: tf.Tensor, positions: tf.Tensor, values: tf.Tensor): tf.Tensor {
  const flatPositions = tf.reshape(positions, [-1, 1]);
  const forward = (xv: tf.Tensor, vv: tf.Tensor) =>
    tf.reshape(scatterUpdate(tf.reshape(xv, [-1]), flatPositions, tf.reshape(vv.dtype === xv.dtype ? vv : tf.cast(vv, xv.dtype), [-1])), x.shape);
  if (x.dtype !== 'float32') return forward(x, values);
  const valueShape = values.shape;
  return customOp([x, values], ([xv, vv], save) => {
    save([flatPositions]);
    return {
      value: forward(xv, vv),
      gradFunc: (dy, [p]) => {
        const flat = tf.reshape(dy, [-1]);
        const gx = tf.reshape(scatterUpdate(flat, p, tf.zeros([p.shape[0]])), dy.shape);
        const gv = tf.reshape(tf.gather(flat, tf.reshape(p, [-1])), valueShape);
        return [gx, gv];
      },
    };
  });
}

/**
 * tf.tensorScatterUpdate that leaves `x` as it was: tfjs's cpu kernel writes the updates into x's own buffer, and so
 * into every tensor sharing it (its reshapes and clones, copies the tape saved for backward), so there it gets a copy.
 */
function scatterUpdate(x: tf.Tensor, indices: tf.Tensor, updates: tf.Tensor): tf.Tensor {
  const target = tf.getBackend() === 'cpu' ? tf.tensor(x.dataSync().slice(), x.shape, x.dtype) : x;
  return tf.tensorScatterUpdate(target, indices, updates);
}
