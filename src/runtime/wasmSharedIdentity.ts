// Makes tfjs's Identity kernel on the wasm backend share its input's data instead of copying it.
import * as tf from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

/**
 * tfjs clones every tensor it saves for a gradient (and `tf.clone` is Identity); the wasm kernel copies the data, the
 * cpu backend's shares it. Tensors are never written in place here (in-place torch ops replace the tensor), so
 * sharing is safe, and it saves one copy of each saved activation and weight per training step.
 */
export function shareIdentityDataOnWasm(): void {
  const stock = tf.getKernel('Identity', 'wasm');
  if (!stock) return;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    ...stock,
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      (backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
