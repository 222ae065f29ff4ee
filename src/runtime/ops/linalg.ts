// Linear-algebra ops: torch.matmul (and mm, mv, dot, bmm) and nn.functional.linear, with PyTorch's shape checks.
import * as tf from '@tensorflow/tfjs-core';
import { isFloatDtype, C_NAME, promoteTypes, toBool } from './dtypes';
import { sameShape, sizeOfShape, broadcastShapes } from './shapeRules';
import { TorchError } from '../torchError';
import { torchMatmul, linearWithGrad } from './kernels/linalg';
import type { OpContext } from './context';

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

export interface LinalgOps {
  matmul: (a: number, b: number, gradName?: string) => number;
  linear: (x: number, w: number, b: number) => number;
}

/** The linear-algebra entries of the op table. */
export function createLinalgOps(ctx: OpContext): LinalgOps {
  const { engine, T, D, run } = ctx;

  return {
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
        const y = linearWithGrad(x2, w2, engine.inputNeedsGrad(0), engine.inputNeedsGrad(1), bt ?? null, engine.inputNeedsGrad(2));
        const shape = ws.length === 2 ? [...lead, outFeatures] : lead;
        return sameShape(y.shape, shape) ? y : tf.reshape(y, shape);
      };
      const name = xs.length === 2 ? (b ? 'AddmmBackward0' : 'MmBackward0') : b ? 'ViewBackward0' : 'UnsafeViewBackward0';
      // The output keeps the input's dtype (float64 stays float64, as `model.double()` expects).
      const dtype = isFloatDtype(D(x)) ? D(x) : undefined;
      const out = b ? run(name, [x, w, b], compute, dtype) : run(name, [x, w], (xt, wt) => compute(xt, wt), dtype);
      // next_functions as PyTorch's addmm/mm: (bias,) input, then wᵀ's TBackward0 leading to the weight.
      const node = xs.length === 2 ? engine.get(out).fn : null;
      if (node) node.shownInputs = [...(b ? [engine.shownEdge(b)] : []), engine.shownEdge(x), engine.standInEdge('TBackward0', w)];
      return out;
    },
  };
}
