// The wasm backend's slicing kernels (wasmDataMoves.ts): slices, splits and unstacks of every rank and dtype take the
// elements index arithmetic says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { startBackend } from '../../src/runtime/tfjsBackend';
import { REPO } from '../support/runtimeCli';

/** A deterministic stream of integers in [0, n). */
function counter(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

function strides(shape: number[]): number[] {
  const out = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) out[d] = out[d + 1] * shape[d + 1];
  return out;
}

/** Every flat index of `shape`, with its multi-index. */
function* indices(shape: number[]): Generator<number[]> {
  const count = shape.reduce((n, d) => n * d, 1);
  const index = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < count; k++) {
    yield [...index];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
}

function values(shape: number[], dtype: 'float32' | 'int32' | 'bool'): tf.Tensor {
  const count = shape.reduce((n, d) => n * d, 1);
  const flat = Array.from({ length: count }, (_, i) => (dtype === 'bool' ? (i % 3 === 0 ? 1 : 0) : dtype === 'int32' ? i - 7 : i * 0.5 - 3));
  return tf.tensor(flat, shape, dtype);
}

const SHAPES = [[6], [3, 5], [4, 1, 6], [2, 3, 4, 5], [2, 1, 3, 1, 4], [1, 1], [3, 0, 2], [17, 33]];

test('slices, splits and unstacks on wasm take the elements index arithmetic gives', { timeout: 120_000 }, async () => {
  assert.equal(await startBackend('wasm', join(REPO, 'dist', 'tfjs'), []), 'wasm');
  const next = counter(7);
  for (const shape of SHAPES) {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const x = values(shape, dtype);
      const xs = Array.from(x.dataSync());
      const xStrides = strides(shape);
      for (let k = 0; k < 12; k++) {
        const begin = shape.map((d) => (d ? next(d) : 0));
        const size = shape.map((d, i) => (next(5) === 0 ? -1 : next(d - begin[i] + 1)));
        const resolved = size.map((s, i) => (s === -1 ? shape[i] - begin[i] : s));
        const expected = [...indices(resolved)].map((ix) => xs[ix.reduce((o, v, d) => o + (begin[d] + v) * xStrides[d], 0)]);
        assert.deepEqual(Array.from(tf.slice(x, begin, size).dataSync()), expected, `slice ${shape} ${dtype} ${begin} ${size}`);
      }
      for (let axis = 0; axis < shape.length; axis++) {
        if (!shape[axis]) continue;
        const pieces = tf.unstack(x, axis);
        assert.deepEqual(Array.from(tf.stack(pieces, axis).dataSync()), xs, `unstack ${shape} ${dtype} axis ${axis}`);
        const first = next(shape[axis]) + 1;
        const sizes = first < shape[axis] ? [first, shape[axis] - first] : [shape[axis]];
        assert.deepEqual(Array.from(tf.concat(tf.split(x, sizes, axis), axis).dataSync()), xs, `split ${shape} ${dtype} ${sizes}`);
      }
    }
  }
});
