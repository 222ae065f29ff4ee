// Reduction ops: sum, mean, prod, max/min (whole or along a dim), arg max/min, variance, cumulative sums and products.
import * as tf from '@tensorflow/tfjs-core';
import { type TorchDtype, isFloatDtype, LEGACY_NAME, castTo, storageOf, toBool } from './dtypes';
import { normDim, normAxes } from './shapeRules';
import { toNumbers } from './arguments';
import { TorchError } from '../torchError';
import { argExtreme, blockedSum, emptyReduction, extremeReduce, extremeAlong, product } from './kernels/reductions';
import type { OpContext } from './context';
import { customOp } from './kernels/customGrad';

/** √variance with PyTorch's std gradient: 0 where the std is 0 (a constant slice), not √'s infinite slope times 0. */
function stdOfVariance(variance: tf.Tensor): tf.Tensor {
  return customOp([variance], ([v], save) => {
    const std = tf.sqrt(v);
    save([std]);
    return {
      value: std,
      gradFunc: (dy, [saved]) => tf.where(tf.equal(saved, 0), tf.zerosLike(dy), tf.div(dy, tf.mul(saved, 2))),
    };
  });
}

export interface ReductionOps {
  reduce: (name: string, h: number, dims: unknown, keepdim: boolean, dtype?: string) => number;
  extreme_dim: (which: "max" | "min", h: number, dim: number, keepdim: boolean) => number[];
  arg_reduce: (name: "argmax" | "argmin", h: number, dim: number | undefined, keepdim: boolean) => number;
  variance: (h: number, dims: unknown, correction: number, keepdim: boolean, sqrt: boolean) => number;
  cumsum: (h: number, dim: number) => number;
  cumprod: (h: number, dim: number) => number;
}

/** What each reduction gives over no elements, as PyTorch (mean: 0/0). */
const EMPTY_IDENTITY: Record<string, number> = { sum: 0, nansum: 0, mean: NaN, prod: 1, any: 0, all: 1, logsumexp: -Infinity };

/** The reduction entries of the op table. */
export function createReductionOps(ctx: OpContext): ReductionOps {
  const { engine, T, D, run } = ctx;

  const reduceOp = (name: string, h: number, dims: unknown, keepdim: boolean, dtype?: string): number => {
    const x = T(h);
    const d = D(h);
    const list = toNumbers(dims);
    const axes = list.length ? normAxes(list, x.rank) : undefined;
    const all = !list.length;
    const keep = Boolean(keepdim);
    const target = dtype as TorchDtype | undefined;
    const grad = (base: string) => `${base}Backward${all ? 0 : 1}`;
    const reducedCount = (axes ?? [...Array(x.rank).keys()]).reduce((n, a) => n * x.shape[a], 1);
    const identity = reducedCount === 0 ? EMPTY_IDENTITY[name] : undefined;
    switch (name) {
      case 'sum': {
        const out = target ?? (isFloatDtype(d) ? d : 'int64');
        if (identity !== undefined) return run(grad('Sum'), [h], (t) => emptyReduction(castTo(t, out), axes, keep, identity, storageOf(out)), out);
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
        if (identity !== undefined) return run(grad('Mean'), [h], (t) => emptyReduction(castTo(t, out), axes, keep, identity, 'float32'), out);
        return run(grad('Mean'), [h], (t) => {
          const v = castTo(t, out);
          const count = (axes ?? [...Array(v.rank).keys()]).reduce((n, a) => n * v.shape[a], 1);
          return tf.div(blockedSum(v, axes, keep), count);
        }, out);
      }
      case 'prod': {
        const out = target ?? (isFloatDtype(d) ? d : 'int64');
        if (identity !== undefined) return run(grad('Prod'), [h], (t) => emptyReduction(castTo(t, out), axes, keep, identity, storageOf(out)), out);
        return run(grad('Prod'), [h], (t) => product(castTo(t, out), axes, keep), out);
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
        return run(gradName, [h], (t) => extremeReduce(t.dtype === 'bool' ? tf.cast(t, 'int32') : t, axes, keep, which, name.endsWith('_all')), d);
      }
      case 'any':
      case 'all':
        if (identity !== undefined) return run('', [h], (t) => emptyReduction(t, axes, keep, identity, 'bool'), 'bool');
        return run('', [h], (t) => (name === 'any' ? tf.any : tf.all)(toBool(t), axes, keep), 'bool');
      case 'logsumexp': {
        const out = isFloatDtype(d) ? d : 'float32';
        if (identity !== undefined) return run('LogsumexpBackward0', [h], (t) => emptyReduction(castTo(t, out), axes, keep, identity, 'float32'), out);
        return run('LogsumexpBackward0', [h], (t) => tf.logSumExp(castTo(t, out), axes, keep), out);
      }
      case 'nansum': {
        const out = isFloatDtype(d) ? d : 'int64';
        if (identity !== undefined) return run('NansumBackward0', [h], (t) => emptyReduction(castTo(t, out), axes, keep, identity, storageOf(out)), out);
        return run('NansumBackward0', [h], (t) => {
          const v = castTo(t, out);
          return tf.sum(v.dtype === 'float32' ? tf.where(tf.isNaN(v), tf.zerosLike(v), v) : v, axes, keep);
        }, out);
      }
      default:
        throw new TorchError('RuntimeError', `internal: unknown reduction ${name}`);
    }
  };

  return {
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
        const which = name === 'argmax' ? 'max' : 'min';
        if (dim == null) {
          const flat = argExtreme(tf.reshape(source, [-1]), 0, which);
          return keepdim ? tf.reshape(flat, t.shape.map(() => 1)) : flat;
        }
        if (t.rank === 0) return tf.scalar(0, 'int32');
        const axis = normDim(dim, t.rank);
        const out = argExtreme(source, axis, which);
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
        // blockedSum, as sum() and mean(): over ~10^6 values a plain float32 sum drifts in the third digit
        const centered = tf.sub(t, tf.div(blockedSum(t, axes, true), count));
        const v = tf.div(blockedSum(tf.square(centered), axes, Boolean(keepdim)), Math.max(0, count - correction));
        return sqrt ? stdOfVariance(v) : v;
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
  };
}
