// The runtime seam: what the debug adapter and the CLI ask of a runtime, implemented by the embedded runtime (Pyodide
// + TensorFlow.js in a worker thread) and the native one (the user's Python and real PyTorch in a child process).
import type { EventEmitter } from 'node:events';
import type { BackendChoice } from './tfjsBackend';
import type { RuntimeEvent } from './protocol';
import type { DebuggerMessage } from './debugChannel';
import type { RuntimeText } from './runtimeTextTemplates';

export interface RunOptions {
  program: string;
  args?: string[];
  /** The script's working folder (defaults to its own folder). */
  cwd?: string;
  /** Stop cleanly after this many training batches (0 = no limit). */
  maxBatches?: number;
  /** Training-bug detectors to switch off, by code (`TL001`...), or `all`. */
  disabledDetectors?: string[];
  /** The folder holding the bundles and their run-time files: python/, pyodide/, tfjs/ (defaults to the bundle's). */
  distDir?: string;
  /** Run under the debugger: the runtime waits for breakpoints and a `start` command before running the script. */
  debug?: boolean;
  /** Embedded: the TensorFlow.js backend. */
  backend?: BackendChoice;
  /** Embedded: threads of the wasm and tensorflow backends (default: cores - 1, see threadedWasm.ts). */
  threads?: number;
  /** Native: the Python interpreter to run (default `python3`). */
  python?: string;
  /** Embedded: where Pyodide's packages (numpy...) come from: a mirror URL or a folder (default: Pyodide's index). */
  packageIndex?: string;
  /** Embedded: the folder that keeps fetched packages, and in `startup/` Pyodide's snapshot, the runtime's compiled
   * modules and inflated copies of .gz datasets (default: ~/.cache/trainloop/packages). */
  packageCache?: string;
}

/** What a runtime says once it takes commands (the `trainloopRuntime` event's body, with the choice's reason). */
export interface RuntimeReady {
  /** The runtime that runs the script. */
  kind: 'embedded' | 'python';
  /** In the user's words, for the status bar: `Python 3.11.2 · torch 1.13.0 · cpu`, `embedded · wasm`. */
  label: string;
  /** Embedded: the TensorFlow.js backend (`wasm`, `cpu`, `tensorflow`). */
  backend?: string;
  /** Python: the interpreter's path, its version, torch's version and the device the script is likely to use. */
  python?: string;
  pythonVersion?: string;
  torch?: string;
  device?: string;
  /** Milliseconds from start() to ready. */
  bootMs: number;
}

export interface RuntimeEvents {
  ready: [info: RuntimeReady];
  /** `parts`: the runtime's own line in parts (`trainloop: cannot start …`), for the adapter to translate; absent for the script's output. */
  output: [stream: 'stdout' | 'stderr', text: string, parts?: RuntimeText];
  /** A record of the run (`batch`, `diagnostic`...), as `--events` files hold them. */
  event: [event: RuntimeEvent];
  exit: [code: number];
  /** A message from the debugger inside the runtime that is not a reply (`ready`, `stopped`, `output`, `batch`...). */
  debug: [message: DebuggerMessage];
}

export interface Runtime extends EventEmitter<RuntimeEvents> {
  /** Runs the script; resolves to its exit status. */
  start(options: RunOptions): Promise<number>;
  /** Sends a command to the debugger in the runtime (only for runs started with `debug: true`). */
  debugRequest<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T>;
  /** Ends the script: a stop request, a second of grace, then the runtime is ended by force. */
  stop(): Promise<number | null>;
  readonly running: boolean;
}
