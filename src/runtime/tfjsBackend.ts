// Chooses and starts the TensorFlow.js backend: tfjs-node(-gpu) when the user has one installed, else wasm, else cpu.
import * as tf from '@tensorflow/tfjs-core';
// The cpu backend registers itself on import; its package marks the bundled entry side-effect free, so import the
// registering module by path.
import '@tensorflow/tfjs-backend-cpu/dist/index.js';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerCpuFallbacksOnWasm } from './wasmKernelFallbacks';
import { preferThreadedWasm } from './threadedWasm';
import { shareIdentityDataOnWasm } from './wasmSharedIdentity';

export type BackendChoice = 'auto' | 'wasm' | 'cpu' | 'tensorflow';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'wasm', 'cpu', 'tensorflow'];

/** The native TensorFlow bindings a user may install; never a dependency of ours (they need a native download). */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

/** Loads a user-installed tfjs-node package, searching from the given folders; returns its name, or null. */
function loadNativeBindings(searchFrom: string[]): string | null {
  for (const name of NATIVE_PACKAGES) {
    let resolved: string;
    try {
      resolved = require.resolve(name, { paths: searchFrom });
    } catch {
      continue;
    }
    // tfjs packages share one engine and kernel registry through globalThis, so its backend registers with ours.
    require(resolved);
    return name;
  }
  return null;
}

/**
 * Starts the chosen backend (wasm on `threads` threads, by default cores - 1) and returns the name tfjs reports
 * (`wasm`, `cpu` or `tensorflow`).
 */
export async function startBackend(
  choice: BackendChoice,
  wasmDir: string,
  searchFrom: string[],
  threads?: number,
): Promise<string> {
  // Production mode: no debug checks, and no console banners (they would mix into the user's output).
  tf.env().set('PROD', true);
  if (choice === 'tensorflow' || choice === 'auto') {
    const native = loadNativeBindings(searchFrom);
    if (native && (await tf.setBackend('tensorflow'))) return tf.getBackend();
    if (choice === 'tensorflow') {
      throw new Error(
        'backend "tensorflow" needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu: install one in the ' +
          "script's folder (npm install @tensorflow/tfjs-node) or in a folder on NODE_PATH.",
      );
    }
  }
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
