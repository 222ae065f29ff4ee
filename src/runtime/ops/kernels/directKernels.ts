// The hot binary kernels called straight through tfjs's engine, without the op wrapper around tf.add and the like.
//
// tf.add(a, b) opens and closes a scope of its own, copies its arguments, converts and type-matches its inputs, then
// runs the Add kernel. Our ops already hand it two tensors of one dtype inside their own tidy scope, so all but the
// kernel call is overhead: about a fifth of the engine's time for an op on small tensors. The kernel and its recorded
// gradient are the ones tf.add runs.
import * as tf from '@tensorflow/tfjs-core';

type Binary = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** `kernelName` run on a and b when they share a dtype (`only`: that dtype), else the tf op `fallback`. */
export function directBinary(kernelName: string, fallback: Binary, only?: tf.DataType): Binary {
  const engine = tf.engine();
  return (a, b) => {
    if (a.dtype !== b.dtype || (only && a.dtype !== only)) return fallback(a, b);
    return engine.runKernel(kernelName, { a, b }) as tf.Tensor;
  };
}

export const addKernel = directBinary('Add', tf.add);
export const subKernel = directBinary('Sub', tf.sub);
export const mulKernel = directBinary('Multiply', tf.mul);
/** Only for floats: tf.div of two int32 tensors floors (FloorDiv), RealDiv would not. */
export const divKernel = directBinary('RealDiv', tf.div, 'float32');
