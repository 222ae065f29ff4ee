// Neural-network ops: softmax, conv2d, pooling, dropout, embedding, interpolate, normalization, losses, recurrent layers.
import * as tf from '@tensorflow/tfjs-core';
import { logSoftmaxPlanned } from './kernels/backendPlans';
import { sameShape, sizeOfShape } from './shapeRules';
import { toNumbers } from './arguments';
import { TorchError } from '../torchError';
import { alongLastAxis, inNHWC, nhwcPadding } from './kernels/layout';
import { type Conv2dPlan, conv2dWithGrad } from './kernels/convolution';
import {
  binaryCrossEntropyWithGrad,
  embeddingWithGrad,
  logSigmoidWithGrad,
  maxPool2dWithGrad,
  keepWindowNaN,
  nllLossPlan,
  nllLossWithGrad,
} from './kernels/nn';
import { type RecurrentMode, recurrentLayer } from './kernels/recurrent';
import { isFloatDtype } from './dtypes';
import type { OpContext } from './context';

const RECURRENT_GATES: Record<RecurrentMode, number> = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 };

export interface NnOps {
  softmax: (h: number, dim: number) => number;
  log_softmax: (h: number, dim: number) => number;
  conv2d: (x: number, w: number, b: number, stride: unknown, pad: unknown, dilation: unknown, groups: number) => number;
  max_pool2d: (h: number, kernel: unknown, stride: unknown, pad: unknown) => number;
  avg_pool2d: (h: number, kernel: unknown, stride: unknown, pad: unknown) => number;
  dropout: (h: number, p: number) => number;
  embedding: (weight: number, index: number) => number;
  log_sigmoid: (h: number) => number;
  interpolate: (h: number, outH: number, outW: number, mode: string, alignCorners: boolean, scaleH: number, scaleW: number) => number;
  batch_norm: (x: number, weight: number, bias: number, runMean: number, runVar: number, batchStats: boolean, momentum: number, eps: number) => number;
  layer_norm: (x: number, weight: number, bias: number, normDims: number, eps: number) => number;
  nll_loss: (input: number, target: number, weight: number, ignoreIndex: number, reduction: string) => number;
  binary_cross_entropy: (input: number, target: number, weight: number, reduction: string) => number;
  recurrent_layer: (mode: string, x: number, h0: number, c0: number, wIh: number, wHh: number, bIh: number, bHh: number,
    reverse: boolean) => number;
}

/** The torch.nn.functional entries of the op table. */
export function createNnOps(ctx: OpContext): NnOps {
  const { engine, random, T, D, run } = ctx;
  /** The result's dtype: the input's float dtype, as PyTorch keeps it (float64 in, float64 out; the storage is float32). */
  const sameFloat = (h: number) => (isFloatDtype(D(h)) ? D(h) : undefined);

  return {
    softmax: (h: number, dim: number) =>
      run('SoftmaxBackward0', [h], (x) => alongLastAxis(x, dim, (t) => tf.softmax(t)), sameFloat(h)),
    log_softmax: (h: number, dim: number) =>
      run('LogSoftmaxBackward0', [h], (x) => alongLastAxis(x, dim, logSoftmaxPlanned), sameFloat(h)),
    /** torch.nn.functional.conv2d (groups=1; conv1d's too, on 3-D input and weight): see conv2dWithGrad. */
    conv2d: (x: number, w: number, b: number, stride: unknown, pad: unknown, dilation: unknown, groups: number) => {
      if (groups !== 1) throw new TorchError('RuntimeError', 'conv2d with groups != 1 is not supported yet');
      const plan: Conv2dPlan = {
        stride: toNumbers(stride) as [number, number],
        pad: toNumbers(pad),
        dilation: toNumbers(dilation) as [number, number],
        wantInput: engine.requiresGrad(x),
        wantFilter: engine.requiresGrad(w),
      };
      // conv1d's (N, C, L) input and (out, C, k) weight run as height 1 inside the op, so the op saves them as they
      // are: its in-place error names their shapes, as PyTorch's does.
      const oneD = T(x).rank === 3;
      const conv = (xt: tf.Tensor, wt: tf.Tensor) => (oneD
        ? tf.squeeze(conv2dWithGrad(tf.expandDims(xt, 2), tf.expandDims(wt, 2), plan, [xt, wt]), [2])
        : conv2dWithGrad(xt, wt, plan));
      const biasShape = oneD ? [1, -1, 1] : [1, -1, 1, 1];
      return b
        ? run('ConvolutionBackward0', [x, w, b], (xt, wt, bt) => tf.add(conv(xt, wt), tf.reshape(bt, biasShape)), sameFloat(x))
        : run('ConvolutionBackward0', [x, w], conv, sameFloat(x));
    },
    /** torch.nn.functional.max_pool2d of NCHW input: see maxPool2dWithGrad. */
    max_pool2d: (h: number, kernel: unknown, stride: unknown, pad: unknown) => {
      const k = toNumbers(kernel);
      const s = toNumbers(stride);
      const p = toNumbers(pad);
      return run('MaxPool2DWithIndicesBackward0', [h], (x) => maxPool2dWithGrad(x, k, s, p), sameFloat(h));
    },
    avg_pool2d: (h: number, kernel: unknown, stride: unknown, pad: unknown) =>
      run('AvgPool2DBackward0', [h], (x) =>
        inNHWC(x as tf.Tensor4D, (t) => {
          const p = toNumbers(pad);
          const padded = p[0] || p[1] ? tf.pad(t, nhwcPadding(p)) : t;
          const [k, st] = [toNumbers(kernel) as [number, number], toNumbers(stride) as [number, number]];
          return keepWindowNaN(tf.avgPool(padded as tf.Tensor4D, k, st, 'valid'), padded as tf.Tensor4D, k, st);
        }), sameFloat(h)),
    /** Multiplies by a fresh Bernoulli(1-p) mask scaled by 1/(1-p). */
    dropout: (h: number, p: number) => {
      const shape = T(h).shape;
      const keep = random.uniformArray(sizeOfShape(shape)).map((u) => (u >= p ? 1 / (1 - p) : 0));
      const mask = engine.adopt(tf.tensor(keep, shape, 'float32'));
      try {
        return run('MulBackward0', [h, mask], tf.mul, sameFloat(h));
      } finally {
        engine.free(mask);
      }
    },
    /** Rows of a 2-D table picked by integer indices (nn.Embedding): see embeddingWithGrad. */
    embedding: (weight: number, index: number) => {
      const table = T(weight).shape as [number, number];
      return run('EmbeddingBackward0', [weight, index], (w, i) => embeddingWithGrad(w, i, table), sameFloat(weight));
    },
    /** log σ(x): see logSigmoidWithGrad. */
    log_sigmoid: (h: number) => run('LogSigmoidBackward0', [h], (x) => logSigmoidWithGrad(x), sameFloat(h)),
    /**
     * torch.nn.functional.interpolate of NCHW input to (outH, outW) with PyTorch's source positions: 'nearest'
     * floor(dst·scale), 'nearest-exact' floor((dst+½)·scale), 'bilinear' (dst+½)·scale-½ or, with align_corners,
     * dst·(in-1)/(out-1). `scaleH`/`scaleW` are 1/scale_factor when the caller gave one, else 0 (use in/out).
     * Resizing is separable, so it runs as two matrix products with interpolation-weight matrices (exact gradients;
     * tfjs's ResizeBilinearGrad ignores half-pixel centres); nearest resizes whose mapping tfjs's op shares use it.
     */
    interpolate: (h: number, outH: number, outW: number, mode: string, alignCorners: boolean, scaleH: number,
      scaleW: number) => {
      const [n, c, inH, inW] = T(h).shape as [number, number, number, number];
      const gradName = mode === 'bilinear' ? 'UpsampleBilinear2DBackward1'
        : mode === 'nearest' ? 'UpsampleNearest2DBackward1' : 'UpsampleNearestExact2DBackward1';
      /** For each output index: [source index, weight] pairs along one axis. */
      const taps = (inSize: number, outSize: number, given: number): Array<Array<[number, number]>> => {
        const scale = given > 0 ? given : inSize / outSize;
        return Array.from({ length: outSize }, (_, dst) => {
          if (mode !== 'bilinear') {
            const src = Math.floor((mode === 'nearest' ? dst : dst + 0.5) * scale);
            return [[Math.min(src, inSize - 1), 1]];
          }
          let src = alignCorners ? (outSize > 1 ? (dst * (inSize - 1)) / (outSize - 1) : 0) : (dst + 0.5) * scale - 0.5;
          if (src < 0) src = 0;
          const low = Math.min(Math.floor(src), inSize - 1);
          const high = Math.min(low + 1, inSize - 1);
          const frac = src - low;
          return [[low, 1 - frac], [high, frac]];
        });
      };
      const rows = taps(inH, outH, scaleH);
      const cols = taps(inW, outW, scaleW);
      const tfjsNearest = (list: Array<Array<[number, number]>>, inSize: number) =>
        list.every((pairs, dst) => pairs[0][0] === Math.min(Math.floor((dst * inSize) / list.length), inSize - 1));
      if (mode === 'nearest' && tfjsNearest(rows, inH) && tfjsNearest(cols, inW)) {
        return run(gradName, [h], (x) =>
          inNHWC(x as tf.Tensor4D, (t) => tf.image.resizeNearestNeighbor(t, [outH, outW], false, false)), sameFloat(h));
      }
      const matrix = (list: Array<Array<[number, number]>>, inSize: number) => {
        const values = new Float32Array(list.length * inSize);
        list.forEach((pairs, dst) => pairs.forEach(([src, w]) => { values[dst * inSize + src] += w; }));
        return tf.tensor2d(values, [list.length, inSize]);
      };
      return run(gradName, [h], (x) => {
        const planes = tf.transpose(tf.reshape(x, [n * c, inH, inW]), [1, 0, 2]);
        const tall = tf.matMul(matrix(rows, inH), tf.reshape(planes, [inH, n * c * inW]));
        const wide = tf.matMul(tf.reshape(tall, [outH * n * c, inW]), matrix(cols, inW), false, true);
        return tf.reshape(tf.transpose(tf.reshape(wide, [outH, n * c, outW]), [1, 0, 2]), [n, c, outH, outW]);
      }, sameFloat(h));
    },
    /**
     * torch.nn.functional.batch_norm over every axis but 1. With batch statistics it first moves the running
     * statistics (handles 0 when absent): mean by `momentum`, variance by `momentum` with Bessel's correction.
     */
    batch_norm: (x: number, weight: number, bias: number, runMean: number, runVar: number, batchStats: boolean,
      momentum: number, eps: number) => {
      const input = T(x);
      const axes = input.shape.map((_, i) => i).filter((i) => i !== 1);
      const statShape = input.shape.map((d, i) => (i === 1 ? d : 1));
      const count = input.size / (input.shape[1] as number);
      if (batchStats && runMean) {
        engine.runInPlace('', [runMean], (rm) => tf.add(tf.mul(rm, 1 - momentum), tf.mul(tf.mean(input, axes), momentum)));
      }
      if (batchStats && runVar) {
        const unbiased = count > 1 ? count / (count - 1) : NaN;
        engine.runInPlace('', [runVar], (rv) =>
          tf.add(tf.mul(rv, 1 - momentum), tf.mul(tf.moments(input, axes).variance, momentum * unbiased)));
      }
      const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : []), ...(batchStats ? [] : [runMean, runVar])];
      return run('NativeBatchNormBackward0', inputs, (...ts) => {
        let next = 1;
        const w = weight ? ts[next++] : null;
        const b = bias ? ts[next++] : null;
        let mean: tf.Tensor;
        let variance: tf.Tensor;
        if (batchStats) {
          ({ mean, variance } = tf.moments(ts[0], axes, true));
        } else {
          mean = tf.reshape(ts[next++], statShape);
          variance = tf.reshape(ts[next++], statShape);
        }
        let y = tf.mul(tf.sub(ts[0], mean), tf.rsqrt(tf.add(variance, eps)));
        if (w) y = tf.mul(y, tf.reshape(w, statShape));
        if (b) y = tf.add(y, tf.reshape(b, statShape));
        return y;
      }, sameFloat(x));
    },
    /** torch.nn.functional.layer_norm over the last `normDims` axes (weight and bias: handles, 0 when absent). */
    layer_norm: (x: number, weight: number, bias: number, normDims: number, eps: number) => {
      const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
      return run('NativeLayerNormBackward0', inputs, (...ts) => {
        const rank = ts[0].rank;
        const axes = [...Array(normDims).keys()].map((i) => rank - normDims + i);
        const { mean, variance } = tf.moments(ts[0], axes, true);
        let y = tf.mul(tf.sub(ts[0], mean), tf.rsqrt(tf.add(variance, eps)));
        let next = 1;
        if (weight) y = tf.mul(y, ts[next++]);
        if (bias) y = tf.add(y, ts[next++]);
        return y;
      }, sameFloat(x));
    },
    /**
     * torch.nn.functional.nll_loss: -input[n, target[n], ...] (times the class weight) for log-probabilities of shape
     * (N, C) or (N, C, d1, ...); targets equal to ignoreIndex count for nothing; 'mean' divides by the total weight.
     */
    nll_loss: (input: number, target: number, weight: number, ignoreIndex: number, reduction: string) => {
      const t = T(target);
      const plan = nllLossPlan(T(input).shape, t.dataSync(), weight ? T(weight).dataSync() : null, ignoreIndex);
      return run('NllLossBackward0', [input], (xt) => nllLossWithGrad(xt, plan, reduction, t.shape), sameFloat(input));
    },
    /** torch.nn.functional.binary_cross_entropy: see binaryCrossEntropyWithGrad. */
    binary_cross_entropy: (input: number, target: number, weight: number, reduction: string) => {
      const inputs = [input, target, ...(weight ? [weight] : [])];
      return run('BinaryCrossEntropyBackward0', inputs, (x, t, w) => {
        let losses = binaryCrossEntropyWithGrad(x, tf.broadcastTo(t, x.shape));
        if (w) losses = tf.mul(losses, w);
        if (reduction === 'none') return losses;
        return reduction === 'sum' ? tf.sum(losses) : tf.mean(losses);
      }, sameFloat(input));
    },
    /**
     * Every time step of one layer of nn.LSTM/GRU/RNN in one direction, as one op (see kernels/recurrent.ts): x (L, N, I),
     * h0 (N, H), c0 (N, H) for an LSTM (else 0), the layer's weights, its biases (0 when it has none). Returns the
     * hidden states of all steps, (L, N, H); an LSTM's final cell state follows as row L.
     */
    recurrent_layer: (mode: string, x: number, h0: number, c0: number, wIh: number, wHh: number, bIh: number,
      bHh: number, reverse: boolean) => {
      if (!(mode in RECURRENT_GATES)) throw new TorchError('ValueError', `Unknown recurrent mode '${mode}'`);
      const kind = mode as RecurrentMode;
      const [xs, hs, wi, wh] = [T(x).shape, T(h0).shape, T(wIh).shape, T(wHh).shape];
      const hidden = wh[1] ?? 0;
      const gates = RECURRENT_GATES[kind] * hidden;
      const fits = xs.length === 3 && sameShape(hs, [xs[1] ?? 0, hidden]) && sameShape(wi, [gates, xs[2] ?? 0]) &&
        sameShape(wh, [gates, hidden]) && (kind !== 'LSTM' || sameShape(T(c0).shape, hs)) &&
        (!bIh || (sameShape(T(bIh).shape, [gates]) && sameShape(T(bHh).shape, [gates])));
      if (!fits) throw new TorchError('RuntimeError', `${mode} layer: input [${xs}], state [${hs}] and weights [${wi}], [${wh}] do not fit`);
      const handles = [x, h0, ...(kind === 'LSTM' ? [c0] : []), wIh, wHh, ...(bIh ? [bIh, bHh] : [])];
      const dtype = sameFloat(x);
      return run('StackBackward0', handles, (...ts) => recurrentLayer(ts, {
        mode: kind,
        reverse,
        hasBias: Boolean(bIh),
        needs: handles.map((_, i) => engine.inputNeedsGrad(i)),
      }), dtype);
    },
  };
}
