// Decides which runtime runs a script — the user's Python with real PyTorch, or the embedded one — and says why.
import { RUNTIME_KINDS, type RuntimeKind } from '../debug/debugContract';
import { probePython, type ProbeOptions, type PythonProbe } from './pythonProbe';
import type { TemplateTranslator } from './agentTextTemplates';
import { renderRuntimeText } from './runtimeTextTemplates';

/** The interpreter `auto` and `python` use when none is named: the one a terminal's `python3` would start. */
export const DEFAULT_PYTHON = 'python3';

/** The English templates of the choice's sentences (l10n keys: the debug adapter shows them in the client's language). */
export const RUNTIME_CHOICE_TEMPLATES = {
  unknownRuntime: 'Unknown runtime {runtime}: use one of {kinds}.',
  pythonNotText: '"python" must be the path of a Python interpreter (a string).',
  embeddedChosen: 'the embedded runtime was chosen ("runtime": "embedded")',
  notFound: 'no Python interpreter at {path}: using the embedded runtime',
  notRunnable: '{path} does not run as a Python interpreter: using the embedded runtime',
  tooOld: '{interpreter} is Python {version}, older than 3.10: using the embedded runtime',
  noTorch: '{interpreter} has no torch: using the embedded runtime',
  pythonFound: '{interpreter} has Python {version} and torch {torch}',
  pythonChosen: '"runtime": "python": {interpreter} has Python {version} and torch {torch}',
} as const;

/** A sentence of the choice as its template and values, to show it in another language. */
export interface ChoiceText {
  template: string;
  values: Record<string, string>;
}

export type RuntimeDecision =
  | { kind: 'python'; python: string; probe: PythonProbe; reason: string }
  | { kind: 'embedded'; reason: string }
  /** `probe`: the interpreter's, when the problem is the interpreter (for callers that offer ways out). */
  | { kind: 'problem'; message: string; probe?: PythonProbe };

/** A decision's reason or problem in parts, kept beside it (the decision's shape stays what its callers compare). */
const decisionParts = new WeakMap<RuntimeDecision, ChoiceText>();

function withParts<D extends RuntimeDecision>(decision: D, parts: ChoiceText): D {
  decisionParts.set(decision, parts);
  return decision;
}

/**
 * A decision's reason (or problem) in a translator's language (it looks the English template up, as the adapter's
 * `t`); a probe's problem in its own parts (how to fix the interpreter), else as it came.
 */
export function decisionSentence(decision: RuntimeDecision, translate: TemplateTranslator): string {
  const parts = decisionParts.get(decision);
  if (parts) return translate(parts.template, parts.values);
  if (decision.kind === 'problem' && decision.probe?.problemText) return renderRuntimeText(decision.probe.problemText, translate);
  return decision.kind === 'problem' ? decision.message : decision.reason;
}

/** A template filled in one pass (a value's own braces stay), with its parts. */
function said(template: string, values: Record<string, string> = {}): { english: string; parts: ChoiceText } {
  return { english: template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole), parts: { template, values } };
}

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
function fallbackReason(probe: PythonProbe): { english: string; parts: ChoiceText } {
  switch (probe.problemKind) {
    case 'not-found':
      return said(RUNTIME_CHOICE_TEMPLATES.notFound, { path: probe.path });
    case 'not-runnable':
      return said(RUNTIME_CHOICE_TEMPLATES.notRunnable, { path: probe.path });
    case 'too-old':
      return said(RUNTIME_CHOICE_TEMPLATES.tooOld, { interpreter: interpreterName(probe), version: String(probe.version) });
    default:
      return said(RUNTIME_CHOICE_TEMPLATES.noTorch, { interpreter: interpreterName(probe) });
  }
}

/**
 * `embedded` runs the embedded runtime; `python` the interpreter, or a problem saying why it cannot; `auto` the
 * interpreter when it has torch, else the embedded runtime with the reason. Never throws.
 */
export async function chooseRuntime(request: RuntimeRequest): Promise<RuntimeDecision> {
  const runtime = request.runtime ?? 'auto';
  if (!isRuntimeKind(runtime)) {
    const { english, parts } = said(RUNTIME_CHOICE_TEMPLATES.unknownRuntime, { runtime: String(JSON.stringify(runtime)), kinds: RUNTIME_KINDS.join(', ') });
    return withParts({ kind: 'problem', message: english }, parts);
  }
  if (runtime === 'embedded') {
    const { english, parts } = said(RUNTIME_CHOICE_TEMPLATES.embeddedChosen);
    return withParts({ kind: 'embedded', reason: english }, parts);
  }
  if (request.python !== undefined && request.python !== null && typeof request.python !== 'string') {
    const { english, parts } = said(RUNTIME_CHOICE_TEMPLATES.pythonNotText);
    return withParts({ kind: 'problem', message: english }, parts);
  }
  const python = typeof request.python === 'string' && request.python.trim() !== '' ? request.python : DEFAULT_PYTHON;
  const probe = await probePython(python, request);
  if (probe.problem) {
    if (runtime === 'python') return { kind: 'problem', message: probe.problem, probe };
    const { english, parts } = fallbackReason(probe);
    return withParts({ kind: 'embedded', reason: english }, parts);
  }
  const found = { interpreter: interpreterName(probe), version: String(probe.version), torch: String(probe.torch) };
  const { english, parts } = said(runtime === 'auto' ? RUNTIME_CHOICE_TEMPLATES.pythonFound : RUNTIME_CHOICE_TEMPLATES.pythonChosen, found);
  return withParts({ kind: 'python', python: probe.resolvedPath ?? python, probe, reason: english }, parts);
}
