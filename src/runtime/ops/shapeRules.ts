// Shape arithmetic with PyTorch's rules and messages: sizes, broadcasting, dimension normalization, view shapes.
import { TorchError } from '../torchError';

/** Whether two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A shape as PyTorch prints `.shape`. */
export function formatSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}

export function sizeOfShape(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function listText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** The broadcast shape of two shapes, or PyTorch's error naming the first dimension that does not fit. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
    const db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new TorchError(
        'RuntimeError',
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Normalizes a possibly negative dimension, with PyTorch's IndexError when it is out of range. */
export function normDim(dim: number, rank: number): number {
  const r = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -r || dim >= r) {
    throw new TorchError('IndexError', `Dimension out of range (expected to be in range of [${-r}, ${r - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + r : dim;
}

export function normAxes(dims: number[], rank: number): number[] {
  const axes = dims.map((d) => normDim(d, rank));
  for (let i = 0; i < axes.length; i++) {
    if (axes.indexOf(axes[i]) !== i) throw new TorchError('RuntimeError', `dim ${axes[i]} appears multiple times in the list of dims`);
  }
  return rank === 0 ? [] : axes;
}

export const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** Resolves a requested shape with at most one -1 against a number of elements (view/reshape). */
export function inferShape(shape: number[], numel: number): number[] {
  let inferred = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === -1) {
      if (inferred >= 0) throw new TorchError('RuntimeError', 'only one dimension can be inferred');
      inferred = i;
    } else if (shape[i] < 0 || !Number.isInteger(shape[i])) {
      throw new TorchError('RuntimeError', `invalid shape dimension ${shape[i]}`);
    } else {
      known *= shape[i];
    }
  }
  if (inferred >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new TorchError('RuntimeError', `shape '${listText(shape)}' is invalid for input of size ${numel}`);
    }
    const out = shape.slice();
    out[inferred] = numel / known;
    return out;
  }
  if (known !== numel) throw new TorchError('RuntimeError', `shape '${listText(shape)}' is invalid for input of size ${numel}`);
  return shape;
}

