// Elementwise ops: unary and binary ops by name (tensor or Python number operands, in place or not), cast, where, clamp, masked_fill.
import * as tf from '@tensorflow/tfjs-core';
import { type TorchDtype, type TfDtype, type Operand, isFloatDtype, storageOf, LEGACY_NAME, resultType, canCast, castTo, toBool, scalarDtype } from './dtypes';
import { sameShape, listText, broadcastShapes } from './shapeRules';
import { TorchError } from '../torchError';
import { BINARY, UNARY, binaryDtypes, unaryResult, powScalarWithGrad, clampWithGrad } from './kernels/elementwise';
import type { OpContext } from './context';

/** Where `next_functions` of `tensor OP number` shows the number (None), by grad_fn name, as PyTorch 1.13 does. */
const WRAPPED_SCALAR_POSITION: Record<string, number> = {
  AddBackward0: 1,
  SubBackward0: 1,
  MulBackward0: 1,
  DivBackward0: 1,
  PowBackward1: 0,
};

export interface ElementwiseOps {
  unary: (name: string, gradOrHandle: string | number, h?: number) => number;
  unary_: (name: string, h: number) => void;
  binary: (name: string, a: number, b: number) => number;
  binary_: (name: string, a: number, b: number) => void;
  binary_scalar: (name: string, h: number, value: number | boolean, isFloat: boolean, reversed: boolean) => number;
  binary_scalar_: (name: string, h: number, value: number | boolean, isFloat: boolean) => void;
  cast: (h: number, dtype: string) => number;
  where: (c: number, a: number, b: number, wrappedA?: boolean, wrappedB?: boolean) => number;
  clamp: (h: number, min: number | undefined, max: number | undefined, minIsFloat?: boolean, maxIsFloat?: boolean, gradName?: string) => number;
  clamp_: (h: number, min: number | undefined, max: number | undefined, minIsFloat?: boolean, maxIsFloat?: boolean) => void;
  leaky_relu: (h: number, slope: number) => number;
  masked_fill: (h: number, mask: number, value: number | boolean) => number;
  masked_fill_: (h: number, mask: number, value: number | boolean) => void;
}

/** The elementwise entries of the op table. */
export function createElementwiseOps(ctx: OpContext): ElementwiseOps {
  const { engine, T, D, run, operand } = ctx;

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
    if (!inPlace) return showWrappedScalar(run(gradName, [h], kernel, out), gradName);
    checkInPlace(h, out, T(h).shape);
    engine.runInPlace(gradName, [h], kernel);
  };

  // PyTorch makes the number a tensor operand of these ops, so their next_functions list it, as None.
  const showWrappedScalar = (result: number, gradName: string): number => {
    const shown = engine.get(result).fn?.shownInputs;
    const position = WRAPPED_SCALAR_POSITION[gradName];
    if (shown && position !== undefined) shown.splice(position, 0, { fn: null, accumulates: false });
    return result;
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

  return {
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
      return run(gradName || 'ClampBackward1', [h], (x) => clampWithGrad(castTo(x, out), min ?? undefined, max ?? undefined, gradName === 'HardtanhBackward0'), out);
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
  };
}
