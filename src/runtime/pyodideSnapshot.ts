// Starts Pyodide from a memory snapshot of its freshly booted interpreter, made once per Pyodide build and kept in
// the runtime's cache folder: a restore skips the 2–3 s in which Python boots and imports Pyodide's own modules.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPyodide, version as pyodideVersion, type PyodideAPI } from 'pyodide';

/** What a run gives loadPyodide (the same for every run: a snapshot holds the interpreter they produce). */
export interface PyodideStart {
  indexURL: string;
  env: Record<string, string>;
}

/** Pyodide's own snapshot call (with `_makeSnapshot`/`_loadSnapshot`; the version is pinned in package.json). */
interface SnapshotApi {
  makeSnapshot(): Uint8Array;
}

/** What the snapshot is taken after: finalizeSetup's '' at sys.path[0] out, the runtime's standard modules in. */
const BEFORE_SNAPSHOT = `
import importlib, sys
if sys.path[:1] == [""]:
    del sys.path[0]
for name in names:
    importlib.import_module(name)
`;

/**
 * Undoes what a snapshot fixes that a fresh boot sets per process. The program name (Emscripten's `thisProgram`)
 * is the maker's: set to this process's, as a boot here would. `random` was seeded at import: seeded again from
 * os.urandom, as at import. The hash secret stays the snapshot's (strings already hashed with it fill every dict
 * in the heap), as PYTHONHASHSEED would fix it.
 */
const AFTER_RESTORE = `
import os, sys
sys.executable = sys._base_executable = program
sys.orig_argv = [program] + sys.orig_argv[1:]
os.environ["_"] = program
if "random" in sys.modules:
    sys.modules["random"].seed()
`;

/** Bumped when what goes into a snapshot changes, so that older files are made again. */
const SNAPSHOT_FORMAT = 3;

/** The file of this Pyodide build's snapshot under `folder`. */
export function snapshotFile(folder: string): string {
  return join(folder, `pyodide-${pyodideVersion}-${SNAPSHOT_FORMAT}.snapshot`);
}

/** The name Emscripten gives the program in this process (sys.executable): the main script's path. */
function thisProgram(): string {
  return process.argv.length > 1 ? process.argv[1].replace(/\\/g, '/') : './this.program';
}

/**
 * Standard modules that every run imports before the script (the agent and the torch shim do) and Pyodide's boot
 * has not: imported before the snapshot, they are not compiled again from python_stdlib.zip's sources in every run
 * (about 0.1 s), and the script finds the same sys.modules as before. Their import sets nothing that depends on the run.
 */
const RUNTIME_STDLIB = ['array', 'numbers', 'pickle', 'sysconfig'];

/**
 * Boots Pyodide and snapshots it. finalizeSetup (after the boot) puts '' at sys.path[0] and does so again after a
 * restore: the snapshot is taken without it.
 */
async function makeSnapshot(start: PyodideStart): Promise<Uint8Array> {
  const booted = await loadPyodide({ ...start, _makeSnapshot: true });
  runIsolated(booted, BEFORE_SNAPSHOT, { names: RUNTIME_STDLIB });
  return (booted as unknown as { _api: SnapshotApi })._api.makeSnapshot();
}

/** Writes the snapshot whole or not at all (runs may start side by side), and drops other builds' snapshots. */
function keepSnapshot(file: string, folder: string, snapshot: Uint8Array): void {
  try {
    mkdirSync(folder, { recursive: true });
    const partial = `${file}.${process.pid}.${Date.now()}.part`;
    writeFileSync(partial, snapshot);
    renameSync(partial, file);
    for (const name of readdirSync(folder)) {
      const stale = /^pyodide-.*\.snapshot$/.test(name) && join(folder, name) !== file;
      if (stale) rmSync(join(folder, name), { force: true });
    }
  } catch {
    // A cache folder that can't be written costs the next run the boot again, nothing more.
  }
}

function readSnapshot(file: string): Uint8Array | null {
  try {
    return readFileSync(file);
  } catch {
    return null;
  }
}

/** Runs `code` with `names` as its globals, leaving nothing in __main__. */
function runIsolated(pyodide: PyodideAPI, code: string, names: Record<string, unknown>): void {
  const globals = pyodide.toPy(names);
  try {
    pyodide.runPython(code, { globals });
  } finally {
    globals.destroy();
  }
}

async function restore(start: PyodideStart, snapshot: Uint8Array): Promise<PyodideAPI> {
  const pyodide = await loadPyodide({ ...start, _loadSnapshot: snapshot });
  runIsolated(pyodide, AFTER_RESTORE, { program: thisProgram() });
  return pyodide;
}

/**
 * Pyodide, restored from the snapshot in `folder` (made there first when there is none, or it is another build's).
 * Every run starts from a restore, the first one included, so all runs start from the same state.
 */
export async function startPyodide(start: PyodideStart, folder: string): Promise<PyodideAPI> {
  const file = snapshotFile(folder);
  const kept = readSnapshot(file);
  if (kept) {
    try {
      return await restore(start, kept);
    } catch {
      // Another build's snapshot (Pyodide checks its build id) or a damaged file: made again below.
    }
  }
  const snapshot = await makeSnapshot(start);
  keepSnapshot(file, folder, snapshot);
  return restore(start, snapshot);
}
