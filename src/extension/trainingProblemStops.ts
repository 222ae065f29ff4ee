// Which training problems (TL001…) stop a run: the setting `trainloop.stopOnTrainingProblems`, picked from a list by a command, and sent to the live sessions when it changes, so that the Breakpoints view needs one "Training Problems" filter instead of one per code.
import * as vscode from 'vscode';
import { DIAGNOSTIC_CATALOG, type DiagnosticCode } from '../analysis/diagnosticCatalog';
import { TRAINING_PROBLEM_STOPS_REQUEST, type TrainingProblemStopsArguments } from '../debug/debugContract';
import { localizedDiagnosticTitle } from './diagnosticText';
import { readSettings } from './settings';
import { translate } from './staticDiagnostics';

const SETTING = 'stopOnTrainingProblems';

/** Writes the codes where the user keeps the setting: the workspace's when it has its own value, else the user's. */
export async function saveTrainingProblemStops(codes: readonly string[], scope?: vscode.Uri): Promise<void> {
  const config = vscode.workspace.getConfiguration('trainloop', scope);
  const where = config.inspect<string[]>(SETTING);
  const target =
    where?.workspaceFolderValue !== undefined
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : where?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
  await config.update(SETTING, [...codes], target);
}

/** The command: a list of every training problem with the chosen ones ticked. */
export async function chooseTrainingProblemStops(): Promise<void> {
  const scope = vscode.window.activeTextEditor?.document.uri;
  const chosen = new Set(readSettings(scope).stopOnTrainingProblems);
  const items = (Object.keys(DIAGNOSTIC_CATALOG) as DiagnosticCode[]).map((code) => ({
    label: code,
    description: localizedDiagnosticTitle(code, translate),
    picked: chosen.has(code),
  }));
  const picked = await vscode.window.showQuickPick(items, {
    canPickMany: true,
    title: vscode.l10n.t('Training problems that stop the run'),
    placeHolder: vscode.l10n.t('Tick the problems to stop on while the "Training Problems" exception filter is on'),
  });
  if (!picked) return;
  await saveTrainingProblemStops(
    picked.map((item) => item.label),
    scope,
  );
}

/** Sends the setting's codes to every live `trainloop` session when it changes (new sessions get them in their launch). */
export function followTrainingProblemStops(liveSessions: () => readonly vscode.DebugSession[]): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (!event.affectsConfiguration(`trainloop.${SETTING}`)) return;
    for (const session of liveSessions()) {
      const program = (session.configuration as { program?: unknown }).program;
      const scope = typeof program === 'string' && program !== '' ? vscode.Uri.file(program) : undefined;
      const args: TrainingProblemStopsArguments = { codes: readSettings(scope).stopOnTrainingProblems };
      void Promise.resolve(session.customRequest(TRAINING_PROBLEM_STOPS_REQUEST, args)).catch(() => undefined);
    }
  });
}
