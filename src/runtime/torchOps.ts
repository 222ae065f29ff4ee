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
    /**
     * torch.nn.functional.conv2d (groups=1) of NCHW input by an (out, in, kH, kW) weight, on tfjs's NHWC convolution.
     * The gradient comes from kernels every backend has (wasm lacks Conv2DBackpropFilter): the input's is a transposed
     * convolution, the filter's a convolution of the input by the output gradient (batch and channels swapped).
     */
    conv2d: (x: number, w: number, b: number, stride: unknown, pad: unknown, dilation: unknown, groups: number) => {
      if (groups !== 1) throw new TorchError('RuntimeError', 'conv2d with groups != 1 is not supported yet');
      const s = toNumbers(stride) as [number, number];
      const p = toNumbers(pad);
      const d = toNumbers(dilation) as [number, number];
      const convolve = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
        const [input, filter, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
        save([input, filter]);
        const value = tf.conv2d(input, filter, s, 'valid', 'NHWC');
        const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, fs] = saved as [tf.Tensor4D, tf.Tensor4D];
          const g = dy as tf.Tensor4D;
          const dx = tf.conv2dTranspose(g, fs, xs.shape, s, 'valid');
          const byChannel = tf.transpose(xs, [3, 1, 2, 0]) as tf.Tensor4D;
          const kernel = tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D;
          const full = tf.conv2d(byChannel, kernel, 1, 'valid', 'NHWC', s);
          const df = tf.transpose(tf.slice(full, [0, 0, 0, 0], [-1, fs.shape[0], fs.shape[1], -1]), [1, 2, 0, 3]);
          return [dx, df];
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
      const conv = (xt: tf.Tensor, wt: tf.Tensor) =>
        inNHWC(xt as tf.Tensor4D, (nhwc) => {
          const padded = p[0] || p[1] ? tf.pad(nhwc, nhwcPadding(p)) : nhwc;
          const filter = tf.transpose(wt, [2, 3, 1, 0]) as tf.Tensor4D;
          return convolve(padded, d[0] > 1 || d[1] > 1 ? dilate(filter) : filter) as tf.Tensor4D;
        });
      return b
        ? run('ConvolutionBackward0', [x, w, b], (xt, wt, bt) => tf.add(conv(xt, wt), tf.reshape(bt, [1, -1, 1, 1])))
        : run('ConvolutionBackward0', [x, w], conv);
    },
    /**
     * torch.nn.functional.max_pool2d of NCHW input, padded symmetrically with -inf. Each window's gradient goes to its
     * first maximum (a NaN counts as the maximum), as PyTorch's does; it is computed here because tfjs's wasm
     * MaxPoolGrad drops windows whose values are all negative.
     */
    max_pool2d: (h: number, kernel: unknown, stride: unknown, pad: unknown) => {
      const [kh, kw] = toNumbers(kernel);
      const [sh, sw] = toNumbers(stride);
      const [ph, pw] = toNumbers(pad);
      const pool = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
        const [x, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
        save([x]);
        const value = inNHWC(x, (t) =>
          tf.maxPool(ph || pw ? tf.pad(t, nhwcPadding([ph, pw]), -Infinity) : t, [kh, kw], [sh, sw], 'valid'));
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
      return run('MaxPool2DWithIndicesBackward0', [h], (x) => pool(x));
    },
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
    /**
     * Rows of a 2-D table picked by integer indices (nn.Embedding). The gradient scatters (and sums) the output
     * gradient's rows into the table's shape; tfjs's own goes through UnsortedSegmentSum, which wasm lacks.
     */
    embedding: (weight: number, index: number) => {
      const table = T(weight).shape as [number, number];
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
      return run('EmbeddingBackward0', [weight, index], (w, i) => lookup(w, i));
    },
    /** log σ(x) = -softplus(-x), gradient σ(-x) (tf.logSigmoid keeps its input by reference, which the engine frees). */
    log_sigmoid: (h: number) =>
      run('LogSigmoidBackward0', [h], (x) => {
        const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
          const [xv, save] = args as [tf.Tensor, tf.GradSaveFunc];
          save([xv]);
          const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, tf.sigmoid(tf.neg(saved[0])))];
          return { value: tf.neg(tf.softplus(tf.neg(xv))), gradFunc };
        });
        return op(x);
      }),
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
      });
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
      });
    },
    /**
     * torch.nn.functional.nll_loss: -input[n, target[n], ...] (times the class weight) for log-probabilities of shape
     * (N, C) or (N, C, d1, ...); targets equal to ignoreIndex count for nothing; 'mean' divides by the total weight.
     */
    nll_loss: (input: number, target: number, weight: number, ignoreIndex: number, reduction: string) => {
      const x = T(input);
      const t = T(target);
      const classes = x.shape[1] as number;
      const inner = sizeOf(x.shape.slice(2));
      const targets = t.dataSync();
      const classWeights = weight ? T(weight).dataSync() : null;
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
      // The gradient is built here from the known positions (tfjs's Gather gradient needs UnsortedSegmentSum).
      const loss = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
        const xt = args[0] as tf.Tensor;
        const picked = tf.gather(tf.reshape(xt, [-1]), tf.tensor1d(positions, 'int32'));
        const weighted = tf.neg(tf.mul(picked, tf.tensor1d(weights)));
        const losses = tf.where(tf.tensor1d(kept, 'bool'), weighted, tf.zerosLike(weighted));
        const value = reduction === 'none' ? tf.reshape(losses, t.shape)
          : reduction === 'sum' ? tf.sum(losses) : tf.div(tf.sum(losses), tf.scalar(total));
        const inputShape = xt.shape;
        const gradFunc = (dy: tf.Tensor) => {
          const upstream = dy.dataSync();
          const dx = new Float32Array(sizeOf(inputShape));
          for (let i = 0; i < positions.length; i++) {
            if (!kept[i]) continue;
            const g = reduction === 'none' ? upstream[i] : reduction === 'sum' ? upstream[0] : upstream[0] / total;
            dx[positions[i]] -= weights[i] * g;
          }
          return [tf.tensor(dx, inputShape, 'float32')];
        };
        return { value, gradFunc };
      });
      return run('NllLossBackward0', [input], (xt) => loss(xt));
    },
    /**
     * torch.nn.functional.binary_cross_entropy: -(t·log x + (1-t)·log(1-x)) with each log clamped at -100, and
     * PyTorch's gradient (x - t) / max(x(1-x), 1e-12), finite even where x is exactly 0 or 1.
     */
    binary_cross_entropy: (input: number, target: number, weight: number, reduction: string) => {
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
      const inputs = [input, target, ...(weight ? [weight] : [])];
      return run('BinaryCrossEntropyBackward0', inputs, (x, t, w) => {
        let losses = bce(x, tf.broadcastTo(t, x.shape));
        if (w) losses = tf.mul(losses, w);
        if (reduction === 'none') return losses;
        return reduction === 'sum' ? tf.sum(losses) : tf.mean(losses);
      });
    },
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
