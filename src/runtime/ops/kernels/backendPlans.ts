// Per-backend plans for the training step's hot kernels: each picks the fewest (and fastest) kernels its backend has.
//
// Measured on the quickstart MLP (bench/ops_per_step.py, .cache/scratch timing of each orientation):
// - Products with a transposed operand: tensorflow's BatchMatMulV2 takes adj_x/adj_y, while an explicit
//   Transpose costs as much as the product itself (1.4 ms against 1.2 ms a step's product, on a loaded machine).
//   But Eigen packs a flagged operand slowly when its free dim is the larger one: x @ Wᵀ for x (64, 512) and
//   W (512, 512) takes 560 µs, and (W @ xᵀ)ᵀ 240 µs (transpose included); for W (2048, 2048), 34 ms against 3.4 ms
//   (one thread, taskset -c 1). So the flag goes on the operand with the smaller free dim.
//   The wasm backend's XNNPACK runs a flagged product 2-7x slower than a Transpose followed by a plain product, so
//   wasm (and cpu, which shares the explicit path's results bit for bit with wasm) keep the explicit transpose.
// - ReLU's gradient: TensorFlow's one-kernel ReluGrad gives 0 at NaN where PyTorch passes dy, so it is not used.
// - log_softmax: tfjs composes six kernels (Max, Sub, Exp, Sum, Log, Sub); TensorFlow's LogSoftmax is one.
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './customGrad';

/** What tfjs-node's backend offers that we call: one TensorFlow eager op by name. */
interface TensorflowBackend {
  binding: { TF_ATTR_TYPE: number; TF_ATTR_BOOL: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
}

const LOG_SOFTMAX = 'TrainloopLogSoftmax';

/** Whether the running backend is tfjs-node's (CPU or GPU build: both register as `tensorflow`). */
export function onTensorflow(): boolean {
  return tf.getBackend() === 'tensorflow';
}

/** A TensorFlow op of float32 inputs as a tfjs kernel of the tensorflow backend (so the engine tracks its output). */
function registerTensorflowOp(kernelName: string, op: string, inputNames: string[]): void {
  tf.registerKernel({
    kernelName,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend }) => {
      const tfBackend = backend as unknown as TensorflowBackend;
      const attrs = [{ name: 'T', type: tfBackend.binding.TF_ATTR_TYPE, value: tfBackend.binding.TF_FLOAT }];
      return tfBackend.executeSingleOutput(op, attrs, inputNames.map((name) => inputs[name] as tf.Tensor));
    },
  });
}

registerTensorflowOp(LOG_SOFTMAX, 'LogSoftmax', ['logits']);

const MAT_MUL = 'TrainloopMatMul';

// TensorFlow's MatMul of two matrices with its transpose flags. tfjs's matMul reshapes both operands to batches of
// one and its result back, and on tensorflow each of those reshapes is a TensorFlow op of its own.
tf.registerKernel({
  kernelName: MAT_MUL,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const tfBackend = backend as unknown as TensorflowBackend;
    const { binding } = tfBackend;
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const opAttrs = [
      { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
      { name: 'transpose_a', type: binding.TF_ATTR_BOOL, value: transposeA },
      { name: 'transpose_b', type: binding.TF_ATTR_BOOL, value: transposeB },
    ];
    return tfBackend.executeSingleOutput('MatMul', opAttrs, [inputs.a as tf.Tensor, inputs.b as tf.Tensor]);
  },
});

/**
 * a @ b (shapes already checked), with either operand transposed by the flags: on tensorflow, two float32 matrices
 * go to TensorFlow's MatMul directly. Used where no tfjs tape records it (inside a custom op or its gradient).
 */
export function productPlanned(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (a.rank === 2 && b.rank === 2 && a.dtype === 'float32' && b.dtype === 'float32' && onTensorflow()) {
    return tf.engine().runKernel(MAT_MUL, { a, b }, { transposeA, transposeB }) as tf.Tensor;
  }
  return tf.matMul(a, b, transposeA, transposeB);
}

/**
 * a @ b with either operand transposed (its last two dims): by matMul's flags on tensorflow (on the operand where
 * Eigen packs it fast), else by an explicit transpose first.
 */
export function matMulTransposed(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
  if (!transposeA && !transposeB) return productPlanned(a, b);
  if (onTensorflow()) {
    return flagOnLargerFreeDim(a, b, transposeA, transposeB)
      ? swapLastTwo(productPlanned(b, a, !transposeB, !transposeA))
      : productPlanned(a, b, transposeA, transposeB);
  }
  return tf.matMul(transposeA ? swapLastTwo(a) : a, transposeB ? swapLastTwo(b) : b);
}

/** Operands this big or more (flagged free dim × contracted dim) are worth the swap's output transpose. */
const SWAP_MIN_ELEMENTS = 1 << 16;

/**
 * Whether the one flagged operand of a product has a free dim (the dim it keeps in the output) at least twice the
 * other operand's, and enough elements that its slow packing outweighs transposing the output: then
 * (op(b)ᵀ @ op(a)ᵀ)ᵀ, which moves the flag to the other operand, is the faster form.
 */
function flagOnLargerFreeDim(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): boolean {
  if (transposeA === transposeB) return false;
  const [flagged, other] = transposeB ? [b, a] : [a, b];
  const flaggedFree = flagged.shape[transposeB ? flagged.rank - 2 : flagged.rank - 1];
  const contracted = flagged.shape[transposeB ? flagged.rank - 1 : flagged.rank - 2];
  const otherFree = other.shape[transposeB ? other.rank - 2 : other.rank - 1];
  return flaggedFree >= 2 * otherFree && flaggedFree * contracted >= SWAP_MIN_ELEMENTS;
}

function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = [...Array(t.rank).keys()];
  [perm[t.rank - 2], perm[t.rank - 1]] = [perm[t.rank - 1], perm[t.rank - 2]];
  return tf.transpose(t, perm);
}

const RELU_GRAD = 'TrainloopReluGrad';

/** What tfjs's wasm backend offers that the ReLU gradient kernel uses: an output on its heap, views of tensors there. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

// ReLU's gradient on wasm, one pass of JavaScript over the wasm heap: tfjs-wasm's Equal and Select (bool data, no
// SIMD) took 130 and 100 µs on a 64×512 batch, the whole where(y == 0, 0, dy) 240 µs (4.6 ms on 64×16×28×28); this
// pass takes 50 µs (1.3 ms). It works on the float bits, without a branch a random mask would mispredict: y, a ReLU
// output, is +0, -0, positive or NaN, so y <= 0 exactly when its bits without the sign are 0, and then the
// gradient's bits are masked to +0; otherwise dy passes as it is (an Inf or NaN in dy too, as in PyTorch).
tf.registerKernel({
  kernelName: RELU_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const wasm = backend as unknown as WasmBackend;
    const dy = inputs.dy as tf.TensorInfo;
    const out = wasm.makeOutput(dy.shape as number[], 'float32');
    // The views are taken after the output is allocated: a heap that grew has a new buffer.
    const dyBits = bitsOf(wasm.typedArrayFromHeap(dy));
    const yBits = bitsOf(wasm.typedArrayFromHeap(inputs.y as tf.TensorInfo));
    const outBits = bitsOf(wasm.typedArrayFromHeap(out));
    for (let i = 0; i < outBits.length; i++) {
      const magnitude = yBits[i] & 0x7fffffff;
      outBits[i] = dyBits[i] & ((magnitude | -magnitude) >> 31); // all ones when magnitude != 0, else 0
    }
    return out;
  },
});

function bitsOf(values: Float32Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length);
}

/**
 * relu(x) with PyTorch's gradient: dy wherever the output is not <= 0, so a NaN passes dy (threshold_backward).
 * TensorFlow's ReluGrad and tfjs's step both get NaN wrong (0 and NaN), so the gradient is where(y == 0, 0, dy), or
 * on wasm the same selection in one kernel of ours.
 */
export function reluPlanned(x: tf.Tensor): tf.Tensor {
  if (x.dtype !== 'float32') return tf.relu(x);
  const grad = (dy: tf.Tensor, y: tf.Tensor) =>
    tf.getBackend() === 'wasm'
      ? (tf.engine().runKernel(RELU_GRAD, { dy, y }, {}) as tf.Tensor)
      : tf.where(tf.equal(y, 0), tf.zerosLike(dy), dy);
  return customOp([x], ([xv], save) => {
    const y = tf.relu(xv);
    save([y]);
    return { value: y, gradFunc: (dy, [ys]) => grad(dy, ys) };
  });
}

/**
 * log_softmax over the last axis: TensorFlow's one LogSoftmax kernel on tensorflow (gradient dy - exp(y)·Σdy, four
 * kernels); tfjs's composition elsewhere.
 */
export function logSoftmaxPlanned(x: tf.Tensor): tf.Tensor {
  if (!onTensorflow() || x.dtype !== 'float32' || x.rank === 0) return tf.logSoftmax(x);
  return customOp([x], ([xv], save) => {
    const y = tf.engine().runKernel(LOG_SOFTMAX, { logits: xv }, {}) as tf.Tensor;
    save([y]);
    return {
      value: y,
      gradFunc: (dy, [ys]) => tf.sub(dy, tf.mul(tf.exp(ys), tf.sum(dy, -1, true))),
    };
  });
}
