// The runtime a session runs on, in the user's words, for the status bar (`Python 3.11 · torch 2.3.1 · cpu`, `embedded · wasm`) and its tooltip; vscode-free.
import type { RuntimeEventBody } from '../debug/debugContract';
import type { Translate } from './localization';

/** `3.11.7` → `3.11`: the status bar has little room, the tooltip has the rest. */
function majorMinor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/** `2.3.1+cu121` → `2.3.1`: the build tag is in the tooltip (and the device says cuda). */
function withoutBuildTag(version: string): string {
  return version.split('+')[0];
}

/** The short label: which Python, torch and device, or the embedded runtime and its TensorFlow.js backend. */
export function runtimeStatusLabel(runtime: RuntimeEventBody, t: Translate): string {
  if (runtime.kind === 'python') {
    const parts: string[] = [];
    if (runtime.pythonVersion) parts.push(`Python ${majorMinor(runtime.pythonVersion)}`);
    if (runtime.torch) parts.push(`torch ${withoutBuildTag(runtime.torch)}`);
    if (runtime.device) parts.push(runtime.device);
    return parts.length > 0 ? parts.join(' · ') : runtime.label || 'Python';
  }
  const embedded = t('embedded');
  return runtime.backend ? `${embedded} · ${runtime.backend}` : embedded;
}

/** The tooltip's lines: the runtime in full, the interpreter's path, and why it was chosen. */
export function runtimeTooltipLines(runtime: RuntimeEventBody, t: Translate): string[] {
  const lines: string[] = [];
  if (runtime.kind === 'python') {
    const versions = [runtime.pythonVersion && `Python ${runtime.pythonVersion}`, runtime.torch && `torch ${runtime.torch}`, runtime.device]
      .filter(Boolean)
      .join(', ');
    lines.push(t('Runtime: your Python ({versions})', { versions: versions || runtime.label }));
    if (runtime.python) lines.push(t('Interpreter: {path}', { path: runtime.python }));
  } else {
    lines.push(
      runtime.backend
        ? t('Runtime: embedded (Pyodide and TensorFlow.js, {backend} backend)', { backend: runtime.backend })
        : t('Runtime: embedded (Pyodide and TensorFlow.js)'),
    );
  }
  if (runtime.reason) lines.push(t('Why: {reason}', { reason: runtime.reason }));
  return lines;
}
