// PyTorch's strides of a view, and whether `view(shape)` can keep sharing storage under them (else PyTorch raises).
//
// Views here hold no strides: a view's elements are its root's at flat positions (tensorViews.ts), and every view op
// PyTorch has (transpose, slicing, select, expand, diagonal, unfold, as_strided...) picks them affinely, so the
// strides follow from those positions: along dim d, the step between the first element and its neighbour along d.

/** Row-major (contiguous) strides of `shape`. */
export function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= Math.max(shape[d], 1);
  }
  return strides;
}

/** Strides of a view of `shape` whose elements (row-major) sit at `positions` of its storage. */
export function stridesFromPositions(positions: ArrayLike<number>, shape: readonly number[]): number[] {
  const unit = rowMajorStrides(shape);
  if (!positions.length) return unit;
  // A dim of size 1 has no step: PyTorch's is usually the next dim's extent (as unsqueeze gives it), 1 innermost.
  const strides = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] > 1) strides[d] = positions[unit[d]] - positions[0];
    else strides[d] = d + 1 < shape.length ? strides[d + 1] * Math.max(shape[d + 1], 1) : 1;
  }
  return strides;
}

/** PyTorch's is_contiguous: row-major strides on every dim longer than 1 (any tensor with no elements is). */
export function isRowMajor(shape: readonly number[], strides: readonly number[]): boolean {
  if (shape.some((size) => size === 0)) return true;
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] === 1) continue;
    if (strides[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/**
 * The strides `view(newShape)` would have, or null when it cannot be a view (PyTorch's "view size is not compatible
 * with input tensor's size and stride"). The old dims fall into runs that are one block of storage each (each dim's
 * stride is the next one's times its size; dims of size 1 belong to any run); a view may split or merge dims within a
 * run, so the new dims must group, in order, into products equal to the runs' sizes.
 */
export function viewStrides(oldShape: readonly number[], oldStrides: readonly number[], newShape: readonly number[]): number[] | null {
  if (oldShape.some((size) => size === 0) || newShape.some((size) => size === 0)) return rowMajorStrides(newShape);
  // Runs of old dims from the innermost: [elements, stride of the innermost dim], dims of size 1 dropped.
  const runs: Array<{ size: number; step: number }> = [];
  for (let d = oldShape.length - 1; d >= 0; d--) {
    if (oldShape[d] === 1) continue;
    const inner = runs[runs.length - 1];
    if (inner && oldStrides[d] === inner.size * inner.step) inner.size *= oldShape[d];
    else runs.push({ size: oldShape[d], step: oldStrides[d] });
  }
  const strides = new Array<number>(newShape.length);
  let d = newShape.length - 1;
  for (const run of runs) {
    let filled = 1;
    while (d >= 0 && (filled < run.size || newShape[d] === 1)) {
      strides[d] = filled * run.step;
      filled *= newShape[d];
      d--;
    }
    if (filled !== run.size) return null;
  }
  // Leading new dims of size 1 (or all of them, for a tensor of one element).
  for (; d >= 0; d--) {
    if (newShape[d] !== 1) return null;
    strides[d] = d + 1 < newShape.length ? strides[d + 1] * newShape[d + 1] : 1;
  }
  return strides;
}
