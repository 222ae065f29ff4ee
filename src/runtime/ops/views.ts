// View and version ops: `.data` (same storage, its own version counter), `_version`, is_contiguous, stride(), and the
// views that pick elements by position: diagonal, unfold, as_strided (writes through them reach their base).
import * as tf from '@tensorflow/tfjs-core';
import type { OpContext } from './context';
import { toNumbers } from './arguments';
import { listText, normDim, sizeOfShape } from './shapeRules';
import { TorchError } from '../torchError';

export interface ViewOps {
  /** `t.data`: a handle on t's storage outside the graph, whose writes autograd does not see (`_version` of its own). */
  data_alias: (h: number) => number;
  /** `t._version`: the in-place writes to t, its views and detached aliases. */
  version: (h: number) => number;
  is_contiguous: (h: number) => boolean;
  /** `t.stride()` and `t.storage_offset()`, in elements of the storage t shares with its base. */
  layout: (h: number) => { strides: number[]; offset: number };
  /** `copy`: torch.diag of a matrix, the same elements in a tensor of their own. */
  diagonal: (h: number, offset: number, dim1: number, dim2: number, copy?: boolean) => number;
  unfold: (h: number, dim: number, size: number, step: number) => number;
  /** `itemSize`: bytes per element (the dtype's itemsize, as Python knows it), for the out-of-bounds message. */
  as_strided: (h: number, size: unknown, stride: unknown, offset: number, itemSize: number) => number;
}

/** The elements of `t` at `picks` along `axis` (none: wasm's gather of no indices gives a wrong shape, so a slice). */
function pick(t: tf.Tensor, picks: number[], axis: number): tf.Tensor {
  if (picks.length) return tf.gather(t, tf.tensor1d(picks, 'int32'), axis);
  return tf.slice(t, t.shape.map(() => 0), t.shape.map((size, d) => (d === axis ? 0 : size)));
}

/** The view entries of the op table. */
export function createViewOps(ctx: OpContext): ViewOps {
  const { engine, T, D, run } = ctx;
  return {
    data_alias: (h: number) => engine.alias(h, true),
    version: (h: number) => engine.version(h),
    is_contiguous: (h: number) => engine.isContiguous(h),
    layout: (h: number) => engine.layout(h),
    /** x.diagonal(offset, dim1, dim2): the two dims go, the diagonal comes last, as PyTorch's. */
    diagonal: (h: number, offset: number, dim1: number, dim2: number, copy?: boolean) => {
      const shape = T(h).shape;
      const a = normDim(dim1, shape.length);
      const b = normDim(dim2, shape.length);
      if (a === b) throw new TorchError('RuntimeError', `diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
      const rows = shape[a];
      const cols = shape[b];
      const firstRow = Math.max(0, -offset);
      const firstCol = Math.max(0, offset);
      const length = Math.max(0, Math.min(rows - firstRow, cols - firstCol));
      const rest = shape.map((_, d) => d).filter((d) => d !== a && d !== b);
      const restShape = rest.map((d) => shape[d]);
      const picks = Array.from({ length }, (_, i) => (firstRow + i) * cols + firstCol + i);
      const fn = (t: tf.Tensor) => {
        const flat = tf.reshape(tf.transpose(t, [...rest, a, b]), [...restShape, rows * cols]);
        return pick(flat, picks, rest.length);
      };
      if (copy === true) return run('DiagBackward0', [h], fn, D(h));
      return engine.runView('DiagonalBackward0', h, {
        fn,
        reshapes: false,
        keepsOrder: false,
        overlaps: false,
        layout: (_, input) => ({
          strides: [...rest.map((d) => input.strides[d]), input.strides[a] + input.strides[b]],
          offset: input.offset + (length ? firstRow * input.strides[a] + firstCol * input.strides[b] : 0),
        }),
      });
    },
    /** x.unfold(dim, size, step): windows of `size` along dim, every `step`, as a new last dim. */
    unfold: (h: number, dim: number, size: number, step: number) => {
      const shape = T(h).shape;
      const axis = shape.length ? normDim(dim, shape.length) : normDim(dim, 1);
      const length = shape.length ? shape[axis] : 1;
      if (size > length) throw new TorchError('RuntimeError', `maximum size for tensor at dimension ${axis} is ${length} but size is ${size}`);
      if (step <= 0) throw new TorchError('RuntimeError', `step is ${step} but must be > 0`);
      const windows = Math.floor((length - size) / step) + 1;
      const picks: number[] = [];
      for (let w = 0; w < windows; w++) for (let k = 0; k < size; k++) picks.push(w * step + k);
      const before = shape.slice(0, axis);
      const after = shape.slice(axis + 1);
      const order = [...before.keys(), before.length, ...after.map((_, i) => before.length + 2 + i), before.length + 1];
      return engine.runView('UnfoldBackward0', h, {
        fn: (t) => {
          if (!shape.length) return tf.reshape(t, [1]);
          const picked = pick(t, picks, axis);
          return tf.transpose(tf.reshape(picked, [...before, windows, size, ...after]), order);
        },
        reshapes: !shape.length,
        keepsOrder: false,
        layout: (_, input) => {
          if (!shape.length) return { strides: [1], offset: input.offset };
          const along = input.strides[axis];
          const strides = input.strides.slice();
          strides.splice(axis, 1, along * step);
          return { strides: [...strides, along], offset: input.offset };
        },
        // Overlapping windows are not refused: PyTorch detects only stride-0 overlap, and leaves writes here undefined.
        overlaps: false,
      });
    },
    /**
     * x.as_strided(size, stride, offset) on x's storage. Each element it names must be one of x's own (always so
     * unless x is itself a view reaching less than its whole storage), so the view is a pick of x's elements.
     */
    as_strided: (h: number, sizeArg: unknown, strideArg: unknown, offset: number, itemSize: number) => {
      const size = toNumbers(sizeArg);
      const stride = toNumbers(strideArg);
      if (size.length !== stride.length) {
        throw new TorchError('RuntimeError', `mismatch in length of strides and shape`);
      }
      const { positions, storageSize } = engine.storagePositions(h);
      const count = sizeOfShape(size);
      const storage: number[] = [];
      for (let i = 0; i < count; i++) {
        let at = offset;
        let rest = i;
        for (let d = size.length - 1; d >= 0; d--) {
          at += (rest % size[d]) * stride[d];
          rest = Math.floor(rest / size[d]);
        }
        storage.push(at);
      }
      const needed = count ? Math.max(...storage) + 1 : 0;
      if (needed > storageSize) {
        throw new TorchError(
          'RuntimeError',
          `setStorage: sizes ${listText(size)}, strides ${listText(stride)}, storage offset ${offset}, and itemsize ${itemSize} requiring a storage size of ${needed * itemSize} are out of bounds for storage of size ${storageSize * itemSize}`,
        );
      }
      let picks = storage;
      if (positions) {
        const elementAt = new Map<number, number>();
        positions.forEach((p, i) => {
          if (!elementAt.has(p)) elementAt.set(p, i);
        });
        picks = storage.map((p) => elementAt.get(p) ?? -1);
        if (picks.includes(-1)) {
          throw new TorchError('NotImplementedError', 'as_strided() of a view, reaching storage outside that view, is not supported by the Trainloop runtime yet');
        }
      }
      return engine.runView('AsStridedBackward0', h, {
        fn: (t) => tf.reshape(pick(tf.reshape(t, [-1]), picks, 0), size),
        reshapes: false,
        keepsOrder: false,
        // PyTorch refuses writes only where it can tell cheaply: a stride of 0 along a dim longer than 1.
        overlaps: size.some((s, d) => s > 1 && stride[d] === 0),
        layout: () => ({ strides: stride, offset }),
      });
    },
  };
}
