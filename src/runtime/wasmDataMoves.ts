// Makes tfjs's wasm kernels that only move data (Slice, SplitV, Unpack, Transpose) copy between views on the heap.
//
// Measured here (2 loaded cores, CPU time):
// - tfjs's wasm Slice starts with readSync(x), a copy of the whole input out of the heap, for every slice; SplitV and
//   Unpack call it once per piece. Taking the 28 steps out of an LSTM's (28, 32, 512) input projection so cost 185 ms
//   for 1.8 MB of pieces; from views, 9 ms (engine overhead included).
// - tfjs's wasm Transpose moves one element at a time in the output's order: 10.5 ms for (896, 512), 34 ms for a
//   (50176, 32) batch of NHWC activations. In tiles of 16 × 16 that read rows and write columns it is 2 ms and 4 ms.
//   Every permutation that is a (batched) swap of two blocks of axes takes the tiled path: NCHW↔NHWC, matrix
//   transposes, and the axis swaps of attention; others keep tfjs's kernel.
import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs's wasm backend these kernels use. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

type KernelBody = (x: tf.TensorInfo, attrs: tf.NamedAttrMap, backend: WasmHeapBackend) => tf.TensorInfo | tf.TensorInfo[] | null;

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

/**
 * A permutation as `batch` independent swaps of a (rows, cols) grid of runs of `run` contiguous elements, or null when
 * it is not one. Axes of size 1 are dropped and axes that stay neighbours in order are merged first.
 */
export function blockSwap(shape: readonly number[], perm: readonly number[]): { batch: number; rows: number; cols: number; run: number } | null {
  const kept = perm.filter((axis) => shape[axis] !== 1);
  // Renumber the kept axes 0..k-1 in input order.
  const order = [...kept].sort((a, b) => a - b);
  const rank = new Map(order.map((axis, i) => [axis, i]));
  const squeezed = kept.map((axis) => rank.get(axis)!);
  const sizes = order.map((axis) => shape[axis]);
  // Merge runs of consecutive input axes that stay together in the output.
  const groups: number[][] = [];
  for (const axis of squeezed) {
    const last = groups.at(-1);
    if (last && last.at(-1)! + 1 === axis) last.push(axis);
    else groups.push([axis]);
  }
  const groupSize = (g: number[]) => g.reduce((n, axis) => n * sizes[axis], 1);
  const byInput = [...groups].sort((a, b) => a[0] - b[0]);
  const merged = groups.map((g) => byInput.indexOf(g));
  const dims = byInput.map(groupSize);
  if (merged.length < 2) return { batch: 1, rows: 1, cols: 1, run: dims[0] ?? 1 };
  let lead = merged[0] === 0 ? 1 : 0;
  let tail = merged.at(-1) === merged.length - 1 ? 1 : 0;
  const middle = merged.slice(lead, merged.length - tail);
  if (middle.length !== 2 || middle[0] !== lead + 1 || middle[1] !== lead) return null;
  return {
    batch: lead ? dims[0] : 1,
    rows: dims[lead],
    cols: dims[lead + 1],
    run: tail ? dims[merged.length - 1] : 1,
  };
}

/** Tile edge of the element-wise transpose: 16 × 16 floats read along rows and written along columns. */
const TILE = 16;

/** Writes the (rows, cols) grid of runs at `from` in `source` to `target` at `to`, as (cols, rows). */
function swapGrid(source: tf.backend_util.TypedArray, from: number, target: tf.backend_util.TypedArray, to: number,
  rows: number, cols: number, run: number): void {
  if (run > 1) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const s = from + (i * cols + j) * run;
        target.set(source.subarray(s, s + run), to + (j * rows + i) * run);
      }
    }
    return;
  }
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(cols, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        let s = from + i * cols + j0;
        for (let j = j0; j < j1; j++) target[to + j * rows + i] = source[s++];
      }
    }
  }
}

let registered = false;

/** Replaces the wasm backend's Slice, SplitV, Unpack and Transpose kernels (strings, and other permutations, keep tfjs's). */
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
        const out = x.dtype === 'string' ? null : body(x, args.attrs ?? {}, args.backend as unknown as WasmHeapBackend);
        return out ?? stock.kernelFunc(args);
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
  replace('Transpose', (x, attrs, backend) => {
    const perm = (attrs as unknown as { perm: number[] }).perm;
    const swap = blockSwap(x.shape, perm);
    if (!swap) return null;
    const out = backend.makeOutput(perm.map((axis) => x.shape[axis]), x.dtype);
    if (tf.util.sizeFromShape(x.shape) === 0) return out;
    const source = backend.typedArrayFromHeap(x);
    const target = backend.typedArrayFromHeap(out);
    const { batch, rows, cols, run } = swap;
    const block = rows * cols * run;
    for (let b = 0; b < batch; b++) swapGrid(source, b * block, target, b * block, rows, cols, run);
    return out;
  });
}
