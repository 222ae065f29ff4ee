// Messages between the runtime host (extension, CLI, debug adapter) and its worker thread.
import type { BackendChoice } from './tfjsBackend';
import type { DebugLaunch } from './debugChannel';
import type { RuntimeEvent } from './agentMessages';
import type { PackageLaunch } from './packageChannel';
import type { RuntimeText } from './runtimeTextTemplates';

/** What the worker is started with (`workerData`). */
export interface RuntimeLaunch {
  program: string;
  args: string[];
  cwd: string;
  backend: BackendChoice;
  /** Threads of the wasm backend; 0 = the default (cores - 1). */
  threads: number;
  /** Stop cleanly after this many training batches (0 = no limit). */
  maxBatches: number;
  /** Training-bug detectors to switch off, by code (`TL001`...), or `all`. */
  disabledDetectors: string[];
  distDir: string;
  /** Pyodide's interrupt buffer: the host writes 2 (SIGINT) to raise KeyboardInterrupt in the script. */
  interruptBuffer: SharedArrayBuffer;
  /** The channel to the host that fetches Pyodide's packages (numpy...) at first import. */
  packages: PackageLaunch;
  /** Present when a debug session drives the run: the pause/resume channel (see debugChannel.ts). */
  debug?: DebugLaunch;
}

/** One record of the run (`batch`, `diagnostic`, `internal`), as `--events` files hold them: see agentMessages.ts. */
export type { RuntimeEvent };

export type WorkerMessage =
  | { type: 'ready'; backend: string; bootMs: number }
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string; parts?: RuntimeText }
  | { type: 'event'; event: RuntimeEvent }
  /** From the debugger inside the worker: a `DebuggerMessage` as JSON. */
  | { type: 'debug'; json: string }
  | { type: 'exit'; code: number };
