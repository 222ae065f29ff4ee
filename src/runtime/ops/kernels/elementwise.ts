// Elementwise kernels with PyTorch's gradients, and the tables that pick a kernel and a result dtype per op name.
import * as tf from '@tensorflow/tfjs-core';
import { reluPlanned } from './backendPlans';
import { TorchError } from '../../torchError';
import { type Operand, type TorchDtype, LEGACY_NAME, isFloatDtype, resultType, toBool } from '../dtypes';
import { broadcastShapes } from '../shapeRules';
import { customOp, unbroadcast } from './customGrad';
import { addKernel, divKernel, mulKernel, subKernel } from './directKernels';

/** torch.sign of a float tensor: (x > 0) - (x < 0), so 0 at NaN (tfjs's sign gives NaN there on tensorflow). */
export function signOf(x: tf.Tensor): tf.Tensor {
  if (x.dtype !== 'float32') return tf.sign(x);
  return tf.sub(tf.cast(tf.greater(x, 0), 'float32'), tf.cast(tf.less(x, 0), 'float32'));
}

/** |x| with PyTorch's gradient sign(x) (0 at 0 and at NaN; tfjs gives -1 at 0). */
export function absWithGrad(x: tf.Tensor): tf.Tensor {
  if (x.dtype !== 'float32') return tf.abs(x);
  return customOp([x], ([xv], save) => {
    save([xv]);
    return { value: tf.abs(xv), gradFunc: (dy, [xs]) => tf.mul(dy, signOf(xs)) };
  });
}

/**
 * maximum/minimum as PyTorch's: a NaN in either input gives NaN (tfjs's wasm kernels drop it). The gradient splits a
 * tie in half and is masked off only where an input strictly loses, so at a NaN both inputs get all of dy.
 */
export function extremumWithGrad(a: tf.Tensor, b: tf.Tensor, which: 'max' | 'min'): tf.Tensor {
  const f = which === 'max' ? tf.maximum : tf.minimum;
  if (a.dtype !== 'float32') return f(a, b);
  const aShape = a.shape;
  const bShape = b.shape;
  return customOp([a, b], ([av, bv], save) => {
    save([av, bv]);
    // a + b is NaN wherever either is NaN.
    const value = tf.where(tf.logicalOr(tf.isNaN(av), tf.isNaN(bv)), tf.add(av, bv), f(av, bv));
    return {
      value,
      gradFunc: (dy, [as, bs]) => {
        const aLoses = which === 'max' ? tf.less(as, bs) : tf.greater(as, bs);
        const bLoses = which === 'max' ? tf.greater(as, bs) : tf.less(as, bs);
        const keepBoth = tf.sub(1, tf.mul(tf.cast(tf.equal(as, bs), 'float32'), 0.5));
        const ga = tf.mul(dy, tf.sub(keepBoth, tf.cast(aLoses, 'float32')));
        const gb = tf.mul(dy, tf.sub(keepBoth, tf.cast(bLoses, 'float32')));
        return [unbroadcast(ga, aShape), unbroadcast(gb, bShape)];
      },
    };
  });
}

/**
 * clamp with the gradient passing where min <= x <= max (bounds included, never at NaN), as PyTorch's does; or, for
 * hardtanh (and relu6), PyTorch's hardtanh_backward: blocked where x <= min or x >= max, so it passes at NaN.
 */
export function clampWithGrad(x: tf.Tensor, min: number | undefined, max: number | undefined, hardtanh = false): tf.Tensor {
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
      gradFunc: (dy, [xs]) => {
        const passes = hardtanh
          ? tf.logicalNot(tf.logicalOr(tf.lessEqual(xs, lo), tf.greaterEqual(xs, hi)))
          : tf.logicalAnd(tf.greaterEqual(xs, lo), tf.lessEqual(xs, hi));
        return tf.mul(dy, tf.cast(passes, 'float32'));
      },
    };
  });
}

/**
 * elu (alpha 1) or selu with PyTorch's gradient, taken from the input: scale·alpha·e^x·dy where x <= 0, else scale·dy
 * (so dy passes at NaN; tfjs's EluGrad, from the output, gives NaN there).
 */
export function eluWithGrad(x: tf.Tensor, which: 'elu' | 'selu'): tf.Tensor {
  const f = which === 'elu' ? tf.elu : tf.selu;
  if (x.dtype !== 'float32') return f(x);
  const [alpha, scale] = which === 'elu' ? [1, 1] : [1.6732632423543772, 1.0507009873554805];
  return customOp([x], ([xv], save) => {
    save([xv]);
    return {
      value: f(xv),
      gradFunc: (dy, [xs]) =>
        tf.where(tf.lessEqual(xs, 0), tf.mul(dy, tf.mul(tf.exp(xs), alpha * scale)), scale === 1 ? dy : tf.mul(dy, scale)),
    };
  });
}

/** x ** c for a number c, with PyTorch's gradient c·x^(c-1) (0 when c is 0). */
export function powScalarWithGrad(x: tf.Tensor, c: number): tf.Tensor {
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
export function remainderOf(a: tf.Tensor, b: tf.Tensor, which: 'remainder' | 'fmod'): tf.Tensor {
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
export function bitwise(a: tf.Tensor, b: tf.Tensor, op: 'and' | 'or' | 'xor'): tf.Tensor {
  const shape = broadcastShapes(a.shape, b.shape);
  const av = tf.broadcastTo(a, shape).dataSync();
  const bv = tf.broadcastTo(b, shape).dataSync();
  const out = new Int32Array(av.length);
  for (let i = 0; i < out.length; i++) out[i] = op === 'and' ? av[i] & bv[i] : op === 'or' ? av[i] | bv[i] : av[i] ^ bv[i];
  return tf.tensor(out, shape, 'int32');
}

type ResultRule = 'promote' | 'float' | 'bool';

export interface BinarySpec {
  /** Gradient names: tensor OP tensor, tensor OP number, number OP tensor. */
  grads: [string, string, string];
  result: ResultRule;
  /** Runs on both inputs already in the compute dtype's storage. */
  kernel: (a: tf.Tensor, b: tf.Tensor, compute: TorchDtype) => tf.Tensor;
  /** Rejects dtypes PyTorch rejects. */
  check?: (compute: TorchDtype) => void;
}

const isBoolOrFloat = (d: TorchDtype) => d === 'bool';

export const BINARY: Record<string, BinarySpec> = {
  add: {
    grads: ['AddBackward0', 'AddBackward0', 'AddBackward0'], result: 'promote',
    kernel: (a, b, d) => (d === 'bool' ? tf.logicalOr(a, b) : addKernel(a, b)),
  },
  sub: {
    grads: ['SubBackward0', 'SubBackward0', 'RsubBackward1'], result: 'promote',
    kernel: (a, b) => subKernel(a, b),
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
    kernel: (a, b, d) => (d === 'bool' ? tf.logicalAnd(a, b) : mulKernel(a, b)),
  },
  div: { grads: ['DivBackward0', 'DivBackward0', 'MulBackward0'], result: 'float', kernel: (a, b) => divKernel(a, b) },
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
export function binaryDtypes(spec: BinarySpec, operands: Operand[]): { compute: TorchDtype; out: TorchDtype } {
  let compute = resultType(operands);
  if (spec.result === 'float' && !isFloatDtype(compute)) compute = 'float32';
  spec.check?.(compute);
  return { compute, out: spec.result === 'bool' ? 'bool' : compute };
}

type UnaryKind = 'float' | 'same' | 'bool';

export interface UnarySpec {
  grad: string;
  /** float: integer inputs give float32; same: the input's dtype; bool: a mask. */
  kind: UnaryKind;
  f: (x: tf.Tensor) => tf.Tensor;
}

const trunc = (x: tf.Tensor) => (x.dtype === 'float32' ? tf.mul(tf.sign(x), tf.floor(tf.abs(x))) : tf.clone(x));

export const UNARY: Record<string, UnarySpec> = {
  neg: { grad: 'NegBackward0', kind: 'same', f: tf.neg },
  abs: { grad: 'AbsBackward0', kind: 'same', f: absWithGrad },
  relu: { grad: 'ReluBackward0', kind: 'same', f: reluPlanned },
  floor: { grad: 'FloorBackward0', kind: 'same', f: (x) => (x.dtype === 'float32' ? tf.floor(x) : tf.clone(x)) },
  ceil: { grad: 'CeilBackward0', kind: 'same', f: (x) => (x.dtype === 'float32' ? tf.ceil(x) : tf.clone(x)) },
  round: { grad: 'RoundBackward0', kind: 'same', f: (x) => (x.dtype === 'float32' ? tf.round(x) : tf.clone(x)) },
  trunc: { grad: 'TruncBackward0', kind: 'same', f: trunc },
  frac: { grad: 'FracBackward0', kind: 'same', f: (x) => tf.sub(x, trunc(x)) },
  sign: { grad: 'SignBackward0', kind: 'same', f: (x) => (x.dtype === 'bool' ? tf.clone(x) : signOf(x)) },
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
  elu: { grad: 'EluBackward0', kind: 'float', f: (x) => eluWithGrad(x, 'elu') },
  selu: { grad: 'EluBackward0', kind: 'float', f: (x) => eluWithGrad(x, 'selu') },
  relu6: { grad: 'HardtanhBackward0', kind: 'same', f: (x) => clampWithGrad(x, 0, 6, true) },
  log_sigmoid: { grad: 'LogSigmoidBackward0', kind: 'float', f: tf.logSigmoid },
  silu: { grad: 'SiluBackward0', kind: 'float', f: (x) => tf.mul(x, tf.sigmoid(x)) },
  gelu: { grad: 'GeluBackward0', kind: 'float', f: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))) },
  gelu_tanh: {
    grad: 'GeluBackward0', kind: 'float',
    f: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))))))),
  },
};

export function unaryResult(spec: UnarySpec, d: TorchDtype, name: string): TorchDtype {
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
