// Makes the tensors tfjs's tape saves for backward second handles on their data, made without running a kernel.
//
// While an op is recorded, tfjs saves each tensor a gradient will read as `keep(clone(x))`, and its private `clone`
// runs the Identity kernel and adds an Identity node to the tape. Identity already shares the data on every backend we
// run (tfjs-node's and cpu's kernels do; wasmSharedIdentity.ts makes wasm's), so the kernel call and the tape node are
// pure overhead: a recorded `w + b` saved two tensors, and the quickstart's training step ran 21 Identity kernels. The
// tape node is never on a gradient's path (a saved tensor is read by gradients, never consumed by a recorded kernel).
import * as tf from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

/** The members of tfjs's (internal) Engine this patch replaces and uses. */
interface EngineInternals {
  clone(x: tf.Tensor): tf.Tensor;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: unknown): tf.Tensor;
  state: { tensorInfo: { get(dataId: object): { backend: RefCountingBackend } | undefined } };
}

/** A new tensor on x's data: counted by tfjs as a tensor of its own, its data freed when the last of them is disposed. */
function sharedClone(this: EngineInternals, x: tf.Tensor): tf.Tensor {
  const backend = this.state.tensorInfo.get(x.dataId)?.backend;
  if (!backend || typeof backend.incRef !== 'function') return stockClone!.call(this, x);
  const y = this.makeTensorFromTensorInfo({ dataId: x.dataId, shape: x.shape, dtype: x.dtype }, backend);
  backend.incRef(x.dataId);
  return y;
}

let stockClone: EngineInternals['clone'] | null = null;

/** Installs the shared saves on tfjs's engine (once; later calls do nothing). */
export function shareSavedTensors(): void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (stockClone) return;
  stockClone = engine.clone;
  engine.clone = sharedClone;
}
