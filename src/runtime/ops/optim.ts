// Optimizer ops: one in-place call per parameter for torch.optim.SGD and Adam/AdamW updates.
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext } from './context';
import { toNumbers } from './arguments';

export interface OptimOps {
  sgd_step_: (p: number, g: number, buffer: number, lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean, maximize: boolean, first: boolean) => void;
  /**
   * One SGD step of a whole parameter group, each parameter from its own `.grad` (skipped when it has none):
   * `buffers` holds each one's momentum buffer handle (0: none yet). Returns the handles of the buffers made here
   * (0 where none was), which Python keeps in the optimizer's state.
   */
  sgd_steps_: (params: unknown, buffers: unknown, lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean, maximize: boolean) => number[];
  /** Sets `.grad` of every parameter to None (Optimizer.zero_grad's default), in one call. */
  clear_grads: (params: unknown) => void;
  adam_step_: (p: number, g: number, expAvg: number, expAvgSq: number, maxSq: number, step: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: boolean, maximize: boolean) => void;
}

/** The torch.optim entries of the op table. */
export function createOptimOps(ctx: OpContext): OptimOps {
  const { engine, T } = ctx;

  /**
   * One torch.optim.SGD update of parameter `p` in place, from gradient `g`: d = ±g + weight_decay·p; with momentum
   * the buffer becomes d (first step) or momentum·buffer + (1-dampening)·d, and d the buffer (or d + momentum·buffer
   * with Nesterov); then p -= lr·d. One call per parameter instead of one per tensor operation.
   */
  const sgdStep = (p: number, g: number, buffer: number, lr: number, momentum: number, dampening: number,
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
  };

  return {
    sgd_step_: sgdStep,
    sgd_steps_: (params: unknown, buffers: unknown, lr: number, momentum: number, dampening: number,
      weightDecay: number, nesterov: boolean, maximize: boolean) => {
      const handles = toNumbers(params);
      const known = toNumbers(buffers);
      const made = handles.map(() => 0);
      handles.forEach((p, i) => {
        const g = engine.grad(p);
        if (g <= 0) return;
        try {
          let buffer = known[i];
          if (momentum && !buffer) buffer = made[i] = engine.run('', [p], (pt) => tf.zerosLike(pt));
          sgdStep(p, g, buffer, lr, momentum, dampening, weightDecay, nesterov, maximize, made[i] !== 0);
        } finally {
          engine.free(g);
        }
      });
      return made;
    },
    clear_grads: (params: unknown) => {
      for (const p of toNumbers(params)) engine.setGrad(p, 0);
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
  };
}
