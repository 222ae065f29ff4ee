// Index plans: what x[key] selects (PyTorch's basic and advanced indexing, checked with its messages), and gather positions.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorEngine } from '../tensorEngine';
import { TorchError } from '../torchError';
import { isFloatDtype } from './dtypes';
import { broadcastShapes, listText, sameShape, sizeOfShape } from './shapeRules';
import { stridedSliceWithGrad } from './kernels/indexing';

/** An item of a Python index, decoded from the flat number list the shim sends (see _tensor_ops.py). */
export type IndexItem =
  | { kind: 'int'; value: number }
  | { kind: 'slice'; start: number; stop: number; step: number }
  | { kind: 'none' }
  | { kind: 'ellipsis' }
  | { kind: 'tensor'; handle: number }
  | { kind: 'bool'; value: boolean };

export function decodeIndex(codes: number[]): IndexItem[] {
  const items: IndexItem[] = [];
  for (let i = 0; i < codes.length; ) {
    switch (codes[i]) {
      case 0:
        items.push({ kind: 'int', value: codes[i + 1] });
        i += 2;
        break;
      case 1:
        items.push({ kind: 'slice', start: codes[i + 1], stop: codes[i + 2], step: codes[i + 3] });
        i += 4;
        break;
      case 2:
        items.push({ kind: 'none' });
        i += 1;
        break;
      case 3:
        items.push({ kind: 'ellipsis' });
        i += 1;
        break;
      case 4:
        items.push({ kind: 'tensor', handle: codes[i + 1] });
        i += 2;
        break;
      case 5:
        items.push({ kind: 'bool', value: codes[i + 1] !== 0 });
        i += 2;
        break;
      default:
        throw new TorchError('TypeError', `internal: bad index code ${codes[i]}`);
    }
  }
  return items;
}

/** Python's slice.indices() for a positive step (NaN stands for None). */
function resolveSlice(start: number, stop: number, step: number, size: number): [number, number, number] {
  const s = Number.isNaN(step) ? 1 : step;
  if (s <= 0) throw new TorchError('ValueError', 'step must be greater than zero');
  const clampIndex = (v: number, fallback: number) => {
    if (Number.isNaN(v)) return fallback;
    if (v < 0) v += size;
    return Math.min(Math.max(v, 0), size);
  };
  const b = clampIndex(start, 0);
  const e = Math.max(b, clampIndex(stop, size));
  return [b, e, s];
}

/** One index tensor after the basic part: which output position it stands at, and its values (bounds-checked). */
export interface AdvancedIndex {
  position: number;
  shape: number[];
  values: Int32Array;
}

/** What x[key] does: a strided slice, a reshape (ints removed, Nones added), then gathers for tensor indices. */
export interface IndexPlan {
  begin: number[];
  end: number[];
  strides: number[];
  sliced: boolean;
  /** The shape after the basic part (before advanced indexing). */
  basicShape: number[];
  advanced: AdvancedIndex[];
  gradName: string;
}

export function planIndex(engine: TensorEngine, shape: readonly number[], items: IndexItem[]): IndexPlan {
  const rank = shape.length;
  let consumed = 0;
  let ellipses = 0;
  for (const item of items) {
    if (item.kind === 'int' || item.kind === 'slice') consumed += 1;
    else if (item.kind === 'tensor') {
      const d = engine.dtypeOf(item.handle);
      consumed += d === 'bool' || d === 'uint8' ? engine.tensor(item.handle).rank : 1;
    } else if (item.kind === 'ellipsis') ellipses++;
  }
  if (ellipses > 1) throw new TorchError('IndexError', "an index can only have a single ellipsis ('...')");
  if (consumed > rank) throw new TorchError('IndexError', `too many indices for tensor of dimension ${rank}`);
  const expanded: IndexItem[] = [];
  for (const item of items) {
    if (item.kind === 'ellipsis') {
      for (let i = 0; i < rank - consumed; i++) expanded.push({ kind: 'slice', start: NaN, stop: NaN, step: NaN });
    } else {
      expanded.push(item);
    }
  }
  if (!ellipses) for (let i = consumed; i < rank; i++) expanded.push({ kind: 'slice', start: NaN, stop: NaN, step: NaN });
  const begin: number[] = [];
  const end: number[] = [];
  const strides: number[] = [];
  const basicShape: number[] = [];
  const advanced: AdvancedIndex[] = [];
  let sliced = false;
  let lastKind = ellipses ? 'alias' : 'slice';
  let dim = 0;
  for (const item of expanded) {
    if (item.kind === 'none' || item.kind === 'bool') {
      if (item.kind === 'bool' && !item.value) throw new TorchError('NotImplementedError', 'indexing with False is not supported by the Trainloop runtime yet');
      basicShape.push(1);
      lastKind = 'none';
      continue;
    }
    const size = shape[dim];
    if (item.kind === 'int') {
      let i = item.value;
      if (i < -size || i >= size) throw new TorchError('IndexError', `index ${i} is out of bounds for dimension ${dim} with size ${size}`);
      if (i < 0) i += size;
      begin.push(i);
      end.push(i + 1);
      strides.push(1);
      sliced = true;
      lastKind = 'int';
      dim++;
    } else if (item.kind === 'slice') {
      const [b, e, s] = resolveSlice(item.start, item.stop, item.step, size);
      const count = Math.max(0, Math.ceil((e - b) / s));
      begin.push(b);
      end.push(count ? b + (count - 1) * s + 1 : b);
      strides.push(s);
      if (b !== 0 || count !== size || s !== 1) {
        sliced = true;
        lastKind = 'slice';
      }
      basicShape.push(count);
      dim++;
    } else if (item.kind === 'tensor') {
      const t = engine.tensor(item.handle);
      const d = engine.dtypeOf(item.handle);
      if (isFloatDtype(d)) throw new TorchError('IndexError', 'tensors used as indices must be long, int, byte or bool tensors');
      if (d === 'bool' || d === 'uint8') {
        for (let k = 0; k < t.rank; k++) {
          if (t.shape[k] !== shape[dim + k]) {
            throw new TorchError(
              'IndexError',
              `The shape of the mask ${listText(t.shape)} at index ${k} does not match the shape of the indexed tensor ${listText(shape.slice(dim))} at index ${k}`,
            );
          }
        }
        const flags = t.dataSync();
        const coords: number[][] = t.shape.map(() => []);
        const strideOf = t.shape.map((_, k) => sizeOfShape(t.shape.slice(k + 1)));
        for (let f = 0; f < flags.length; f++) {
          if (!flags[f]) continue;
          for (let k = 0; k < t.rank; k++) coords[k].push(Math.floor(f / strideOf[k]) % t.shape[k]);
        }
        for (let k = 0; k < t.rank; k++) {
          begin.push(0);
          end.push(shape[dim]);
          strides.push(1);
          advanced.push({ position: basicShape.length, shape: [coords[k].length], values: Int32Array.from(coords[k]) });
          basicShape.push(shape[dim]);
          dim++;
        }
        if (t.rank === 0) {
          // x[True-like 0-d mask]: a new axis of size 1 (or 0)
          const on = flags[0] ? 1 : 0;
          advanced.push({ position: basicShape.length, shape: [on], values: new Int32Array(on) });
          basicShape.push(1);
        }
      } else {
        const raw = t.dataSync();
        const values = new Int32Array(raw.length);
        for (let k = 0; k < raw.length; k++) {
          let v = raw[k];
          if (v < -size || v >= size) throw new TorchError('IndexError', `index ${v} is out of bounds for dimension ${dim} with size ${size}`);
          if (v < 0) v += size;
          values[k] = v;
        }
        begin.push(0);
        end.push(size);
        strides.push(1);
        advanced.push({ position: basicShape.length, shape: t.shape.slice(), values });
        basicShape.push(size);
        dim++;
      }
      lastKind = 'advanced';
    }
  }
  const gradName = advanced.length
    ? 'IndexBackward0'
    : { int: 'SelectBackward0', slice: 'SliceBackward0', none: 'UnsqueezeBackward0', alias: 'AliasBackward0' }[lastKind] ?? 'SliceBackward0';
  return { begin, end, strides, sliced, basicShape, advanced, gradName };
}

/** The flat positions (into the basic-indexed tensor's advanced dims) that the broadcast index tensors select. */
function advancedPositions(plan: IndexPlan): { shape: number[]; flat: Int32Array } {
  let shape: number[] = [];
  for (const a of plan.advanced) {
    try {
      shape = broadcastShapes(shape, a.shape);
    } catch {
      throw new TorchError(
        'IndexError',
        `shape mismatch: indexing tensors could not be broadcast together with shapes ${plan.advanced.map((x) => listText(x.shape)).join(', ')}`,
      );
    }
  }
  const count = sizeOfShape(shape);
  const flat = new Int32Array(count);
  const sizes = plan.advanced.map((a) => plan.basicShape[a.position]);
  for (let i = 0; i < count; i++) {
    let position = 0;
    for (let k = 0; k < plan.advanced.length; k++) {
      const a = plan.advanced[k];
      position = position * sizes[k] + a.values[broadcastSource(i, shape, a.shape)];
    }
    flat[i] = position;
  }
  return { shape, flat };
}

/** The flat index into a tensor of `source` shape that element `i` of its broadcast to `target` reads. */
function broadcastSource(i: number, target: number[], source: number[]): number {
  if (source.length === target.length && sameShape(source, target)) return i;
  let index = 0;
  let stride = 1;
  let rest = i;
  const lead = target.length - source.length;
  const coords = new Array<number>(target.length);
  for (let d = target.length - 1; d >= 0; d--) {
    coords[d] = rest % target[d];
    rest = Math.floor(rest / target[d]);
  }
  for (let d = source.length - 1; d >= 0; d--) {
    const c = source[d] === 1 ? 0 : coords[d + lead];
    index += c * stride;
    stride *= source[d];
  }
  return index;
}

/** Applies an index plan to a tfjs tensor (inside a recorded op, so gradients come along). */
export function applyIndex(x: tf.Tensor, plan: IndexPlan): tf.Tensor {
  let y = plan.sliced ? stridedSliceWithGrad(x, plan.begin, plan.end, plan.strides) : x;
  if (!sameShape(y.shape, plan.basicShape)) y = tf.reshape(y, plan.basicShape);
  else if (y === x) y = tf.reshape(x, plan.basicShape);
  if (!plan.advanced.length) return y;
  const { shape: indexShape, flat } = advancedPositions(plan);
  const positions = plan.advanced.map((a) => a.position);
  const rest = plan.basicShape.map((_, i) => i).filter((i) => !positions.includes(i));
  const perm = [...positions, ...rest];
  const moved = perm.every((p, i) => p === i) ? y : tf.transpose(y, perm);
  const merged = tf.reshape(moved, [sizeOfShape(positions.map((p) => plan.basicShape[p])), ...rest.map((i) => plan.basicShape[i])]);
  const gathered = tf.gather(merged, tf.tensor1d(flat, 'int32'), 0);
  let out = tf.reshape(gathered, [...indexShape, ...rest.map((i) => plan.basicShape[i])]);
  const adjacent = positions.every((p, i) => p === positions[0] + i);
  if (adjacent && positions[0] > 0) {
    const nb = indexShape.length;
    const before = positions[0];
    const order = [
      ...[...Array(before).keys()].map((i) => nb + i),
      ...[...Array(nb).keys()],
      ...[...Array(out.rank - nb - before).keys()].map((i) => nb + before + i),
    ];
    out = tf.transpose(out, order);
  }
  return out;
}

/** The flat positions (int32, shape of x[key]) of the elements x[key] selects. */
export function indexPositions(x: tf.Tensor, plan: IndexPlan): tf.Tensor {
  return tf.tidy(() => applyIndex(tf.reshape(tf.range(0, x.size, 1, 'int32'), x.shape), plan));
}

/** torch.gather / scatter positions: flat indices into x for every element of `index` along `axis`. */
export function alongAxisPositions(xShape: readonly number[], index: tf.Tensor, axis: number, what: string): Int32Array {
  const iShape = index.shape;
  if (iShape.length !== xShape.length) {
    throw new TorchError('RuntimeError', `Index tensor must have the same number of dimensions as ${what} tensor`);
  }
  for (let d = 0; d < iShape.length; d++) {
    if (d !== axis && iShape[d] > xShape[d]) {
      throw new TorchError(
        'RuntimeError',
        `Size does not match at dimension ${d} expected index ${listText(iShape)} to be smaller than self ${listText(xShape)} apart from dimension ${axis}`,
      );
    }
  }
  const raw = index.dataSync();
  const out = new Int32Array(raw.length);
  const xStrides = xShape.map((_, d) => sizeOfShape(xShape.slice(d + 1)));
  const size = xShape[axis];
  for (let i = 0; i < raw.length; i++) {
    let rest = i;
    let position = 0;
    for (let d = iShape.length - 1; d >= 0; d--) {
      const c = rest % iShape[d];
      rest = Math.floor(rest / iShape[d]);
      if (d === axis) {
        let v = raw[i];
        if (v < -size || v >= size) throw new TorchError('RuntimeError', `index ${v} is out of bounds for dimension ${axis} with size ${size}`);
        if (v < 0) v += size;
        position += v * xStrides[d];
      } else {
        position += c * xStrides[d];
      }
    }
    out[i] = position;
  }
  return out;
}

