// The floor under the training step: the matrix products of one quickstart MLP step alone, on a backend as the runtime
// starts it (wasm: XNNPACK, SIMD, threaded only with cores to spare), each in the orientation the runtime uses.
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { startBackend } from '../src/runtime/tfjsBackend';

/** [a, b] shapes of a @ b as the runtime computes one step of 784→512→512→10 with batch 64 (forward, then backward). */
const STEP_PRODUCTS: Array<[number[], number[]]> = [
  [[512, 784], [784, 64]], // layer 1 forward: W₁ @ xᵀ
  [[512, 512], [512, 64]], // layer 2 forward: W₂ @ h₁ᵀ
  [[64, 512], [512, 10]], // layer 3 forward: h₂ @ W₃ᵀ
  [[64, 10], [10, 512]], // layer 3 backward: dy @ W₃
  [[10, 64], [64, 512]], // layer 3 weight gradient: dyᵀ @ h₂
  [[64, 512], [512, 512]], // layer 2 backward: dy @ W₂
  [[512, 64], [64, 512]], // layer 2 weight gradient: dyᵀ @ h₁
  [[512, 64], [64, 784]], // layer 1 weight gradient: dyᵀ @ x
];

/** Median milliseconds of the step's matrix products, over `repeats` steps. */
export async function stepMatrixProductsMs(
  choice: 'wasm' | 'tensorflow' = 'wasm',
  repeats = 200,
): Promise<{ ms: number; backend: string }> {
  const backend = await startBackend(choice, join(__dirname, '..', 'dist', 'tfjs'), []);
  const operands = STEP_PRODUCTS.map(([a, b]) => [tf.randomNormal(a), tf.randomNormal(b)]);
  const times: number[] = [];
  for (let i = 0; i < repeats + 10; i++) {
    // A fresh copy of each operand, as in training, where every step brings new weights and activations.
    const fresh = operands.map(([a, b]) => [tf.add(a, 0), tf.add(b, 0)]);
    const started = performance.now();
    for (const [a, b] of fresh) tf.matMul(a, b).dispose();
    if (i >= 10) times.push(performance.now() - started);
    for (const pair of fresh) for (const t of pair) t.dispose();
  }
  for (const pair of operands) for (const t of pair) t.dispose();
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], backend };
}
