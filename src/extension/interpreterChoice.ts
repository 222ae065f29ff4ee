// Which runtime and which Python a `trainloop` launch gets, from the launch, the settings and the Python extension, in the order the VS Code Python debugger's users know; vscode-free.
import { RUNTIME_KINDS, type RuntimeKind } from '../debug/debugContract';
import { DEFAULT_PYTHON } from '../runtime/runtimeChoice';
import type { PythonProbe } from '../runtime/pythonProbe';
import { renderRuntimeText } from '../runtime/runtimeTextTemplates';
import type { Translate } from './localization';

/** Where the launch's interpreter came from (said in the log, and tested). */
export type InterpreterSource = 'launch' | 'setting' | 'pythonExtension' | 'defaultInterpreterPath' | 'default';

export interface RuntimeInputs {
  /** Whether the workspace is trusted: an untrusted one never starts Python. */
  trusted: boolean;
  /** `trainloop.runtime`. */
  runtimeSetting?: unknown;
  /** `trainloop.python`. */
  pythonSetting?: unknown;
  /**
   * The Python extension's active environment for the file (its executable), asked only when the launch and the
   * setting name none. Undefined when the Python extension is not installed.
   */
  activeEnvironment?: () => Promise<string | undefined>;
  /** `python.defaultInterpreterPath` as the user set it (not its default). */
  defaultInterpreterPath?: unknown;
}

export interface RuntimeAttributes {
  /** The launch's `runtime`: a kind, or the launch's own value when it is not one (the adapter names it). */
  runtime: RuntimeKind | unknown;
  /** The interpreter, for `auto` and `python`; the launch's own value when it is not a string. */
  python?: unknown;
  pythonSource?: InterpreterSource;
  /** The workspace is untrusted and the launch asked for Python: it runs embedded instead. */
  forcedEmbedded: boolean;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function isRuntimeKind(value: unknown): value is RuntimeKind {
  return typeof value === 'string' && (RUNTIME_KINDS as readonly string[]).includes(value);
}

/**
 * The runtime: the launch's, else the setting's (`auto` when unset or not a kind). The interpreter, for `auto` and
 * `python`: the launch's `python`, else `trainloop.python`, else the Python extension's active environment, else
 * `python.defaultInterpreterPath`, else `python3`. Values with `${…}` are kept as they are: VS Code substitutes
 * them after this (the reason to fill the launch before substitution). A Python extension that fails or has no
 * environment is passed over.
 */
export async function resolveRuntimeAttributes(launch: { runtime?: unknown; python?: unknown }, inputs: RuntimeInputs): Promise<RuntimeAttributes> {
  const asked = launch.runtime !== undefined ? launch.runtime : isRuntimeKind(inputs.runtimeSetting) ? inputs.runtimeSetting : 'auto';
  if (!inputs.trusted) return { runtime: 'embedded', forcedEmbedded: asked !== 'embedded' };
  if (asked === 'embedded' || !isRuntimeKind(asked)) {
    return { runtime: asked, ...(launch.python !== undefined ? { python: launch.python } : {}), forcedEmbedded: false };
  }
  if (launch.python !== undefined && (typeof launch.python !== 'string' || launch.python.trim() !== '')) {
    return { runtime: asked, python: launch.python, pythonSource: 'launch', forcedEmbedded: false };
  }
  const setting = text(inputs.pythonSetting);
  if (setting) return { runtime: asked, python: setting, pythonSource: 'setting', forcedEmbedded: false };
  let active: string | undefined;
  try {
    active = text(await inputs.activeEnvironment?.());
  } catch {
    active = undefined;
  }
  if (active) return { runtime: asked, python: active, pythonSource: 'pythonExtension', forcedEmbedded: false };
  const configured = text(inputs.defaultInterpreterPath);
  if (configured) return { runtime: asked, python: configured, pythonSource: 'defaultInterpreterPath', forcedEmbedded: false };
  return { runtime: asked, python: DEFAULT_PYTHON, pythonSource: 'default', forcedEmbedded: false };
}

/**
 * A probe's problem in the user's language, for the notification shown before a `"runtime": "python"` launch
 * starts. "Not runnable" ends with the system's own words (English).
 */
export function interpreterProblemText(probe: PythonProbe, t: Translate): string {
  const path = probe.path;
  const version = probe.version ? probe.version.split('.').slice(0, 2).join('.') : '?';
  switch (probe.problemKind) {
    case 'not-found':
      return t('No Python interpreter at {path}: set trainloop.python or the launch\'s "python".', { path });
    case 'too-old':
      return t("Python {version} at {path} is too old for Trainloop's python runtime: it needs 3.10 or newer.", { version, path });
    case 'no-torch':
      return t('{path} (Python {version}) has no torch: install PyTorch there, choose another interpreter, or use the embedded runtime.', {
        path,
        version,
      });
    case 'not-runnable':
      return t('{path} is not a runnable Python interpreter: {detail}', { path, detail: probe.detail ?? '' });
    default:
      return probe.problemText ? renderRuntimeText(probe.problemText, t) : (probe.problem ?? '');
  }
}
