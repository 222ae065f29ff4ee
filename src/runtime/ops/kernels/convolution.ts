// conv2d with PyTorch's gradients, both computed as plain convolutions, the fastest kernel of every backend.
//
// Measured on the bench's CNN (bench/sequenceAndConv.ts: 64 images of 28×28, 16→32 channels, 3×3), CPU time on 2
// loaded cores:
// - wasm lacks Conv2DBackpropFilter (the cpu fallback runs for minutes) and its Conv2DBackpropInput takes 160-180 ms
//   where the same gradient as a convolution with the flipped filter takes 21-33 ms; the filter's gradient as a
//   convolution of the input by the output gradient takes 44-52 ms (as a product of 9 shifted copies, 140+ ms).
// - tensorflow's own Conv2DBackpropInput/Filter kernels time like the convolutions alone (12-13 ms each), but the
//   whole CNN step with them took 132-152 ms against 76-85 ms with the convolutions, so every backend uses these.
import * as tf from '@tensorflow/tfjs-core';
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
 * dL/dx for NHWC input of `inputShape`, HWIO filter f and NHWC output gradient g (stride s, no padding): the output
 * gradient spread by the stride and framed by kernel-1 zeros, convolved with the flipped filter.
 */
function inputGradAsConvolution(g: tf.Tensor4D, f: tf.Tensor4D, inputShape: number[], s: [number, number]): tf.Tensor {
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
}

/**
 * dL/df: Σ over batch and positions of input patches times the output gradient, as one convolution of the input
 * (batch and channels swapped) by the output gradient, the stride as dilation.
 */
function filterGradAsConvolution(g: tf.Tensor4D, input: tf.Tensor4D, kh: number, kw: number, s: [number, number]): tf.Tensor {
  const byChannel = tf.transpose(input, [3, 1, 2, 0]) as tf.Tensor4D;
  const kernel = tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D;
  const full = tf.conv2d(byChannel, kernel, 1, 'valid', 'NHWC', s);
  return tf.transpose(tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]), [1, 2, 0, 3]);
}

/**
 * conv2d (groups=1) of NCHW input by an (out, in, kH, kW) weight, on tfjs's NHWC convolution; both gradients are
 * convolutions too (see the top of this file). Gradients nobody needs are not computed. `opInputs`: the tensors the
 * op was called with, when xt and wt were reshaped from them (conv1d's).
 */
export function conv2dWithGrad(xt: tf.Tensor, wt: tf.Tensor, plan: Conv2dPlan, opInputs: tf.Tensor[] = [xt, wt]): tf.Tensor {
  const { stride: s, pad: p, dilation: d, wantInput, wantFilter } = plan;
  const convolve = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, filter, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    // The op's own input and weight (`opInputs`) are saved too (unused here, and sharing their data): the engine finds
    // what an op saved by data (savedVersions.ts), so writing either in place before backward raises as in PyTorch.
    save([input, filter, ...opInputs]);
    const value = tf.conv2d(input, filter, s, 'valid', 'NHWC');
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, fs] = saved as [tf.Tensor4D, tf.Tensor4D];
      const g = dy as tf.Tensor4D;
      return [
        wantInput ? inputGradAsConvolution(g, fs, xs.shape, s) : tf.zerosLike(xs),
        wantFilter ? filterGradAsConvolution(g, xs, fs.shape[0], fs.shape[1], s) : tf.zerosLike(fs),
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
