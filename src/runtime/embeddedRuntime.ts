// The embedded runtime: runs a script in a worker thread (Pyodide + the torch shim on TensorFlow.js) and reports its
// output, events and exit.
import { EventEmitter } from 'node:events';
import { SHARE_ENV, Worker } from 'node:worker_threads';
import { join, resolve } from 'node:path';
import type { RuntimeLaunch, WorkerMessage } from './protocol';
import { DebugChannelHost, type DebuggerMessage } from './debugChannel';
import type { Runtime, RuntimeEvents, RunOptions } from './runtime';
import { englishRuntimeText, runtimeText } from './runtimeTextTemplates';
import { PackageChannelHost } from './packageChannel';
import { PackageFetcher, defaultPackageCache } from './packageFetcher';

const STOP_GRACE_MS = 1000;
const REINTERRUPT_MS = 150;
const SIGINT = 2;

export class EmbeddedRuntime extends EventEmitter<RuntimeEvents> implements Runtime {
  private worker: Worker | null = null;
  private interrupt: Int32Array | null = null;
  private exited: Promise<number> | null = null;
  private debugChannel: DebugChannelHost | null = null;
  private packageChannel: PackageChannelHost | null = null;

  start(options: RunOptions): Promise<number> {
    if (this.worker) throw new Error('this runtime is already running a script');
    const distDir = options.distDir ?? __dirname;
    const interruptBuffer = new SharedArrayBuffer(4);
    this.interrupt = new Int32Array(interruptBuffer);
    const program = resolve(options.program);
    const packageCache = resolve(options.packageCache ?? defaultPackageCache());
    const fetcher = new PackageFetcher(options.packageIndex, packageCache, join(distDir, 'pyodide', 'pyodide-lock.json'), (line) =>
      this.emit('output', 'stderr', line),
    );
    this.packageChannel = new PackageChannelHost(fetcher, packageCache);
    const launch: RuntimeLaunch = {
      program,
      args: options.args ?? [],
      cwd: resolve(options.cwd ?? join(program, '..')),
      backend: options.backend ?? 'auto',
      threads: options.threads ?? 0,
      maxBatches: options.maxBatches ?? 0,
      disabledDetectors: options.disabledDetectors ?? [],
      distDir,
      interruptBuffer,
      packages: this.packageChannel.launch(),
    };
    this.debugChannel = options.debug ? new DebugChannelHost(this.interrupt) : null;
    if (this.debugChannel) launch.debug = this.debugChannel.launch();
    const worker = new Worker(join(distDir, 'runtimeWorker.js'), {
      workerData: launch,
      transferList: [launch.packages.port, ...(launch.debug ? [launch.debug.port] : [])],
      stdout: false,
      stderr: false,
      // The process's own environment: TensorFlow reads the settings that keep its startup lines quiet with getenv.
      env: SHARE_ENV,
    });
    this.worker = worker;
    let reported = false;
    this.exited = new Promise<number>((resolveExit) => {
      const finish = (code: number) => {
        if (reported) return;
        reported = true;
        this.worker = null;
        this.debugChannel?.close();
        this.packageChannel?.close();
        this.emit('exit', code);
        resolveExit(code);
      };
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'ready':
            this.emit('ready', { kind: 'embedded', label: `embedded · ${message.backend}`, backend: message.backend, bootMs: message.bootMs });
            break;
          case 'output':
            this.emit('output', message.stream, message.text, message.parts);
            break;
          case 'event':
            this.emit('event', message.event);
            break;
          case 'debug': {
            const forward = this.debugChannel?.receive(JSON.parse(message.json) as DebuggerMessage);
            if (forward) this.emit('debug', forward);
            break;
          }
          case 'exit':
            void worker.terminate();
            finish(message.code);
            break;
        }
      });
      worker.on('error', (error) => {
        const crashed = runtimeText('run.workerCrashed', { error: error.stack ?? error.message });
        this.emit('output', 'stderr', englishRuntimeText(crashed), crashed);
        finish(70);
      });
      worker.on('exit', (code) => finish(code === 0 ? 0 : 137));
    });
    return this.exited;
  }

  /** Sends a command to the debugger in the worker (only for runs started with `debug: true`). */
  debugRequest<T = unknown>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    if (!this.debugChannel) return Promise.reject(new Error('this run was not started for debugging'));
    return this.debugChannel.request<T>(command, args);
  }

  get running(): boolean {
    return this.worker !== null;
  }

  /** Interrupts the script (KeyboardInterrupt); ends the worker if it has not stopped within a second. */
  async stop(): Promise<number | null> {
    const worker = this.worker;
    if (!worker || !this.exited) return null;
    const interrupt = () => {
      if (this.debugChannel) this.debugChannel.requestStop();
      else Atomics.store(this.interrupt!, 0, SIGINT);
    };
    interrupt();
    // A KeyboardInterrupt raised inside a __del__ (the shim frees tensors there) is printed and dropped by Python:
    // once the worker has taken the interrupt, it is sent again until the script ends or the grace runs out.
    const again = setInterval(() => Atomics.load(this.interrupt!, 0) === 0 && interrupt(), REINTERRUPT_MS);
    const timer = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
    const code = await this.exited;
    clearTimeout(timer);
    clearInterval(again);
    return code;
  }
}
