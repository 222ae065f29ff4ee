// The runtimes' own sentences for the user in parts (the interpreter probe's problems and their fix-it advice, a run's
// failure lines such as `trainloop: cannot start …`): one English template per id (an l10n key), so that the debug
// adapter shows them in the client's language while the CLI and the tests keep the English.
import type { TemplateTranslator } from './agentTextTemplates';

export const RUNTIME_TEXT_TEMPLATES = {
  'probe.noneGiven': 'No Python interpreter was given: {howToChoose}.',
  'probe.notOnPath': 'No Python interpreter at `{path}` (not on PATH): {howToChoose}.',
  'probe.missing': 'No Python interpreter at `{path}`: {howToChoose}.',
  'probe.folder': '`{path}` is a folder, not a Python interpreter: {howToChoose}.',
  'probe.notRunnable': '`{path}` is not a runnable Python interpreter: {why}.',
  'probe.tooOld': "Python {version} at {path} is too old for Trainloop's python runtime: it needs {oldest} or newer.",
  'probe.noTorch': '{path} (Python {version}) has no torch: install PyTorch there, choose another interpreter, or {howToEmbed}.',
  'probe.advice.choose': 'set trainloop.python or the launch\'s "python"',
  'probe.advice.embed': 'use "runtime": "embedded"',
  'probe.advice.cliChoose': 'pass --python PATH',
  'probe.advice.cliEmbed': 'run with --runtime embedded',
  'probe.why.notExecutable': 'it is not executable',
  'probe.why.timeout': 'it did not answer within {seconds} s',
  'probe.why.exitStatus': 'it exited with status {status}',
  'probe.why.notPython': 'it did not answer as Python does',
  'probe.why.EACCES': 'permission denied',
  'probe.why.ENOENT': 'the system could not start it (is its #! line or its loader missing?)',
  'probe.why.ENOEXEC': 'it is not a program this system can run',
  'run.cannotListen': 'trainloop: the python runtime could not listen on 127.0.0.1: {error}\n',
  'run.cannotStart': 'trainloop: cannot start {python}: {error}\n',
  'run.cannotStartInterpreter': 'trainloop: cannot start the Python interpreter {python}: {why}\n',
  'run.noSuchFile': 'no such file',
  'run.noConnection': 'trainloop: {python} did not connect back within {seconds} s\n',
  'run.workerCrashed': 'trainloop: the runtime worker crashed: {error}\n',
  'run.failed': 'trainloop: the runtime failed: {error}\n',
} as const satisfies Record<string, string>;

export type RuntimeTextId = keyof typeof RUNTIME_TEXT_TEMPLATES;

/** A runtime's sentence in parts: a value is shown as it is (paths, errors, numbers) or is a text of its own. */
export interface RuntimeText {
  id: RuntimeTextId;
  values: { [name: string]: string | number | RuntimeText };
}

export function runtimeText(id: RuntimeTextId, values: RuntimeText['values'] = {}): RuntimeText {
  return { id, values };
}

/** A free-form piece of advice in parts when it is one of ours (`set trainloop.python …`), else as it was given. */
export function adviceText(advice: string): string | RuntimeText {
  for (const id of ['probe.advice.choose', 'probe.advice.embed', 'probe.advice.cliChoose', 'probe.advice.cliEmbed'] as const) {
    if (RUNTIME_TEXT_TEMPLATES[id] === advice) return runtimeText(id);
  }
  return advice;
}

/** The text in the translator's language: its parts first, then its own template with them (filled in one pass). */
export function renderRuntimeText(text: RuntimeText, translate: TemplateTranslator): string {
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(text.values)) values[name] = typeof value === 'object' ? renderRuntimeText(value, translate) : value;
  return translate(RUNTIME_TEXT_TEMPLATES[text.id], values);
}

/** English, as the CLI prints it and the tests compare it. */
export function englishRuntimeText(text: RuntimeText): string {
  return renderRuntimeText(text, (template, values) => template.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole)));
}
