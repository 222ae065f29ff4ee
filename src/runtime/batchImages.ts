// The first images of a batch as the training panel draws them (every `stride`-th row and column, scaled over their
// range to bytes 0..255, base64), made from the batch's read-back values: no engine ops, so the training watch adds
// no tensors (and no allocations in the backend's heap) to the run it measures.

export interface BatchImageBytes {
  /** [count, channels, ceil(height / stride), ceil(width / stride)] */
  shape: number[];
  bytes: string;
}

/** `values` hold an N×C×H×W batch of the given shape; the first `count` images are taken. */
export function batchImageBytes(values: ArrayLike<number>, shape: readonly number[], count: number, stride: number): BatchImageBytes {
  const [, channels, height, width] = shape;
  const rows = Math.ceil(height / stride);
  const columns = Math.ceil(width / stride);
  const picked = new Float32Array(count * channels * rows * columns);
  let k = 0;
  for (let plane = 0; plane < count * channels; plane++) {
    for (let y = 0; y < height; y += stride) {
      const row = (plane * height + y) * width;
      for (let x = 0; x < width; x += stride) picked[k++] = values[row + x];
    }
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of picked) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const scale = 255 / Math.max(max - min, 1e-12);
  const bytes = new Uint8Array(picked.length);
  for (let i = 0; i < picked.length; i++) {
    const v = Math.round((picked[i] - min) * scale);
    bytes[i] = v > 255 ? 255 : v > 0 ? v : 0; // NaN → 0
  }
  return { shape: [count, channels, rows, columns], bytes: Buffer.from(bytes.buffer).toString('base64') };
}
