// PyTorch's strides of a view, and whether `view(shape)` can keep sharing storage under them (else PyTorch raises).
//
// Each view op works out its result's strides and storage offset from its input's (tensorViews.ts `layout`); a view
// whose steps did not all tell has them read from its elements' positions in the storage instead, since every view op
// PyTorch has picks elements affinely: along dim d, the step between the first element and its neighbour along d.

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
  const same = oldShape.length === newShape.length && oldShape.every((size, d) => size === newShape[d]);
  if (same) return oldStrides.slice();
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

/**
 * The layout of a basic-indexing view (ints, slices, None): per input dim a first index and a step (`begin`, `end`,
 * `steps`, as the index plan has them), then dims of size 1 dropped (ints) or added (None) to give `shape`.
 */
export function indexedLayout(
  input: { strides: readonly number[]; offset: number },
  plan: { begin: readonly number[]; end: readonly number[]; strides: readonly number[] },
  shape: readonly number[],
): { strides: number[]; offset: number } | null {
  let offset = input.offset;
  const slicedShape: number[] = [];
  const slicedStrides: number[] = [];
  plan.begin.forEach((first, d) => {
    offset += first * input.strides[d];
    slicedShape.push(Math.max(0, Math.ceil((plan.end[d] - first) / plan.strides[d])));
    slicedStrides.push(input.strides[d] * plan.strides[d]);
  });
  const strides = viewStrides(slicedShape, slicedStrides, shape);
  return strides && { strides, offset };
}
