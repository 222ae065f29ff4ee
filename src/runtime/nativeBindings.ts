// Finds and loads tfjs-node(-gpu) for the tensorflow backend, on our own tfjs-core, without TensorFlow's startup lines.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';

/** The native TensorFlow bindings, best first; never dependencies of ours (they need a native download or build). */
export const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

export type NativePackage = (typeof NATIVE_PACKAGES)[number];

/** A native package found on disk: its name, folder and version. */
export interface NativeBindings {
  name: NativePackage;
  dir: string;
  version: string;
}

/**
 * Where `npm run setup:tensorflow` builds tfjs-node: `.cache/tfjs-node` beside the dist folder, which in a checkout is
 * the repository's root. Taken from dist (not from the script's folder) so the CLI, the adapter and the extension of
 * one checkout find the same build wherever the script lives.
 */
export function setupBuildFolder(distDir: string): string {
  return join(distDir, '..', '.cache', 'tfjs-node');
}

function packageDir(name: string, from: string[]): string | null {
  try {
    return dirname(require.resolve(`${name}/package.json`, { paths: from }));
  } catch {
    return null;
  }
}

/** The version in a package's package.json, or "(unknown version)" when it can't be read (require then reports why). */
function packageVersion(dir: string): string {
  try {
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : '(unknown version)';
  } catch {
    return '(unknown version)';
  }
}

/**
 * The native package `require` would load from these folders, the GPU build first wherever it is (a user who installed
 * it wants the GPU), then the first folder with tfjs-node; null when there is none.
 */
export function findNativeBindings(searchFrom: string[]): NativeBindings | null {
  for (const name of NATIVE_PACKAGES) {
    const dir = packageDir(name, searchFrom);
    if (!dir) continue;
    return { name, dir, version: packageVersion(dir) };
  }
  return null;
}

/** Our instances of the tfjs modules tfjs-node's own dependencies would otherwise load a second copy of. */
export type SharedModules = Record<string, object>;

/** The @tensorflow/* dependencies a package's package.json lists (none when it can't be read). */
function tensorflowDependencies(dir: string): string[] {
  try {
    const { dependencies } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: object };
    return Object.keys(dependencies ?? {}).filter((name) => name.startsWith('@tensorflow/'));
  } catch {
    return [];
  }
}

/**
 * Makes `require(name)` of each shared module, from anywhere in tfjs-node's dependency tree, return our instance (by
 * seeding require.cache at the file it resolves to). Two tfjs-cores share one engine through globalThis, but the second
 * would register every kernel and gradient again over ours (last registration wins): our gradient overrides would be
 * lost, and the kernels would run on another copy of tfjs's code.
 */
function shareOurModules(bindings: NativeBindings, shared: SharedModules): void {
  const requesters = [bindings.dir];
  const union = packageDir('@tensorflow/tfjs', [bindings.dir]);
  if (union) {
    requesters.push(union);
    for (const name of tensorflowDependencies(union)) {
      const dir = packageDir(name, [union]);
      if (dir) requesters.push(dir);
    }
  }
  for (const [name, exports] of Object.entries(shared)) {
    for (const requester of requesters) {
      let filename: string;
      try {
        filename = require.resolve(name, { paths: [requester] });
      } catch {
        continue;
      }
      if (require.cache[filename]?.exports === exports) continue;
      require.cache[filename] = { id: filename, filename, loaded: true, exports, children: [], paths: [] } as unknown as NodeModule;
    }
  }
}

/**
 * Snapshots what our tfjs has registered (kernels of every backend, gradients, Tensor methods) and returns a function
 * that puts back whatever has been replaced since. tfjs-node loads the @tensorflow/tfjs union package, whose bundle
 * (and tfjs-layers') carries its own copy of tfjs-core's gradients and chained ops and registers them again on load,
 * over ours (our op layer overrides some: tensorEngine.ts's gather gradient). New registrations, such as tfjs-node's
 * `tensorflow` kernels, stay.
 */
function keepOurRegistrations(): () => void {
  const kernels = Object.keys(tf.engine().registryFactory).flatMap((backend) => tf.getKernelsForBackend(backend));
  const gradients = [...new Set(kernels.map((kernel) => kernel.kernelName))]
    .map((name) => tf.getGradient(name))
    .filter((gradient): gradient is tf.GradConfig => gradient !== undefined);
  const tensorMethods = Object.getOwnPropertyDescriptors(tf.Tensor.prototype);
  return () => {
    for (const kernel of kernels) {
      if (tf.getKernel(kernel.kernelName, kernel.backendName) === kernel) continue;
      tf.unregisterKernel(kernel.kernelName, kernel.backendName);
      tf.registerKernel(kernel);
    }
    for (const gradient of gradients) {
      if (tf.getGradient(gradient.kernelName) !== gradient) tf.registerGradient(gradient);
    }
    for (const [name, descriptor] of Object.entries(tensorMethods)) {
      const now = Object.getOwnPropertyDescriptor(tf.Tensor.prototype, name);
      if (now?.value !== descriptor.value && descriptor.configurable) Object.defineProperty(tf.Tensor.prototype, name, descriptor);
    }
  };
}

/** dlopen's RTLD_NODELETE, which Node's os.constants leaves out (glibc's and macOS's values). */
const RTLD_NODELETE: Partial<Record<NodeJS.Platform, number>> = { linux: 0x1000, darwin: 0x80 };

/**
 * Loads tfjs-node's addon ourselves, never to be unloaded, and hands it to tfjs-node's own require. Node unloads the
 * addons of a worker when the worker ends; TensorFlow's libraries would go with it but leave their exit handlers
 * registered, and the process would crash (SIGSEGV) when it exits. A missing addon is left for tfjs-node to report.
 */
function loadAddonForGood(bindings: NativeBindings): void {
  const nodelete = RTLD_NODELETE[process.platform];
  if (!nodelete) return;
  let addon: string;
  try {
    const preGyp = require(require.resolve('@mapbox/node-pre-gyp', { paths: [bindings.dir] })) as {
      find(packageJson: string): string;
    };
    addon = preGyp.find(join(bindings.dir, 'package.json'));
  } catch {
    return;
  }
  if (!existsSync(addon) || require.cache[addon]) return;
  const module = new Module(addon);
  module.filename = addon;
  process.dlopen(module, addon, constants.dlopen.RTLD_LAZY | nodelete);
  module.loaded = true;
  require.cache[addon] = module;
}

/**
 * TensorFlow's settings that keep its startup lines off stderr, applied only where the user has not set them:
 * TF_CPP_MIN_LOG_LEVEL=2 drops its INFO and WARNING logs (the CPU-feature line); TF_ENABLE_ONEDNN_OPTS=0 turns off its
 * oneDNN custom ops, whose "oneDNN custom operations are on" line TensorFlow logs while the library loads, before any
 * log level applies (no other setting silences it). Both are read once, at load.
 */
const QUIET_TENSORFLOW: Record<string, string> = { TF_CPP_MIN_LOG_LEVEL: '2', TF_ENABLE_ONEDNN_OPTS: '0' };

/**
 * Loads the native package on our tfjs modules, with TensorFlow's startup lines silenced and its CPU kernels on
 * `threads` threads. TensorFlow reads its settings with getenv, so this thread's process.env must be the process's own
 * (a worker started with `env: SHARE_ENV`); they are put back once the library is loaded. Throws what loading it threw.
 *
 * Threads: TensorFlow's own default is one per core, and each elementwise kernel of a training step (64×512 floats)
 * is split over them. On 2 cores with anything else running (the editor, the extension host) the split waits for the
 * busy core: the quickstart's step took 7.3–10.6 ms on 2 threads and 4.5–7.6 ms on 1 (interleaved runs, unpinned). So
 * the backend gets what the wasm backend gets, every core but one, unless the user set TF_NUM_INTRAOP_THREADS.
 */
export function loadNativeBindings(bindings: NativeBindings, shared: SharedModules, threads: number): void {
  shareOurModules(bindings, shared);
  const restoreOurRegistrations = keepOurRegistrations();
  const settings = { ...QUIET_TENSORFLOW, TF_NUM_INTRAOP_THREADS: String(threads) };
  const previous = Object.fromEntries(Object.keys(settings).map((name) => [name, process.env[name]]));
  for (const [name, value] of Object.entries(settings)) process.env[name] ??= value;
  try {
    loadAddonForGood(bindings);
    // tfjs-node registers its `tensorflow` backend and kernels on the tfjs-core it requires: ours, seeded above.
    require(bindings.dir);
  } finally {
    restoreOurRegistrations();
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
