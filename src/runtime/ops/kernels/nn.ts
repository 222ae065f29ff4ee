// Neural-network kernels with PyTorch's gradients: convolution, max pooling, embedding lookup, log-sigmoid and losses.
import * as tf from '@tensorflow/tfjs-core';
import { TorchError } from '../../torchError';
import { sizeOfShape } from '../shapeRules';
import { inNHWC, nhwcPadding } from './layout';

/** How one conv2d runs: PyTorch's stride, symmetric padding and dilation, and which gradients anyone needs. */
export interface Conv2dPlan {
  stride: [number, number];
  pad: number[];
  dilation: [number, number];
  wantInput: boolean;
  wantFilter: boolean;
}

/**
 * conv2d (groups=1) of NCHW input by an (out, in, kH, kW) weight, on tfjs's NHWC convolution. Both gradients are
 * plain convolutions, the fastest kernel of every backend (wasm lacks Conv2DBackpropFilter and its
 * Conv2DBackpropInput is ~10x slower than Conv2D): the input's convolves the output gradient, spread by the stride and
 * framed by kernel-1 zeros, with the flipped filter; the filter's convolves the input by the output gradient (batch
 * and channels swapped, the stride as dilation). Gradients nobody needs are not computed.
 */
export function conv2dWithGrad(xt: tf.Tensor, wt: tf.Tensor, plan: Conv2dPlan): tf.Tensor {
  const { stride: s, pad: p, dilation: d, wantInput, wantFilter } = plan;
  /** dL/dx for NHWC input of `inputShape`, HWIO filter f and NHWC output gradient g (stride s, no padding). */
  const inputGrad = (g: tf.Tensor4D, f: tf.Tensor4D, inputShape: number[]): tf.Tensor => {
    const [kh, kw] = f.shape;
    const [batch, outH, outW, outC] = g.shape;
    let spread = g;
    if (s[0] > 1 || s[1] > 1) {
      const gaps = tf.pad(tf.reshape(g, [batch, outH, 1, outW, 1, outC]),
        [[0, 0], [0, 0], [0, s[0] - 1], [0, 0], [0, s[1] - 1], [0, 0]]);
      const grid = tf.reshape(gaps, [batch, outH * s[0], outW * s[1], outC]);
      spread = tf.slice(grid, [0, 0, 0, 0], [-1, (outH - 1) * s[0] + 1, (outW - 1) * s[1] + 1, -1]) as tf.Tensor4D;
    }
    const framed = tf.pad(spread, [[0, 0], [kh - 1, (inputShape[1] as number) - spread.shape[1]],
      [kw - 1, (inputShape[2] as number) - spread.shape[2]], [0, 0]]) as tf.Tensor4D;
    const flipped = tf.transpose(tf.reverse(f, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(framed, flipped, 1, 'valid', 'NHWC');
  };
  /** dL/df: Σ over batch and positions of input patches times the output gradient, as one convolution. */
  const filterGrad = (g: tf.Tensor4D, input: tf.Tensor4D, kh: number, kw: number): tf.Tensor => {
    const byChannel = tf.transpose(input, [3, 1, 2, 0]) as tf.Tensor4D;
    const kernel = tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D;
    const full = tf.conv2d(byChannel, kernel, 1, 'valid', 'NHWC', s);
    return tf.transpose(tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]), [1, 2, 0, 3]);
  };
  const convolve = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, filter, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([input, filter]);
    const value = tf.conv2d(input, filter, s, 'valid', 'NHWC');
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, fs] = saved as [tf.Tensor4D, tf.Tensor4D];
      const g = dy as tf.Tensor4D;
      return [
        wantInput ? inputGrad(g, fs, xs.shape) : tf.zerosLike(xs),
        wantFilter ? filterGrad(g, xs, fs.shape[0], fs.shape[1]) : tf.zerosLike(fs),
      ];
    };
    return { value, gradFunc };
  });
  /** An HWIO filter with (dilation - 1) zeros between its taps, so a dilated convolution runs as a plain one. */
  const dilate = (filter: tf.Tensor4D): tf.Tensor4D => {
    const [kh, kw, cin, cout] = filter.shape;
    const spread = tf.pad(tf.reshape(filter, [kh, 1, kw, 1, cin, cout]), [[0, 0], [0, d[0] - 1], [0, 0], [0, d[1] - 1], [0, 0], [0, 0]]);
    const grid = tf.reshape(spread, [kh * d[0], kw * d[1], cin, cout]);
    return tf.slice(grid, [0, 0, 0, 0], [(kh - 1) * d[0] + 1, (kw - 1) * d[1] + 1, cin, cout]) as tf.Tensor4D;
  };
  return inNHWC(xt as tf.Tensor4D, (nhwc) => {
    const padded = p[0] || p[1] ? tf.pad(nhwc, nhwcPadding(p)) : nhwc;
    const filter = tf.transpose(wt, [2, 3, 1, 0]) as tf.Tensor4D;
    return convolve(padded, d[0] > 1 || d[1] > 1 ? dilate(filter) : filter) as tf.Tensor4D;
  });
}

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
 * max_pool2d of NCHW input, padded symmetrically with -inf. Each window's gradient goes to its first maximum (a NaN
 * counts as the maximum), as PyTorch's does; it is computed here because tfjs's wasm MaxPoolGrad drops windows whose
 * values are all negative.
 */
export function maxPool2dWithGrad(input: tf.Tensor, [kh, kw]: number[], [sh, sw]: number[], [ph, pw]: number[]): tf.Tensor {
  const pool = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    save([x]);
    const value = inNHWC(x, (t) => {
      const padded = ph || pw ? tf.pad(t, nhwcPadding([ph, pw]), -Infinity) : t;
      return keepWindowNaN(tf.maxPool(padded, [kh, kw], [sh, sw], 'valid'), padded, [kh, kw], [sh, sw]);
    });
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [n, c, height, width] = saved[0].shape;
      const [outH, outW] = dy.shape.slice(2);
      const xs = saved[0].dataSync();
      const dys = dy.dataSync();
      const dx = new Float32Array(xs.length);
      for (let plane = 0; plane < n * c; plane++) {
        const base = plane * height * width;
        const outBase = plane * outH * outW;
        for (let oh = 0; oh < outH; oh++) {
          const top = Math.max(oh * sh - ph, 0);
          const bottom = Math.min(oh * sh - ph + kh, height);
          for (let ow = 0; ow < outW; ow++) {
            const left = Math.max(ow * sw - pw, 0);
            const right = Math.min(ow * sw - pw + kw, width);
            let best = -Infinity;
            let at = top * width + left;
            for (let r = top; r < bottom; r++) {
              for (let q = left; q < right; q++) {
                const v = xs[base + r * width + q];
                if (v > best || Number.isNaN(v)) {
                  best = v;
                  at = r * width + q;
                }
              }
            }
            dx[base + at] += dys[outBase + oh * outW + ow];
          }
        }
      }
      return [tf.tensor(dx, saved[0].shape, 'float32')];
    };
    return { value, gradFunc };
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
