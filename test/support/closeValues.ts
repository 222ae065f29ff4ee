// Compares what a script printed as JSON on the runtime with what real PyTorch printed: same structure, close numbers.
import assert from 'node:assert/strict';

/** Equal structures, numbers within `tolerance` (relative past 1); -0 equals 0. */
export function assertClose(actual: unknown, expected: unknown, tolerance = 1e-6, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${path}: ${actual} vs ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual) && actual.length === expected.length, `${path}: ${JSON.stringify(actual)?.slice(0, 200)} vs ${JSON.stringify(expected).slice(0, 200)}`);
    expected.forEach((item, i) => assertClose((actual as unknown[])[i], item, tolerance, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), path);
    for (const [key, item] of Object.entries(expected)) assertClose((actual as Record<string, unknown>)[key], item, tolerance, `${path}.${key}`);
  } else {
    assert.deepEqual(actual, expected, path);
  }
}
