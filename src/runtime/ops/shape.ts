// Shape ops: view/reshape, squeeze, permute, transpose, expand, repeat, cat, stack, split, flip, roll, tril/triu, pad.
import * as tf from '@tensorflow/tfjs-core';
import { LEGACY_NAME, promoteTypes, castTo, toBool } from './dtypes';
import { sameShape, sizeOfShape, listText, normDim, normAxes, inferShape } from './shapeRules';
import { toNumbers } from './arguments';
import { TorchError } from '../torchError';
import { bandMask } from './kernels/layout';
import type { OpContext } from './context';
import type { ViewStep } from '../tensorViews';
import { viewStrides } from '../viewStrides';

const VIEW_MESSAGE =
  "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous " +
  'subspaces). Use .reshape(...) instead.';

const withoutOnes = (shape: readonly number[]) => shape.filter((d) => d !== 1);

/** A view step that only changes the shape, to `target`. */
const reshaping = (target: number[]): ViewStep => ({
  fn: (t) => tf.reshape(t, target),
  reshapes: true,
  keepsOrder: true,
  overlaps: false,
  layout: (shape, input) => {
    const strides = viewStrides(shape, input.strides, target);
    return strides && { strides, offset: input.offset };
  },
});
/** A view step that reorders or picks elements (`keepsOrder`: still one row-major run of the base's). */
const picking = (fn: ViewStep['fn'], layout: ViewStep['layout'], keepsOrder = false, overlaps = false): ViewStep =>
  ({ fn, reshapes: false, keepsOrder, overlaps, layout });
/** The layout of a permutation of the input's dims. */
const permuted = (axes: readonly number[]): ViewStep['layout'] => (_, input) => ({ strides: axes.map((a) => input.strides[a]), offset: input.offset });

export interface ShapeOps {
  /** `asView`: Tensor.view, which raises where reshape would copy. */
  reshape: (h: number, shape: unknown, gradName?: string, asView?: boolean) => number;
  flatten: (h: number, start: number, end: number) => number;
  squeeze: (h: number, dims: unknown) => number;
  unsqueeze: (h: number, dim: number) => number;
  permute: (h: number, perm: unknown) => number;
  transpose: (h: number, dim0: number, dim1: number, gradName?: string) => number;
  expand: (h: number, sizes: unknown) => number;
  repeat: (h: number, sizes: unknown) => number;
  cat: (handles: unknown, dim: number) => number;
  stack: (handles: unknown, dim: number) => number;
  split: (h: number, sizes: unknown, dim: number, squeeze: boolean, gradName: string) => number[];
  flip: (h: number, dims: unknown) => number;
  roll: (h: number, shifts: unknown, dims: unknown) => number;
  tril: (h: number, k: number) => number;
  triu: (h: number, k: number) => number;
  pad: (h: number, pads: unknown, value: number) => number;
}

/** The shape entries of the op table. */
export function createShapeOps(ctx: OpContext): ShapeOps {
  const { engine, T, D, run } = ctx;
  /**
   * view/reshape to `target`: a view when PyTorch's strides allow it (always for a contiguous tensor, or when only dims
   * of size 1 come or go; for a transposed or strided one, when the regrouped dims are contiguous with each other).
   * Otherwise `view` raises as PyTorch's does, and reshape copies, as PyTorch's reshape does then.
   */
  const reshapeTo = (h: number, target: number[], gradName: string, asView = false) => {
    const shape = T(h).shape;
    const viewable = engine.isContiguous(h) || sameShape(withoutOnes(shape), withoutOnes(target)) ||
      viewStrides(shape, engine.layout(h).strides, target) !== null;
    if (viewable) return engine.runView(gradName, h, reshaping(target));
    if (asView) throw new TorchError('RuntimeError', VIEW_MESSAGE);
    return run(gradName, [h], (t) => tf.reshape(t, target), D(h));
  };

  return {
    /** view/reshape (and flatten, squeeze, unsqueeze through the shim) with one -1 allowed. */
    reshape: (h: number, shape: unknown, gradName?: string, asView?: boolean) => {
      const x = T(h);
      const target = inferShape(toNumbers(shape), x.size);
      return reshapeTo(h, target, gradName || 'ViewBackward0', asView === true);
    },
    flatten: (h: number, start: number, end: number) => {
      const shape = T(h).shape;
      if (shape.length === 0) return reshapeTo(h, [1], 'ViewBackward0');
      const s = normDim(start, shape.length);
      const e = normDim(end, shape.length);
      if (s > e) throw new TorchError('RuntimeError', 'flatten() has invalid args: start_dim cannot come after end_dim');
      const target = [...shape.slice(0, s), sizeOfShape(shape.slice(s, e + 1)), ...shape.slice(e + 1)];
      return reshapeTo(h, target, 'ViewBackward0');
    },
    squeeze: (h: number, dims: unknown) => {
      const shape = T(h).shape;
      const list = dims == null ? null : toNumbers(dims);
      const axes = list ? normAxes(list, shape.length) : null;
      const target = shape.filter((d, i) => !(d === 1 && (!axes || axes.includes(i))));
      const name = !list ? 'SqueezeBackward0' : list.length === 1 ? 'SqueezeBackward1' : 'SqueezeBackward2';
      return engine.runView(name, h, reshaping(target));
    },
    unsqueeze: (h: number, dim: number) => {
      const shape = T(h).shape;
      const axis = normDim(dim, shape.length + 1);
      const target = [...shape.slice(0, axis), 1, ...shape.slice(axis)];
      return engine.runView('UnsqueezeBackward0', h, reshaping(target));
    },
    permute: (h: number, perm: unknown) => {
      const x = T(h);
      const dims = toNumbers(perm);
      if (dims.length !== x.rank) {
        throw new TorchError(
          'RuntimeError',
          `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.rank} is not equal to len(dims) = ${dims.length}`,
        );
      }
      const axes = dims.map((d) => normDim(d, x.rank));
      if (new Set(axes).size !== axes.length) throw new TorchError('RuntimeError', 'permute(): duplicate dims are not allowed.');
      const identity = axes.every((axis, i) => axis === i);
      return engine.runView('PermuteBackward0', h, identity ? reshaping(x.shape) : picking((t) => tf.transpose(t, axes), permuted(axes)));
    },
    transpose: (h: number, dim0: number, dim1: number, gradName?: string) => {
      const x = T(h);
      const a = normDim(dim0, x.rank);
      const b = normDim(dim1, x.rank);
      const perm = [...Array(x.rank).keys()];
      perm[a] = b;
      perm[b] = a;
      const name = gradName || 'TransposeBackward0';
      if (a === b) return engine.runView(name, h, reshaping(x.shape));
      return engine.runView(name, h, picking((t) => tf.transpose(t, perm), permuted(perm)));
    },
    /** x.expand(*sizes): -1 keeps a size; new leading dims may be added. */
    expand: (h: number, sizes: unknown) => {
      const x = T(h);
      const requested = toNumbers(sizes);
      const shape = x.shape;
      if (requested.length < shape.length) {
        throw new TorchError(
          'RuntimeError',
          `expand(torch.${LEGACY_NAME[D(h)]}Tensor{${listText(shape)}}, size=${listText(requested)}): the number of sizes provided (${requested.length}) must be greater or equal to the number of dimensions in the tensor (${shape.length})`,
        );
      }
      const lead = requested.length - shape.length;
      const target = requested.map((s, i) => {
        const own = i >= lead ? shape[i - lead] : null;
        if (s === -1) {
          if (own == null) throw new TorchError('RuntimeError', `The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
          return own;
        }
        if (own != null && own !== 1 && own !== s) {
          throw new TorchError(
            'RuntimeError',
            `The expanded size of the tensor (${s}) must match the existing size (${own}) at non-singleton dimension ${i}.  Target sizes: ${listText(requested)}.  Tensor sizes: ${listText(shape)}`,
          );
        }
        return s;
      });
      const stretches = target.some((s, i) => s !== 1 && (i < lead || shape[i - lead] === 1));
      // A new or stretched dim steps 0 through the storage.
      const layout: ViewStep['layout'] = (_, input) => ({
        strides: target.map((s, i) => (i < lead || (shape[i - lead] === 1 && s !== 1) ? 0 : input.strides[i - lead])),
        offset: input.offset,
      });
      return engine.runView('ExpandBackward0', h, picking((t) => tf.broadcastTo(t, target), layout, !stretches, stretches));
    },
    repeat: (h: number, sizes: unknown) => {
      const x = T(h);
      const reps = toNumbers(sizes);
      if (reps.length < x.rank) {
        throw new TorchError('RuntimeError', 'Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
      }
      const shape = [...Array(reps.length - x.rank).fill(1), ...x.shape];
      return run('RepeatBackward0', [h], (t) => {
        const r = tf.reshape(t, shape);
        return tf.tile(r.dtype === 'bool' ? tf.cast(r, 'int32') : r, reps);
      }, D(h));
    },
    cat: (handles: unknown, dim: number) => {
      let list = toNumbers(handles);
      if (!list.length) throw new TorchError('RuntimeError', 'torch.cat(): expected a non-empty list of Tensors');
      // Legacy rule: 1-D empty tensors are skipped.
      const nonEmpty = list.filter((h) => !(T(h).rank === 1 && T(h).shape[0] === 0));
      const out = list.map(D).reduce(promoteTypes);
      if (!nonEmpty.length) return run('CatBackward0', [list[0]], (t) => tf.clone(t), out);
      list = nonEmpty;
      const first = T(list[0]).shape;
      if (first.length === 0) throw new TorchError('RuntimeError', 'zero-dimensional tensor (at position 0) cannot be concatenated');
      const axis = normDim(dim, first.length);
      list.forEach((h, i) => {
        const s = T(h).shape;
        if (s.length !== first.length) {
          throw new TorchError('RuntimeError', `Tensors must have same number of dimensions: got ${first.length} and ${s.length}`);
        }
        for (let d = 0; d < s.length; d++) {
          if (d !== axis && s[d] !== first[d]) {
            throw new TorchError(
              'RuntimeError',
              `Sizes of tensors must match except in dimension ${axis}. Expected size ${first[d]} but got size ${s[d]} for tensor number ${i} in the list.`,
            );
          }
        }
      });
      return run('CatBackward0', list, (...ts) => {
        const parts = ts.map((t) => castTo(t, out === 'bool' ? 'int64' : out));
        const joined = tf.concat(parts, axis);
        return out === 'bool' ? toBool(joined) : joined;
      }, out);
    },
    stack: (handles: unknown, dim: number) => {
      const list = toNumbers(handles);
      if (!list.length) throw new TorchError('RuntimeError', 'stack expects a non-empty TensorList');
      const first = T(list[0]).shape;
      list.forEach((h, i) => {
        if (!sameShape(T(h).shape, first)) {
          throw new TorchError('RuntimeError', `stack expects each tensor to be equal size, but got ${listText(first)} at entry 0 and ${listText(T(h).shape)} at entry ${i}`);
        }
      });
      const axis = normDim(dim, first.length + 1);
      const out = list.map(D).reduce(promoteTypes);
      return run('StackBackward0', list, (...ts) => {
        const parts = ts.map((t) => castTo(t, out === 'bool' ? 'int64' : out));
        const joined = tf.stack(parts, axis);
        return out === 'bool' ? toBool(joined) : joined;
      }, out);
    },
    /** Pieces of x along dim with the given sizes (split, chunk, unbind when `squeeze`). */
    split: (h: number, sizes: unknown, dim: number, squeeze: boolean, gradName: string) => {
      const x = T(h);
      const axis = normDim(dim, x.rank);
      const parts = toNumbers(sizes);
      const handles: number[] = [];
      let start = 0;
      for (const length of parts) {
        const begin = x.shape.map((_, i) => (i === axis ? start : 0));
        const size = x.shape.map((s, i) => (i === axis ? length : s));
        const leading = x.shape.slice(0, axis).every((s) => s === 1);
        const first = start;
        const layout: ViewStep['layout'] = (_, input) => ({
          strides: squeeze ? input.strides.filter((_s, d) => d !== axis) : input.strides,
          offset: input.offset + first * input.strides[axis],
        });
        handles.push(engine.runView(gradName, h, picking((t) => {
          const piece = tf.slice(t, begin, size);
          return squeeze ? tf.squeeze(piece, [axis]) : piece;
        }, layout, leading)));
        start += length;
      }
      return handles;
    },
    flip: (h: number, dims: unknown) => {
      const x = T(h);
      const axes = normAxes(toNumbers(dims), x.rank);
      return run('FlipBackward0', [h], (t) => (axes.length ? tf.reverse(t, axes) : tf.clone(t)), D(h));
    },
    roll: (h: number, shifts: unknown, dims: unknown) => {
      const s = toNumbers(shifts);
      const ds = toNumbers(dims);
      return run('RollBackward0', [h], (t) => {
        if (!ds.length) {
          const flat = tf.reshape(t, [-1]);
          const n = flat.shape[0];
          const k = ((s[0] % n) + n) % n;
          if (!k) return tf.clone(t);
          return tf.reshape(tf.concat([tf.slice(flat, [n - k], [k]), tf.slice(flat, [0], [n - k])]), t.shape);
        }
        let y = t;
        ds.forEach((dd, i) => {
          const axis = normDim(dd, t.rank);
          const n = t.shape[axis];
          const k = ((s[i] % n) + n) % n;
          if (!k) return;
          const size1 = y.shape.map((v, j) => (j === axis ? k : v));
          const size2 = y.shape.map((v, j) => (j === axis ? n - k : v));
          const b1 = y.shape.map((_, j) => (j === axis ? n - k : 0));
          const b2 = y.shape.map(() => 0);
          y = tf.concat([tf.slice(y, b1, size1), tf.slice(y, b2, size2)], axis);
        });
        return y === t ? tf.clone(t) : y;
      }, D(h));
    },
    tril: (h: number, k: number) => run('TrilBackward0', [h], (x) => tf.where(toBool(bandMask(x.shape, k, true)), x, tf.zerosLike(x)), D(h)),
    triu: (h: number, k: number) => run('TriuBackward0', [h], (x) => tf.where(toBool(bandMask(x.shape, k, false)), x, tf.zerosLike(x)), D(h)),
    pad: (h: number, pads: unknown, value: number) =>
      run('ConstantPadNdBackward0', [h], (x) => {
        const p = toNumbers(pads);
        const spec: Array<[number, number]> = x.shape.map(() => [0, 0]);
        for (let i = 0; i < p.length / 2; i++) spec[x.rank - 1 - i] = [p[2 * i], p[2 * i + 1]];
        return tf.pad(x, spec, value);
      }, D(h)),
  };
}
