// Neural-network kernels with PyTorch's gradients: max pooling, embedding lookup, log-sigmoid and losses.
import * as tf from '@tensorflow/tfjs-core';
import { TorchError } from '../../torchError';
import { sizeOfShape } from '../shapeRules';
import { hostValues } from './hostValues';

/**
 * A pooled NHWC result with NaN in every window of `padded` that holds a NaN, as PyTorch's pooling gives (tfjs's
 * kernels skip NaN, or on wasm turn it into -inf). The NaN is added as a constant, so the pooling's own gradient is
 * unchanged; input without NaN (checked first) costs two kernels.
 */
export function keepWindowNaN(pooled: tf.Tensor4D, padded: tf.Tensor4D, kernel: [number, number], stride: [number, number]): tf.Tensor4D {
  const nan = tf.isNaN(padded);
  if (!tf.any(nan).dataSync()[0]) return pooled;
  const inWindow = tf.maxPool(tf.cast(nan, 'float32') as tf.Tensor4D, kernel, stride, 'valid');
  return tf.add(pooled, tf.where(tf.greater(inWindow, 0), tf.scalar(NaN), tf.scalar(0))) as tf.Tensor4D;
}

/**
 * max_pool2d of NCHW input with symmetric padding (windows see only the input's own elements), as PyTorch's CPU kernel
 * computes it: each window's maximum, where a NaN counts as the maximum (the last NaN of the window, in row order), and
 * the gradient goes to that element. One loop in JavaScript finds the maxima and where they are, the gradient scatters
 * by those positions: on wasm 87 ms → ~20 ms of CPU for the forward and backward of a (64, 32, 28, 28) batch, against
 * tfjs's maxPool (which skips NaN, or on wasm turns it into -inf), two NCHW↔NHWC transposes, a NaN check, and a second
 * loop for the gradient (tfjs's wasm MaxPoolGrad drops windows whose values are all negative).
 */
export function maxPool2dWithGrad(input: tf.Tensor, [kh, kw]: number[], [sh, sw]: number[], [ph, pw]: number[]): tf.Tensor {
  const [n, c, height, width] = input.shape as [number, number, number, number];
  const outH = Math.floor((height + 2 * ph - kh) / sh) + 1;
  const outW = Math.floor((width + 2 * pw - kw) / sw) + 1;
  const pool = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor;
    const xs = hostValues(x);
    const out = new Float32Array(n * c * outH * outW);
    /** Where each output's value came from, as an index into its own plane. */
    const from = new Int32Array(out.length);
    const lefts = Int32Array.from({ length: outW }, (_, ow) => Math.max(ow * sw - pw, 0));
    const rights = Int32Array.from({ length: outW }, (_, ow) => Math.min(ow * sw - pw + kw, width));
    let k = 0;
    for (let plane = 0; plane < n * c; plane++) {
      const base = plane * height * width;
      for (let oh = 0; oh < outH; oh++) {
        const top = Math.max(oh * sh - ph, 0);
        const bottom = Math.min(oh * sh - ph + kh, height);
        for (let ow = 0; ow < outW; ow++) {
          const left = lefts[ow];
          const right = rights[ow];
          let best = -Infinity;
          let at = top * width + left;
          for (let r = top; r < bottom; r++) {
            const row = r * width;
            for (let q = left; q < right; q++) {
              const v = xs[base + row + q];
              if (v > best || v !== v) {
                best = v;
                at = row + q;
              }
            }
          }
          out[k] = best;
          from[k++] = at;
        }
      }
    }
    const gradFunc = (dy: tf.Tensor) => {
      const dys = hostValues(dy);
      const dx = new Float32Array(n * c * height * width);
      let i = 0;
      for (let plane = 0; plane < n * c; plane++) {
        const base = plane * height * width;
        for (let j = 0; j < outH * outW; j++, i++) dx[base + from[i]] += dys[i];
      }
      return [tf.tensor(dx, [n, c, height, width], 'float32')];
    };
    return { value: tf.tensor(out, [n, c, outH, outW], 'float32'), gradFunc };
  });
  return pool(input);
}

/**
 * Rows of a 2-D table picked by integer indices (nn.Embedding). The gradient scatters (and sums) the output
 * gradient's rows into the table's shape; tfjs's own goes through UnsortedSegmentSum, which wasm lacks.
 */
export function embeddingWithGrad(weights: tf.Tensor, indices: tf.Tensor, table: [number, number]): tf.Tensor {
  const lookup = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [w, i, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const rows = tf.reshape(tf.cast(i, 'int32'), [-1]);
    save([rows]);
    const value = tf.reshape(tf.gather(w, rows, 0), [...i.shape, table[1]]);
    const indexShape = i.shape;
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.scatterND(tf.reshape(saved[0], [-1, 1]), tf.reshape(dy, [-1, table[1]]), table),
      tf.zeros(indexShape),
    ];
    return { value, gradFunc };
  });
  return lookup(weights, indices);
}

/** log σ(x) = -softplus(-x), gradient σ(-x) (tf.logSigmoid keeps its input by reference, which the engine frees). */
export function logSigmoidWithGrad(x: tf.Tensor): tf.Tensor {
    const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [xv, save] = args as [tf.Tensor, tf.GradSaveFunc];
      save([xv]);
      const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, tf.sigmoid(tf.neg(saved[0])))];
      return { value: tf.neg(tf.softplus(tf.neg(xv))), gradFunc };
    });
    return op(x);
}

/** Where nll_loss picks each target's log-probability in the flat input, its weight, and whether it counts. */
export interface NllLossPlan {
  positions: Int32Array;
  weights: Float32Array;
  kept: Uint8Array;
  /** The total weight of the targets that count ('mean' divides by it). */
  total: number;
}

/** Checks the targets (ignoreIndex counts for nothing) and plans nll_loss over input of shape (N, C) or (N, C, d1, ...). */
export function nllLossPlan(inputShape: readonly number[], targets: ArrayLike<number>, classWeights: ArrayLike<number> | null,
  ignoreIndex: number): NllLossPlan {
  const classes = inputShape[1] as number;
  const inner = sizeOfShape(inputShape.slice(2));
  const positions = new Int32Array(targets.length);
  const weights = new Float32Array(targets.length);
  const kept = new Uint8Array(targets.length);
  let total = 0;
  for (let i = 0; i < targets.length; i++) {
    const c = targets[i];
    if (c === ignoreIndex) continue;
    if (c < 0 || c >= classes) throw new TorchError('IndexError', `Target ${c} is out of bounds.`);
    positions[i] = (Math.floor(i / inner) * classes + c) * inner + (i % inner);
    weights[i] = classWeights ? classWeights[c] : 1;
    kept[i] = 1;
    total += weights[i];
  }
  return { positions, weights, kept, total };
}

/** Whether every target of the plan counts with weight 1 (so the loss needs no mask and no weights). */
function plainNllLoss(plan: NllLossPlan): boolean {
  for (let i = 0; i < plan.kept.length; i++) if (!plan.kept[i] || plan.weights[i] !== 1) return false;
  return true;
}

/** nll_loss by a plan, reduced by `reduction`, with its gradient built from the plan's known positions. */
export function nllLossWithGrad(input: tf.Tensor, plan: NllLossPlan, reduction: string, targetShape: number[]): tf.Tensor {
  const { positions, weights, kept, total } = plan;
  // The gradient is built here from the known positions (tfjs's Gather gradient needs UnsortedSegmentSum).
  const loss = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xt = args[0] as tf.Tensor;
    const picked = tf.gather(tf.reshape(xt, [-1]), tf.tensor1d(positions, 'int32'));
    let value: tf.Tensor;
    if (reduction !== 'none' && plainNllLoss(plan)) {
      // Every target counts, with weight 1 (no class weights, nothing ignored): a gather, a sum and one scale.
      value = tf.mul(tf.sum(picked), tf.scalar(reduction === 'sum' ? -1 : -1 / total));
    } else {
      const weighted = tf.neg(tf.mul(picked, tf.tensor1d(weights)));
      const losses = tf.where(tf.tensor1d(kept, 'bool'), weighted, tf.zerosLike(weighted));
      value = reduction === 'none' ? tf.reshape(losses, targetShape)
        : reduction === 'sum' ? tf.sum(losses) : tf.div(tf.sum(losses), tf.scalar(total));
    }
    const inputShape = xt.shape;
    const gradFunc = (dy: tf.Tensor) => {
      const upstream = dy.dataSync();
      const dx = new Float32Array(sizeOfShape(inputShape));
      for (let i = 0; i < positions.length; i++) {
        if (!kept[i]) continue;
        const g = reduction === 'none' ? upstream[i] : reduction === 'sum' ? upstream[0] : upstream[0] / total;
        dx[positions[i]] -= weights[i] * g;
      }
      return [tf.tensor(dx, inputShape, 'float32')];
    };
    return { value, gradFunc };
  });
  return loss(input);
}

/**
 * binary_cross_entropy per element: -(t·log x + (1-t)·log(1-x)) with each log clamped at -100, and PyTorch's gradient
 * (x - t) / max(x(1-x), 1e-12), finite even where x is exactly 0 or 1.
 */
export function binaryCrossEntropyWithGrad(x: tf.Tensor, target: tf.Tensor): tf.Tensor {
  const bce = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xv, tv, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const logX = tf.maximum(tf.log(xv), -100);
    const logOneMinusX = tf.maximum(tf.log(tf.sub(1, xv)), -100);
    save([xv, tv, logX, logOneMinusX]);
    const value = tf.neg(tf.add(tf.mul(tv, logX), tf.mul(tf.sub(1, tv), logOneMinusX)));
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ts, lx, l1x] = saved;
      const denominator = tf.maximum(tf.mul(tf.sub(1, xs), xs), 1e-12);
      return [tf.div(tf.mul(dy, tf.sub(xs, ts)), denominator), tf.mul(dy, tf.sub(l1x, lx))];
    };
    return { value, gradFunc };
  });
  return bce(x, target);
}
