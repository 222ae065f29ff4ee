// Reads the shape and dtype out of the adapter's one-line tensor summary (`tensor[64, 1, 28, 28] f32 n=50176 x∈[0, 1] …`), for inline values.

export interface ShapeAndDtype {
  /** `[64, 1, 28, 28]`; `[]` for a 0-d tensor. */
  shape: number[];
  /** As the summary spells it: `f32`, `i64`, `float32`…; '' when it does not say. */
  dtype: string;
}

const DTYPE_WORDS: ReadonlySet<string> = new Set([
  'f16', 'bf16', 'f32', 'f64', 'i8', 'i16', 'i32', 'i64', 'u8', 'bool', 'c64', 'c128',
  'float16', 'bfloat16', 'float32', 'float64', 'float', 'double', 'half', 'int8', 'int16', 'int32', 'int64', 'uint8', 'long', 'int', 'complex64',
]);

function stripTorchPrefix(word: string): string {
  return word.startsWith('torch.') ? word.slice('torch.'.length) : word;
}

/**
 * Shape and dtype of a value the adapter shows for a tensor or a parameter (`tensor[…]`,
 * `Parameter[…]`); null for anything else. A 0-d tensor reads `tensor f32 0.53`.
 */
export function parseTensorSummary(summary: string): ShapeAndDtype | null {
  const text = summary.trim();
  let rest: string;
  const lower = text.toLowerCase();
  if (lower.startsWith('tensor')) rest = text.slice('tensor'.length);
  else if (lower.startsWith('parameter')) rest = text.slice('parameter'.length);
  else return null;
  let shape: number[] = [];
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return null;
    const inside = rest.slice(1, close).trim();
    if (inside !== '') {
      shape = inside.split(',').map((d) => Number(d.trim()));
      if (shape.some((d) => !Number.isInteger(d) || d < 0)) return null;
    }
    rest = rest.slice(close + 1);
  } else if (!rest.startsWith(' ')) {
    return null; // `tensor(…)`: a repr, not a summary.
  }
  const words = rest.trim().split(/\s+/);
  const dtypeWord = words.map(stripTorchPrefix).find((w) => DTYPE_WORDS.has(w) || w.startsWith('dtype=')) ?? '';
  const dtype = dtypeWord.startsWith('dtype=') ? stripTorchPrefix(dtypeWord.slice('dtype='.length)) : dtypeWord;
  return { shape, dtype };
}

/** `[64, 1, 28, 28] f32` — the inline text beside a tensor variable. */
export function formatShapeAndDtype(value: ShapeAndDtype): string {
  const shape = `[${value.shape.join(', ')}]`;
  return value.dtype ? `${shape} ${value.dtype}` : shape;
}
