// Makes tfjs's wasm kernels that cut pieces out of a tensor (Slice, SplitV, Unpack) copy from a view on the heap.
//
// tfjs's wasm Slice starts with readSync(x), a copy of the whole input out of the heap into a new buffer, for every
// slice it takes; SplitV and Unpack call it once per piece. Taking the 28 steps out of an LSTM's (28, 32, 512) input
// projection so cost 128-185 ms of CPU for 1.8 MB of pieces; from a view, under 10 ms. (tfjs's wasm Transpose needs
// no such help: ~2 ms for a (64, 32, 28, 28) NCHW→NHWC, where a tiled copy in JavaScript took 4-5 ms.)
import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs's wasm backend these kernels use. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

type KernelBody = (x: tf.TensorInfo, attrs: tf.NamedAttrMap, backend: WasmHeapBackend) => tf.TensorInfo | tf.TensorInfo[];

/** `size` elements of `x` from `begin` (both resolved: no -1), as a new tensor of the backend. */
function sliceOnHeap(backend: WasmHeapBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const count = tf.util.sizeFromShape(size);
  if (count === 0) return out;
  // Views after makeOutput: a new output can grow the heap, which detaches older views.
  const source = backend.typedArrayFromHeap(x);
  const target = backend.typedArrayFromHeap(out);
  const strides = tf.util.computeStrides(x.shape);
  const rank = x.shape.length;
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const offset = tf.slice_util.computeFlatOffset(begin, strides);
    target.set(source.subarray(offset, offset + count));
    return out;
  }
  // Copy runs of the last dimension; `index` counts over the other dimensions of the piece.
  const run = size[rank - 1];
  const index = new Array<number>(rank - 1).fill(0);
  for (let written = 0; written < count; written += run) {
    let offset = begin[rank - 1];
    for (let d = 0; d < rank - 1; d++) offset += (begin[d] + index[d]) * strides[d];
    target.set(source.subarray(offset, offset + run), written);
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d] < size[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

let registered = false;

/** Replaces the wasm backend's Slice, SplitV and Unpack kernels (strings keep tfjs's). */
export function moveDataInPlaceOnWasm(): void {
  if (registered) return;
  registered = true;
  const replace = (kernelName: string, body: KernelBody) => {
    const stock = tf.getKernel(kernelName, 'wasm');
    if (!stock) return;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      ...stock,
      kernelFunc: (args) => {
        const x = (args.inputs.x ?? args.inputs.value) as tf.TensorInfo;
        if (x.dtype === 'string') return stock.kernelFunc(args);
        return body(x, args.attrs ?? {}, args.backend as unknown as WasmHeapBackend);
      },
    });
  };
  replace('Slice', (x, attrs, backend) => {
    const { begin, size } = attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    return sliceOnHeap(backend, x, b, s);
  });
  replace('SplitV', (x, attrs, backend) => {
    const { numOrSizeSplits, axis } = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const at = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, at);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[at] = s;
      const piece = sliceOnHeap(backend, x, [...begin], size);
      begin[at] += s;
      return piece;
    });
  });
  replace('Unpack', (x, attrs, backend) => {
    const at = tf.util.parseAxisParam((attrs as unknown as { axis: number }).axis, x.shape)[0];
    const outShape = x.shape.filter((_, d) => d !== at);
    const size = [...x.shape];
    size[at] = 1;
    return Array.from({ length: x.shape[at] }, (_, i) => {
      const begin = new Array<number>(x.shape.length).fill(0);
      begin[at] = i;
      const piece = sliceOnHeap(backend, x, begin, size);
      return { dataId: piece.dataId, dtype: piece.dtype, shape: outShape };
    });
  });
}
