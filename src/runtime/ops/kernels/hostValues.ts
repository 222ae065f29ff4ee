// A tensor's values for a loop in JavaScript: read where they lie on the wasm heap, copied out on other backends.
import * as tf from '@tensorflow/tfjs-core';

interface WasmHeapBackend {
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/**
 * The values of `t` (float32 or int32). On wasm this is a view on the heap, not a copy: dataSync's copy of a 6.4 MB
 * activation costs ~20 ms there, the loops that read it a few. The view is only good until tfjs next allocates (a
 * growing heap detaches it), so read it before making any tensor.
 */
export function hostValues(t: tf.Tensor): Float32Array | Int32Array {
  if (tf.getBackend() === 'wasm') {
    const backend = tf.backend() as unknown as Partial<WasmHeapBackend>;
    if (backend.typedArrayFromHeap) return backend.typedArrayFromHeap(t) as Float32Array | Int32Array;
  }
  return t.dataSync() as Float32Array | Int32Array;
}
