// Chooses and starts the TensorFlow.js backend: tfjs-node(-gpu) when the user has one installed, else wasm, else cpu.
import * as tf from '@tensorflow/tfjs-core';
// The cpu backend registers itself on import. Its Node bundle, imported by path: the package marks its entry
// side-effect free, and its ES modules (dist/index.js) are 230 files that each take a copy of tfjs-core's exports
// when the bundle starts (0.1–0.2 s of every run's start).
// @ts-expect-error: the Node bundle has no declarations of its own; it exports what the package's entry does.
import * as tfjsCpuBundle from '@tensorflow/tfjs-backend-cpu/dist/tf-backend-cpu.node.js';
import type * as TfjsCpu from '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { dirname } from 'node:path';
import { registerCpuFallbacksOnWasm } from './wasmKernelFallbacks';
import { computeThreadCount, preferThreadedWasm } from './threadedWasm';
import { shareIdentityDataOnWasm } from './wasmSharedIdentity';
import { shareSavedTensors } from './sharedSaves';
import { findNativeBindings, loadNativeBindings, setupBuildFolder } from './nativeBindings';
import type { BackendChoice } from './backendChoice';

export { BACKEND_CHOICES, type BackendChoice } from './backendChoice';

/** Our tfjs modules, which tfjs-node's dependencies get instead of second copies (see nativeBindings.ts). */
const SHARED_MODULES = { '@tensorflow/tfjs-core': tf, '@tensorflow/tfjs-backend-cpu': tfjsCpuBundle as typeof TfjsCpu };

/**
 * Starts the tensorflow backend from a user's tfjs-node(-gpu) (the script's folder, its cwd, NODE_PATH) or, when asked
 * for by name, from `npm run setup:tensorflow`'s build. `auto` leaves that build alone: which backend a run gets must
 * not depend on whether an ignored folder of the checkout exists. False when there is none, or (auto) it fails to load.
 */
async function startTensorflow(choice: 'auto' | 'tensorflow', distDir: string, searchFrom: string[], threads: number): Promise<boolean> {
  const bindings = findNativeBindings(choice === 'tensorflow' ? [...searchFrom, setupBuildFolder(distDir)] : searchFrom);
  if (!bindings) {
    if (choice === 'auto') return false;
    throw new Error(
      'backend "tensorflow" needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu: install one in the ' +
        "script's folder (npm install @tensorflow/tfjs-node) or in a folder on NODE_PATH; in a checkout of Trainloop, " +
        '`npm run setup:tensorflow` builds one.',
    );
  }
  try {
    loadNativeBindings(bindings, SHARED_MODULES, threads);
  } catch (error) {
    const reason = String((error as Error)?.message ?? error).split('\n')[0];
    const problem = `${bindings.name} ${bindings.version} (${bindings.dir}) failed to load: ${reason}`;
    if (choice === 'tensorflow') throw new Error(`backend "tensorflow": ${problem}`);
    process.stderr.write(`trainloop: ${problem}; using the wasm backend\n`);
    return false;
  }
  return tf.setBackend('tensorflow');
}

/**
 * Starts the chosen backend (wasm or tensorflow on `threads` threads, by default cores - 1) and returns the name tfjs reports
 * (`wasm`, `cpu` or `tensorflow`).
 */
export async function startBackend(
  choice: BackendChoice,
  wasmDir: string,
  searchFrom: string[],
  threads = computeThreadCount(),
): Promise<string> {
  // Production mode: no debug checks, and no console banners (they would mix into the user's output).
  tf.env().set('PROD', true);
  // Tensors saved for backward share their data without a kernel call each (see sharedSaves.ts).
  shareSavedTensors();
  // wasmDir is dist/tfjs: the launch's dist folder is its parent.
  if ((choice === 'tensorflow' || choice === 'auto') && (await startTensorflow(choice, dirname(wasmDir), searchFrom, threads))) {
    return tf.getBackend();
  }
  if (choice === 'tensorflow') throw new Error('backend "tensorflow": tfjs-node loaded but tf.setBackend("tensorflow") failed');
  if (choice !== 'cpu') {
    setWasmPaths(wasmDir.endsWith('/') ? wasmDir : `${wasmDir}/`);
    preferThreadedWasm(wasmDir, threads);
    shareIdentityDataOnWasm();
    registerCpuFallbacksOnWasm();
    if (await tf.setBackend('wasm').catch(() => false)) return tf.getBackend();
  }
  await tf.setBackend('cpu');
  return tf.getBackend();
}
