// Matrix-product kernels whose gradients are plain products, skipping inputs that need no gradient.
import * as tf from '@tensorflow/tfjs-core';
import { broadcastShapes, sameShape } from '../shapeRules';
import { customOp, unbroadcast } from './customGrad';
import { swapLast } from './layout';
import { matMulTransposed, onTensorflow, productPlanned } from './backendPlans';

/** Stands in for the gradient of an input that does not require grad (the engine never reads it). */
export const UNUSED_GRADIENT = () => tf.scalar(0);

/**
 * a @ b (rank ≥ 2, equal batch dims) whose gradient products take their transposed operand as the backend does it
 * best (backendPlans.ts: matMul's flags on tensorflow, an explicit transpose on wasm, whose XNNPACK runs flagged
 * products 2-7x slower); gradients of inputs that do not require grad are skipped.
 */
export function matMulWithGrad(a: tf.Tensor, b: tf.Tensor, needA: boolean, needB: boolean): tf.Tensor {
  if (a.dtype !== 'float32' || (!needA && !needB)) return tf.matMul(a, b);
  return customOp([a, b], ([av, bv], save) => {
    saveOperandsRead(save, av, bv, needA, needB);
    return {
      value: productPlanned(av, bv),
      gradFunc: (dy, saved) => {
        const [as, bs] = operandsRead(saved, needA, needB);
        return [
          needA ? matMulTransposed(dy, bs!, false, true) : UNUSED_GRADIENT(),
          needB ? matMulTransposed(as!, dy, true, false) : UNUSED_GRADIENT(),
        ];
      },
    };
  });
}

/**
 * x @ wᵀ (+ bias) for x (n, in) and w (out, in), with the gradients dx = dy @ w, dw = dyᵀ @ x and dbias = Σ dy over
 * the rows. On tensorflow the transposed operands go through matMul's flags (no Transpose kernel at all); elsewhere
 * whichever side is smaller is transposed explicitly (see matMulWithGrad). The bias is added here, not by a recorded
 * add, whose gradient reshapes both sides (on tensorflow a kernel each).
 */
export function linearWithGrad(
  x: tf.Tensor,
  w: tf.Tensor,
  needX: boolean,
  needW: boolean,
  bias: tf.Tensor | null = null,
  needBias = false,
): tf.Tensor {
  const [n, inFeatures] = x.shape;
  const outFeatures = w.shape[0];
  const byFlags = onTensorflow();
  const product = (xv: tf.Tensor, wv: tf.Tensor) =>
    byFlags
      ? matMulTransposed(xv, wv, false, true)
      : n * (inFeatures + outFeatures) < outFeatures * inFeatures
        ? swapLast(tf.matMul(wv, swapLast(xv)))
        : tf.matMul(xv, swapLast(wv));
  // (tf.fused.matMul with transposeB gives wrong rows on the wasm backend, so the bias is a separate add.)
  const forward = (xv: tf.Tensor, wv: tf.Tensor, bv: tf.Tensor | null) => (bv ? tf.add(product(xv, wv), bv) : product(xv, wv));
  if (!needX && !needW && !needBias) return forward(x, w, bias);
  return customOp(bias ? [x, w, bias] : [x, w], ([xv, wv, bv], save) => {
    saveOperandsRead(save, xv, wv, needX, needW);
    return {
      value: forward(xv, wv, bv ?? null),
      gradFunc: (dy, saved) => {
        const [xs, ws] = operandsRead(saved, needX, needW);
        const grads = [
          needX ? productPlanned(dy, ws!) : UNUSED_GRADIENT(),
          needW ? matMulTransposed(dy, xs!, true, false) : UNUSED_GRADIENT(),
        ];
        if (bias) grads.push(needBias ? unbroadcast(dy, bias.shape) : UNUSED_GRADIENT());
        return grads;
      },
    };
  });
}

/**
 * Saves of a product's operands only those its wanted gradients read (dA reads b, dB reads a), as PyTorch's mm and
 * addmm do: an in-place write to the other one before backward is then no error (savedVersions.ts), and less is kept.
 */
function saveOperandsRead(save: tf.GradSaveFunc, a: tf.Tensor, b: tf.Tensor, needA: boolean, needB: boolean): void {
  save(needA && needB ? [a, b] : needA ? [b] : needB ? [a] : []);
}

/** [a, b] as saved by saveOperandsRead (null where not saved). */
function operandsRead(saved: tf.Tensor[], needA: boolean, needB: boolean): [tf.Tensor | null, tf.Tensor | null] {
  if (needA && needB) return [saved[0], saved[1]];
  return needA ? [null, saved[0]] : [saved[0], null];
}

/** torch.matmul on tfjs (shapes already checked): batch dims broadcast explicitly so the gradient fits them. */
export function torchMatmul(a: tf.Tensor, b: tf.Tensor, needA = false, needB = false): tf.Tensor {
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
