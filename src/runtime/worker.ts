// The runtime's worker thread: starts tfjs and Pyodide, exposes the torch engine, runs the user's script.
import { parentPort, workerData } from 'node:worker_threads';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PyodideAPI } from 'pyodide';
import { startBackend } from './tfjsBackend';
import { TensorEngine, TorchError } from './tensorEngine';
import { createTorchOps } from './torchOps';
import { createDatasetOps } from './datasetOps';
import { SeededRandom } from './seededRandom';
import { englishRuntimeText, runtimeText } from './runtimeTextTemplates';
import type { RuntimeEvent, RuntimeLaunch, WorkerMessage } from './protocol';
import { createDebugModule } from './debugChannel';
import { hostFolders } from './hostFolders';
import { requestPackageSync } from './packageChannel';
import type { PackageRequest } from './packageFetcher';
import { NonFiniteWatch } from './nonFiniteWatch';
import { OpProfile } from './opProfile';
import { startPyodide } from './pyodideSnapshot';

const launch = workerData as RuntimeLaunch;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);

mkdirSync(launch.packages.cacheDir, { recursive: true });
/** The host folders the script sees, at the same paths inside Pyodide (see hostFolders.ts). */
const visibleFolders = hostFolders({
  cwd: launch.cwd,
  program: launch.program,
  runtimeFolders: [join(launch.distDir, 'python'), launch.packages.cacheDir],
});
/** The same without the runtime's own folders: what messages name. */
const userFolders = hostFolders({ cwd: launch.cwd, program: launch.program, runtimeFolders: [] });
/** What the runtime makes once and keeps: Pyodide's snapshot, its own modules' compiled code, inflated datasets. */
const startupCache = join(launch.packages.cacheDir, 'startup');

/** Whether `path` (absolute, normalized) lies in a mounted folder, where the host file is the one Python sees. */
function isMounted(path: string): boolean {
  return visibleFolders.some((folder) => path === folder || path.startsWith(folder.endsWith('/') ? folder : `${folder}/`));
}

function mountHostFolders(pyodide: PyodideAPI): void {
  const fs = pyodide.FS;
  for (const folder of visibleFolders) {
    fs.mkdirTree(folder);
    fs.mount(fs.filesystems.NODEFS, { root: folder }, folder);
  }
}

function streamWriter(stream: 'stdout' | 'stderr') {
  const decoder = new TextDecoder();
  return {
    write(bytes: Uint8Array): number {
      const text = decoder.decode(bytes, { stream: true });
      if (text) post({ type: 'output', stream, text });
      return bytes.length;
    },
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const searchFrom = [dirname(launch.program), launch.cwd, ...(process.env.NODE_PATH ?? '').split(':').filter(Boolean)];
  const [backend, pyodide] = await Promise.all([
    startBackend(launch.backend, join(launch.distDir, 'tfjs'), searchFrom, launch.threads || undefined),
    startPyodide({ indexURL: join(launch.distDir, 'pyodide') + '/', env: { HOME: '/home/pyodide' } }, startupCache),
  ]);
  pyodide.setStdout(streamWriter('stdout'));
  pyodide.setStderr(streamWriter('stderr'));
  pyodide.setInterruptBuffer(new Int32Array(launch.interruptBuffer));
  mountHostFolders(pyodide);
  pyodide.FS.chdir(launch.cwd);

  const engine = new TensorEngine();
  // Wrapped so torch.profiler (and --profile) can count the calls Python makes; unprofiled, a call costs a flag test.
  const profile = new OpProfile();
  // Checked for the op that first makes NaN/Inf while the agent asks (see nonFiniteWatch.ts).
  const torchOps = profile.wrap(new NonFiniteWatch(engine).wrap(createTorchOps(engine, new SeededRandom())), 'engine');
  pyodide.registerJsModule('_trainloop_engine', torchOps);
  pyodide.registerJsModule('_trainloop_data', profile.wrap(createDatasetOps(engine, { isMounted, inflatedFolder: join(startupCache, 'inflated') }), 'data'));
  pyodide.registerJsModule('_trainloop_profile', profile.pythonModule());
  const interruptBuffer = new Int32Array(launch.interruptBuffer);
  pyodide.registerJsModule('_trainloop_host', {
    emit: (json: string) => post({ type: 'event', event: JSON.parse(json) as RuntimeEvent }),
    /** Sets the interrupt again, so Python's next check runs the SIGINT handler once more (see interrupts.py). */
    interrupt_again: () => Atomics.store(interruptBuffer, 0, 2),
    TorchError,
    /** The engine's read-backs for the agent's fast paths (tensor_reads.py): injected here, never imported by the agent,
     * which runs unchanged on real PyTorch without it. */
    engine: torchOps,
  });
  if (launch.debug) {
    pyodide.registerJsModule('_trainloop_debug', createDebugModule(launch.debug, (json) => post({ type: 'debug', json })));
  }
  post({ type: 'ready', backend, bootMs: Date.now() - started });

  const python = join(launch.distDir, 'python');
  const runner = pyodide.pyimport('sys');
  runner.path.insert(0, join(python, 'agent'));
  runner.path.insert(0, join(python, 'shim'));
  runner.destroy();
  const bytecodeCache = pyodide.pyimport('trainloop_embedded.bytecode_cache');
  bytecodeCache.install(python, join(startupCache, 'bytecode'));
  bytecodeCache.destroy();
  const hostFiles = pyodide.pyimport('trainloop_embedded.host_files');
  hostFiles.install(pyodide.toPy(visibleFolders), pyodide.toPy(userFolders), (path: string) => existsSync(path));
  hostFiles.destroy();
  const stringHash = pyodide.pyimport('trainloop_embedded.string_hash');
  stringHash.install();
  stringHash.destroy();
  // Pyodide's packages, fetched by the host at first import (see packageFetcher.ts and packages.py).
  pyodide.registerJsModule('_trainloop_packages', {
    source: launch.packages.source,
    request: (json: string) => {
      const request = JSON.parse(json) as PackageRequest;
      const reply = requestPackageSync(launch.packages, request);
      // The lock may be the one next to Pyodide, which is not mounted: its text goes along.
      return JSON.stringify(reply.ok && request.kind === 'lock' ? { ...reply, text: readFileSync(reply.path, 'utf8') } : reply);
    },
  });
  const packages = pyodide.pyimport('trainloop_embedded.packages');
  packages.install();
  packages.destroy();
  if (launch.debug) {
    // The debugger takes breakpoints until the host says `start`; false when the session ended before that.
    const debuggerModule = pyodide.pyimport('trainloop_agent.debugger');
    const start = debuggerModule.prepare(launch.program) as boolean;
    debuggerModule.destroy();
    if (!start) {
      post({ type: 'exit', code: 130 });
      return;
    }
  }
  const agent = pyodide.pyimport('trainloop_agent.runner');
  const code = agent.run_script(
    launch.program,
    pyodide.toPy(launch.args),
    launch.maxBatches,
    pyodide.toPy(launch.disabledDetectors),
    backend,
  ) as number;
  post({ type: 'exit', code });
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const failed = runtimeText('run.failed', { error: message });
  post({ type: 'output', stream: 'stderr', text: englishRuntimeText(failed), parts: failed });
  post({ type: 'exit', code: 70 });
});
