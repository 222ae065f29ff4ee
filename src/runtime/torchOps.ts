// The op table that Python's `torch` shim calls (as the Pyodide module `_trainloop_engine`): handles in, handles out.
import * as tf from '@tensorflow/tfjs-core';
import { TensorEngine, TorchError } from './tensorEngine';
import { SeededRandom } from './seededRandom';

type TfDtype = 'float32' | 'int32' | 'bool';
type Shape = number[];

/** A Python list/tuple arriving as a PyProxy, a JS array, a single number, or None. */
interface PyProxyLike {
  toJs(): unknown;
  destroy(): void;
}

export function toNumbers(value: unknown): number[] {
  if (value == null) return [];
  if (typeof value === 'number') return [value];
  if (typeof value === 'bigint') return [Number(value)];
  if (Array.isArray(value)) return value.map(Number);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  const proxy = value as PyProxyLike;
  if (typeof proxy.toJs === 'function') {
    const converted = proxy.toJs();
    proxy.destroy();
    return toNumbers(converted);
  }
  throw new TorchError('TypeError', `expected a sequence of numbers, got ${String(value)}`);
}

/** torch dtype name → tfjs dtype (int64 is stored as int32: tfjs has no 64-bit integers). */
export function tfDtype(torchDtype: string): TfDtype {
  if (torchDtype === 'float32' || torchDtype === 'float64' || torchDtype === 'float16') return 'float32';
  if (torchDtype === 'bool') return 'bool';
  return 'int32';
}

export function torchDtype(t: tf.Tensor): 'float32' | 'int64' | 'bool' {
  return t.dtype === 'int32' ? 'int64' : t.dtype === 'bool' ? 'bool' : 'float32';
}

const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** Unary elementwise ops by name. */
const UNARY: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  neg: tf.neg, exp: tf.exp, log: tf.log, sqrt: tf.sqrt, rsqrt: tf.rsqrt, abs: tf.abs, sigmoid: tf.sigmoid,
  tanh: tf.tanh, relu: tf.relu, sin: tf.sin, cos: tf.cos, floor: tf.floor, ceil: tf.ceil, round: tf.round,
  sign: tf.sign, logical_not: tf.logicalNot, square: tf.square, reciprocal: tf.reciprocal, log1p: tf.log1p,
  expm1: tf.expm1, softplus: tf.softplus, erf: tf.erf, isnan: tf.isNaN, isinf: tf.isInf, isfinite: tf.isFinite,
  elu: tf.elu, relu6: tf.relu6, selu: tf.selu, atan: tf.atan, asin: tf.asin, acos: tf.acos,
  gelu: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))),
  gelu_tanh: (x) =>
    tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))))),
  silu: (x) => tf.mul(x, tf.sigmoid(x)),
  log_sigmoid: tf.logSigmoid,
  clone: (x) => tf.clone(x),
};

/** Binary elementwise ops (broadcasting) by name. */
const BINARY: Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
  add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div, pow: tf.pow, maximum: tf.maximum, minimum: tf.minimum,
  eq: tf.equal, ne: tf.notEqual, lt: tf.less, le: tf.lessEqual, gt: tf.greater, ge: tf.greaterEqual,
  logical_and: tf.logicalAnd, logical_or: tf.logicalOr, floor_divide: tf.floorDiv, atan2: tf.atan2,
  remainder: (a, b) => tf.sub(a, tf.mul(tf.floorDiv(a, b), b)),
  logical_xor: tf.logicalXor,
};

/** Reductions over axes (all axes when the list is empty). */
const REDUCE: Record<string, (x: tf.Tensor, axes: number[] | undefined, keep: boolean) => tf.Tensor> = {
  sum: (x, a, k) => tf.sum(x.dtype === 'bool' ? tf.cast(x, 'int32') : x, a, k),
  mean: (x, a, k) => tf.mean(x, a, k),
  amax: (x, a, k) => tf.max(x, a, k),
  amin: (x, a, k) => tf.min(x, a, k),
  prod: (x, a, k) => tf.prod(x, a, k),
  any: (x, a, k) => tf.any(tf.cast(x, 'bool'), a, k),
  all: (x, a, k) => tf.all(tf.cast(x, 'bool'), a, k),
  logsumexp: (x, a, k) => tf.logSumExp(x, a, k),
};

/** Moves axis `dim` of x to the last place, applies f along the last axis, moves it back. */
function alongLastAxis(x: tf.Tensor, dim: number, f: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
  const axis = normAxis(dim, x.rank);
  if (axis === x.rank - 1) return f(x);
  const perm = [...Array(x.rank).keys()];
  perm[axis] = x.rank - 1;
  perm[x.rank - 1] = axis;
  return tf.transpose(f(tf.transpose(x, perm)), perm);
}

/** Converts PyTorch's NCHW layout to tfjs's NHWC and back around `f`. */
function inNHWC(x: tf.Tensor4D, f: (t: tf.Tensor4D) => tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(f(tf.transpose(x, [0, 2, 3, 1])), [0, 3, 1, 2]);
}

function torchMatmul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.rank === 1 && b.rank === 1) return tf.sum(tf.mul(a, b));
  if (a.rank === 2 && b.rank === 2) return tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
  const a2 = a.rank === 1 ? tf.reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.rank === 1 ? tf.reshape(b, [b.shape[0], 1]) : b;
  let out = tf.matMul(a2, b2);
  if (a.rank === 1) out = tf.squeeze(out, [out.rank - 2]);
  if (b.rank === 1) out = tf.squeeze(out, [out.rank - 1]);
  return out;
}

/** PyTorch's symmetric [padH, padW] as tfjs's explicit NHWC padding. */
function nhwcPadding(pad: number[]): Array<[number, number]> {
  return [[0, 0], [pad[0], pad[0]], [pad[1], pad[1]], [0, 0]];
}

const broadcastShape = (a: number[], b: number[]): number[] => tf.broadcast_util.assertAndGetBroadcastShape(a, b);

/** Builds the object exposed to Python. Every function takes and returns plain numbers, strings and arrays. */
export function createTorchOps(engine: TensorEngine, random: SeededRandom) {
  const T = (h: number) => engine.tensor(h);
  const run = engine.run.bind(engine);

  return {
    // ---- engine state ---------------------------------------------------------------------------------------------
    free: (h: number) => engine.free(h),
    alias: (h: number) => engine.alias(h),
    set_grad_enabled: (on: boolean) => {
      const previous = engine.gradEnabled;
      engine.gradEnabled = on;
      return previous;
    },
    is_grad_enabled: () => engine.gradEnabled,
    live_tensors: () => tf.memory().numTensors,
    live_handles: () => engine.liveHandles,
    backend_name: () => tf.getBackend(),
    manual_seed: (seed: number) => random.seed(seed),

    // ---- autograd -------------------------------------------------------------------------------------------------
    set_requires_grad: (h: number, on: boolean) => engine.setRequiresGrad(h, on),
    requires_grad: (h: number) => engine.requiresGrad(h),
    grad_fn_name: (h: number) => engine.gradFnName(h),
    rename_grad_fn: (h: number, name: string) => engine.renameGradFn(h, name),
    set_data: (h: number, source: number) => engine.setData(h, source),
    /** In place, h = broadcast(source) (dtype kept): the core of every in-place op (`add_`, `copy_`, `zero_`...). */
    assign_: (h: number, source: number) =>
      engine.runInPlace('CopyBackwards', [h, source], (x, s) => tf.broadcastTo(s, x.shape)),
    grad: (h: number) => engine.grad(h),
    set_grad: (h: number, g: number) => engine.setGrad(h, g),
    grad_version: (h: number) => engine.gradVersion(h),
    backward: (h: number, g: number, retain: boolean) => engine.backward(h, g, retain),

    // ---- creation -------------------------------------------------------------------------------------------------
    from_values: (values: unknown, shape: unknown, dtype: string) =>
      engine.adopt(tf.tensor(toNumbers(values), toNumbers(shape), tfDtype(dtype))),
    /** Copies a Python buffer (bytes, memoryview, array) of the given element type into a new tensor. */
    from_buffer: (buffer: { getBuffer(type: string): { data: ArrayBufferView; release(): void } }, bufferType: string, shape: unknown, dtype: string) => {
      const view = buffer.getBuffer(bufferType);
      try {
        const data = view.data as unknown as ArrayLike<number>;
        const target = tfDtype(dtype);
        const values = target === 'float32' ? Float32Array.from(data) : target === 'int32' ? Int32Array.from(data) : Uint8Array.from(data);
        return engine.adopt(tf.tensor(values, toNumbers(shape), target));
      } finally {
        view.release();
      }
    },
    full: (shape: unknown, value: number, dtype: string) => engine.adopt(tf.fill(toNumbers(shape), value, tfDtype(dtype))),
    arange: (start: number, end: number, step: number, dtype: string) => {
      const count = Math.max(0, Math.ceil((end - start) / step));
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = start + i * step;
      return engine.adopt(tf.tensor(values, [count], tfDtype(dtype)));
    },
    linspace: (start: number, end: number, steps: number) => {
      const values = new Float32Array(steps);
      const step = steps > 1 ? (end - start) / (steps - 1) : 0;
      for (let i = 0; i < steps; i++) values[i] = i < steps / 2 ? start + step * i : end - step * (steps - 1 - i);
      return engine.adopt(tf.tensor(values, [steps], 'float32'));
    },
    eye: (n: number, m: number) => engine.adopt(tf.eye(n, m)),
    rand: (shape: unknown) => {
      const dims = toNumbers(shape);
      return engine.adopt(tf.tensor(random.uniformArray(sizeOf(dims)), dims, 'float32'));
    },
    randn: (shape: unknown) => {
      const dims = toNumbers(shape);
      return engine.adopt(tf.tensor(random.normalArray(sizeOf(dims)), dims, 'float32'));
    },
    randint: (low: number, high: number, shape: unknown) => {
      const dims = toNumbers(shape);
      const values = random.uniformArray(sizeOf(dims));
      const ints = Int32Array.from(values, (u) => low + Math.min(high - low - 1, Math.floor(u * (high - low))));
      return engine.adopt(tf.tensor(ints, dims, 'int32'));
    },
    randperm: (n: number) => engine.adopt(tf.tensor(random.permutation(n), [n], 'int32')),
    /** Python-side RNG draws (shuffling, random_split) so they follow torch.manual_seed too. */
    permutation: (n: number) => Array.from(random.permutation(n)),
    random_uniform: () => random.next(),

    // ---- reading --------------------------------------------------------------------------------------------------
    shape: (h: number) => T(h).shape,
    dtype: (h: number) => torchDtype(T(h)),
    numel: (h: number) => T(h).size,
    item: (h: number) => {
      const t = T(h);
      if (t.size !== 1) {
        throw new TorchError('RuntimeError', `a Tensor with ${t.size} elements cannot be converted to Scalar`);
      }
      const value = t.dataSync()[0];
      return t.dtype === 'bool' ? Boolean(value) : value;
    },
    /** The elements, flat, as a typed array (Float32Array, Int32Array or Uint8Array for bool). */
    values: (h: number) => T(h).dataSync(),

    // ---- elementwise ----------------------------------------------------------------------------------------------
    unary: (name: string, gradName: string, h: number) => {
      const f = UNARY[name];
      if (!f) throw new TorchError('RuntimeError', `internal: unknown unary op ${name}`);
      return run(gradName, [h], f);
    },
    binary: (name: string, gradName: string, a: number, b: number) => {
      const f = BINARY[name];
      if (!f) throw new TorchError('RuntimeError', `internal: unknown binary op ${name}`);
      return run(gradName, [a, b], f);
    },
    /** `tensor OP scalar` (or `scalar OP tensor` when reversed); the scalar's dtype follows torch's promotion. */
    binary_scalar: (name: string, gradName: string, h: number, value: number, dtype: string, reversed: boolean) => {
      const f = BINARY[name];
      return run(gradName, [h], (x) => {
        const s = tf.scalar(value, tfDtype(dtype));
        const xs = x.dtype === s.dtype || s.dtype === 'bool' ? x : tf.cast(x, s.dtype === 'float32' ? 'float32' : x.dtype);
        return reversed ? f(s, xs) : f(xs, s);
      });
    },
    cast: (h: number, dtype: string) => run('ToCopyBackward0', [h], (x) => tf.cast(x, tfDtype(dtype))),
    where: (c: number, a: number, b: number) =>
      run('WhereBackward0', [c, a, b], (cond, x, y) => {
        const dtype = x.dtype === 'float32' || y.dtype === 'float32' ? 'float32' : x.dtype;
        const shape = broadcastShape(cond.shape, broadcastShape(x.shape, y.shape));
        const pick = (t: tf.Tensor) => tf.broadcastTo(t.dtype === dtype ? t : tf.cast(t, dtype), shape);
        return tf.where(tf.broadcastTo(tf.cast(cond, 'bool'), shape), pick(x), pick(y));
      }),
    clamp: (h: number, min: number | undefined, max: number | undefined) =>
      run('ClampBackward1', [h], (x) => {
        let y = x;
        if (min != null) y = tf.maximum(y, tf.scalar(min, x.dtype));
        if (max != null) y = tf.minimum(y, tf.scalar(max, x.dtype));
        return y === x ? tf.clone(x) : y;
      }),
    leaky_relu: (h: number, slope: number) => run('LeakyReluBackward0', [h], (x) => tf.leakyRelu(x, slope)),

    // ---- reductions -----------------------------------------------------------------------------------------------
    reduce: (name: string, gradName: string, h: number, axes: unknown, keepdim: boolean) => {
      const f = REDUCE[name];
      const list = toNumbers(axes);
      return run(gradName, [h], (x) => f(x, list.length ? list.map((a) => normAxis(a, x.rank)) : undefined, keepdim));
    },
    arg_reduce: (name: 'argmax' | 'argmin', h: number, dim: number | undefined, keepdim: boolean) =>
      run('', [h], (x) => {
        const flat = dim == null;
        const source = flat ? tf.reshape(x, [-1]) : x;
        const axis = flat ? 0 : normAxis(dim, x.rank);
        let out = name === 'argmax' ? tf.argMax(source, axis) : tf.argMin(source, axis);
        if (keepdim && !flat) out = tf.expandDims(out, axis);
        return out;
      }),
    /** Variance with Bessel's correction `correction` (1 = unbiased, torch's default). */
    variance: (h: number, axes: unknown, correction: number, keepdim: boolean) =>
      run('VarBackward0', [h], (x) => {
        const list = toNumbers(axes).map((a) => normAxis(a, x.rank));
        const reduceAxes = list.length ? list : [...Array(x.rank).keys()];
        const count = reduceAxes.reduce((n, a) => n * x.shape[a], 1);
        const centered = tf.sub(x, tf.mean(x, reduceAxes, true));
        return tf.div(tf.sum(tf.square(centered), reduceAxes, keepdim), Math.max(0, count - correction));
      }),
    cumsum: (h: number, dim: number) => run('CumsumBackward0', [h], (x) => tf.cumsum(x, normAxis(dim, x.rank))),

    // ---- linear algebra -------------------------------------------------------------------------------------------
    matmul: (a: number, b: number) => run('MmBackward0', [a, b], torchMatmul),
    /** y = x @ wᵀ + b: torch.nn.functional.linear. */
    linear: (x: number, w: number, b: number) =>
      b
        ? run('AddmmBackward0', [x, w, b], (xt, wt, bt) => tf.add(tf.matMul(xt, wt, false, true), bt))
        : run('MmBackward0', [x, w], (xt, wt) => tf.matMul(xt, wt, false, true)),

    // ---- shape ----------------------------------------------------------------------------------------------------
    reshape: (h: number, shape: unknown) => run('ViewBackward0', [h], (x) => tf.reshape(x, toNumbers(shape))),
    permute: (h: number, perm: unknown) => run('PermuteBackward0', [h], (x) => tf.transpose(x, toNumbers(perm))),
    expand: (h: number, shape: unknown) => run('ExpandBackward0', [h], (x) => tf.broadcastTo(x, toNumbers(shape))),
    /** Basic indexing: begin/end/strides over every axis (end already clamped by Python). */
    strided_slice: (h: number, begin: unknown, end: unknown, strides: unknown) =>
      run('SliceBackward0', [h], (x) => tf.stridedSlice(x, toNumbers(begin), toNumbers(end), toNumbers(strides))),
    cat: (handles: unknown, dim: number) => {
      const list = toNumbers(handles);
      return run('CatBackward0', list, (...ts) => {
        const dtype = ts.some((t) => t.dtype === 'float32') ? 'float32' : ts[0].dtype;
        return tf.concat(ts.map((t) => (t.dtype === dtype ? t : tf.cast(t, dtype))), normAxis(dim, ts[0].rank));
      });
    },
    stack: (handles: unknown, dim: number) =>
      run('StackBackward0', toNumbers(handles), (...ts) => tf.stack(ts, normAxis(dim, ts[0].rank + 1))),
    /** x.index_select(dim, index) — also `x[index_tensor]`. */
    index_select: (h: number, dim: number, index: number) =>
      run('IndexSelectBackward0', [h, index], (x, i) => {
        const flatIndex = i.rank === 1 ? i : tf.reshape(i, [-1]);
        const axis = normAxis(dim, x.rank);
        const gathered = tf.gather(x, tf.cast(flatIndex, 'int32'), axis);
        if (i.rank === 1) return gathered;
        return tf.reshape(gathered, [...x.shape.slice(0, axis), ...i.shape, ...x.shape.slice(axis + 1)]);
      }),
    /** x.gather(dim, index): out[i][j] = x[i][index[i][j]] along dim. */
    gather_along: (h: number, dim: number, index: number) =>
      run('GatherBackward0', [h, index], (x, i) => {
        const axis = normAxis(dim, x.rank);
        const moved = (t: tf.Tensor) => (axis === x.rank - 1 ? t : tf.transpose(t, swap(t.rank, axis)));
        const xm = moved(x);
        const im = moved(tf.cast(i, 'int32'));
        const batchDims = xm.rank - 1;
        const out = tf.gather(xm, im, batchDims, batchDims);
        return axis === x.rank - 1 ? out : tf.transpose(out, swap(out.rank, axis));
      }),
    /** x[mask] for a boolean mask covering x's leading dims: a 1-D (or row) selection, read synchronously. */
    masked_select: (h: number, mask: number) => {
      const m = T(mask);
      const x = T(h);
      const rows = sizeOf(m.shape);
      const flags = m.dataSync();
      const picked: number[] = [];
      for (let i = 0; i < rows; i++) if (flags[i]) picked.push(i);
      const index = engine.adopt(tf.tensor(picked, [picked.length], 'int32'));
      try {
        return run('IndexBackward0', [h], (xt) => {
          const rowShape = x.shape.slice(m.rank);
          const flat = tf.reshape(xt, [rows, ...rowShape]);
          return tf.gather(flat, T(index), 0);
        });
      } finally {
        engine.free(index);
      }
    },
    /** In place, x.flat[positions] = value: Python gives `value` the shape of `positions` (x[...] = value). */
    index_put_: (h: number, positions: number, value: number) =>
      engine.runInPlace('IndexPutBackward0', [h, value, positions], (x, v, p) => {
        const updated = tf.tensorScatterUpdate(
          tf.reshape(x, [-1]),
          tf.reshape(tf.cast(p, 'int32'), [-1, 1]),
          tf.reshape(tf.cast(v, x.dtype), [-1]),
        );
        return tf.reshape(updated, x.shape);
      }),
    pad: (h: number, pads: unknown, value: number) =>
      run('ConstantPadNdBackward0', [h], (x) => {
        const p = toNumbers(pads);
        const spec: Array<[number, number]> = x.shape.map(() => [0, 0]);
        for (let i = 0; i < p.length / 2; i++) spec[x.rank - 1 - i] = [p[2 * i], p[2 * i + 1]];
        return tf.pad(x, spec, value);
      }),
    flip: (h: number, dims: unknown) => run('FlipBackward0', [h], (x) => tf.reverse(x, toNumbers(dims).map((d) => normAxis(d, x.rank)))),
    tril: (h: number, k: number) => run('TrilBackward0', [h], (x) => tf.mul(x, bandMask(x.shape, k, true))),
    triu: (h: number, k: number) => run('TriuBackward0', [h], (x) => tf.mul(x, bandMask(x.shape, k, false))),
    one_hot: (h: number, classes: number) => run('', [h], (x) => tf.oneHot(tf.cast(x, 'int32'), classes, 1, 0, 'int32')),
    topk: (h: number, k: number, largest: boolean) => {
      const x = T(h);
      const result = tf.topk(largest ? x : tf.neg(x), k);
      const values = largest ? result.values : tf.neg(result.values);
      if (!largest) result.values.dispose();
      return [engine.adopt(values), engine.adopt(result.indices)];
    },
    sort: (h: number, descending: boolean) => {
      const x = T(h);
      const k = x.shape[x.rank - 1];
      const result = tf.topk(descending ? x : tf.neg(x), k);
      const values = descending ? result.values : tf.neg(result.values);
      if (!descending) result.values.dispose();
      return [engine.adopt(values), engine.adopt(result.indices)];
    },

    // ---- neural-network kernels -----------------------------------------------------------------------------------
    softmax: (h: number, dim: number) => run('SoftmaxBackward0', [h], (x) => alongLastAxis(x, dim, (t) => tf.softmax(t))),
    log_softmax: (h: number, dim: number) =>
      run('LogSoftmaxBackward0', [h], (x) => alongLastAxis(x, dim, (t) => tf.logSoftmax(t))),
    conv2d: (x: number, w: number, b: number, stride: unknown, pad: unknown, dilation: unknown, groups: number) => {
      if (groups !== 1) throw new TorchError('RuntimeError', 'conv2d with groups != 1 is not supported yet');
      const s = toNumbers(stride) as [number, number];
      const p = toNumbers(pad);
      const d = toNumbers(dilation) as [number, number];
      const conv = (xt: tf.Tensor, wt: tf.Tensor) =>
        inNHWC(xt as tf.Tensor4D, (nhwc) => {
          const padded = p[0] || p[1] ? tf.pad(nhwc, nhwcPadding(p)) : nhwc;
          return tf.conv2d(padded, tf.transpose(wt, [2, 3, 1, 0]) as tf.Tensor4D, s, 'valid', 'NHWC', d);
        });
      return b
        ? run('ConvolutionBackward0', [x, w, b], (xt, wt, bt) => tf.add(conv(xt, wt), tf.reshape(bt, [1, -1, 1, 1])))
        : run('ConvolutionBackward0', [x, w], conv);
    },
    max_pool2d: (h: number, kernel: unknown, stride: unknown, pad: unknown) =>
      run('MaxPool2DWithIndicesBackward0', [h], (x) =>
        inNHWC(x as tf.Tensor4D, (t) => {
          const p = toNumbers(pad);
          const padded = p[0] || p[1] ? tf.pad(t, nhwcPadding(p), -Infinity) : t;
          return tf.maxPool(padded as tf.Tensor4D, toNumbers(kernel) as [number, number], toNumbers(stride) as [number, number], 'valid');
        })),
    avg_pool2d: (h: number, kernel: unknown, stride: unknown, pad: unknown) =>
      run('AvgPool2DBackward0', [h], (x) =>
        inNHWC(x as tf.Tensor4D, (t) => {
          const p = toNumbers(pad);
          const padded = p[0] || p[1] ? tf.pad(t, nhwcPadding(p)) : t;
          return tf.avgPool(padded as tf.Tensor4D, toNumbers(kernel) as [number, number], toNumbers(stride) as [number, number], 'valid');
        })),
    /** Multiplies by a fresh Bernoulli(1-p) mask scaled by 1/(1-p). */
    dropout: (h: number, p: number) => {
      const shape = T(h).shape;
      const keep = random.uniformArray(sizeOf(shape)).map((u) => (u >= p ? 1 / (1 - p) : 0));
      const mask = engine.adopt(tf.tensor(keep, shape, 'float32'));
      try {
        return run('MulBackward0', [h, mask], tf.mul);
      } finally {
        engine.free(mask);
      }
    },
    /** Rows of a 2-D table picked by integer indices (nn.Embedding). */
    embedding: (weight: number, index: number) =>
      run('EmbeddingBackward0', [weight, index], (w, i) => {
        const rows = tf.gather(w, tf.reshape(tf.cast(i, 'int32'), [-1]), 0);
        return tf.reshape(rows, [...i.shape, w.shape[1] as number]);
      }),
  };
}

export type TorchOps = ReturnType<typeof createTorchOps>;

function sizeOf(shape: Shape): number {
  return shape.reduce((n, d) => n * d, 1);
}

function swap(rank: number, axis: number): number[] {
  const perm = [...Array(rank).keys()];
  perm[axis] = rank - 1;
  perm[rank - 1] = axis;
  return perm;
}

function bandMask(shape: Shape, k: number, lower: boolean): tf.Tensor {
  const rows = shape[shape.length - 2];
  const cols = shape[shape.length - 1];
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) values[i * cols + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
  }
  return tf.tensor(values, [rows, cols]);
}
