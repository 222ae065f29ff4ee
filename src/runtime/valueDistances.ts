// Sums of squares of tensor values, and of their differences from an earlier copy, for the training panel's gradient
// norms and update ratios ‖Δw‖/‖w‖: counted in JavaScript (in float64) on read-back values, with no engine ops, so the
// training watch adds no tensors (and no allocations in the backend's heap) to the run it measures.

/** Σ v²; NaN or ±Infinity when a value is not finite (a non-finite gradient must show as one). */
export function sumOfSquares(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return sum;
}

/** Σ (v − copy)²; NaN when the two differ in length (the tensor was replaced by one of another shape). */
export function squaredDistance(values: ArrayLike<number>, copy: ArrayLike<number>): number {
  if (values.length !== copy.length) return NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - copy[i];
    sum += d * d;
  }
  return sum;
}
