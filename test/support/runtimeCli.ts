// Test support: runs a Python script under `node dist/cli.js run` in a temporary folder and returns what it printed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..');
export const CLI = join(REPO, 'dist', 'cli.js');

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The records of the `--events` file, when one was asked for. */
  events: Array<Record<string, unknown>>;
  dir: string;
  script: string;
}

/** Writes `source` to a new temporary folder as `name` and runs it under the runtime. */
export function runPython(source: string, options: { name?: string; cliArgs?: string[]; timeoutMs?: number } = {}): ScriptRun {
  const dir = mkdtempSync(join(tmpdir(), 'trainloop-test-'));
  const script = join(dir, options.name ?? 'script.py');
  writeFileSync(script, source);
  return runScriptFile(script, options);
}

/** Runs an existing script under the runtime, with `--events` into a temporary file. */
export function runScriptFile(script: string, options: { cliArgs?: string[]; timeoutMs?: number; dir?: string } = {}): ScriptRun {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'trainloop-test-'));
  const eventsFile = join(dir, 'events.jsonl');
  const result = spawnSync(process.execPath, [CLI, 'run', script, '--events', eventsFile, ...(options.cliArgs ?? [])], {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 180_000,
  });
  const events = existsSync(eventsFile)
    ? readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>)
    : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, events, dir, script };
}

/** Like runPython, without blocking this process's event loop (so a server here can answer, or several runs overlap). */
export function runPythonAsync(source: string, name = 'script.py'): Promise<ScriptRun> {
  const dir = mkdtempSync(join(tmpdir(), 'trainloop-test-'));
  const script = join(dir, name);
  writeFileSync(script, source);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, events: [], dir, script }));
  });
}
