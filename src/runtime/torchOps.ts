// The op table that Python's `torch` shim calls (as the Pyodide module `_trainloop_engine`): handles in, handles out.
//
// Each entry is one Python→JS call, so an op checks its arguments (with PyTorch's error messages), works out the
// result's dtype by PyTorch's promotion rules and runs on tfjs in that one call. Where tfjs's gradient differs from
// PyTorch's (abs at 0, ties in max/min, clamp bounds) or is missing (strided slices), the op's compute uses
// tf.customGrad, so the engine's recorded tape carries PyTorch's gradient.
import * as tf from '@tensorflow/tfjs-core';
import {
  TensorEngine,
  TorchError,
  type TorchDtype,
  isFloatDtype,
  storageOf,
  castStorage,
  sameShape,
  formatSize,
  type GradientHook,
} from './tensorEngine';
import { SeededRandom } from './seededRandom';
import { batchImageBytes } from './batchImages';
import { valueHistogram } from './valueHistograms';
import { squaredDistance, sumOfSquares } from './valueDistances';

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
  if (typeof value === 'boolean') return [value ? 1 : 0];
  if (Array.isArray(value)) return value.map((v) => (v == null ? NaN : Number(v)));
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
  return storageOf(torchDtype as TorchDtype);
}

export function torchDtype(t: tf.Tensor): 'float32' | 'int64' | 'bool' {
  return t.dtype === 'int32' ? 'int64' : t.dtype === 'bool' ? 'bool' : 'float32';
}

// ---- dtypes -----------------------------------------------------------------------------------------------------

const FLOAT_RANK: Partial<Record<TorchDtype, number>> = { float16: 1, bfloat16: 1, float32: 2, float64: 3 };
const INT_RANK: Partial<Record<TorchDtype, number>> = { int8: 1, int16: 2, int32: 3, int64: 4 };
/** PyTorch's names of dtypes in messages ("result type Float can't be cast to ... Long"). */
const LEGACY_NAME: Record<TorchDtype, string> = {
  float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', int64: 'Long', int32: 'Int',
  int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool',
};

/** The C type names PyTorch's matmul messages use. */
const C_NAME: Record<TorchDtype, string> = {
  float32: 'float', float64: 'double', float16: 'c10::Half', bfloat16: 'c10::BFloat16', int64: 'long int', int32: 'int',
  int16: 'short int', int8: 'signed char', uint8: 'unsigned char', bool: 'bool',
};

/** torch.promote_types. */
export function promoteTypes(a: TorchDtype, b: TorchDtype): TorchDtype {
  if (a === b) return a;
  if (a === 'bool') return b;
  if (b === 'bool') return a;
  const fa = isFloatDtype(a);
  const fb = isFloatDtype(b);
  if (fa !== fb) return fa ? a : b;
  if (fa) {
    const ra = FLOAT_RANK[a]!;
    const rb = FLOAT_RANK[b]!;
    if (ra === rb) return 'float32'; // float16 with bfloat16
    return ra > rb ? a : b;
  }
  if (a === 'uint8' || b === 'uint8') {
    const other = a === 'uint8' ? b : a;
    return other === 'int8' ? 'int16' : other;
  }
  return INT_RANK[a]! > INT_RANK[b]! ? a : b;
}

/** One operand of an op for torch.result_type: tensors with dims outrank 0-d tensors, which outrank Python numbers. */
interface Operand {
  dtype: TorchDtype;
  rank: number;
  wrapped: boolean;
}

function combineCategories(higher: TorchDtype | null, lower: TorchDtype | null): TorchDtype | null {
  if (!higher) return lower;
  if (!lower) return higher;
  if (isFloatDtype(higher)) return higher;
  if (higher === 'bool' || isFloatDtype(lower)) return promoteTypes(higher, lower);
  return higher;
}

/** torch.result_type of several operands. */
export function resultType(operands: Operand[]): TorchDtype {
  let dims: TorchDtype | null = null;
  let zeroDims: TorchDtype | null = null;
  let wrapped: TorchDtype | null = null;
  for (const op of operands) {
    if (op.wrapped) {
      const d = isFloatDtype(op.dtype) ? 'float32' : op.dtype;
      wrapped = wrapped ? promoteTypes(wrapped, d) : d;
    } else if (op.rank === 0) {
      zeroDims = zeroDims ? promoteTypes(zeroDims, op.dtype) : op.dtype;
    } else {
      dims = dims ? promoteTypes(dims, op.dtype) : op.dtype;
    }
  }
  return combineCategories(dims, combineCategories(zeroDims, wrapped)) ?? 'float32';
}

/** Whether an in-place op may write a result of dtype `from` into a tensor of dtype `to`. */
function canCast(from: TorchDtype, to: TorchDtype): boolean {
  if (isFloatDtype(from) && !isFloatDtype(to)) return false;
  if (from !== 'bool' && to === 'bool') return false;
  return true;
}

function castTo(t: tf.Tensor, d: TorchDtype): tf.Tensor {
  return castStorage(t, storageOf(d));
}

/** Non-zero test (see castStorage: tf.cast to bool is wrong on wasm). */
const toBool = (t: tf.Tensor): tf.Tensor => castStorage(t, 'bool');

/** A Python number's dtype: bool, int (int64) or float (the default float dtype). */
function scalarDtype(value: number | boolean, isFloat: boolean): TorchDtype {
  if (typeof value === 'boolean') return 'bool';
  return isFloat ? 'float32' : 'int64';
}

// ---- shapes -----------------------------------------------------------------------------------------------------

function sizeOfShape(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function listText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** The broadcast shape of two shapes, or PyTorch's error naming the first dimension that does not fit. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
    const db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new TorchError(
        'RuntimeError',
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Normalizes a possibly negative dimension, with PyTorch's IndexError when it is out of range. */
export function normDim(dim: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -r || dim >= r) {
    throw new TorchError('IndexError', `Dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + r : dim;
}

function normAxes(dims: number[], rank: number): number[] {
  const axes = dims.map((d) => normDim(d, rank));
  for (let i = 0; i < axes.length; i++) {
    if (axes.indexOf(axes[i]) !== i) throw new TorchError('RuntimeError', `dim ${axes[i]} appears multiple times in the list of dims`);
  }
  return rank === 0 ? [] : axes;
}

const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** Resolves a requested shape with at most one -1 against a number of elements (view/reshape). */
function inferShape(shape: number[], numel: number): number[] {
  let inferred = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === -1) {
      if (inferred >= 0) throw new TorchError('RuntimeError', 'only one dimension can be inferred');
      inferred = i;
    } else if (shape[i] < 0 || !Number.isInteger(shape[i])) {
      throw new TorchError('RuntimeError', `invalid shape dimension ${shape[i]}`);
    } else {
      known *= shape[i];
    }
  }
  if (inferred >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new TorchError('RuntimeError', `shape '${listText(shape)}' is invalid for input of size ${numel}`);
    }
    const out = shape.slice();
    out[inferred] = numel / known;
    return out;
  }
  if (known !== numel) throw new TorchError('RuntimeError', `shape '${listText(shape)}' is invalid for input of size ${numel}`);
  return shape;
}

/** Sums a gradient over the dimensions that broadcasting added or stretched, back to `shape`. */
function unbroadcast(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  const summed = axes.length ? tf.sum(g, axes, true) : g;
  return tf.reshape(summed, shape as number[]);
}

/** Runs `forward` as one tfjs op with the gradient its `gradFunc` gives (tf.customGrad over any number of inputs). */
function customOp(
  inputs: tf.Tensor[],
  forward: (
    xs: tf.Tensor[],
    save: tf.GradSaveFunc,
  ) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] },
): tf.Tensor {
  const op = tf.customGrad(((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return forward(args.slice(0, -1) as tf.Tensor[], save);
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (op as unknown as (...xs: tf.Tensor[]) => tf.Tensor)(...inputs);
}

// ---- elementwise kernels ----------------------------------------------------------------------------------------

/** |x| with PyTorch's gradient sign(x) (0 at 0; tfjs gives -1 there). */
function absWithGrad(x: tf.Tensor): tf.Tensor {
  if (x.dtype !== 'float32') return tf.abs(x);
  return customOp([x], ([xv], save) => {
    save([xv]);
    return { value: tf.abs(xv), gradFunc: (dy, [xs]) => tf.mul(dy, tf.sign(xs)) };
  });
}

/** maximum/minimum whose gradient splits a tie in half between the two inputs, as PyTorch's does. */
function extremumWithGrad(a: tf.Tensor, b: tf.Tensor, which: 'max' | 'min'): tf.Tensor {
  const f = which === 'max' ? tf.maximum : tf.minimum;
  if (a.dtype !== 'float32') return f(a, b);
  const aShape = a.shape;
  const bShape = b.shape;
  return customOp([a, b], ([av, bv], save) => {
    save([av, bv]);
    return {
      value: f(av, bv),
      gradFunc: (dy, [as, bs]) => {
        const wins = which === 'max' ? tf.greater(as, bs) : tf.less(as, bs);
        const share = tf.add(tf.cast(wins, 'float32'), tf.mul(tf.cast(tf.equal(as, bs), 'float32'), 0.5));
        const ga = tf.mul(dy, share);
        const gb = tf.sub(dy, ga);
        return [unbroadcast(ga, aShape), unbroadcast(gb, bShape)];
      },
    };
  });
}

/** clamp with the gradient passing where min <= x <= max (bounds included), as PyTorch's does. */
function clampWithGrad(x: tf.Tensor, min: number | undefined, max: number | undefined): tf.Tensor {
  if (x.dtype !== 'float32') {
    let y = x;
    if (min != null) y = tf.maximum(y, tf.scalar(min, x.dtype));
    if (max != null) y = tf.minimum(y, tf.scalar(max, x.dtype));
    return y === x ? tf.clone(x) : y;
  }
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  return customOp([x], ([xv], save) => {
    save([xv]);
    let value = xv;
    if (min != null) value = tf.maximum(value, lo);
    if (max != null) value = tf.minimum(value, hi);
    if (min != null && max != null && min > max) value = tf.fill(xv.shape, hi);
    return {
      value: value === xv ? tf.clone(xv) : value,
      gradFunc: (dy, [xs]) => tf.mul(dy, tf.cast(tf.logicalAnd(tf.greaterEqual(xs, lo), tf.lessEqual(xs, hi)), 'float32')),
    };
  });
}

/** x ** c for a number c, with PyTorch's gradient c·x^(c-1) (0 when c is 0). */
function powScalarWithGrad(x: tf.Tensor, c: number): tf.Tensor {
  if (x.dtype !== 'float32') return tf.pow(x, tf.scalar(c, x.dtype));
  return customOp([x], ([xv], save) => {
    save([xv]);
    const value = c === 2 ? tf.square(xv) : c === 1 ? tf.clone(xv) : c === 0.5 ? tf.sqrt(xv) : tf.pow(xv, c);
    return {
      value,
      gradFunc: (dy, [xs]) => {
        if (c === 0) return tf.zerosLike(dy);
        if (c === 1) return dy;
        if (c === 2) return tf.mul(dy, tf.mul(xs, 2));
        return tf.mul(dy, tf.mul(tf.pow(xs, c - 1), c));
      },
    };
  });
}

/**
 * torch.remainder (the divisor's sign, as Python's %) or torch.fmod (the dividend's sign, as C's fmod). A zero result
 * keeps the dividend's sign (-0.75 % 0.75 is -0.), and the gradient is PyTorch's: 1 for a, -floor(a/b) (remainder)
 * or -trunc(a/b) (fmod) for b.
 */
function remainderOf(a: tf.Tensor, b: tf.Tensor, which: 'remainder' | 'fmod'): tf.Tensor {
  const forward = (av: tf.Tensor, bv: tf.Tensor) => {
    let r = tf.mod(av, bv);
    if (which === 'fmod') {
      const wrongSign = tf.logicalAnd(tf.notEqual(r, tf.scalar(0, r.dtype)), tf.notEqual(tf.less(r, tf.scalar(0, r.dtype)), tf.less(av, tf.scalar(0, av.dtype))));
      r = tf.where(wrongSign, tf.sub(r, tf.broadcastTo(bv, r.shape)), r);
    }
    if (r.dtype === 'float32') r = tf.where(tf.equal(r, 0), tf.broadcastTo(tf.mul(av, 0), r.shape), r);
    return r;
  };
  if (a.dtype !== 'float32') return forward(a, b);
  const aShape = a.shape;
  const bShape = b.shape;
  return customOp([a, b], ([av, bv], save) => {
    save([av, bv]);
    return {
      value: forward(av, bv),
      gradFunc: (dy, [as, bs]) => {
        const q = tf.div(as, bs);
        const whole = which === 'remainder' ? tf.floor(q) : tf.mul(tf.sign(q), tf.floor(tf.abs(q)));
        return [unbroadcast(dy, aShape), unbroadcast(tf.neg(tf.mul(dy, whole)), bShape)];
      },
    };
  });
}

/** Bitwise and/or/xor of integer tensors (tfjs has no such kernels on every backend): computed on the values. */
function bitwise(a: tf.Tensor, b: tf.Tensor, op: 'and' | 'or' | 'xor'): tf.Tensor {
  const shape = broadcastShapes(a.shape, b.shape);
  const av = tf.broadcastTo(a, shape).dataSync();
  const bv = tf.broadcastTo(b, shape).dataSync();
  const out = new Int32Array(av.length);
  for (let i = 0; i < out.length; i++) out[i] = op === 'and' ? av[i] & bv[i] : op === 'or' ? av[i] | bv[i] : av[i] ^ bv[i];
  return tf.tensor(out, shape, 'int32');
}

type ResultRule = 'promote' | 'float' | 'bool';

interface BinarySpec {
  /** Gradient names: tensor OP tensor, tensor OP number, number OP tensor. */
  grads: [string, string, string];
  result: ResultRule;
  /** Runs on both inputs already in the compute dtype's storage. */
  kernel: (a: tf.Tensor, b: tf.Tensor, compute: TorchDtype) => tf.Tensor;
  /** Rejects dtypes PyTorch rejects. */
  check?: (compute: TorchDtype) => void;
}

const isBoolOrFloat = (d: TorchDtype) => d === 'bool';

const BINARY: Record<string, BinarySpec> = {
  add: {
    grads: ['AddBackward0', 'AddBackward0', 'AddBackward0'], result: 'promote',
    kernel: (a, b, d) => (d === 'bool' ? tf.logicalOr(a, b) : tf.add(a, b)),
  },
  sub: {
    grads: ['SubBackward0', 'SubBackward0', 'RsubBackward1'], result: 'promote',
    kernel: (a, b) => tf.sub(a, b),
    check: (d) => {
      if (isBoolOrFloat(d)) {
        throw new TorchError(
          'RuntimeError',
          'Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.',
        );
      }
    },
  },
  mul: {
    grads: ['MulBackward0', 'MulBackward0', 'MulBackward0'], result: 'promote',
    kernel: (a, b, d) => (d === 'bool' ? tf.logicalAnd(a, b) : tf.mul(a, b)),
  },
  div: { grads: ['DivBackward0', 'DivBackward0', 'MulBackward0'], result: 'float', kernel: (a, b) => tf.div(a, b) },
  floor_divide: {
    grads: ['', '', ''], result: 'promote',
    kernel: (a, b, d) => (isFloatDtype(d) ? tf.floor(tf.div(a, b)) : tf.floorDiv(a, b)),
  },
  remainder: {
    grads: ['RemainderBackward1', 'RemainderBackward0', 'RemainderBackward1'], result: 'promote',
    kernel: (a, b) => remainderOf(a, b, 'remainder'),
  },
  fmod: { grads: ['FmodBackward1', 'FmodBackward0', 'FmodBackward1'], result: 'promote', kernel: (a, b) => remainderOf(a, b, 'fmod') },
  pow: {
    grads: ['PowBackward1', 'PowBackward0', 'PowBackward1'], result: 'promote',
    kernel: (a, b, d) => {
      if (!isFloatDtype(d) && tf.any(tf.less(b, 0)).dataSync()[0]) {
        throw new TorchError('RuntimeError', 'Integers to negative integer powers are not allowed.');
      }
      return tf.pow(a, b);
    },
  },
  maximum: { grads: ['MaximumBackward0', 'MaximumBackward0', 'MaximumBackward0'], result: 'promote', kernel: (a, b) => extremumWithGrad(a, b, 'max') },
  minimum: { grads: ['MinimumBackward0', 'MinimumBackward0', 'MinimumBackward0'], result: 'promote', kernel: (a, b) => extremumWithGrad(a, b, 'min') },
  atan2: { grads: ['Atan2Backward0', 'Atan2Backward0', 'Atan2Backward0'], result: 'float', kernel: (a, b) => tf.atan2(a, b) },
  eq: { grads: ['', '', ''], result: 'bool', kernel: (a, b) => tf.equal(a, b) },
  ne: { grads: ['', '', ''], result: 'bool', kernel: (a, b) => tf.notEqual(a, b) },
  lt: { grads: ['', '', ''], result: 'bool', kernel: (a, b) => tf.less(a, b) },
  le: { grads: ['', '', ''], result: 'bool', kernel: (a, b) => tf.lessEqual(a, b) },
  gt: { grads: ['', '', ''], result: 'bool', kernel: (a, b) => tf.greater(a, b) },
  ge: { grads: ['', '', ''], result: 'bool', kernel: (a, b) => tf.greaterEqual(a, b) },
  logical_and: { grads: ['', '', ''], result: 'bool', kernel: (a, b) => tf.logicalAnd(toBool(a), toBool(b)) },
  logical_or: { grads: ['', '', ''], result: 'bool', kernel: (a, b) => tf.logicalOr(toBool(a), toBool(b)) },
  logical_xor: { grads: ['', '', ''], result: 'bool', kernel: (a, b) => tf.logicalXor(toBool(a), toBool(b)) },
  bitwise_and: { grads: ['', '', ''], result: 'promote', kernel: (a, b, d) => (d === 'bool' ? tf.logicalAnd(a, b) : bitwise(a, b, 'and')), check: (d) => bitwiseCheck(d, 'and') },
  bitwise_or: { grads: ['', '', ''], result: 'promote', kernel: (a, b, d) => (d === 'bool' ? tf.logicalOr(a, b) : bitwise(a, b, 'or')), check: (d) => bitwiseCheck(d, 'or') },
  bitwise_xor: { grads: ['', '', ''], result: 'promote', kernel: (a, b, d) => (d === 'bool' ? tf.logicalXor(a, b) : bitwise(a, b, 'xor')), check: (d) => bitwiseCheck(d, 'xor') },
};

function bitwiseCheck(d: TorchDtype, op: string): void {
  if (isFloatDtype(d)) throw new TorchError('RuntimeError', `"bitwise_${op}_cpu" not implemented for '${LEGACY_NAME[d]}'`);
}

/** The dtype a binary op computes in, and the dtype of its result. */
function binaryDtypes(spec: BinarySpec, operands: Operand[]): { compute: TorchDtype; out: TorchDtype } {
  let compute = resultType(operands);
  if (spec.result === 'float' && !isFloatDtype(compute)) compute = 'float32';
  spec.check?.(compute);
  return { compute, out: spec.result === 'bool' ? 'bool' : compute };
}

type UnaryKind = 'float' | 'same' | 'bool';

interface UnarySpec {
  grad: string;
  /** float: integer inputs give float32; same: the input's dtype; bool: a mask. */
  kind: UnaryKind;
  f: (x: tf.Tensor) => tf.Tensor;
}

const trunc = (x: tf.Tensor) => (x.dtype === 'float32' ? tf.mul(tf.sign(x), tf.floor(tf.abs(x))) : tf.clone(x));

const UNARY: Record<string, UnarySpec> = {
  neg: { grad: 'NegBackward0', kind: 'same', f: tf.neg },
  abs: { grad: 'AbsBackward0', kind: 'same', f: absWithGrad },
  relu: { grad: 'ReluBackward0', kind: 'same', f: tf.relu },
  floor: { grad: 'FloorBackward0', kind: 'same', f: (x) => (x.dtype === 'float32' ? tf.floor(x) : tf.clone(x)) },
  ceil: { grad: 'CeilBackward0', kind: 'same', f: (x) => (x.dtype === 'float32' ? tf.ceil(x) : tf.clone(x)) },
  round: { grad: 'RoundBackward0', kind: 'same', f: (x) => (x.dtype === 'float32' ? tf.round(x) : tf.clone(x)) },
  trunc: { grad: 'TruncBackward0', kind: 'same', f: trunc },
  frac: { grad: 'FracBackward0', kind: 'same', f: (x) => tf.sub(x, trunc(x)) },
  sign: { grad: 'SignBackward0', kind: 'same', f: (x) => (x.dtype === 'bool' ? tf.clone(x) : tf.sign(x)) },
  square: { grad: 'PowBackward0', kind: 'same', f: (x) => (x.dtype === 'bool' ? tf.clone(x) : tf.square(x)) },
  clone: { grad: 'CloneBackward0', kind: 'same', f: (x) => tf.clone(x) },
  positive: { grad: 'AliasBackward0', kind: 'same', f: (x) => tf.clone(x) },
  exp: { grad: 'ExpBackward0', kind: 'float', f: tf.exp },
  exp2: { grad: 'Exp2Backward0', kind: 'float', f: (x) => tf.pow(2, x) },
  log: { grad: 'LogBackward0', kind: 'float', f: tf.log },
  log2: { grad: 'Log2Backward0', kind: 'float', f: (x) => tf.div(tf.log(x), Math.LN2) },
  log10: { grad: 'Log10Backward0', kind: 'float', f: (x) => tf.div(tf.log(x), Math.LN10) },
  log1p: { grad: 'Log1PBackward0', kind: 'float', f: tf.log1p },
  expm1: { grad: 'Expm1Backward0', kind: 'float', f: tf.expm1 },
  sqrt: { grad: 'SqrtBackward0', kind: 'float', f: tf.sqrt },
  rsqrt: { grad: 'RsqrtBackward0', kind: 'float', f: tf.rsqrt },
  reciprocal: { grad: 'ReciprocalBackward0', kind: 'float', f: tf.reciprocal },
  sigmoid: { grad: 'SigmoidBackward0', kind: 'float', f: tf.sigmoid },
  logit: { grad: 'LogitBackward0', kind: 'float', f: (x) => tf.log(tf.div(x, tf.sub(1, x))) },
  tanh: { grad: 'TanhBackward0', kind: 'float', f: tf.tanh },
  sin: { grad: 'SinBackward0', kind: 'float', f: tf.sin },
  cos: { grad: 'CosBackward0', kind: 'float', f: tf.cos },
  tan: { grad: 'TanBackward0', kind: 'float', f: tf.tan },
  asin: { grad: 'AsinBackward0', kind: 'float', f: tf.asin },
  acos: { grad: 'AcosBackward0', kind: 'float', f: tf.acos },
  atan: { grad: 'AtanBackward0', kind: 'float', f: tf.atan },
  sinh: { grad: 'SinhBackward0', kind: 'float', f: tf.sinh },
  cosh: { grad: 'CoshBackward0', kind: 'float', f: tf.cosh },
  asinh: { grad: 'AsinhBackward0', kind: 'float', f: tf.asinh },
  acosh: { grad: 'AcoshBackward0', kind: 'float', f: tf.acosh },
  atanh: { grad: 'AtanhBackward0', kind: 'float', f: tf.atanh },
  erf: { grad: 'ErfBackward0', kind: 'float', f: tf.erf },
  isnan: { grad: '', kind: 'bool', f: (x) => (x.dtype === 'float32' ? tf.isNaN(x) : tf.zeros(x.shape, 'bool')) },
  isinf: { grad: '', kind: 'bool', f: (x) => (x.dtype === 'float32' ? tf.isInf(x) : tf.zeros(x.shape, 'bool')) },
  isfinite: { grad: '', kind: 'bool', f: (x) => (x.dtype === 'float32' ? tf.isFinite(x) : tf.ones(x.shape, 'bool')) },
  logical_not: { grad: '', kind: 'bool', f: (x) => tf.logicalNot(toBool(x)) },
  signbit: { grad: '', kind: 'bool', f: (x) => tf.less(x, 0) },
  // kept for the nn kernels that call unary by name
  softplus: { grad: 'SoftplusBackward0', kind: 'float', f: tf.softplus },
  elu: { grad: 'EluBackward0', kind: 'float', f: tf.elu },
  selu: { grad: 'EluBackward0', kind: 'float', f: tf.selu },
  relu6: { grad: 'HardtanhBackward0', kind: 'same', f: tf.relu6 },
  log_sigmoid: { grad: 'LogSigmoidBackward0', kind: 'float', f: tf.logSigmoid },
  silu: { grad: 'SiluBackward0', kind: 'float', f: (x) => tf.mul(x, tf.sigmoid(x)) },
  gelu: { grad: 'GeluBackward0', kind: 'float', f: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))) },
  gelu_tanh: {
    grad: 'GeluBackward0', kind: 'float',
    f: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))))),
  },
};

function unaryResult(spec: UnarySpec, d: TorchDtype, name: string): TorchDtype {
  if (spec.kind === 'bool') return 'bool';
  if (spec.kind === 'float') return isFloatDtype(d) ? d : 'float32';
  if (d === 'bool' && (name === 'neg' || name === 'relu')) {
    if (name === 'neg') {
      throw new TorchError(
        'RuntimeError',
        'Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.',
      );
    }
  }
  return d;
}

// ---- reductions -------------------------------------------------------------------------------------------------

const SUM_BLOCK = 1024;

/**
 * tf.sum, but long float reductions add up blocks of SUM_BLOCK elements first and then the block sums, so rounding
 * error grows with about √n rather than n (PyTorch's CPU sums are similarly cascaded; a plain float32 running sum of
 * 400k gradients is off in the 4th digit).
 */
function blockedSum(x: tf.Tensor, axes: number[] | undefined, keep: boolean): tf.Tensor {
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

/** amax/amin, and full max()/min(): the gradient is shared evenly among tied extreme elements, as in PyTorch. */
function extremeReduce(x: tf.Tensor, axes: number[] | undefined, keep: boolean, which: 'max' | 'min'): tf.Tensor {
  const f = which === 'max' ? tf.max : tf.min;
  if (x.dtype !== 'float32') return f(x, axes, keep);
  const all = axes ?? [...Array(x.rank).keys()];
  return customOp([x], ([xv], save) => {
    const kept = f(xv, all, true);
    save([xv, kept]);
    return {
      value: keep ? tf.clone(kept) : tf.reshape(kept, kept.shape.filter((_, axis) => !all.includes(axis))),
      gradFunc: (dy, [xs, m]) => {
        const mask = tf.cast(tf.equal(xs, m), 'float32');
        const count = tf.sum(mask, all, true);
        return tf.mul(tf.div(mask, count), tf.reshape(dy, m.shape));
      },
    };
  });
}

/** max/min along one dimension: values whose gradient goes to the first extreme element (the returned index). */
function extremeAlong(x: tf.Tensor, axis: number, keep: boolean, which: 'max' | 'min'): { values: tf.Tensor; indices: tf.Tensor } {
  const indices = which === 'max' ? tf.argMax(x, axis) : tf.argMin(x, axis);
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

/** Moves the last axis of t to position `axis`. */
function moveLastAxisTo(t: tf.Tensor, axis: number): tf.Tensor {
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

/** PyTorch's symmetric [padH, padW] as tfjs's explicit NHWC padding. */
function nhwcPadding(pad: number[]): Array<[number, number]> {
  return [[0, 0], [pad[0], pad[0]], [pad[1], pad[1]], [0, 0]];
}

const broadcastShape = (a: number[], b: number[]): number[] => broadcastShapes(a, b);

// ---- matmul -----------------------------------------------------------------------------------------------------

/** Checks torch.matmul's shapes (with its messages) and names the backward node it makes. */
function matmulPlan(a: readonly number[], b: readonly number[]): string {
  const ra = a.length;
  const rb = b.length;
  if (ra === 0 || rb === 0) {
    throw new TorchError('RuntimeError', `both arguments to matmul need to be at least 1D, but they are ${ra}D and ${rb}D`);
  }
  if (ra === 1 && rb === 1) {
    if (a[0] !== b[0]) {
      throw new TorchError(
        'RuntimeError',
        `inconsistent tensor size, expected tensor [${a[0]}] and src [${b[0]}] to have the same number of elements, but got ${a[0]} and ${b[0]} elements respectively`,
      );
    }
    return 'DotBackward0';
  }
  if (ra === 2 && rb === 1) {
    if (a[1] !== b[0]) throw new TorchError('RuntimeError', `size mismatch, got input (${a[0]}), mat (${a[0]}x${a[1]}), vec (${b[0]})`);
    return 'MvBackward0';
  }
  if (ra === 1 && rb === 2) {
    if (a[0] !== b[0]) throw mmError([1, a[0]], b);
    return 'SqueezeBackward4';
  }
  if (ra === 2 && rb === 2) {
    if (a[1] !== b[0]) throw mmError(a, b);
    return 'MmBackward0';
  }
  if (rb <= 2) {
    // (..., n, k) @ (k, m) or (k): folded into one matrix product
    const k = a[ra - 1];
    if (k !== b[0]) throw mmError([sizeOfShape(a) / k, k], rb === 1 ? [b[0], 1] : b);
    return rb === 1 ? 'ViewBackward0' : 'UnsafeViewBackward0';
  }
  if (ra <= 2) {
    const k = b[rb - 2];
    const m = b[rb - 1];
    const ka = a[ra - 1];
    if (ka !== k) throw mmError([(sizeOfShape(b) / (k * m)) * m, k], [ka, ra === 1 ? 1 : a[0]]);
    return 'UnsafeViewBackward0';
  }
  const batchA = a.slice(0, -2);
  const batchB = b.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB);
  if (a[ra - 1] !== b[rb - 2]) {
    const count = sizeOfShape(batch);
    throw new TorchError(
      'RuntimeError',
      `Expected size for first two dimensions of batch2 tensor to be: [${count}, ${a[ra - 1]}] but got: [${count}, ${b[rb - 2]}].`,
    );
  }
  return 'UnsafeViewBackward0';
}

function mmError(a: readonly number[], b: readonly number[]): TorchError {
  return new TorchError('RuntimeError', `mat1 and mat2 shapes cannot be multiplied (${a[0]}x${a[1]} and ${b[0]}x${b[1]})`);
}

/** Swaps the last two dimensions. */
function swapLast(t: tf.Tensor): tf.Tensor {
  const perm = [...Array(t.rank).keys()];
  perm[t.rank - 1] = t.rank - 2;
  perm[t.rank - 2] = t.rank - 1;
  return tf.transpose(t, perm);
}

/** Stands in for the gradient of an input that does not require grad (the engine never reads it). */
const UNUSED_GRADIENT = () => tf.scalar(0);

/**
 * a @ b (rank ≥ 2, equal batch dims) whose gradient is made of plain products. tfjs's own matMul gradient asks
 * matMul to transpose an operand, which the wasm backend does 10-20x slower than an explicit transpose followed by a
 * plain product; gradients of inputs that do not require grad are skipped.
 */
function matMulWithGrad(a: tf.Tensor, b: tf.Tensor, needA: boolean, needB: boolean): tf.Tensor {
  if (a.dtype !== 'float32' || (!needA && !needB)) return tf.matMul(a, b);
  return customOp([a, b], ([av, bv], save) => {
    save([av, bv]);
    return {
      value: tf.matMul(av, bv),
      gradFunc: (dy, [as, bs]) => [
        needA ? tf.matMul(dy, swapLast(bs)) : UNUSED_GRADIENT(),
        needB ? tf.matMul(swapLast(as), dy) : UNUSED_GRADIENT(),
      ],
    };
  });
}

/**
 * x @ wᵀ for x (n, in) and w (out, in), transposing whichever side is smaller (see matMulWithGrad), with the
 * gradients dx = dy @ w and dw = dyᵀ @ x as plain products.
 */
function linearWithGrad(x: tf.Tensor, w: tf.Tensor, needX: boolean, needW: boolean): tf.Tensor {
  const [n, inFeatures] = x.shape;
  const outFeatures = w.shape[0];
  const forward = (xv: tf.Tensor, wv: tf.Tensor) =>
    n * (inFeatures + outFeatures) < outFeatures * inFeatures
      ? swapLast(tf.matMul(wv, swapLast(xv)))
      : tf.matMul(xv, swapLast(wv));
  if (!needX && !needW) return forward(x, w);
  return customOp([x, w], ([xv, wv], save) => {
    save([xv, wv]);
    return {
      value: forward(xv, wv),
      gradFunc: (dy, [xs, ws]) => [
        needX ? tf.matMul(dy, ws) : UNUSED_GRADIENT(),
        needW ? tf.matMul(swapLast(dy), xs) : UNUSED_GRADIENT(),
      ],
    };
  });
}

/** torch.matmul on tfjs (shapes already checked): batch dims broadcast explicitly so the gradient fits them. */
function torchMatmul(a: tf.Tensor, b: tf.Tensor, needA = false, needB = false): tf.Tensor {
  const mm = (x: tf.Tensor, y: tf.Tensor) => matMulWithGrad(x, y, needA, needB);
  if (a.rank === 1 && b.rank === 1) return tf.sum(tf.mul(a, b));
  if (a.rank === 2 && b.rank === 2) return mm(a, b);
  if (a.rank === 2 && b.rank === 1) return tf.reshape(mm(a, tf.reshape(b, [-1, 1])), [a.shape[0] as number]);
  if (a.rank === 1 && b.rank === 2) return tf.reshape(mm(tf.reshape(a, [1, -1]), b), [b.shape[1] as number]);
  if (b.rank <= 2) {
    const k = a.shape[a.rank - 1] as number;
    const lead = a.shape.slice(0, -1) as number[];
    const folded = mm(tf.reshape(a, [-1, k]), b.rank === 1 ? tf.reshape(b, [-1, 1]) : b);
    return tf.reshape(folded, b.rank === 1 ? lead : [...lead, b.shape[1] as number]);
  }
  const a2 = a.rank === 1 ? tf.reshape(a, [1, -1]) : a;
  const batch = broadcastShapes(a2.shape.slice(0, -2), b.shape.slice(0, -2));
  const aShape = [...batch, ...a2.shape.slice(-2)];
  const bShape = [...batch, ...b.shape.slice(-2)];
  const aFull = sameShape(a2.shape, aShape) ? a2 : tf.broadcastTo(a2, aShape);
  const bFull = sameShape(b.shape, bShape) ? b : tf.broadcastTo(b, bShape);
  const out = mm(aFull, bFull);
  return a.rank === 1 ? tf.squeeze(out, [out.rank - 2]) : out;
}

// ---- indexing ---------------------------------------------------------------------------------------------------

/**
 * x[begin:end:stride] per axis (positive strides, ends already clamped). Built from slice, pad and reshape, whose
 * gradients tfjs has (it has none for StridedSlice, and the wasm StridedSlice reads integer tensors as floats): along
 * an axis with stride s, the picked range is padded to count·s elements, viewed as (count, s), and column 0 kept.
 */
function stridedSliceWithGrad(x: tf.Tensor, begin: number[], end: number[], strides: number[]): tf.Tensor {
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
function scatterUpdateWithGrad(x: tf.Tensor, positions: tf.Tensor, values: tf.Tensor): tf.Tensor {
  const flatPositions = tf.reshape(positions, [-1, 1]);
  const forward = (xv: tf.Tensor, vv: tf.Tensor) =>
    tf.reshape(tf.tensorScatterUpdate(tf.reshape(xv, [-1]), flatPositions, tf.reshape(vv.dtype === xv.dtype ? vv : tf.cast(vv, xv.dtype), [-1])), x.shape);
  if (x.dtype !== 'float32') return forward(x, values);
  const valueShape = values.shape;
  return customOp([x, values], ([xv, vv], save) => {
    save([flatPositions]);
    return {
      value: forward(xv, vv),
      gradFunc: (dy, [p]) => {
        const flat = tf.reshape(dy, [-1]);
        const gx = tf.reshape(tf.tensorScatterUpdate(flat, p, tf.zeros([p.shape[0]])), dy.shape);
        const gv = tf.reshape(tf.gather(flat, tf.reshape(p, [-1])), valueShape);
        return [gx, gv];
      },
    };
  });
}

/** An item of a Python index, decoded from the flat number list the shim sends (see _tensor_ops.py). */
type IndexItem =
  | { kind: 'int'; value: number }
  | { kind: 'slice'; start: number; stop: number; step: number }
  | { kind: 'none' }
  | { kind: 'ellipsis' }
  | { kind: 'tensor'; handle: number }
  | { kind: 'bool'; value: boolean };

function decodeIndex(codes: number[]): IndexItem[] {
  const items: IndexItem[] = [];
  for (let i = 0; i < codes.length; ) {
    switch (codes[i]) {
      case 0:
        items.push({ kind: 'int', value: codes[i + 1] });
        i += 2;
        break;
      case 1:
        items.push({ kind: 'slice', start: codes[i + 1], stop: codes[i + 2], step: codes[i + 3] });
        i += 4;
        break;
      case 2:
        items.push({ kind: 'none' });
        i += 1;
        break;
      case 3:
        items.push({ kind: 'ellipsis' });
        i += 1;
        break;
      case 4:
        items.push({ kind: 'tensor', handle: codes[i + 1] });
        i += 2;
        break;
      case 5:
        items.push({ kind: 'bool', value: codes[i + 1] !== 0 });
        i += 2;
        break;
      default:
        throw new TorchError('TypeError', `internal: bad index code ${codes[i]}`);
    }
  }
  return items;
}

/** Python's slice.indices() for a positive step (NaN stands for None). */
function resolveSlice(start: number, stop: number, step: number, size: number): [number, number, number] {
  const s = Number.isNaN(step) ? 1 : step;
  if (s <= 0) throw new TorchError('ValueError', 'step must be greater than zero');
  const clampIndex = (v: number, fallback: number) => {
    if (Number.isNaN(v)) return fallback;
    if (v < 0) v += size;
    return Math.min(Math.max(v, 0), size);
  };
  const b = clampIndex(start, 0);
  const e = Math.max(b, clampIndex(stop, size));
  return [b, e, s];
}

/** One index tensor after the basic part: which output position it stands at, and its values (bounds-checked). */
interface AdvancedIndex {
  position: number;
  shape: number[];
  values: Int32Array;
}

/** What x[key] does: a strided slice, a reshape (ints removed, Nones added), then gathers for tensor indices. */
interface IndexPlan {
  begin: number[];
  end: number[];
  strides: number[];
  sliced: boolean;
  /** The shape after the basic part (before advanced indexing). */
  basicShape: number[];
  advanced: AdvancedIndex[];
  gradName: string;
}

function planIndex(engine: TensorEngine, shape: readonly number[], items: IndexItem[]): IndexPlan {
  const rank = shape.length;
  let consumed = 0;
  let ellipses = 0;
  for (const item of items) {
    if (item.kind === 'int' || item.kind === 'slice') consumed += 1;
    else if (item.kind === 'tensor') {
      const d = engine.dtypeOf(item.handle);
      consumed += d === 'bool' || d === 'uint8' ? engine.tensor(item.handle).rank : 1;
    } else if (item.kind === 'ellipsis') ellipses++;
  }
  if (ellipses > 1) throw new TorchError('IndexError', "an index can only have a single ellipsis ('...')");
  if (consumed > rank) throw new TorchError('IndexError', `too many indices for tensor of dimension ${rank}`);
  const expanded: IndexItem[] = [];
  for (const item of items) {
    if (item.kind === 'ellipsis') {
      for (let i = 0; i < rank - consumed; i++) expanded.push({ kind: 'slice', start: NaN, stop: NaN, step: NaN });
    } else {
      expanded.push(item);
    }
  }
  if (!ellipses) for (let i = consumed; i < rank; i++) expanded.push({ kind: 'slice', start: NaN, stop: NaN, step: NaN });
  const begin: number[] = [];
  const end: number[] = [];
  const strides: number[] = [];
  const basicShape: number[] = [];
  const advanced: AdvancedIndex[] = [];
  let sliced = false;
  let lastKind = ellipses ? 'alias' : 'slice';
  let dim = 0;
  for (const item of expanded) {
    if (item.kind === 'none' || item.kind === 'bool') {
      if (item.kind === 'bool' && !item.value) throw new TorchError('NotImplementedError', 'indexing with False is not supported by the Trainloop runtime yet');
      basicShape.push(1);
      lastKind = 'none';
      continue;
    }
    const size = shape[dim];
    if (item.kind === 'int') {
      let i = item.value;
      if (i < -size || i >= size) throw new TorchError('IndexError', `index ${i} is out of bounds for dimension ${dim} with size ${size}`);
      if (i < 0) i += size;
      begin.push(i);
      end.push(i + 1);
      strides.push(1);
      sliced = true;
      lastKind = 'int';
      dim++;
    } else if (item.kind === 'slice') {
      const [b, e, s] = resolveSlice(item.start, item.stop, item.step, size);
      const count = Math.max(0, Math.ceil((e - b) / s));
      begin.push(b);
      end.push(count ? b + (count - 1) * s + 1 : b);
      strides.push(s);
      if (b !== 0 || count !== size || s !== 1) {
        sliced = true;
        lastKind = 'slice';
      }
      basicShape.push(count);
      dim++;
    } else if (item.kind === 'tensor') {
      const t = engine.tensor(item.handle);
      const d = engine.dtypeOf(item.handle);
      if (isFloatDtype(d)) throw new TorchError('IndexError', 'tensors used as indices must be long, int, byte or bool tensors');
      if (d === 'bool' || d === 'uint8') {
        for (let k = 0; k < t.rank; k++) {
          if (t.shape[k] !== shape[dim + k]) {
            throw new TorchError(
              'IndexError',
              `The shape of the mask ${listText(t.shape)} at index ${k} does not match the shape of the indexed tensor ${listText(shape.slice(dim))} at index ${k}`,
            );
          }
        }
        const flags = t.dataSync();
        const coords: number[][] = t.shape.map(() => []);
        const strideOf = t.shape.map((_, k) => sizeOfShape(t.shape.slice(k + 1)));
        for (let f = 0; f < flags.length; f++) {
          if (!flags[f]) continue;
          for (let k = 0; k < t.rank; k++) coords[k].push(Math.floor(f / strideOf[k]) % t.shape[k]);
        }
        for (let k = 0; k < t.rank; k++) {
          begin.push(0);
          end.push(shape[dim]);
          strides.push(1);
          advanced.push({ position: basicShape.length, shape: [coords[k].length], values: Int32Array.from(coords[k]) });
          basicShape.push(shape[dim]);
          dim++;
        }
        if (t.rank === 0) {
          // x[True-like 0-d mask]: a new axis of size 1 (or 0)
          const on = flags[0] ? 1 : 0;
          advanced.push({ position: basicShape.length, shape: [on], values: new Int32Array(on) });
          basicShape.push(1);
        }
      } else {
        const raw = t.dataSync();
        const values = new Int32Array(raw.length);
        for (let k = 0; k < raw.length; k++) {
          let v = raw[k];
          if (v < -size || v >= size) throw new TorchError('IndexError', `index ${v} is out of bounds for dimension ${dim} with size ${size}`);
          if (v < 0) v += size;
          values[k] = v;
        }
        begin.push(0);
        end.push(size);
        strides.push(1);
        advanced.push({ position: basicShape.length, shape: t.shape.slice(), values });
        basicShape.push(size);
        dim++;
      }
      lastKind = 'advanced';
    }
  }
  const gradName = advanced.length
    ? 'IndexBackward0'
    : { int: 'SelectBackward0', slice: 'SliceBackward0', none: 'UnsqueezeBackward0', alias: 'AliasBackward0' }[lastKind] ?? 'SliceBackward0';
  return { begin, end, strides, sliced, basicShape, advanced, gradName };
}

/** The flat positions (into the basic-indexed tensor's advanced dims) that the broadcast index tensors select. */
function advancedPositions(plan: IndexPlan): { shape: number[]; flat: Int32Array } {
  let shape: number[] = [];
  for (const a of plan.advanced) {
    try {
      shape = broadcastShapes(shape, a.shape);
    } catch {
      throw new TorchError(
        'IndexError',
        `shape mismatch: indexing tensors could not be broadcast together with shapes ${plan.advanced.map((x) => listText(x.shape)).join(', ')}`,
      );
    }
  }
  const count = sizeOfShape(shape);
  const flat = new Int32Array(count);
  const sizes = plan.advanced.map((a) => plan.basicShape[a.position]);
  for (let i = 0; i < count; i++) {
    let position = 0;
    for (let k = 0; k < plan.advanced.length; k++) {
      const a = plan.advanced[k];
      position = position * sizes[k] + a.values[broadcastSource(i, shape, a.shape)];
    }
    flat[i] = position;
  }
  return { shape, flat };
}

/** The flat index into a tensor of `source` shape that element `i` of its broadcast to `target` reads. */
function broadcastSource(i: number, target: number[], source: number[]): number {
  if (source.length === target.length && sameShape(source, target)) return i;
  let index = 0;
  let stride = 1;
  let rest = i;
  const lead = target.length - source.length;
  const coords = new Array<number>(target.length);
  for (let d = target.length - 1; d >= 0; d--) {
    coords[d] = rest % target[d];
    rest = Math.floor(rest / target[d]);
  }
  for (let d = source.length - 1; d >= 0; d--) {
    const c = source[d] === 1 ? 0 : coords[d + lead];
    index += c * stride;
    stride *= source[d];
  }
  return index;
}

/** Applies an index plan to a tfjs tensor (inside a recorded op, so gradients come along). */
function applyIndex(x: tf.Tensor, plan: IndexPlan): tf.Tensor {
  let y = plan.sliced ? stridedSliceWithGrad(x, plan.begin, plan.end, plan.strides) : x;
  if (!sameShape(y.shape, plan.basicShape)) y = tf.reshape(y, plan.basicShape);
  else if (y === x) y = tf.reshape(x, plan.basicShape);
  if (!plan.advanced.length) return y;
  const { shape: indexShape, flat } = advancedPositions(plan);
  const positions = plan.advanced.map((a) => a.position);
  const rest = plan.basicShape.map((_, i) => i).filter((i) => !positions.includes(i));
  const perm = [...positions, ...rest];
  const moved = perm.every((p, i) => p === i) ? y : tf.transpose(y, perm);
  const merged = tf.reshape(moved, [sizeOfShape(positions.map((p) => plan.basicShape[p])), ...rest.map((i) => plan.basicShape[i])]);
  const gathered = tf.gather(merged, tf.tensor1d(flat, 'int32'), 0);
  let out = tf.reshape(gathered, [...indexShape, ...rest.map((i) => plan.basicShape[i])]);
  const adjacent = positions.every((p, i) => p === positions[0] + i);
  if (adjacent && positions[0] > 0) {
    const nb = indexShape.length;
    const before = positions[0];
    const order = [
      ...[...Array(before).keys()].map((i) => nb + i),
      ...[...Array(nb).keys()],
      ...[...Array(out.rank - nb - before).keys()].map((i) => nb + before + i),
    ];
    out = tf.transpose(out, order);
  }
  return out;
}

/** The flat positions (int32, shape of x[key]) of the elements x[key] selects. */
function indexPositions(x: tf.Tensor, plan: IndexPlan): tf.Tensor {
  return tf.tidy(() => applyIndex(tf.reshape(tf.range(0, x.size, 1, 'int32'), x.shape), plan));
}

/** torch.gather / scatter positions: flat indices into x for every element of `index` along `axis`. */
function alongAxisPositions(xShape: readonly number[], index: tf.Tensor, axis: number, what: string): Int32Array {
  const iShape = index.shape;
  if (iShape.length !== xShape.length) {
    throw new TorchError('RuntimeError', `Index tensor must have the same number of dimensions as ${what} tensor`);
  }
  for (let d = 0; d < iShape.length; d++) {
    if (d !== axis && iShape[d] > xShape[d]) {
      throw new TorchError(
        'RuntimeError',
        `Size does not match at dimension ${d} expected index ${listText(iShape)} to be smaller than self ${listText(xShape)} apart from dimension ${axis}`,
      );
    }
  }
  const raw = index.dataSync();
  const out = new Int32Array(raw.length);
  const xStrides = xShape.map((_, d) => sizeOfShape(xShape.slice(d + 1)));
  const size = xShape[axis];
  for (let i = 0; i < raw.length; i++) {
    let rest = i;
    let position = 0;
    for (let d = iShape.length - 1; d >= 0; d--) {
      const c = rest % iShape[d];
      rest = Math.floor(rest / iShape[d]);
      if (d === axis) {
        let v = raw[i];
        if (v < -size || v >= size) throw new TorchError('RuntimeError', `index ${v} is out of bounds for dimension ${axis} with size ${size}`);
        if (v < 0) v += size;
        position += v * xStrides[d];
      } else {
        position += c * xStrides[d];
      }
    }
    out[i] = position;
  }
  return out;
}

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

/** Builds the object exposed to Python. Every function takes and returns plain numbers, strings and arrays. */
export function createTorchOps(engine: TensorEngine, random: SeededRandom) {
  const T = (h: number) => engine.tensor(h);
  const run = engine.run.bind(engine);
  const D = (h: number) => engine.dtypeOf(h);
  const operand = (h: number): Operand => ({ dtype: engine.dtypeOf(h), rank: engine.tensor(h).rank, wrapped: false });

  /** tensor OP tensor, checked and promoted; `inPlace` writes into a. */
  const binaryOp = (name: string, a: number, b: number, inPlace: boolean): number | void => {
    const spec = BINARY[name];
    if (!spec) throw new TorchError('RuntimeError', `internal: unknown binary op ${name}`);
    const ta = T(a);
    const tb = T(b);
    const outShape = broadcastShapes(ta.shape, tb.shape);
    const { compute, out } = binaryDtypes(spec, [operand(a), operand(b)]);
    const kernel = (x: tf.Tensor, y: tf.Tensor) => spec.kernel(castTo(x, compute), castTo(y, compute), compute);
    if (!inPlace) return run(spec.grads[0], [a, b], kernel, out);
    checkInPlace(a, out, outShape);
    engine.runInPlace(spec.grads[0], [a, b], kernel);
  };

  /** tensor OP number (number OP tensor when reversed); `inPlace` writes into the tensor. */
  const scalarOp = (name: string, h: number, value: number | boolean, isFloat: boolean, reversed: boolean, inPlace: boolean): number | void => {
    const spec = BINARY[name];
    if (!spec) throw new TorchError('RuntimeError', `internal: unknown binary op ${name}`);
    const sd = scalarDtype(value, isFloat);
    const { compute, out } = binaryDtypes(spec, [operand(h), { dtype: sd, rank: 0, wrapped: true }]);
    const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    const gradName = reversed ? spec.grads[2] : spec.grads[1];
    if (name === 'pow' && !reversed && isFloatDtype(compute)) {
      const kernel = (x: tf.Tensor) => powScalarWithGrad(castTo(x, compute), numeric);
      if (!inPlace) return run(gradName, [h], kernel, out);
      checkInPlace(h, out, T(h).shape);
      engine.runInPlace(gradName, [h], kernel);
      return;
    }
    if (name === 'pow' && !isFloatDtype(compute) && !reversed && numeric < 0) {
      throw new TorchError('RuntimeError', 'Integers to negative integer powers are not allowed.');
    }
    const kernel = (x: tf.Tensor) => {
      const s = tf.scalar(numeric, storageOf(compute));
      const xc = castTo(x, compute);
      return reversed ? spec.kernel(s, xc, compute) : spec.kernel(xc, s, compute);
    };
    if (!inPlace) return run(gradName, [h], kernel, out);
    checkInPlace(h, out, T(h).shape);
    engine.runInPlace(gradName, [h], kernel);
  };

  const checkInPlace = (h: number, result: TorchDtype, shape: number[]) => {
    const target = D(h);
    if (!canCast(result, target)) {
      throw new TorchError('RuntimeError', `result type ${LEGACY_NAME[result]} can't be cast to the desired output type ${LEGACY_NAME[target]}`);
    }
    const own = T(h).shape;
    if (!sameShape(own, shape)) {
      throw new TorchError('RuntimeError', `output with shape ${listText(own)} doesn't match the broadcast shape ${listText(shape)}`);
    }
  };

  const unaryOp = (name: string, h: number, inPlace: boolean, gradName?: string): number | void => {
    const spec = UNARY[name];
    if (!spec) throw new TorchError('RuntimeError', `internal: unknown unary op ${name}`);
    const d = D(h);
    const out = unaryResult(spec, d, name);
    const kernel = (x: tf.Tensor) => spec.f(spec.kind === 'float' && x.dtype !== 'float32' ? tf.cast(x, 'float32') : x);
    if (!inPlace) return run(spec.grad && gradName ? gradName : spec.grad, [h], kernel, out);
    checkInPlace(h, out, T(h).shape);
    engine.runInPlace(spec.grad, [h], kernel);
  };

  const reduceOp = (name: string, h: number, dims: unknown, keepdim: boolean, dtype?: string): number => {
    const x = T(h);
    const d = D(h);
    const list = toNumbers(dims);
    const axes = list.length ? normAxes(list, x.rank) : undefined;
    const all = !list.length;
    const keep = Boolean(keepdim);
    const target = dtype as TorchDtype | undefined;
    const grad = (base: string) => `${base}Backward${all ? 0 : 1}`;
    switch (name) {
      case 'sum': {
        const out = target ?? (isFloatDtype(d) ? d : 'int64');
        return run(grad('Sum'), [h], (t) => blockedSum(castTo(t, out), axes, keep), out);
      }
      case 'mean': {
        const out = target ?? d;
        if (!isFloatDtype(out)) {
          throw new TorchError(
            'RuntimeError',
            `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${LEGACY_NAME[d]}`,
          );
        }
        return run(grad('Mean'), [h], (t) => {
          const v = castTo(t, out);
          const count = (axes ?? [...Array(v.rank).keys()]).reduce((n, a) => n * v.shape[a], 1);
          return tf.div(blockedSum(v, axes, keep), count);
        }, out);
      }
      case 'prod': {
        const out = target ?? (isFloatDtype(d) ? d : 'int64');
        return run(grad('Prod'), [h], (t) => tf.prod(castTo(t, out), axes, keep), out);
      }
      case 'amax':
      case 'amin':
      case 'max_all':
      case 'min_all': {
        if (x.size === 0) {
          throw new TorchError(
            'RuntimeError',
            `${name.startsWith('a') ? name : name.slice(0, 3)}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`,
          );
        }
        const which = name === 'amax' || name === 'max_all' ? 'max' : 'min';
        const gradName = name === 'amax' ? 'AmaxBackward0' : name === 'amin' ? 'AminBackward0' : which === 'max' ? 'MaxBackward1' : 'MinBackward1';
        return run(gradName, [h], (t) => extremeReduce(t.dtype === 'bool' ? tf.cast(t, 'int32') : t, axes, keep, which), d);
      }
      case 'any':
      case 'all':
        return run('', [h], (t) => (name === 'any' ? tf.any : tf.all)(toBool(t), axes, keep), 'bool');
      case 'logsumexp': {
        const out = isFloatDtype(d) ? d : 'float32';
        return run('LogsumexpBackward0', [h], (t) => tf.logSumExp(castTo(t, out), axes, keep), out);
      }
      case 'nansum': {
        const out = isFloatDtype(d) ? d : 'int64';
        return run('NansumBackward0', [h], (t) => {
          const v = castTo(t, out);
          return tf.sum(v.dtype === 'float32' ? tf.where(tf.isNaN(v), tf.zerosLike(v), v) : v, axes, keep);
        }, out);
      }
      default:
        throw new TorchError('RuntimeError', `internal: unknown reduction ${name}`);
    }
  };

  /** Values and indices of the first `k` along `axis` in order (descending when `descending`). */
  const sortedAlong = (h: number, axis: number, k: number, descending: boolean, gradName: string): number[] => {
    const [indices] = engine.runDetached([h], (t) => {
      const source = t.dtype === 'bool' ? tf.cast(t, 'int32') : t;
      return [alongLastAxis(source, axis, (u) => tf.topk(descending ? u : tf.neg(u), k).indices)];
    }, ['int64']);
    const idx = T(indices);
    const positions = alongAxisPositions(T(h).shape, idx, axis, 'input');
    const values = run(gradName, [h], (t) => tf.reshape(tf.gather(tf.reshape(t, [-1]), tf.tensor1d(positions, 'int32')), idx.shape), D(h));
    return [values, indices];
  };

  return {
    // ---- engine state ---------------------------------------------------------------------------------------------
    free: (h: number) => engine.free(h),
    alias: (h: number) => engine.alias(h),
    set_grad_enabled: (on: boolean) => {
      const previous = engine.gradEnabled;
      engine.gradEnabled = Boolean(on);
      return previous;
    },
    is_grad_enabled: () => engine.gradEnabled,
    live_tensors: () => tf.memory().numTensors,
    live_handles: () => engine.liveHandles,
    backend_name: () => tf.getBackend(),
    manual_seed: (seed: number) => random.seed(seed),

    // ---- autograd -------------------------------------------------------------------------------------------------
    set_requires_grad: (h: number, on: boolean) => engine.setRequiresGrad(h, Boolean(on)),
    requires_grad: (h: number) => engine.requiresGrad(h),
    grad_fn_name: (h: number) => engine.gradFnName(h),
    is_leaf: (h: number) => engine.isLeaf(h),
    detach_: (h: number) => engine.detachInPlace(h),
    rename_grad_fn: (h: number, name: string) => engine.renameGradFn(h, name),
    set_data: (h: number, source: number) => engine.setData(h, source),
    /** In place, h = broadcast(source) (dtype kept): `copy_`, `fill_`, `zero_` and the core of composite in-place ops. */
    assign_: (h: number, source: number) => {
      const target = T(h);
      const src = T(source);
      const shape = broadcastShapes(target.shape, src.shape);
      if (!sameShape(shape, target.shape)) {
        throw new TorchError('RuntimeError', `output with shape ${listText(target.shape)} doesn't match the broadcast shape ${listText(shape)}`);
      }
      engine.runInPlace('CopyBackwards', [h, source], (x, s) => tf.broadcastTo(s.dtype === x.dtype ? s : tf.cast(s, x.dtype), x.shape));
    },
    /** In place, h = value (a Python number) everywhere. */
    fill_: (h: number, value: number | boolean) => {
      const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      engine.runInPlace('FillBackward0', [h], (x) => tf.fill(x.shape, numeric, x.dtype as TfDtype));
    },
    grad: (h: number) => engine.grad(h),
    set_grad: (h: number, g: number) => engine.setGrad(h, g),
    grad_version: (h: number) => engine.gradVersion(h),
    retain_grad: (h: number) => engine.retainGrad(h),
    /** `t.register_hook`: the hook is the shim's proxy of the user's function (see _tensor_hooks.py). */
    register_hook: (h: number, hook: GradientHook) => engine.registerHook(h, hook),
    remove_hook: (h: number, hook: GradientHook) => engine.removeHook(h, hook),
    backward: (roots: unknown, grads: unknown, retain: boolean) => engine.backward(toNumbers(roots), toNumbers(grads), Boolean(retain)),
    autograd_grad: (roots: unknown, grads: unknown, inputs: unknown, retain: boolean) =>
      engine.gradients(toNumbers(roots), toNumbers(grads), toNumbers(inputs), Boolean(retain)),

    // ---- creation -------------------------------------------------------------------------------------------------
    from_values: (values: unknown, shape: unknown, dtype: string) => {
      const d = dtype as TorchDtype;
      const numbers = toNumbers(values);
      const storage = storageOf(d);
      const data = storage === 'float32' ? Float32Array.from(numbers) : storage === 'int32' ? Int32Array.from(numbers) : Uint8Array.from(numbers, (v) => (v ? 1 : 0));
      return engine.adopt(tf.tensor(data, toNumbers(shape), storage), false, null, d);
    },
    /** Copies a Python buffer (bytes, memoryview, array) of the given element type into a new tensor. */
    from_buffer: (buffer: { getBuffer(type: string): { data: ArrayBufferView; release(): void } }, bufferType: string, shape: unknown, dtype: string) => {
      const view = buffer.getBuffer(bufferType);
      try {
        const data = view.data as unknown as ArrayLike<number>;
        const d = dtype as TorchDtype;
        const target = storageOf(d);
        const values = target === 'float32' ? Float32Array.from(data) : target === 'int32' ? Int32Array.from(data) : Uint8Array.from(data);
        return engine.adopt(tf.tensor(values, toNumbers(shape), target), false, null, d);
      } finally {
        view.release();
      }
    },
    full: (shape: unknown, value: number | boolean, dtype: string) => {
      const d = dtype as TorchDtype;
      const dims = toNumbers(shape);
      for (const n of dims) if (!(n >= 0) || !Number.isInteger(n)) throw new TorchError('RuntimeError', `Trying to create tensor with negative dimension ${n}: ${listText(dims)}`);
      const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      return engine.adopt(tf.fill(dims, numeric, storageOf(d)), false, null, d);
    },
    /** A tensor of x's shape filled with `value` (zeros_like, ones_like, full_like); dtype defaults to x's. */
    full_like: (h: number, value: number | boolean, dtype?: string) => {
      const d = (dtype as TorchDtype | undefined) ?? D(h);
      const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      return engine.adopt(tf.fill(T(h).shape, numeric, storageOf(d)), false, null, d);
    },
    arange: (start: number, end: number, step: number, dtype: string) => {
      if (step === 0) throw new TorchError('RuntimeError', 'step must be nonzero');
      if ((end - start) / step < 0) throw new TorchError('RuntimeError', 'upper bound and larger bound inconsistent with step sign');
      const d = dtype as TorchDtype;
      const count = Math.max(0, Math.ceil((end - start) / step));
      const storage = storageOf(d);
      const values = storage === 'float32' ? new Float32Array(count) : new Int32Array(count);
      for (let i = 0; i < count; i++) values[i] = start + i * step;
      return engine.adopt(tf.tensor(values, [count], storage === 'bool' ? 'int32' : storage), false, null, d);
    },
    linspace: (start: number, end: number, steps: number, dtype?: string) => {
      if (steps < 0) throw new TorchError('RuntimeError', 'number of steps must be non-negative');
      const values = new Float32Array(steps);
      const step = steps > 1 ? (end - start) / (steps - 1) : 0;
      for (let i = 0; i < steps; i++) values[i] = i < steps / 2 ? start + step * i : end - step * (steps - 1 - i);
      const d = (dtype as TorchDtype | undefined) ?? 'float32';
      return engine.adopt(tf.tensor(isFloatDtype(d) ? values : Int32Array.from(values, Math.trunc), [steps], isFloatDtype(d) ? 'float32' : 'int32'), false, null, d);
    },
    eye: (n: number, m: number, dtype?: string) => {
      const d = (dtype as TorchDtype | undefined) ?? 'float32';
      return engine.adopt(tf.tidy(() => castTo(tf.eye(n, m), d)), false, null, d);
    },
    rand: (shape: unknown, dtype?: string) => {
      const dims = toNumbers(shape);
      return engine.adopt(tf.tensor(random.uniformArray(sizeOfShape(dims)), dims, 'float32'), false, null, (dtype as TorchDtype) ?? 'float32');
    },
    randn: (shape: unknown, dtype?: string) => {
      const dims = toNumbers(shape);
      return engine.adopt(tf.tensor(random.normalArray(sizeOfShape(dims)), dims, 'float32'), false, null, (dtype as TorchDtype) ?? 'float32');
    },
    randint: (low: number, high: number, shape: unknown, dtype?: string) => {
      if (high <= low) throw new TorchError('RuntimeError', `random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
      const dims = toNumbers(shape);
      const values = random.uniformArray(sizeOfShape(dims));
      const ints = Int32Array.from(values, (u) => low + Math.min(high - low - 1, Math.floor(u * (high - low))));
      const d = (dtype as TorchDtype | undefined) ?? 'int64';
      return engine.adopt(tf.tensor(isFloatDtype(d) ? Float32Array.from(ints) : ints, dims, isFloatDtype(d) ? 'float32' : 'int32'), false, null, d);
    },
    randperm: (n: number, dtype?: string) => {
      const d = (dtype as TorchDtype | undefined) ?? 'int64';
      return engine.adopt(tf.tensor(random.permutation(n), [n], 'int32'), false, null, d);
    },
    /** Python-side RNG draws (shuffling, random_split) so they follow torch.manual_seed too. */
    permutation: (n: number) => Array.from(random.permutation(n)),
    random_uniform: () => random.next(),
    /** Takes a 64-bit seed from the stream, as each PyTorch DataLoader iterator does when it starts. */
    draw_seed: () => random.next64(),

    // ---- reading --------------------------------------------------------------------------------------------------
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

    // ---- elementwise ----------------------------------------------------------------------------------------------
    /** `name(x)`; the grad name is PyTorch's for the op (the second argument is kept for the nn kernels' calls). */
    unary: (name: string, gradOrHandle: string | number, h?: number) =>
      (typeof gradOrHandle === 'number'
        ? unaryOp(name, gradOrHandle, false)
        : unaryOp(name, h!, false, gradOrHandle)) as number,
    unary_: (name: string, h: number) => void unaryOp(name, h, true),
    binary: (name: string, a: number, b: number) => binaryOp(name, a, b, false) as number,
    binary_: (name: string, a: number, b: number) => void binaryOp(name, a, b, true),
    /** `tensor OP number` (or `number OP tensor` when reversed); `isFloat` tells a Python float from an int. */
    binary_scalar: (name: string, h: number, value: number | boolean, isFloat: boolean, reversed: boolean) =>
      scalarOp(name, h, value, Boolean(isFloat), Boolean(reversed), false) as number,
    binary_scalar_: (name: string, h: number, value: number | boolean, isFloat: boolean) =>
      void scalarOp(name, h, value, Boolean(isFloat), false, true),
    cast: (h: number, dtype: string) => {
      const d = dtype as TorchDtype;
      const from = D(h);
      // float → int truncates toward zero (tfjs's cast does), int/float → bool tests for non-zero.
      return run(isFloatDtype(d) && isFloatDtype(from) ? 'ToCopyBackward0' : '', [h], (x) => {
        if (storageOf(d) === x.dtype) return tf.clone(x);
        if (storageOf(d) === 'bool') return tf.notEqual(x, tf.scalar(0, x.dtype));
        return tf.cast(x, storageOf(d));
      }, d);
    },
    /** torch.where(cond, a, b); a number side comes as a handle to a 0-d tensor marked `wrappedA`/`wrappedB`. */
    where: (c: number, a: number, b: number, wrappedA?: boolean, wrappedB?: boolean) => {
      const shape = broadcastShapes(T(c).shape, broadcastShapes(T(a).shape, T(b).shape));
      const out = resultType([
        { ...operand(a), wrapped: Boolean(wrappedA) },
        { ...operand(b), wrapped: Boolean(wrappedB) },
      ]);
      if (D(c) !== 'bool' && D(c) !== 'uint8') {
        throw new TorchError('RuntimeError', `where expected condition to be a boolean tensor, but got a tensor with dtype ${LEGACY_NAME[D(c)]}`);
      }
      return run('WhereBackward0', [c, a, b], (cond, x, y) => {
        const pick = (t: tf.Tensor) => tf.broadcastTo(castTo(t, out), shape);
        return tf.where(tf.broadcastTo(toBool(cond), shape), pick(x), pick(y));
      }, out);
    },
    /** clamp(min, max) with Python numbers (undefined for None); `minIsFloat`/`maxIsFloat` for promotion. */
    clamp: (h: number, min: number | undefined, max: number | undefined, minIsFloat?: boolean, maxIsFloat?: boolean, gradName?: string) => {
      if (min == null && max == null) throw new TorchError('RuntimeError', "torch.clamp: At least one of 'min' or 'max' must not be None");
      const operands: Operand[] = [operand(h)];
      if (min != null) operands.push({ dtype: minIsFloat ? 'float32' : 'int64', rank: 0, wrapped: true });
      if (max != null) operands.push({ dtype: maxIsFloat ? 'float32' : 'int64', rank: 0, wrapped: true });
      const out = resultType(operands);
      return run(gradName || 'ClampBackward1', [h], (x) => clampWithGrad(castTo(x, out), min ?? undefined, max ?? undefined), out);
    },
    clamp_: (h: number, min: number | undefined, max: number | undefined, minIsFloat?: boolean, maxIsFloat?: boolean) => {
      if (min == null && max == null) throw new TorchError('RuntimeError', "torch.clamp: At least one of 'min' or 'max' must not be None");
      const d = D(h);
      if (!isFloatDtype(d) && (minIsFloat || maxIsFloat)) {
        throw new TorchError('RuntimeError', `result type Float can't be cast to the desired output type ${LEGACY_NAME[d]}`);
      }
      engine.runInPlace('ClampBackward1', [h], (x) => clampWithGrad(x, min ?? undefined, max ?? undefined));
    },
    leaky_relu: (h: number, slope: number) => run('LeakyReluBackward0', [h], (x) => tf.leakyRelu(x, slope)),
    /** x.masked_fill(mask, value) with a Python number. */
    masked_fill: (h: number, mask: number, value: number | boolean) => {
      const shape = T(h).shape;
      const m = T(mask);
      if (D(mask) !== 'bool') throw new TorchError('RuntimeError', `masked_fill_ only supports boolean masks, but got mask with dtype ${D(mask) === 'uint8' ? 'unsigned char' : LEGACY_NAME[D(mask)].toLowerCase()}`);
      const full = broadcastShapes(shape, m.shape);
      if (!sameShape(full, shape)) {
        throw new TorchError('RuntimeError', `The size of tensor a (${shape[shape.length - 1]}) must match the size of tensor b (${m.shape[m.shape.length - 1]}) at non-singleton dimension ${shape.length - 1}`);
      }
      const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      return run('MaskedFillBackward0', [h, mask], (x, mt) =>
        tf.where(tf.broadcastTo(mt, x.shape), tf.fill(x.shape, numeric, x.dtype as TfDtype), x), D(h));
    },
    masked_fill_: (h: number, mask: number, value: number | boolean) => {
      const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      engine.runInPlace('MaskedFillBackward0', [h, mask], (x, mt) =>
        tf.where(tf.broadcastTo(toBool(mt), x.shape), tf.fill(x.shape, numeric, x.dtype as TfDtype), x));
    },

    // ---- reductions -----------------------------------------------------------------------------------------------
    /** sum, mean, prod, amax, amin, max_all, min_all, any, all, logsumexp, nansum over dims (all when empty). */
    reduce: (name: string, h: number, dims: unknown, keepdim: boolean, dtype?: string) => reduceOp(name, h, dims, keepdim, dtype),
    /** x.max(dim) / x.min(dim): [values, indices], the gradient going to the first extreme element. */
    extreme_dim: (which: 'max' | 'min', h: number, dim: number, keepdim: boolean) => {
      const x = T(h);
      const d = D(h);
      if (x.rank === 0) return [run('', [h], (t) => tf.clone(t), d), engine.adopt(tf.scalar(0, 'int32'))];
      const axis = normDim(dim, x.rank);
      if (x.shape[axis] === 0) {
        throw new TorchError('IndexError', `${which}(): Expected reduction dim ${axis} to have non-zero size.`);
      }
      const indices = engine.runDetached([h], (t) => [extremeAlong(t, axis, Boolean(keepdim), which).indices]);
      const values = run(which === 'max' ? 'MaxBackward0' : 'MinBackward0', [h], (t) => extremeAlong(t.dtype === 'bool' ? tf.cast(t, 'int32') : t, axis, Boolean(keepdim), which).values, d);
      return [values, indices[0]];
    },
    arg_reduce: (name: 'argmax' | 'argmin', h: number, dim: number | undefined, keepdim: boolean) => {
      const x = T(h);
      if (x.size === 0) throw new TorchError('RuntimeError', `${name}(): Expected reduction dim to be specified for input.numel() == 0.`);
      return run('', [h], (t) => {
        const source = t.dtype === 'bool' ? tf.cast(t, 'int32') : t;
        const f = name === 'argmax' ? tf.argMax : tf.argMin;
        if (dim == null) {
          const flat = f(tf.reshape(source, [-1]), 0);
          return keepdim ? tf.reshape(flat, t.shape.map(() => 1)) : flat;
        }
        if (t.rank === 0) return tf.scalar(0, 'int32');
        const axis = normDim(dim, t.rank);
        const out = f(source, axis);
        return keepdim ? tf.expandDims(out, axis) : out;
      }, 'int64');
    },
    /** Variance (or its square root) with `correction` (1 = Bessel's, torch's default). */
    variance: (h: number, dims: unknown, correction: number, keepdim: boolean, sqrt: boolean) => {
      const x = T(h);
      const d = D(h);
      if (!isFloatDtype(d)) {
        throw new TorchError('RuntimeError', `std and var only support floating point and complex dtypes`);
      }
      const list = toNumbers(dims);
      const axes = list.length ? normAxes(list, x.rank) : [...Array(x.rank).keys()];
      const count = axes.reduce((n, a) => n * x.shape[a], 1);
      return run(sqrt ? 'StdBackward0' : 'VarBackward0', [h], (t) => {
        const centered = tf.sub(t, tf.mean(t, axes, true));
        const v = tf.div(tf.sum(tf.square(centered), axes, Boolean(keepdim)), Math.max(0, count - correction));
        return sqrt ? tf.sqrt(v) : v;
      }, d);
    },
    cumsum: (h: number, dim: number) => {
      const d = D(h);
      const out = isFloatDtype(d) ? d : 'int64';
      return run('CumsumBackward0', [h], (x) => (x.rank === 0 ? tf.clone(x) : tf.cumsum(castTo(x, out), normDim(dim, x.rank))), out);
    },
    cumprod: (h: number, dim: number) => {
      const d = D(h);
      const out = isFloatDtype(d) ? d : 'int64';
      return run('CumprodBackward0', [h], (x) => (x.rank === 0 ? tf.clone(x) : tf.cumprod(castTo(x, out), normDim(dim, x.rank))), out);
    },

    // ---- linear algebra -------------------------------------------------------------------------------------------
    /** torch.matmul (also @, mm, mv, dot, bmm: `gradName` overrides the node's name, e.g. BmmBackward0). */
    matmul: (a: number, b: number, gradName?: string) => {
      const name = matmulPlan(T(a).shape, T(b).shape);
      const out = promoteTypes(D(a), D(b));
      if (D(a) !== D(b)) {
        throw new TorchError('RuntimeError', `expected m1 and m2 to have the same dtype, but got: ${C_NAME[D(a)]} != ${C_NAME[D(b)]}`);
      }
      return run(gradName || name, [a, b], (x, y) => {
        if (isFloatDtype(out)) return torchMatmul(x, y, engine.inputNeedsGrad(0), engine.inputNeedsGrad(1));
        // tfjs multiplies float32 matrices only; integer products are exact up to 2^24.
        const product = torchMatmul(tf.cast(x, 'float32'), tf.cast(y, 'float32'));
        return out === 'bool' ? toBool(product) : tf.cast(tf.round(product), 'int32');
      }, out);
    },
    /** y = x @ wᵀ + b: torch.nn.functional.linear (b 0 when absent). */
    linear: (x: number, w: number, b: number) => {
      const xs = T(x).shape;
      const ws = T(w).shape;
      const inFeatures = ws.length === 2 ? ws[1] : ws[0];
      if (ws.length > 2 || ws.length === 0) throw new TorchError('RuntimeError', `t() expects a tensor with <= 2 dimensions, but self is ${ws.length}D`);
      if (xs.length === 0) throw new TorchError('RuntimeError', 'both arguments to linear need to be at least 1D, but they are 0D and 2D');
      if (xs[xs.length - 1] !== inFeatures) {
        throw mmError([sizeOfShape(xs) / xs[xs.length - 1], xs[xs.length - 1]], ws.length === 2 ? [ws[1], ws[0]] : [ws[0], 1]);
      }
      const lead = xs.slice(0, -1);
      const outFeatures = ws.length === 2 ? ws[0] : 1;
      const compute = (xt: tf.Tensor, wt: tf.Tensor, bt?: tf.Tensor) => {
        const x2 = xt.rank === 2 ? xt : tf.reshape(xt, [-1, inFeatures]);
        const w2 = wt.rank === 2 ? wt : tf.reshape(wt, [1, -1]);
        // (tf.fused.matMul with transposeB gives wrong rows on the wasm backend, so the bias is a separate add.)
        const product = linearWithGrad(x2, w2, engine.inputNeedsGrad(0), engine.inputNeedsGrad(1));
        const y = bt ? tf.add(product, bt) : product;
        const shape = ws.length === 2 ? [...lead, outFeatures] : lead;
        return sameShape(y.shape, shape) ? y : tf.reshape(y, shape);
      };
      const name = xs.length === 2 ? (b ? 'AddmmBackward0' : 'MmBackward0') : b ? 'ViewBackward0' : 'UnsafeViewBackward0';
      return b ? run(name, [x, w, b], compute) : run(name, [x, w], (xt, wt) => compute(xt, wt));
    },

    // ---- shape ----------------------------------------------------------------------------------------------------
    /** view/reshape (and flatten, squeeze, unsqueeze through the shim) with one -1 allowed. */
    reshape: (h: number, shape: unknown, gradName?: string) => {
      const x = T(h);
      const target = inferShape(toNumbers(shape), x.size);
      return run(gradName || 'ViewBackward0', [h], (t) => tf.reshape(t, target), D(h));
    },
    flatten: (h: number, start: number, end: number) => {
      const shape = T(h).shape;
      if (shape.length === 0) return run('ViewBackward0', [h], (t) => tf.reshape(t, [1]), D(h));
      const s = normDim(start, shape.length);
      const e = normDim(end, shape.length);
      if (s > e) throw new TorchError('RuntimeError', 'flatten() has invalid args: start_dim cannot come after end_dim');
      const target = [...shape.slice(0, s), sizeOfShape(shape.slice(s, e + 1)), ...shape.slice(e + 1)];
      return run('ViewBackward0', [h], (t) => tf.reshape(t, target), D(h));
    },
    squeeze: (h: number, dims: unknown) => {
      const shape = T(h).shape;
      const list = dims == null ? null : toNumbers(dims);
      const axes = list ? normAxes(list, shape.length) : null;
      const target = shape.filter((d, i) => !(d === 1 && (!axes || axes.includes(i))));
      const name = !list ? 'SqueezeBackward0' : list.length === 1 ? 'SqueezeBackward1' : 'SqueezeBackward2';
      return run(name, [h], (t) => tf.reshape(t, target), D(h));
    },
    unsqueeze: (h: number, dim: number) => {
      const shape = T(h).shape;
      const axis = normDim(dim, shape.length + 1);
      const target = [...shape.slice(0, axis), 1, ...shape.slice(axis)];
      return run('UnsqueezeBackward0', [h], (t) => tf.reshape(t, target), D(h));
    },
    permute: (h: number, perm: unknown) => {
      const x = T(h);
      const dims = toNumbers(perm);
      if (dims.length !== x.rank) {
        throw new TorchError(
          'RuntimeError',
          `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.rank} is not equal to len(dims) = ${dims.length}`,
        );
      }
      const axes = dims.map((d) => normDim(d, x.rank));
      if (new Set(axes).size !== axes.length) throw new TorchError('RuntimeError', 'permute(): duplicate dims are not allowed.');
      return run('PermuteBackward0', [h], (t) => (t.rank === 0 ? tf.clone(t) : tf.transpose(t, axes)), D(h));
    },
    transpose: (h: number, dim0: number, dim1: number, gradName?: string) => {
      const x = T(h);
      const a = normDim(dim0, x.rank);
      const b = normDim(dim1, x.rank);
      const perm = [...Array(x.rank).keys()];
      perm[a] = b;
      perm[b] = a;
      return run(gradName || 'TransposeBackward0', [h], (t) => (t.rank < 2 ? tf.clone(t) : tf.transpose(t, perm)), D(h));
    },
    /** x.expand(*sizes): -1 keeps a size; new leading dims may be added. */
    expand: (h: number, sizes: unknown) => {
      const x = T(h);
      const requested = toNumbers(sizes);
      const shape = x.shape;
      if (requested.length < shape.length) {
        throw new TorchError(
          'RuntimeError',
          `expand(torch.${LEGACY_NAME[D(h)]}Tensor{${listText(shape)}}, size=${listText(requested)}): the number of sizes provided (${requested.length}) must be greater or equal to the number of dimensions in the tensor (${shape.length})`,
        );
      }
      const lead = requested.length - shape.length;
      const target = requested.map((s, i) => {
        const own = i >= lead ? shape[i - lead] : null;
        if (s === -1) {
          if (own == null) throw new TorchError('RuntimeError', `The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
          return own;
        }
        if (own != null && own !== 1 && own !== s) {
          throw new TorchError(
            'RuntimeError',
            `The expanded size of the tensor (${s}) must match the existing size (${own}) at non-singleton dimension ${i}.  Target sizes: ${listText(requested)}.  Tensor sizes: ${listText(shape)}`,
          );
        }
        return s;
      });
      return run('ExpandBackward0', [h], (t) => tf.broadcastTo(t, target), D(h));
    },
    repeat: (h: number, sizes: unknown) => {
      const x = T(h);
      const reps = toNumbers(sizes);
      if (reps.length < x.rank) {
        throw new TorchError('RuntimeError', 'Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
      }
      const shape = [...Array(reps.length - x.rank).fill(1), ...x.shape];
      return run('RepeatBackward0', [h], (t) => {
        const r = tf.reshape(t, shape);
        return tf.tile(r.dtype === 'bool' ? tf.cast(r, 'int32') : r, reps);
      }, D(h));
    },
    cat: (handles: unknown, dim: number) => {
      let list = toNumbers(handles);
      if (!list.length) throw new TorchError('RuntimeError', 'torch.cat(): expected a non-empty list of Tensors');
      // Legacy rule: 1-D empty tensors are skipped.
      const nonEmpty = list.filter((h) => !(T(h).rank === 1 && T(h).shape[0] === 0));
      const out = list.map(D).reduce(promoteTypes);
      if (!nonEmpty.length) return run('CatBackward0', [list[0]], (t) => tf.clone(t), out);
      list = nonEmpty;
      const first = T(list[0]).shape;
      if (first.length === 0) throw new TorchError('RuntimeError', 'zero-dimensional tensor (at position 0) cannot be concatenated');
      const axis = normDim(dim, first.length);
      list.forEach((h, i) => {
        const s = T(h).shape;
        if (s.length !== first.length) {
          throw new TorchError('RuntimeError', `Tensors must have same number of dimensions: got ${first.length} and ${s.length}`);
        }
        for (let d = 0; d < s.length; d++) {
          if (d !== axis && s[d] !== first[d]) {
            throw new TorchError(
              'RuntimeError',
              `Sizes of tensors must match except in dimension ${axis}. Expected size ${first[d]} but got size ${s[d]} for tensor number ${i} in the list.`,
            );
          }
        }
      });
      return run('CatBackward0', list, (...ts) => {
        const parts = ts.map((t) => castTo(t, out === 'bool' ? 'int64' : out));
        const joined = tf.concat(parts, axis);
        return out === 'bool' ? toBool(joined) : joined;
      }, out);
    },
    stack: (handles: unknown, dim: number) => {
      const list = toNumbers(handles);
      if (!list.length) throw new TorchError('RuntimeError', 'stack expects a non-empty TensorList');
      const first = T(list[0]).shape;
      list.forEach((h, i) => {
        if (!sameShape(T(h).shape, first)) {
          throw new TorchError('RuntimeError', `stack expects each tensor to be equal size, but got ${listText(first)} at entry 0 and ${listText(T(h).shape)} at entry ${i}`);
        }
      });
      const axis = normDim(dim, first.length + 1);
      const out = list.map(D).reduce(promoteTypes);
      return run('StackBackward0', list, (...ts) => {
        const parts = ts.map((t) => castTo(t, out === 'bool' ? 'int64' : out));
        const joined = tf.stack(parts, axis);
        return out === 'bool' ? toBool(joined) : joined;
      }, out);
    },
    /** Pieces of x along dim with the given sizes (split, chunk, unbind when `squeeze`). */
    split: (h: number, sizes: unknown, dim: number, squeeze: boolean, gradName: string) => {
      const x = T(h);
      const axis = normDim(dim, x.rank);
      const parts = toNumbers(sizes);
      const handles: number[] = [];
      let start = 0;
      for (const length of parts) {
        const begin = x.shape.map((_, i) => (i === axis ? start : 0));
        const size = x.shape.map((s, i) => (i === axis ? length : s));
        handles.push(run(gradName, [h], (t) => {
          const piece = tf.slice(t, begin, size);
          return squeeze ? tf.squeeze(piece, [axis]) : piece;
        }, D(h)));
        start += length;
      }
      return handles;
    },
    flip: (h: number, dims: unknown) => {
      const x = T(h);
      const axes = normAxes(toNumbers(dims), x.rank);
      return run('FlipBackward0', [h], (t) => (axes.length ? tf.reverse(t, axes) : tf.clone(t)), D(h));
    },
    roll: (h: number, shifts: unknown, dims: unknown) => {
      const x = T(h);
      const s = toNumbers(shifts);
      const ds = toNumbers(dims);
      return run('RollBackward0', [h], (t) => {
        if (!ds.length) {
          const flat = tf.reshape(t, [-1]);
          const n = flat.shape[0];
          const k = ((s[0] % n) + n) % n;
          if (!k) return tf.clone(t);
          return tf.reshape(tf.concat([tf.slice(flat, [n - k], [k]), tf.slice(flat, [0], [n - k])]), t.shape);
        }
        let y = t;
        ds.forEach((dd, i) => {
          const axis = normDim(dd, t.rank);
          const n = t.shape[axis];
          const k = ((s[i] % n) + n) % n;
          if (!k) return;
          const size1 = y.shape.map((v, j) => (j === axis ? k : v));
          const size2 = y.shape.map((v, j) => (j === axis ? n - k : v));
          const b1 = y.shape.map((_, j) => (j === axis ? n - k : 0));
          const b2 = y.shape.map(() => 0);
          y = tf.concat([tf.slice(y, b1, size1), tf.slice(y, b2, size2)], axis);
        });
        return y === t ? tf.clone(t) : y;
      }, D(h));
    },
    tril: (h: number, k: number) => run('TrilBackward0', [h], (x) => tf.where(toBool(bandMask(x.shape, k, true)), x, tf.zerosLike(x)), D(h)),
    triu: (h: number, k: number) => run('TriuBackward0', [h], (x) => tf.where(toBool(bandMask(x.shape, k, false)), x, tf.zerosLike(x)), D(h)),
    pad: (h: number, pads: unknown, value: number) =>
      run('ConstantPadNdBackward0', [h], (x) => {
        const p = toNumbers(pads);
        const spec: Array<[number, number]> = x.shape.map(() => [0, 0]);
        for (let i = 0; i < p.length / 2; i++) spec[x.rank - 1 - i] = [p[2 * i], p[2 * i + 1]];
        return tf.pad(x, spec, value);
      }, D(h)),

    // ---- indexing -------------------------------------------------------------------------------------------------
    /** x[key], the key encoded by the shim as a flat list of numbers (see _tensor_ops.py `_encode_key`). */
    index: (h: number, key: unknown) => {
      const x = T(h);
      const plan = planIndex(engine, x.shape, decodeIndex(toNumbers(key)));
      return run(plan.gradName, [h], (t) => applyIndex(t, plan), D(h));
    },
    /** x[key] = value (a tensor handle), in place. */
    index_put_: (h: number, key: unknown, value: number) => {
      const x = T(h);
      const plan = planIndex(engine, x.shape, decodeIndex(toNumbers(key)));
      const positions = indexPositions(x, plan);
      try {
        const v = T(value);
        try {
          broadcastShapes(positions.shape, v.shape);
          if (!sameShape(broadcastShapes(positions.shape, v.shape), positions.shape)) throw new Error();
        } catch {
          throw new TorchError('RuntimeError', `shape mismatch: value tensor of shape ${listText(v.shape)} cannot be broadcast to indexing result of shape ${listText(positions.shape)}`);
        }
        engine.runInPlace('CopySlices', [h, value], (xt, vt) => scatterUpdateWithGrad(xt, positions, tf.broadcastTo(castTo(vt, D(h)), positions.shape)));
      } finally {
        positions.dispose();
      }
    },
    /** x[key] = number, in place. */
    index_fill_: (h: number, key: unknown, value: number | boolean) => {
      const x = T(h);
      const plan = planIndex(engine, x.shape, decodeIndex(toNumbers(key)));
      const positions = indexPositions(x, plan);
      try {
        const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
        engine.runInPlace('CopySlices', [h], (xt) => scatterUpdateWithGrad(xt, positions, tf.fill(positions.shape, numeric, xt.dtype as TfDtype)));
      } finally {
        positions.dispose();
      }
    },
    /** x.index_select(dim, index). */
    index_select: (h: number, dim: number, index: number) => {
      const x = T(h);
      const axis = normDim(dim, x.rank);
      const i = T(index);
      if (i.rank > 1) throw new TorchError('IndexError', 'index_select(): Index is supposed to be a vector');
      if (isFloatDtype(D(index))) throw new TorchError('IndexError', 'index_select(): Expected dtype int32/int64 for index');
      const raw = i.dataSync();
      const size = x.rank === 0 ? 1 : x.shape[axis];
      const values = new Int32Array(raw.length);
      for (let k = 0; k < raw.length; k++) {
        let v = raw[k];
        if (v < -size || v >= size) throw new TorchError('IndexError', 'index out of range in self');
        if (v < 0) v += size;
        values[k] = v;
      }
      return run('IndexSelectBackward0', [h], (t) => tf.gather(t, tf.tensor1d(values, 'int32'), axis), D(h));
    },
    /** x.gather(dim, index): out[i][j] = x[i][index[i][j]] along dim. */
    gather: (h: number, dim: number, index: number) => {
      const x = T(h);
      const axis = normDim(dim, x.rank);
      if (isFloatDtype(D(index))) throw new TorchError('RuntimeError', 'gather(): Expected dtype int64 for index');
      const i = T(index);
      const positions = alongAxisPositions(x.shape, i, axis, 'input');
      return run('GatherBackward0', [h], (t) => tf.reshape(tf.gather(tf.reshape(t, [-1]), tf.tensor1d(positions, 'int32')), i.shape), D(h));
    },
    /** x.scatter(dim, index, src) (or scatter_add with `add`), src a tensor handle; out of place. */
    scatter: (h: number, dim: number, index: number, src: number, add: boolean) => {
      const x = T(h);
      const axis = normDim(dim, x.rank);
      const i = T(index);
      const positions = alongAxisPositions(x.shape, i, axis, 'self');
      const s = T(src);
      for (let d = 0; d < i.rank; d++) {
        if (i.shape[d] > s.shape[d]) {
          throw new TorchError('RuntimeError', `Size does not match at dimension ${d} expected index ${listText(i.shape)} to be smaller than src ${listText(s.shape)}`);
        }
      }
      const d = D(h);
      return run(add ? 'ScatterAddBackward0' : 'ScatterBackward0', [h, src], (xt, st) => {
        const picked = sameShape(st.shape, i.shape) ? st : tf.slice(st, i.shape.map(() => 0), i.shape);
        const values = tf.reshape(castTo(picked, d), [-1]);
        const p = tf.tensor2d(positions, [positions.length, 1], 'int32');
        const flat = tf.reshape(xt, [-1]);
        if (add) return tf.reshape(tf.add(flat, tf.scatterND(p, values, flat.shape)), xt.shape);
        return scatterUpdateWithGrad(xt, tf.tensor(positions, [positions.length], 'int32'), tf.reshape(values, [positions.length]));
      }, d);
    },
    /** The coordinates of non-zero elements, [n, rank] (torch.nonzero). */
    nonzero: (h: number) => {
      const x = T(h);
      const flags = x.dataSync();
      const coords: number[] = [];
      const strides = x.shape.map((_, d) => sizeOfShape(x.shape.slice(d + 1)));
      for (let f = 0; f < flags.length; f++) {
        if (!flags[f]) continue;
        for (let d = 0; d < x.rank; d++) coords.push(Math.floor(f / strides[d]) % x.shape[d]);
      }
      return engine.adopt(tf.tensor(Int32Array.from(coords), [coords.length / Math.max(1, x.rank), x.rank], 'int32'), false, null, 'int64');
    },
    /** Sorted along `dim`: [values, indices] (stable: ties keep their order). */
    sort: (h: number, dim: number, descending: boolean) => {
      const x = T(h);
      if (x.rank === 0) return [run('', [h], (t) => tf.clone(t), D(h)), engine.adopt(tf.scalar(0, 'int32'))];
      const axis = normDim(dim, x.rank);
      const n = x.shape[axis];
      return sortedAlong(h, axis, n, Boolean(descending), 'SortBackward0');
    },
    topk: (h: number, k: number, dim: number, largest: boolean) => {
      const x = T(h);
      const axis = normDim(dim, x.rank);
      const n = x.rank === 0 ? 1 : x.shape[axis];
      if (k < 0 || k > n) throw new TorchError('RuntimeError', 'selected index k out of range');
      return sortedAlong(h, axis, k, Boolean(largest), 'TopkBackward0');
    },
    /** Distinct values, sorted: [values, inverse indices, counts]. */
    unique: (h: number) => {
      const x = T(h);
      const values = Array.from(x.dataSync());
      const distinct = [...new Set(values)].sort((a, b) => a - b);
      const position = new Map(distinct.map((v, i) => [v, i]));
      const counts = new Int32Array(distinct.length);
      const inverse = Int32Array.from(values, (v) => {
        const p = position.get(v)!;
        counts[p]++;
        return p;
      });
      const storage = x.dtype as TfDtype;
      return [
        engine.adopt(tf.tensor(distinct, [distinct.length], storage), false, null, D(h)),
        engine.adopt(tf.tensor(inverse, x.shape, 'int32'), false, null, 'int64'),
        engine.adopt(tf.tensor(counts, [counts.length], 'int32'), false, null, 'int64'),
      ];
    },
    one_hot: (h: number, classes: number) => {
      const values = T(h).dataSync();
      let n = classes;
      if (n < 0) n = values.length ? Math.max(...Array.from(values)) + 1 : 0;
      for (const v of values) if (v < 0 || v >= n) throw new TorchError('RuntimeError', 'Class values must be smaller than num_classes.');
      return run('', [h], (x) => tf.oneHot(tf.cast(x, 'int32'), n, 1, 0, 'int32'), 'int64');
    },

    // ---- neural-network kernels -----------------------------------------------------------------------------------
    softmax: (h: number, dim: number) => run('SoftmaxBackward0', [h], (x) => alongLastAxis(x, dim, (t) => tf.softmax(t))),
    log_softmax: (h: number, dim: number) =>
      run('LogSoftmaxBackward0', [h], (x) => alongLastAxis(x, dim, (t) => tf.logSoftmax(t))),
    /**
     * torch.nn.functional.conv2d (groups=1) of NCHW input by an (out, in, kH, kW) weight, on tfjs's NHWC convolution.
     * Both gradients are plain convolutions, the fastest kernel of every backend (wasm lacks Conv2DBackpropFilter and
     * its Conv2DBackpropInput is ~10x slower than Conv2D): the input's convolves the output gradient, spread by the
     * stride and framed by kernel-1 zeros, with the flipped filter; the filter's convolves the input by the output
     * gradient (batch and channels swapped, the stride as dilation). Gradients nobody needs are not computed.
     */
    conv2d: (x: number, w: number, b: number, stride: unknown, pad: unknown, dilation: unknown, groups: number) => {
      if (groups !== 1) throw new TorchError('RuntimeError', 'conv2d with groups != 1 is not supported yet');
      const s = toNumbers(stride) as [number, number];
      const p = toNumbers(pad);
      const d = toNumbers(dilation) as [number, number];
      const wantInput = engine.requiresGrad(x);
      const wantFilter = engine.requiresGrad(w);
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
          inNHWC(x as tf.Tensor4D, (t) => tf.image.resizeNearestNeighbor(t, [outH, outW], false, false)));
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
      });
    },
    /**
     * One torch.optim.SGD update of parameter `p` in place, from gradient `g`: d = ±g + weight_decay·p; with momentum
     * the buffer becomes d (first step) or momentum·buffer + (1-dampening)·d, and d the buffer (or d + momentum·buffer
     * with Nesterov); then p -= lr·d. One call per parameter instead of one per tensor operation.
     */
    sgd_step_: (p: number, g: number, buffer: number, lr: number, momentum: number, dampening: number,
      weightDecay: number, nesterov: boolean, maximize: boolean, first: boolean) => {
      // An empty grad_fn name: these in-place updates are never recorded, whatever the grad mode.
      const direction = (pt: tf.Tensor, gt: tf.Tensor) => {
        const d = maximize ? tf.neg(gt) : gt;
        return weightDecay ? tf.add(d, tf.mul(pt, weightDecay)) : d;
      };
      if (!buffer) {
        engine.runInPlace('', [p, g], (pt, gt) => tf.sub(pt, tf.mul(direction(pt, gt), lr)));
        return;
      }
      engine.runInPlace('', [buffer, p, g], (b, pt, gt) =>
        first ? direction(pt, gt) : tf.add(tf.mul(b, momentum), tf.mul(direction(pt, gt), 1 - dampening)));
      engine.runInPlace('', [p, buffer, g], (pt, b, gt) =>
        tf.sub(pt, tf.mul(nesterov ? tf.add(direction(pt, gt), tf.mul(b, momentum)) : b, lr)));
    },
    /**
     * One torch.optim.Adam/AdamW update in place. `step` is the 0-d step-count tensor (incremented here); `maxSq` is
     * the amsgrad buffer (0 without amsgrad). m ← m + (1-β₁)(d - m), v ← β₂v + (1-β₂)d², p ← p - lr/(1-β₁ᵗ) ·
     * m / (√v / √(1-β₂ᵗ) + eps), with d = ±g (+ weight_decay·p unless decoupled, where p ← p·(1 - lr·weight_decay) first).
     */
    adam_step_: (p: number, g: number, expAvg: number, expAvgSq: number, maxSq: number, step: number, lr: number,
      beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: boolean, maximize: boolean) => {
      const gradient = (pt: tf.Tensor, gt: tf.Tensor) => {
        const d = maximize ? tf.neg(gt) : gt;
        return weightDecay && !decoupled ? tf.add(d, tf.mul(pt, weightDecay)) : d;
      };
      const t = (T(step).dataSync()[0] as number) + 1;
      engine.runInPlace('', [step], (s) => tf.add(s, 1));
      if (weightDecay && decoupled) engine.runInPlace('', [p], (pt) => tf.mul(pt, 1 - lr * weightDecay));
      engine.runInPlace('', [expAvg, p, g], (m, pt, gt) => tf.add(m, tf.mul(tf.sub(gradient(pt, gt), m), 1 - beta1)));
      engine.runInPlace('', [expAvgSq, p, g], (v, pt, gt) => {
        const d = gradient(pt, gt);
        return tf.add(tf.mul(v, beta2), tf.mul(tf.mul(d, d), 1 - beta2));
      });
      if (maxSq) engine.runInPlace('', [maxSq, expAvgSq], (most, v) => tf.maximum(most, v));
      const correction1 = 1 - beta1 ** t;
      const correction2Root = Math.sqrt(1 - beta2 ** t);
      engine.runInPlace('', [p, expAvg, maxSq || expAvgSq], (pt, m, v) =>
        tf.add(pt, tf.mul(tf.div(m, tf.add(tf.div(tf.sqrt(v), correction2Root), eps)), -lr / correction1)));
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
