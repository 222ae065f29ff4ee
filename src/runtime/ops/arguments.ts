// The arguments Python passes across the boundary (PyProxy lists, JS arrays, numbers, None) as plain JS values.
import { TorchError } from '../torchError';

/** A Python list/tuple arriving as a PyProxy, a JS array, a single number, or None. */
interface PyProxyLike {
  toJs(): unknown;
  destroy(): void;
}

export function toNumbers(value: unknown): number[] {
  if (value == null) return [];
  if (typeof value === 'number') return [value];
  if (typeof value === 'bigint') return [Number(value)];
  if (typeof value === 'boolean') return [value ? 1 : 0];
  if (Array.isArray(value)) return value.map((v) => (v == null ? NaN : Number(v)));
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  const proxy = value as PyProxyLike;
  if (typeof proxy.toJs === 'function') {
    const converted = proxy.toJs();
    proxy.destroy();
    return toNumbers(converted);
  }
  throw new TorchError('TypeError', `expected a sequence of numbers, got ${String(value)}`);
}
