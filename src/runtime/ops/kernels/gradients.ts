// tfjs's per-kernel gradients, which the engine's backward() reuses, with our overrides where a backend lacks a kernel.
//
// Importing this module registers them (once); the engine imports it, so every recorded op backpropagates through them.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';

/**
 * tfjs's gradient of gather sums rows with UnsortedSegmentSum, a kernel the wasm backend lacks; ScatterNd (which every
 * backend has, and which adds up repeated indices) does the same job. Gathers with batch dims keep tfjs's gradient.
 */
function registerGatherGradient(): void {
  const original = tf.getGradient('GatherV2');
  tf.registerGradient({
    kernelName: 'GatherV2',
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, saved, attrs) => {
      const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
      const [x, indices] = saved;
      if (batchDims && original) return original.gradFunc(dy, saved, attrs);
      return {
        x: () => {
          const g = dy as tf.Tensor;
          const a = axis < 0 ? axis + x.rank : axis;
          const outer = x.shape.slice(0, a).reduce((n, d) => n * d, 1);
          const inner = x.shape.slice(a + 1).reduce((n, d) => n * d, 1);
          const n = x.shape[a];
          const k = indices.size;
          const rows = tf.reshape(tf.transpose(tf.reshape(g, [outer, k, inner]), [1, 0, 2]), [k, outer * inner]);
          const index = tf.reshape(indices.dtype === 'int32' ? indices : tf.cast(indices, 'int32'), [k, 1]);
          const summed = tf.reshape(tf.scatterND(index, rows, [n, outer * inner]), [n, outer, inner]);
          return tf.reshape(tf.transpose(summed, [1, 0, 2]), x.shape);
        },
        indices: () => tf.zerosLike(indices),
      };
    },
  });
}
registerGatherGradient();
