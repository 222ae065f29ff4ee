// Run by threadedWasm.test.ts in a child process: starts tfjs's threaded wasm build with 2 threads, multiplies the
// quickstart's first-layer shapes on it and on the cpu backend, and prints what it saw as one JSON line.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu/dist/index.js';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { join } from 'node:path';
import { preferThreadedWasm } from '../../src/runtime/threadedWasm';

async function main(): Promise<void> {
  const wasmDir = join(__dirname, '..', '..', 'dist', 'tfjs');
  tf.env().set('PROD', true);
  setWasmPaths(`${wasmDir}/`);
  preferThreadedWasm(wasmDir, 2);
  await tf.setBackend('wasm');
  const threads = (tf.backend() as unknown as { wasm: { tfjs: { getThreadsCount(): number } } }).wasm.tfjs.getThreadsCount();
  const a = Array.from({ length: 64 * 784 }, (_, i) => Math.sin(i));
  const b = Array.from({ length: 784 * 512 }, (_, i) => Math.cos(i * 0.7));
  const onWasm = tf.matMul(tf.tensor2d(a, [64, 784]), tf.tensor2d(b, [784, 512])).dataSync();
  await tf.setBackend('cpu');
  const onCpu = tf.matMul(tf.tensor2d(a, [64, 784]), tf.tensor2d(b, [784, 512])).dataSync();
  let worst = 0;
  for (let i = 0; i < onCpu.length; i++) worst = Math.max(worst, Math.abs(onWasm[i] - onCpu[i]) / (1 + Math.abs(onCpu[i])));
  // No process.exit: the pool's workers must not keep the process alive.
  console.log(JSON.stringify({ threads, worst, size: onWasm.length }));
}

void main();
