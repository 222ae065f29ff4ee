// Runs tfjs's wasm backend on every core in Node: its threaded SIMD build, loaded from files Node's workers can open.
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import threadedSimdFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';

/** The files scripts/build.mjs puts next to the bundle: the Emscripten glue, its pthread worker, and the binary. */
export const THREADED_FILES = {
  glue: 'tfjs-backend-wasm-threaded-simd.js',
  worker: 'tfjs-backend-wasm-threaded-simd.worker.js',
  binary: 'tfjs-backend-wasm-threaded-simd.wasm',
};

/** XNNPACK's pool in tfjs's build holds at most 8 threads. */
const MAX_THREADS = 8;

type EmscriptenImports = { env: Record<string, unknown> };
type WasmModule = ConstructorParameters<typeof BackendWasm>[0] & {
  cwrap: (name: string, returns: string | null, args: string[]) => (...args: number[]) => number;
  PThread: { unusedWorkers: Array<{ terminate(): void }>; runningWorkers: Array<{ unref?(): void }> };
};

/**
 * The glue starts 8 pthread workers up front (its build's pool size); XNNPACK's pool has taken the ones it uses by
 * the time the backend exists, and nothing else starts threads, so the rest (a V8 isolate each) are let go. The pool's
 * own workers are unref'd: they compute while the program runs but do not keep its process alive.
 */
function settleThreadPool(module: WasmModule): void {
  for (const worker of module.PThread.unusedWorkers.splice(0)) worker.terminate();
  for (const worker of module.PThread.runningWorkers) worker.unref?.();
}

/**
 * How many threads the wasm and tensorflow backends compute with: every logical core but one, up to XNNPACK's limit. XNNPACK's pool
 * splits each product evenly and waits for every thread, so one thread the OS has put aside (for the editor, the
 * panel's renderer, the extension host) stalls every op: on a 2-core machine with one core busy elsewhere a training
 * step took 2× as long with 2 threads as with 1. One core is left to the rest, so on 2 cores the runtime stays on
 * tfjs's single-threaded build.
 */
export function computeThreadCount(): number {
  return Math.max(1, Math.min(MAX_THREADS, availableParallelism() - 1));
}

/** True when this process can run the threaded build from `wasmDir` with `threads` threads. */
export function canRunThreaded(wasmDir: string, threads: number): boolean {
  return (
    threads > 1 &&
    typeof SharedArrayBuffer === 'function' &&
    Object.values(THREADED_FILES).every((file) => existsSync(join(wasmDir, file)))
  );
}

/**
 * Creates the threaded module. tfjs's own loader hands the pthread workers Blob URLs, which Node's workers cannot
 * load, and sizes the pool as logical cores / 2 (for hyper-threading), which is one thread on a 2-core machine; here
 * the workers get file paths, and the module's core count is doubled so its pool gets every core.
 */
async function createThreadedModule(wasmDir: string, threads: number): Promise<WasmModule> {
  const module = (await threadedSimdFactory({
    locateFile: (file: string) => join(wasmDir, file),
    mainScriptUrlOrBlob: join(wasmDir, THREADED_FILES.glue),
    instantiateWasm: (imports: EmscriptenImports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
      imports.env.emscripten_num_logical_cores = () => threads * 2;
      WebAssembly.instantiate(readFileSync(join(wasmDir, THREADED_FILES.binary)), imports as WebAssembly.Imports).then(
        (result) => receive(result.instance, result.module),
      );
      return {};
    },
  } as never)) as unknown as WasmModule;
  // The bridge tfjs's BackendWasm expects on the module (as tfjs's own loader sets it up).
  (module as unknown as { tfjs: Record<string, unknown> }).tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/**
 * Makes the `wasm` backend the threaded build when this process can run it; tfjs's single-threaded loader stays the
 * fallback. Kernels are registered by backend name, so every wasm kernel (and our fallbacks) serves both.
 */
export function preferThreadedWasm(wasmDir: string, threads = computeThreadCount()): void {
  if (!canRunThreaded(wasmDir, threads)) return;
  const stockFactory = tf.findBackendFactory('wasm');
  if (!stockFactory) return;
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', async () => {
    try {
      const module = await createThreadedModule(wasmDir, threads);
      const backend = new BackendWasm(module);
      settleThreadPool(module);
      return backend;
    } catch {
      return stockFactory();
    }
  });
}
