// Views: tensors that share their base's storage (view, reshape, slicing, select, narrow, t, transpose, permute,
// squeeze, unsqueeze, flatten, expand, split, diagonal, unfold, as_strided), so a write through any of them is seen by
// the base and every other view.
//
// A storage (Box) holds its root tensor's value as one tfjs tensor; tfjs tensors are immutable, so a write replaces
// it and counts one more write (`box.writes`). A view holds no data of its own: it holds how its value follows from the
// root's (`fn`, the composition of the view ops that made it) and a cache of that value, valid while the storage has
// seen no write since it was made (`stamp`). A write through a view computes the view's new value as any in-place op
// does, then puts it back into the root: by a reshape when every step only reshapes, else by a scatter at the view's
// positions in the root (`fn` applied to the root's flat indices, worked out on the first write and kept).
//
// A view also carries PyTorch's strides and storage offset (`layout`), composed step by step by the ops that know
// theirs, for is_contiguous(), stride() and view()'s rule (viewStrides.ts); a step that does not tell leaves them to
// be read from the positions once.
import * as tf from '@tensorflow/tfjs-core';
import type { OpNode, Var } from './autogradGraph';
import { scatterUpdateWithGrad } from './ops/kernels/indexing';
import { TorchError } from './torchError';
import { rowMajorStrides, stridesFromPositions } from './viewStrides';

export type ViewFn = (t: tf.Tensor) => tf.Tensor;

/** One view op as an op table hands it to the engine. */
export interface ViewStep {
  fn: ViewFn;
  /** Only the shape changes (view, reshape, flatten, squeeze, unsqueeze): the same elements in the same order. */
  reshapes: boolean;
  /** The picked elements stay in the base's row-major order, one after another (leading-dim slices and selects). */
  keepsOrder: boolean;
  /** Several elements of the view are one element of the base (expand along a stretched dim). */
  overlaps: boolean;
  /**
   * The result's strides and storage offset from its input's (`shape` is the input's), when the op knows them (null:
   * not expressible, e.g. a view() PyTorch would refuse); without it they are read from the view's positions.
   */
  layout?: (shape: readonly number[], input: Layout) => Layout | null;
}

/** PyTorch's stride() and storage_offset() of a tensor, in elements of its storage. */
export interface Layout {
  strides: number[];
  offset: number;
}

/** What makes a Var a view: its root's storage is its own, seen through `fn`. */
export interface ViewOf {
  /** The tensor whose storage this is (not a view): its graph history changes when a view of it is written. */
  root: Var;
  fn: ViewFn;
  reshapes: boolean;
  contiguous: boolean;
  overlaps: boolean;
  /** The view's value as of `stamp` writes to the storage (null until first read). */
  cache: tf.Tensor | null;
  stamp: number;
  /** int32 flat positions in the root of each element of the view, once a write needed them. */
  positions: tf.Tensor | null;
  /** The same positions read back, once needed (as_strided of the view, or strides its ops could not tell). */
  read: Int32Array | null;
  /** Strides and offset as the view ops that made it worked them out (null when one of them could not). */
  layout: Layout | null;
  /** The root's grad_fn when this view's grad_fn was made: when it changed, the view's history is made again. */
  rootFn: OpNode | null;
}

/** PyTorch's per-tensor `_version`: shared by a tensor, its views and detach(); `.data` gets its own. */
export interface VersionCounter {
  value: number;
}

export const OVERLAP_MESSAGE =
  'unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please ' +
  'clone() the tensor before performing the operation.';

/** The view made by applying `step` to `base` (itself a view or not), with `cache` as its current value. */
export function viewOf(base: Var, step: ViewStep, cache: tf.Tensor, inputShape: readonly number[]): ViewOf {
  const parent = base.view;
  const parentFn = parent?.fn;
  const parentContiguous = parent ? parent.contiguous : true;
  const inputLayout = parent ? parent.layout : { strides: rowMajorStrides(inputShape), offset: 0 };
  return {
    root: parent ? parent.root : base,
    fn: parentFn ? (t) => step.fn(parentFn(t)) : step.fn,
    reshapes: (parent ? parent.reshapes : true) && step.reshapes,
    contiguous: parentContiguous && (step.reshapes || step.keepsOrder),
    overlaps: (parent?.overlaps ?? false) || step.overlaps,
    cache,
    stamp: base.box.writes,
    positions: null,
    read: null,
    layout: inputLayout && step.layout ? step.layout(inputShape, inputLayout) : null,
    rootFn: parent ? parent.rootFn : base.fn,
  };
}

/** Another handle's view of the same elements (`detach()` of a view): its own cache, made when first read. */
export function copyView(view: ViewOf): ViewOf {
  return { ...view, cache: null, stamp: -1, positions: null };
}

/** Whether the view's cache no longer shows the storage. */
export function isStale(view: ViewOf, box: { writes: number }): boolean {
  return view.cache === null || view.stamp !== box.writes;
}

/** The view's value computed again from the root's (kept from any enclosing tidy scope). */
export function recomputeView(view: ViewOf, root: tf.Tensor): tf.Tensor {
  return tf.keep(tf.tidy(() => {
    const out = view.fn(root);
    return out === root ? tf.clone(out) : out;
  }));
}

/** The root's new value once the view's elements are `value` (a tensor of the view's shape). */
export function writeBack(view: ViewOf, root: tf.Tensor, value: tf.Tensor): tf.Tensor {
  if (view.reshapes) return tf.reshape(value, root.shape);
  return scatterUpdateWithGrad(root, positionsOf(view, root), value);
}

/** int32 flat positions in the root of each element of the view (made on first need, then kept). */
function positionsOf(view: ViewOf, root: tf.Tensor): tf.Tensor {
  if (!view.positions) view.positions = tf.keep(tf.tidy(() => view.fn(tf.reshape(tf.range(0, root.size, 1, 'int32'), root.shape))));
  return view.positions;
}

/** The view's elements' flat positions in its root's storage, read once: its strides and offset follow from them. */
export function storagePositions(view: ViewOf, root: tf.Tensor): Int32Array {
  if (!view.read) view.read = positionsOf(view, root).dataSync() as Int32Array;
  return view.read;
}

/** The view's strides and storage offset: as its ops worked them out, else from its elements' positions. */
export function layoutOf(view: ViewOf, root: tf.Tensor, shape: readonly number[]): Layout {
  if (view.layout) return view.layout;
  const positions = storagePositions(view, root);
  view.layout = { strides: stridesFromPositions(positions, shape), offset: positions.length ? positions[0] : 0 };
  return view.layout;
}

/** Frees what a view holds of its own (the storage is the Var's, released with it). */
export function releaseView(view: ViewOf): void {
  view.cache?.dispose();
  view.cache = null;
  view.positions?.dispose();
  view.positions = null;
  view.read = null;
}

/** Refuses an in-place op that would write one base element several times (an expanded view), as PyTorch does. */
export function checkNoOverlap(view: ViewOf | null | undefined): void {
  if (view?.overlaps) throw new TorchError('RuntimeError', OVERLAP_MESSAGE);
}
