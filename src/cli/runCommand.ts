// `trainloop run SCRIPT`: runs a training script under a runtime (embedded, or the user's Python), passing its output through.
import { createWriteStream, existsSync, statSync, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { createRuntime } from '../runtime/runtimeFactory';
import { chooseRuntime } from '../runtime/runtimeChoice';
import { CLI_ADVICE } from '../runtime/pythonProbe';
import type { BackendChoice } from '../runtime/tfjsBackend';
import type { RuntimeKind } from '../debug/debugContract';

export interface RunCommandOptions {
  script: string;
  args: string[];
  maxBatches: number;
  eventsFile?: string;
  backend: BackendChoice;
  /** Threads of the wasm backend (default: cores - 1, see threadedWasm.ts). */
  threads?: number;
  disabledDetectors: string[];
  distDir?: string;
  /** Which runtime runs the script (the command line's default: `embedded`). */
  runtime?: RuntimeKind;
  /** The interpreter of the `python` runtime (default: `python3` on PATH). */
  python?: string;
  /** The script's working folder, as the user wrote it (default: the script's own folder). */
  cwd?: string;
  /** Embedded: a mirror URL or folder of Pyodide's packages (default: Pyodide's index). */
  packageIndex?: string;
}

/** Runs the script; resolves to its exit status. Diagnostics go to stderr as `path:line:col: warning: ... [TL001]`. */
export async function runCommand(options: RunCommandOptions): Promise<number> {
  const cwd = options.cwd === undefined ? undefined : resolve(options.cwd);
  if (cwd !== undefined && !statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) {
    process.stderr.write(`trainloop: --cwd '${options.cwd}': No such folder\n`);
    return 2;
  }
  // The script as the shell gives it; a name relative to --cwd also works, as `cd FOLDER && python SCRIPT` would.
  const candidates = [resolve(options.script), ...(cwd ? [resolve(cwd, options.script)] : [])];
  const program = candidates.find((path) => existsSync(path));
  if (program === undefined) {
    process.stderr.write(`trainloop: can't open file '${options.script}': No such file or directory\n`);
    return 2;
  }
  const decision = await chooseRuntime({ runtime: options.runtime ?? 'embedded', python: options.python, cwd: cwd ?? process.cwd(), ...CLI_ADVICE });
  if (decision.kind === 'problem') {
    process.stderr.write(`trainloop: ${decision.message}\n`);
    return 2;
  }
  if (options.runtime === 'auto') process.stderr.write(`trainloop: ${decision.reason}\n`);
  const runtime = createRuntime(decision.kind);
  let events: WriteStream | null = options.eventsFile ? createWriteStream(options.eventsFile) : null;
  runtime.on('output', (stream, text) => (stream === 'stdout' ? process.stdout : process.stderr).write(text));
  runtime.on('event', (event) => {
    events?.write(`${JSON.stringify(event)}\n`);
    if (event.event === 'diagnostic') {
      const { path, line, column, severity, message, code } = event as Record<string, unknown>;
      process.stderr.write(`${path}:${line}:${column ?? 1}: ${severity ?? 'warning'}: ${message} [${code}]\n`);
    }
  });
  const onSigint = () => void runtime.stop();
  process.on('SIGINT', onSigint);
  try {
    const code = await runtime.start({
      program,
      cwd,
      args: options.args,
      backend: options.backend,
      threads: options.threads,
      maxBatches: options.maxBatches,
      disabledDetectors: options.disabledDetectors,
      distDir: options.distDir,
      python: decision.kind === 'python' ? decision.python : undefined,
      packageIndex: options.packageIndex,
    });
    if (events) {
      events.write(`${JSON.stringify({ event: 'exit', code })}\n`);
      await new Promise<void>((done) => events!.end(done));
      events = null;
    }
    return code;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
