// Decides which runtime runs a script — the user's Python with real PyTorch, or the embedded one — and says why.
import { RUNTIME_KINDS, type RuntimeKind } from '../debug/debugContract';
import { probePython, type ProbeOptions, type PythonProbe } from './pythonProbe';

/** The interpreter `auto` and `python` use when none is named: the one a terminal's `python3` would start. */
export const DEFAULT_PYTHON = 'python3';

export type RuntimeDecision =
  | { kind: 'python'; python: string; probe: PythonProbe; reason: string }
  | { kind: 'embedded'; reason: string }
  /** `probe`: the interpreter's, when the problem is the interpreter (for callers that offer ways out). */
  | { kind: 'problem'; message: string; probe?: PythonProbe };

export interface RuntimeRequest extends ProbeOptions {
  /** `auto` (default), `python` or `embedded`; anything else is a problem. */
  runtime?: unknown;
  /** The interpreter (default `python3` on PATH). */
  python?: unknown;
}

function isRuntimeKind(value: unknown): value is RuntimeKind {
  return typeof value === 'string' && (RUNTIME_KINDS as readonly string[]).includes(value);
}

/** The interpreter as the user knows it, with the file it turned out to be when that says more (`python3 (/usr/bin/python3)`). */
function interpreterName(probe: PythonProbe): string {
  const file = probe.executable ?? probe.resolvedPath;
  return file && file !== probe.path ? `${probe.path} (${file})` : probe.path;
}

/** Why `auto` did not take the interpreter, in a few words (the probe's problem, which also says how to fix it, is longer). */
function fallbackReason(probe: PythonProbe): string {
  switch (probe.problemKind) {
    case 'not-found':
      return `no Python interpreter at ${probe.path}`;
    case 'not-runnable':
      return `${probe.path} does not run as a Python interpreter`;
    case 'too-old':
      return `${interpreterName(probe)} is Python ${probe.version}, older than 3.10`;
    default:
      return `${interpreterName(probe)} has no torch`;
  }
}

/**
 * `embedded` runs the embedded runtime; `python` the interpreter, or a problem saying why it cannot; `auto` the
 * interpreter when it has torch, else the embedded runtime with the reason. Never throws.
 */
export async function chooseRuntime(request: RuntimeRequest): Promise<RuntimeDecision> {
  const runtime = request.runtime ?? 'auto';
  if (!isRuntimeKind(runtime)) {
    return { kind: 'problem', message: `Unknown runtime ${JSON.stringify(runtime)}: use one of ${RUNTIME_KINDS.join(', ')}.` };
  }
  if (runtime === 'embedded') return { kind: 'embedded', reason: 'the embedded runtime was chosen ("runtime": "embedded")' };
  if (request.python !== undefined && request.python !== null && typeof request.python !== 'string') {
    return { kind: 'problem', message: '"python" must be the path of a Python interpreter (a string).' };
  }
  const python = typeof request.python === 'string' && request.python.trim() !== '' ? request.python : DEFAULT_PYTHON;
  const probe = await probePython(python, request);
  if (probe.problem) {
    if (runtime === 'python') return { kind: 'problem', message: probe.problem, probe };
    return { kind: 'embedded', reason: `${fallbackReason(probe)}: using the embedded runtime` };
  }
  const what = `${interpreterName(probe)} has Python ${probe.version} and torch ${probe.torch}`;
  return { kind: 'python', python: probe.resolvedPath ?? python, probe, reason: runtime === 'auto' ? what : `"runtime": "python": ${what}` };
}
