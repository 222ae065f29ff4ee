// Indexing ops: x[key] reads and writes, index_select, gather, scatter, nonzero, sort, topk, unique, one_hot.
import * as tf from '@tensorflow/tfjs-core';
import { type TfDtype, isFloatDtype, castTo } from './dtypes';
import { sameShape, sizeOfShape, listText, broadcastShapes, normDim } from './shapeRules';
import { toNumbers } from './arguments';
import { TorchError } from '../torchError';
import { alongLastAxis } from './kernels/layout';
import { scatterUpdateWithGrad } from './kernels/indexing';
import { type IndexPlan, planIndex, decodeIndex, applyIndex, indexPositions, alongAxisPositions } from './indexPlans';
import type { OpContext } from './context';
import { indexedLayout } from '../viewStrides';

export interface IndexingOps {
  index: (h: number, key: unknown) => number;
  index_put_: (h: number, key: unknown, value: number) => void;
  index_fill_: (h: number, key: unknown, value: number | boolean) => void;
  index_select: (h: number, dim: number, index: number) => number;
  gather: (h: number, dim: number, index: number) => number;
  scatter: (h: number, dim: number, index: number, src: number, add: boolean) => number;
  nonzero: (h: number) => number;
  sort: (h: number, dim: number, descending: boolean) => number[];
  topk: (h: number, k: number, dim: number, largest: boolean) => number[];
  unique: (h: number) => number[];
  one_hot: (h: number, classes: number) => number;
}

/** The indexing entries of the op table. */
export function createIndexingOps(ctx: OpContext): IndexingOps {
  const { engine, T, D, run } = ctx;

  /** Values and indices of the first `k` along `axis` in order (descending when `descending`). */
  const sortedAlong = (h: number, axis: number, k: number, descending: boolean, gradName: string): number[] => {
    const [indices] = engine.runDetached([h], (t) => {
      const source = t.dtype === 'bool' ? tf.cast(t, 'int32') : t;
      return [alongLastAxis(source, axis, (u) => (u.dtype === 'float32' && tf.any(tf.isNaN(u)).dataSync()[0]
        ? firstInOrderWithNaN(u, k, descending)
        : tf.topk(descending ? u : tf.neg(u), k).indices))];
    }, ['int64']);
    const idx = T(indices);
    const positions = alongAxisPositions(T(h).shape, idx, axis, 'input');
    const values = run(gradName, [h], (t) => tf.reshape(tf.gather(tf.reshape(t, [-1]), tf.tensor1d(positions, 'int32')), idx.shape), D(h));
    return [values, indices];
  };

  /**
   * Indices of the first k along the last axis in PyTorch's order when some value is NaN: NaN ranks above +inf (first
   * when descending, last when ascending), ties keep their index order. tfjs's topk cannot rank NaN, so this sorts in JS.
   */
  const firstInOrderWithNaN = (u: tf.Tensor, k: number, descending: boolean): tf.Tensor => {
    const values = u.dataSync();
    const n = u.shape[u.rank - 1];
    const rows = n === 0 ? 0 : values.length / n;
    const out = new Int32Array(rows * k);
    for (let row = 0; row < rows; row++) {
      const order = [...Array(n).keys()].sort((a, b) => {
        const va = values[row * n + a];
        const vb = values[row * n + b];
        const nanA = Number.isNaN(va);
        const nanB = Number.isNaN(vb);
        if (nanA !== nanB) return nanA === descending ? -1 : 1;
        if (!nanA && va !== vb) return descending ? (va > vb ? -1 : 1) : (va < vb ? -1 : 1);
        return a - b;
      });
      out.set(order.slice(0, k), row * k);
    }
    return tf.tensor(out, [...u.shape.slice(0, -1), k], 'int32');
  };

  return {
    /** x[key], the key encoded by the shim as a flat list of numbers (see _tensor_ops.py `_encode_key`). */
    index: (h: number, key: unknown) => {
      const x = T(h);
      const plan = planIndex(engine, x.shape, decodeIndex(toNumbers(key)));
      if (plan.advanced.length) return run(plan.gradName, [h], (t) => applyIndex(t, plan), D(h));
      // Basic indexing (ints, slices, None, ...) gives a view, as in PyTorch.
      return engine.runView(plan.gradName, h, {
        fn: (t) => applyIndex(t, plan),
        reshapes: !plan.sliced,
        keepsOrder: keepsRowMajorOrder(x.shape, plan),
        overlaps: false,
        layout: (_, input) => indexedLayout(input, plan, plan.basicShape),
      });
    },
    /** x[key] = value (a tensor handle), in place. */
    index_put_: (h: number, key: unknown, value: number) => {
      const x = T(h);
      const plan = planIndex(engine, x.shape, decodeIndex(toNumbers(key)));
      const positions = indexPositions(x, plan);
      try {
        const v = T(value);
        try {
          broadcastShapes(positions.shape, v.shape);
          if (!sameShape(broadcastShapes(positions.shape, v.shape), positions.shape)) throw new Error();
        } catch {
          throw new TorchError('RuntimeError', `shape mismatch: value tensor of shape ${listText(v.shape)} cannot be broadcast to indexing result of shape ${listText(positions.shape)}`);
        }
        engine.runInPlace('CopySlices', [h, value], (xt, vt) => scatterUpdateWithGrad(xt, positions, tf.broadcastTo(castTo(vt, D(h)), positions.shape)), true);
      } finally {
        positions.dispose();
      }
    },
    /** x[key] = number, in place. */
    index_fill_: (h: number, key: unknown, value: number | boolean) => {
      const x = T(h);
      const plan = planIndex(engine, x.shape, decodeIndex(toNumbers(key)));
      const positions = indexPositions(x, plan);
      try {
        const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
        engine.runInPlace('CopySlices', [h], (xt) => scatterUpdateWithGrad(xt, positions, tf.fill(positions.shape, numeric, xt.dtype as TfDtype)), true);
      } finally {
        positions.dispose();
      }
    },
    /** x.index_select(dim, index). */
    index_select: (h: number, dim: number, index: number) => {
      const x = T(h);
      const axis = normDim(dim, x.rank);
      const i = T(index);
      if (i.rank > 1) throw new TorchError('IndexError', 'index_select(): Index is supposed to be a vector');
      if (isFloatDtype(D(index))) throw new TorchError('IndexError', 'index_select(): Expected dtype int32/int64 for index');
      const raw = i.dataSync();
      const size = x.rank === 0 ? 1 : x.shape[axis];
      const values = new Int32Array(raw.length);
      for (let k = 0; k < raw.length; k++) {
        let v = raw[k];
        if (v < -size || v >= size) throw new TorchError('IndexError', 'index out of range in self');
        if (v < 0) v += size;
        values[k] = v;
      }
      return run('IndexSelectBackward0', [h], (t) => tf.gather(t, tf.tensor1d(values, 'int32'), axis), D(h));
    },
    /** x.gather(dim, index): out[i][j] = x[i][index[i][j]] along dim. */
    gather: (h: number, dim: number, index: number) => {
      const x = T(h);
      const axis = normDim(dim, x.rank);
      if (isFloatDtype(D(index))) throw new TorchError('RuntimeError', 'gather(): Expected dtype int64 for index');
      const i = T(index);
      const positions = alongAxisPositions(x.shape, i, axis, 'input');
      return run('GatherBackward0', [h], (t) => tf.reshape(tf.gather(tf.reshape(t, [-1]), tf.tensor1d(positions, 'int32')), i.shape), D(h));
    },
    /** x.scatter(dim, index, src) (or scatter_add with `add`), src a tensor handle; out of place. */
    scatter: (h: number, dim: number, index: number, src: number, add: boolean) => {
      const x = T(h);
      const axis = normDim(dim, x.rank);
      const i = T(index);
      const positions = alongAxisPositions(x.shape, i, axis, 'self');
      const s = T(src);
      for (let d = 0; d < i.rank; d++) {
        if (i.shape[d] > s.shape[d]) {
          throw new TorchError('RuntimeError', `Size does not match at dimension ${d} expected index ${listText(i.shape)} to be smaller than src ${listText(s.shape)}`);
        }
      }
      const d = D(h);
      return run(add ? 'ScatterAddBackward0' : 'ScatterBackward0', [h, src], (xt, st) => {
        const picked = sameShape(st.shape, i.shape) ? st : tf.slice(st, i.shape.map(() => 0), i.shape);
        const values = tf.reshape(castTo(picked, d), [-1]);
        const p = tf.tensor2d(positions, [positions.length, 1], 'int32');
        const flat = tf.reshape(xt, [-1]);
        if (add) return tf.reshape(tf.add(flat, tf.scatterND(p, values, flat.shape)), xt.shape);
        return scatterUpdateWithGrad(xt, tf.tensor(positions, [positions.length], 'int32'), tf.reshape(values, [positions.length]));
      }, d);
    },
    /** The coordinates of non-zero elements, [n, rank] (torch.nonzero). */
    nonzero: (h: number) => {
      const x = T(h);
      const flags = x.dataSync();
      const coords: number[] = [];
      const strides = x.shape.map((_, d) => sizeOfShape(x.shape.slice(d + 1)));
      for (let f = 0; f < flags.length; f++) {
        if (!flags[f]) continue;
        for (let d = 0; d < x.rank; d++) coords.push(Math.floor(f / strides[d]) % x.shape[d]);
      }
      return engine.adopt(tf.tensor(Int32Array.from(coords), [coords.length / Math.max(1, x.rank), x.rank], 'int32'), false, null, 'int64');
    },
    /** Sorted along `dim`: [values, indices] (stable: ties keep their order). */
    sort: (h: number, dim: number, descending: boolean) => {
      const x = T(h);
      if (x.rank === 0) return [run('', [h], (t) => tf.clone(t), D(h)), engine.adopt(tf.scalar(0, 'int32'))];
      const axis = normDim(dim, x.rank);
      const n = x.shape[axis];
      return sortedAlong(h, axis, n, Boolean(descending), 'SortBackward0');
    },
    topk: (h: number, k: number, dim: number, largest: boolean) => {
      const x = T(h);
      const axis = normDim(dim, x.rank);
      const n = x.rank === 0 ? 1 : x.shape[axis];
      if (k < 0 || k > n) throw new TorchError('RuntimeError', 'selected index k out of range');
      return sortedAlong(h, axis, k, Boolean(largest), 'TopkBackward0');
    },
    /** Distinct values, sorted: [values, inverse indices, counts]. */
    unique: (h: number) => {
      const x = T(h);
      const values = Array.from(x.dataSync());
      const distinct = [...new Set(values)].sort((a, b) => a - b);
      const position = new Map(distinct.map((v, i) => [v, i]));
      const counts = new Int32Array(distinct.length);
      const inverse = Int32Array.from(values, (v) => {
        const p = position.get(v)!;
        counts[p]++;
        return p;
      });
      const storage = x.dtype as TfDtype;
      return [
        engine.adopt(tf.tensor(distinct, [distinct.length], storage), false, null, D(h)),
        engine.adopt(tf.tensor(inverse, x.shape, 'int32'), false, null, 'int64'),
        engine.adopt(tf.tensor(counts, [counts.length], 'int32'), false, null, 'int64'),
      ];
    },
    one_hot: (h: number, classes: number) => {
      const values = T(h).dataSync();
      let n = classes;
      if (n < 0) n = values.length ? Math.max(...Array.from(values)) + 1 : 0;
      for (const v of values) if (v < 0 || v >= n) throw new TorchError('RuntimeError', 'Class values must be smaller than num_classes.');
      return run('', [h], (x) => tf.oneHot(tf.cast(x, 'int32'), n, 1, 0, 'int32'), 'int64');
    },
  };
}

/** Whether basic indexing picks one row-major run of the base's elements: whole dims after the first one it keeps. */
function keepsRowMajorOrder(shape: readonly number[], plan: IndexPlan): boolean {
  let started = false;
  for (let d = 0; d < shape.length; d++) {
    const span = plan.end[d] - plan.begin[d];
    if (!started) {
      if (span <= 1) continue;
      if (plan.strides[d] !== 1) return false;
      started = true;
    } else if (span !== shape[d] || plan.strides[d] !== 1) {
      return false;
    }
  }
  return true;
}
