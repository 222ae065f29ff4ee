// Torch dtypes on tfjs: how each is stored, and PyTorch's promotion rules (torch.promote_types, torch.result_type).
import * as tf from '@tensorflow/tfjs-core';

/** The dtypes a torch tensor can have here; each is stored in one of tfjs's float32, int32 and bool. */
export type TorchDtype =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'bool';

/** Dtype codes, the low four bits of a handle (Python's torch/_dtype.py lists them in the same order). */
export const DTYPE_BY_CODE: readonly TorchDtype[] = [
  'float32', 'float64', 'float16', 'bfloat16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool',
];

export function isFloatDtype(d: TorchDtype): boolean {
  return d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
}

/** The tfjs dtype that stores a torch dtype. */
export function storageOf(d: TorchDtype): 'float32' | 'int32' | 'bool' {
  return isFloatDtype(d) ? 'float32' : d === 'bool' ? 'bool' : 'int32';
}

/** The torch dtype a bare tfjs tensor stands for (int32 storage holds torch's default integer type, int64). */
export function dtypeOfStorage(t: tf.Tensor): TorchDtype {
  return t.dtype === 'float32' ? 'float32' : t.dtype === 'bool' ? 'bool' : 'int64';
}

/**
 * tf.cast to a storage dtype, except that anything → bool tests for non-zero (the wasm backend's cast to bool
 * truncates floats to integers first, so -0.5 became false and -1 a byte of 255).
 */
export function castStorage(t: tf.Tensor, storage: 'float32' | 'int32' | 'bool'): tf.Tensor {
  if (t.dtype === storage) return t;
  if (storage === 'bool') return tf.notEqual(t, tf.scalar(0, t.dtype));
  return tf.cast(t, storage);
}

/** The tfjs dtypes that store torch tensors. */
export type TfDtype = 'float32' | 'int32' | 'bool';

/** torch dtype name → tfjs dtype (int64 is stored as int32: tfjs has no 64-bit integers). */
export function tfDtype(torchDtype: string): TfDtype {
  return storageOf(torchDtype as TorchDtype);
}

export function torchDtype(t: tf.Tensor): 'float32' | 'int64' | 'bool' {
  return t.dtype === 'int32' ? 'int64' : t.dtype === 'bool' ? 'bool' : 'float32';
}

const FLOAT_RANK: Partial<Record<TorchDtype, number>> = { float16: 1, bfloat16: 1, float32: 2, float64: 3 };
const INT_RANK: Partial<Record<TorchDtype, number>> = { int8: 1, int16: 2, int32: 3, int64: 4 };
/** PyTorch's names of dtypes in messages ("result type Float can't be cast to ... Long"). */
export const LEGACY_NAME: Record<TorchDtype, string> = {
  float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', int64: 'Long', int32: 'Int',
  int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool',
};

/** The C type names PyTorch's matmul messages use. */
export const C_NAME: Record<TorchDtype, string> = {
  float32: 'float', float64: 'double', float16: 'c10::Half', bfloat16: 'c10::BFloat16', int64: 'long int', int32: 'int',
  int16: 'short int', int8: 'signed char', uint8: 'unsigned char', bool: 'bool',
};

/** torch.promote_types. */
export function promoteTypes(a: TorchDtype, b: TorchDtype): TorchDtype {
  if (a === b) return a;
  if (a === 'bool') return b;
  if (b === 'bool') return a;
  const fa = isFloatDtype(a);
  const fb = isFloatDtype(b);
  if (fa !== fb) return fa ? a : b;
  if (fa) {
    const ra = FLOAT_RANK[a]!;
    const rb = FLOAT_RANK[b]!;
    if (ra === rb) return 'float32'; // float16 with bfloat16
    return ra > rb ? a : b;
  }
  if (a === 'uint8' || b === 'uint8') {
    const other = a === 'uint8' ? b : a;
    return other === 'int8' ? 'int16' : other;
  }
  return INT_RANK[a]! > INT_RANK[b]! ? a : b;
}

/** One operand of an op for torch.result_type: tensors with dims outrank 0-d tensors, which outrank Python numbers. */
export interface Operand {
  dtype: TorchDtype;
  rank: number;
  wrapped: boolean;
}

function combineCategories(higher: TorchDtype | null, lower: TorchDtype | null): TorchDtype | null {
  if (!higher) return lower;
  if (!lower) return higher;
  if (isFloatDtype(higher)) return higher;
  if (higher === 'bool' || isFloatDtype(lower)) return promoteTypes(higher, lower);
  return higher;
}

/** torch.result_type of several operands. */
export function resultType(operands: Operand[]): TorchDtype {
  let dims: TorchDtype | null = null;
  let zeroDims: TorchDtype | null = null;
  let wrapped: TorchDtype | null = null;
  for (const op of operands) {
    if (op.wrapped) {
      const d = isFloatDtype(op.dtype) ? 'float32' : op.dtype;
      wrapped = wrapped ? promoteTypes(wrapped, d) : d;
    } else if (op.rank === 0) {
      zeroDims = zeroDims ? promoteTypes(zeroDims, op.dtype) : op.dtype;
    } else {
      dims = dims ? promoteTypes(dims, op.dtype) : op.dtype;
    }
  }
  return combineCategories(dims, combineCategories(zeroDims, wrapped)) ?? 'float32';
}

/** Whether an in-place op may write a result of dtype `from` into a tensor of dtype `to`. */
export function canCast(from: TorchDtype, to: TorchDtype): boolean {
  if (isFloatDtype(from) && !isFloatDtype(to)) return false;
  if (from !== 'bool' && to === 'bool') return false;
  return true;
}

export function castTo(t: tf.Tensor, d: TorchDtype): tf.Tensor {
  return castStorage(t, storageOf(d));
}

/** Non-zero test (see castStorage: tf.cast to bool is wrong on wasm). */
export const toBool = (t: tf.Tensor): tf.Tensor => castStorage(t, 'bool');

/** A Python number's dtype: bool, int (int64) or float (the default float dtype). */
export function scalarDtype(value: number | boolean, isFloat: boolean): TorchDtype {
  if (typeof value === 'boolean') return 'bool';
  return isFloat ? 'float32' : 'int64';
}
