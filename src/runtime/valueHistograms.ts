// Histograms of tensor values for the training panel, counted in JavaScript on the read-back values: no engine ops, so
// the training watch adds no tensors (and no allocations in the backend's heap) to the run it measures.

export interface ValueHistogram {
  min: number;
  max: number;
  counts: number[];
}

/**
 * `bins` equal bins over the range of an evenly spaced sample of at most `sample` values (every ceil(n / sample)-th);
 * all values in the first bin when they are equal; null when the sample holds a NaN or an infinity, or is empty.
 */
export function valueHistogram(values: ArrayLike<number>, bins: number, sample: number): ValueHistogram | null {
  const step = Math.max(1, Math.ceil(values.length / sample));
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i += step) {
    const v = values[i];
    if (v !== v) return null; // NaN
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) return null;
  const counts = new Array<number>(bins).fill(0);
  // The same arithmetic as the float32 path it replaces: bin = trunc((v − min) · bins / (max − min)), clamped.
  const scale = max > min ? Math.fround(bins / (max - min)) : 0;
  for (let i = 0; i < values.length; i += step) {
    const bin = Math.trunc(Math.fround(Math.fround(values[i] - min) * scale));
    counts[bin < 0 ? 0 : bin >= bins ? bins - 1 : bin]++;
  }
  return { min, max, counts };
}
