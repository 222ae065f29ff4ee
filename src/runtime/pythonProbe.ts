// Asks a Python interpreter, once, what it is (version, executable) and whether it has torch, without importing torch.
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { RUNTIME_TEXT_TEMPLATES, type RuntimeText, adviceText, englishRuntimeText, runtimeText } from './runtimeTextTemplates';

/** The oldest Python the native runtime's tracer supports (sys.settrace on 3.10–3.11, sys.monitoring on 3.12+). */
export const OLDEST_PYTHON: readonly [number, number] = [3, 10];

/** What went wrong, for callers that offer a way out (another interpreter, the embedded runtime). */
export type PythonProblemKind = 'not-found' | 'not-runnable' | 'too-old' | 'no-torch';

export interface PythonProbe {
  /** The interpreter as it was asked for (`python3`, `~/venv/bin/python`). */
  path: string;
  /** The file that was run: `path` found on PATH or made absolute (not a symlink's target: a venv's python is its own). */
  resolvedPath?: string;
  /** `sys.executable`. */
  executable?: string;
  /** `3.11.7`. */
  version?: string;
  /** torch's version (`2.3.1+cpu`), null when the interpreter has no torch, absent when not asked (too old, not run). */
  torch?: string | null;
  /** Why this interpreter cannot run the native runtime, in the user's words. */
  problem?: string;
  /** `problem` in parts, for the debug adapter to show in the client's language. */
  problemText?: RuntimeText;
  problemKind?: PythonProblemKind;
  /** Why a `not-runnable` interpreter did not run, in the system's words (`it is not executable`). */
  detail?: string;
}

export interface ProbeOptions {
  /**
   * Folder that relative interpreter paths are read against and the probe runs in (default: the process's): the
   * folder the script will run in, so that a pyenv shim or a `.python-version` there picks what the run will get.
   */
  cwd?: string;
  /** How the user names another interpreter, ending the "not found" message (default: the launch's words). */
  howToChoose?: string;
  /** How the user asks for the embedded runtime instead, ending the "no torch" message (default: the launch's words). */
  howToEmbed?: string;
  /** Milliseconds before an interpreter that does not answer is given up (default 5 s). */
  timeoutMs?: number;
}

export const DEFAULT_HOW_TO_CHOOSE = RUNTIME_TEXT_TEMPLATES['probe.advice.choose'];
export const DEFAULT_HOW_TO_EMBED = RUNTIME_TEXT_TEMPLATES['probe.advice.embed'];
/** The same advice in the command line's words. */
export const CLI_ADVICE: Pick<ProbeOptions, 'howToChoose' | 'howToEmbed'> = {
  howToChoose: RUNTIME_TEXT_TEMPLATES['probe.advice.cliChoose'],
  howToEmbed: RUNTIME_TEXT_TEMPLATES['probe.advice.cliEmbed'],
};
const PROBE_TIMEOUT_MS = 5000;
const MARKER = 'TRAINLOOP_PROBE ';

/**
 * Runs under any Python from 2.7 on (so that an old one is named, not mistaken for a broken one). find_spec locates
 * torch without running it (importing torch takes seconds and may touch CUDA); its version comes from the installed
 * distribution's metadata, else from torch/version.py read as text. A namespace package (a stray `torch/` folder) is
 * not torch. The answer is one marked line, since a sitecustomize may print too.
 */
const PROBE_SCRIPT = `
import sys, json, os, re
r = {"version": list(sys.version_info[:3]), "executable": sys.executable, "torch": None}
try:
    import importlib.util
    spec = importlib.util.find_spec("torch")
    origin = getattr(spec, "origin", None) if spec is not None else None
    if origin and origin.endswith("__init__.py"):
        r["torchOrigin"] = origin
        version = ""
        try:
            import importlib.metadata
            version = importlib.metadata.version("torch")
        except Exception:
            try:
                with open(os.path.join(os.path.dirname(origin), "version.py")) as f:
                    m = re.search(r"__version__\\s*=\\s*['\\"]([^'\\"]+)", f.read())
                    version = m.group(1) if m else ""
            except Exception:
                pass
        r["torch"] = version or "unknown"
except Exception as e:
    r["torchError"] = repr(e)
sys.stdout.write("${MARKER}" + json.dumps(r) + "\\n")
`;

interface ProbeAnswer {
  version: number[];
  executable: string;
  torch: string | null;
  torchOrigin?: string;
}

interface CachedAnswer {
  stamp: string;
  answer: ProbeAnswer;
}

/**
 * Answers worth keeping, per resolved path and folder: an interpreter with torch (until the interpreter or torch's
 * `__init__.py` changes: an upgrade rewrites it) and one too old (until the file changes). "No torch" is asked
 * again each time, since the user's fix (`pip install torch`) does not touch the interpreter's file.
 */
const cache = new Map<string, CachedAnswer>();
const inFlight = new Map<string, ReturnType<typeof ask>>();

/** Forgets every cached answer (tests; a user who changed environments outside the interpreter's file). */
export function clearPythonProbeCache(): void {
  cache.clear();
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function stampOf(interpreter: Stats, torchOrigin: string | undefined): string {
  const torch = torchOrigin ? statOrNull(torchOrigin) : null;
  return `${interpreter.mtimeMs}:${interpreter.size}:${torch ? torch.mtimeMs : '-'}`;
}

function isRunnable(path: string): boolean {
  if (process.platform === 'win32') return true;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A bare name (`python3`) as the shell finds it on PATH (with PATHEXT's endings on Windows), or null. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const folders = (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean);
  const endings = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').map((e) => e.toLowerCase())] : [''];
  for (const folder of folders) {
    for (const ending of endings) {
      const candidate = join(folder, name + ending);
      const stats = statOrNull(candidate);
      if (stats?.isFile() && isRunnable(candidate)) return candidate;
    }
  }
  return null;
}

function hasSeparator(path: string): boolean {
  return path.includes('/') || (process.platform === 'win32' && path.includes('\\'));
}

/** `~/x` and relative paths made absolute; bare names found on PATH. Null when a bare name is not on PATH. */
function locate(path: string, cwd: string): string | null {
  if (path === '~' || path.startsWith('~/') || path.startsWith('~\\')) return join(homedir(), path.slice(1));
  if (isAbsolute(path) || hasSeparator(path)) return resolve(cwd, path);
  return findOnPath(path);
}

function versionText(version: number[]): string {
  return version.join('.');
}

function shortVersion(version: string | undefined): string {
  return version ? version.split('.').slice(0, 2).join('.') : '?';
}

/** The probe with its problem: the English message, and the same in parts; `detail` (a why) stays English. */
function problem(base: PythonProbe, problemKind: PythonProblemKind, text: RuntimeText, detail?: RuntimeText | string): PythonProbe {
  const why = typeof detail === 'object' ? englishRuntimeText(detail) : detail;
  return { ...base, problemKind, problem: englishRuntimeText(text), problemText: text, ...(why !== undefined ? { detail: why } : {}) };
}

/** Why the system would not start a file, for the spawn errors that mean something to a user. */
const SPAWN_ERRORS: Record<string, RuntimeText> = {
  EACCES: runtimeText('probe.why.EACCES'),
  ENOENT: runtimeText('probe.why.ENOENT'),
  ENOEXEC: runtimeText('probe.why.ENOEXEC'),
};

interface ProbeRun {
  stdout: string;
  stderr: string;
  /** A spawn error's code (`EACCES`), or null. */
  spawnError: string | null;
  exitCode: number | null;
  timedOut: boolean;
}

/**
 * Runs the probe script. A run past the timeout is killed and answered at once, without waiting for its output
 * pipes to close (a wrapper script's children may hold them open).
 */
function run(file: string, cwd: string, timeoutMs: number): Promise<ProbeRun> {
  return new Promise((done) => {
    const result: ProbeRun = { stdout: '', stderr: '', spawnError: null, exitCode: null, timedOut: false };
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      done(result);
    };
    const child = spawn(file, ['-c', PROBE_SCRIPT], {
      // A folder that is gone would fail the spawn as if the interpreter were missing.
      cwd: statOrNull(cwd)?.isDirectory() ? cwd : undefined,
      windowsHide: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group (POSIX), so that a timeout ends what a wrapper script started too.
      detached: process.platform !== 'win32',
      env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
    });
    const timer = setTimeout(() => {
      result.timedOut = true;
      try {
        if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
      child.stdout.destroy();
      child.stderr.destroy();
      finish();
    }, timeoutMs);
    // Enough for the answer and the last lines of an error; a chatty interpreter is not read further.
    const keep = (text: string, more: Buffer) => (text.length < 1 << 16 ? text + more.toString('utf8') : text);
    child.stdout.on('data', (data: Buffer) => (result.stdout = keep(result.stdout, data)));
    child.stderr.on('data', (data: Buffer) => (result.stderr = keep(result.stderr, data)));
    child.on('error', (error: NodeJS.ErrnoException) => {
      result.spawnError = error.code ?? error.message;
      finish();
    });
    child.on('close', (code) => {
      result.exitCode = code;
      finish();
    });
  });
}

function parseAnswer(stdout: string): ProbeAnswer | null {
  const line = stdout.split(/\r?\n/).find((l) => l.startsWith(MARKER));
  if (!line) return null;
  try {
    const value = JSON.parse(line.slice(MARKER.length)) as Partial<ProbeAnswer>;
    if (!Array.isArray(value.version) || !value.version.every((n) => typeof n === 'number')) return null;
    return {
      version: value.version,
      executable: typeof value.executable === 'string' ? value.executable : '',
      torch: typeof value.torch === 'string' ? value.torch : null,
      ...(typeof value.torchOrigin === 'string' ? { torchOrigin: value.torchOrigin } : {}),
    };
  } catch {
    return null;
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split(/\r?\n/);
  return lines[lines.length - 1]?.trim() ?? '';
}

function isTooOld([major = 0, minor = 0]: number[]): boolean {
  return major < OLDEST_PYTHON[0] || (major === OLDEST_PYTHON[0] && minor < OLDEST_PYTHON[1]);
}

/** The probe of an interpreter that answered: its facts, and the problem they make for the native runtime. */
function judge(base: PythonProbe, answer: ProbeAnswer, howToEmbed: string): PythonProbe {
  const version = versionText(answer.version);
  const probe: PythonProbe = { ...base, executable: answer.executable || base.resolvedPath, version };
  if (isTooOld(answer.version)) {
    const values = { version: shortVersion(version), path: base.path, oldest: OLDEST_PYTHON.join('.') };
    return problem(probe, 'too-old', runtimeText('probe.tooOld', values));
  }
  if (answer.torch === null) {
    const values = { path: base.path, version: shortVersion(version), howToEmbed: adviceText(howToEmbed) };
    return problem({ ...probe, torch: null }, 'no-torch', runtimeText('probe.noTorch', values));
  }
  return { ...probe, torch: answer.torch };
}

/** Runs the probe script: the interpreter's answer, or why it gave none. */
async function ask(base: PythonProbe, file: string, cwd: string, stats: Stats, timeoutMs: number): Promise<{ answer: ProbeAnswer } | { failure: PythonProbe }> {
  const { stdout, stderr, spawnError, exitCode, timedOut } = await run(file, cwd, timeoutMs);
  const answer = parseAnswer(stdout);
  if (!answer) {
    // The interpreter's own last line of stderr and an unknown spawn error stay as they came.
    let why: RuntimeText | string;
    if (timedOut) why = runtimeText('probe.why.timeout', { seconds: timeoutMs / 1000 });
    else if (spawnError) why = SPAWN_ERRORS[spawnError] ?? spawnError;
    else if (lastLine(stderr)) why = lastLine(stderr);
    else why = exitCode ? runtimeText('probe.why.exitStatus', { status: exitCode }) : runtimeText('probe.why.notPython');
    return { failure: problem(base, 'not-runnable', runtimeText('probe.notRunnable', { path: base.path, why }), why) };
  }
  if (answer.torch !== null || isTooOld(answer.version)) cache.set(`${file}\0${cwd}`, { stamp: stampOf(stats, answer.torchOrigin), answer });
  return { answer };
}

/**
 * Runs the interpreter once (5 s at most) and says what it is. Never throws: a missing, broken or old interpreter,
 * or one without torch, comes back with `problem` set to a message for the user. Callers asking for the same path
 * at the same time share one run.
 */
export async function probePython(path: string, options: ProbeOptions = {}): Promise<PythonProbe> {
  const howToChoose = adviceText(options.howToChoose ?? DEFAULT_HOW_TO_CHOOSE);
  const howToEmbed = options.howToEmbed ?? DEFAULT_HOW_TO_EMBED;
  if (typeof path !== 'string' || path.trim() === '') {
    return problem({ path: typeof path === 'string' ? path : String(path) }, 'not-found', runtimeText('probe.noneGiven', { howToChoose }));
  }
  const cwd = options.cwd ?? process.cwd();
  const file = locate(path.trim(), cwd);
  if (file === null) return problem({ path }, 'not-found', runtimeText('probe.notOnPath', { path, howToChoose }));
  const base: PythonProbe = { path, resolvedPath: file };
  const stats = statOrNull(file);
  if (!stats) return problem(base, 'not-found', runtimeText('probe.missing', { path, howToChoose }));
  if (stats.isDirectory()) {
    return problem(base, 'not-runnable', runtimeText('probe.folder', { path, howToChoose }), 'it is a folder');
  }
  if (!isRunnable(file)) {
    const why = runtimeText('probe.why.notExecutable');
    return problem(base, 'not-runnable', runtimeText('probe.notRunnable', { path, why }), why);
  }
  // Keyed by the folder too: a pyenv shim's choice depends on it.
  const key = `${file}\0${cwd}`;
  const cached = cache.get(key);
  if (cached && cached.stamp === stampOf(stats, cached.answer.torchOrigin)) return judge(base, cached.answer, howToEmbed);
  let asking = inFlight.get(key);
  if (!asking) {
    asking = ask(base, file, cwd, stats, options.timeoutMs ?? PROBE_TIMEOUT_MS).finally(() => inFlight.delete(key));
    inFlight.set(key, asking);
  }
  const answered = await asking;
  return 'answer' in answered ? judge(base, answered.answer, howToEmbed) : answered.failure;
}
