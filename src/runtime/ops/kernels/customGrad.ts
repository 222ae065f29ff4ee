// The two pieces every custom gradient here is built from: tf.customGrad over any number of inputs, and unbroadcast.
import * as tf from '@tensorflow/tfjs-core';
import { sameShape } from '../shapeRules';

/** Sums a gradient over the dimensions that broadcasting added or stretched, back to `shape`. */
export function unbroadcast(g: tf.Tensor, shape: readonly number[]): tf.Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  // Summing the added leading dims away leaves `shape` when no stretched dim remains (a bias's gradient): no reshape,
  // which on tensorflow is a kernel of its own.
  if (axes.length === lead) return tf.sum(g, axes);
  const summed = axes.length ? tf.sum(g, axes, true) : g;
  return tf.reshape(summed, shape as number[]);
}

/** Runs `forward` as one tfjs op with the gradient its `gradFunc` gives (tf.customGrad over any number of inputs). */
export function customOp(
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
