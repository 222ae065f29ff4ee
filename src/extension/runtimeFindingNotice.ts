// The one notification of a run's first runtime finding: what the run found and where, with "Show" (opens the file at
// the line) and "Stop on this" (adds the code to the training problems the run stops on; left out when it is there).
import * as vscode from 'vscode';
import type { KeptFinding } from './runtimeFindings';
import { readSettings } from './settings';
import { runtimeFindingText } from './staticDiagnostics';
import { saveTrainingProblemStops } from './trainingProblemStops';

/** Shows the notification and carries out the button pressed (resolves once it has). */
export async function announceRuntimeFinding(finding: KeptFinding): Promise<void> {
  const uri = vscode.Uri.file(finding.path);
  const code = finding.diagnostic.code;
  const scope = vscode.Uri.file(finding.program);
  const show = vscode.l10n.t('Show');
  const stopOnThis = vscode.l10n.t('Stop on this');
  const stops = readSettings(scope).stopOnTrainingProblems;
  const actions = stops.includes(code) ? [show] : [show, stopOnThis];
  const text = vscode.l10n.t('Trainloop found a training problem in {file}, line {line}: {message}', {
    file: vscode.workspace.asRelativePath(uri),
    line: finding.line + 1,
    message: `${runtimeFindingText(finding.diagnostic)} [${code}]`,
  });
  const picked = await vscode.window.showWarningMessage(text, ...actions);
  if (picked === show) {
    const col = finding.diagnostic.col ?? 0;
    const at = new vscode.Range(finding.line, col, finding.line, col);
    await vscode.window.showTextDocument(uri, { selection: at, preview: false });
  } else if (picked === stopOnThis) {
    await saveTrainingProblemStops([...readSettings(scope).stopOnTrainingProblems, code], scope);
  }
}
