// Where VS Code keeps the user's Python: the Python extension's active environment, `python.defaultInterpreterPath`; and the notification for an interpreter that cannot run the python runtime.
import * as vscode from 'vscode';
import type { PythonProbe } from '../runtime/pythonProbe';
import { interpreterProblemText, type RuntimeInputs } from './interpreterChoice';
import type { TrainloopSettings } from './settings';
import { translate } from './staticDiagnostics';

const PYTHON_EXTENSION_ID = 'ms-python.python';
/** The Python extension activates on first use and discovers environments then; past this, it is passed over. */
const PYTHON_EXTENSION_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * The executable of the Python extension's active environment for `resource`, or undefined. The Python extension
 * is optional (no extensionDependencies): its API package loads only when the extension is installed.
 */
export async function pythonExtensionInterpreter(resource: vscode.Uri | undefined): Promise<string | undefined> {
  if (!vscode.extensions.getExtension(PYTHON_EXTENSION_ID)) return undefined;
  const { PythonExtension } = await import('@vscode/python-extension');
  const api = await withTimeout(PythonExtension.api(), PYTHON_EXTENSION_TIMEOUT_MS);
  if (!api) return undefined;
  const environment = await withTimeout(
    Promise.resolve(api.environments.resolveEnvironment(api.environments.getActiveEnvironmentPath(resource))),
    PYTHON_EXTENSION_TIMEOUT_MS,
  );
  return environment?.executable.uri?.fsPath;
}

/** `python.defaultInterpreterPath` when the user set it (its default, `python`, is not a choice). */
function userDefaultInterpreterPath(resource: vscode.Uri | undefined): string | undefined {
  const inspected = vscode.workspace.getConfiguration('python', resource).inspect<string>('defaultInterpreterPath');
  return inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
}

/** What resolveRuntimeAttributes reads from VS Code for a launch of `resource`. */
export function runtimeInputs(settings: TrainloopSettings, resource: vscode.Uri | undefined): RuntimeInputs {
  return {
    trusted: vscode.workspace.isTrusted,
    runtimeSetting: settings.runtime,
    pythonSetting: settings.python,
    activeEnvironment: () => pythonExtensionInterpreter(resource),
    defaultInterpreterPath: userDefaultInterpreterPath(resource),
  };
}

/**
 * Says why the interpreter cannot run the python runtime, with the ways out: run this launch on the embedded
 * runtime, or choose another interpreter (the Python extension's picker when it is installed, else the setting).
 */
export function showInterpreterProblem(probe: PythonProbe, folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): void {
  const useEmbedded = vscode.l10n.t('Use the Embedded Runtime');
  const choose = vscode.l10n.t('Choose an Interpreter');
  void vscode.window.showErrorMessage(interpreterProblemText(probe, translate), useEmbedded, choose).then((choice) => {
    if (choice === useEmbedded) void vscode.debug.startDebugging(folder, { ...config, runtime: 'embedded' });
    else if (choice === choose) {
      if (vscode.extensions.getExtension(PYTHON_EXTENSION_ID)) void vscode.commands.executeCommand('python.setInterpreter');
      else void vscode.commands.executeCommand('workbench.action.openSettings', 'trainloop.python');
    }
  });
}
