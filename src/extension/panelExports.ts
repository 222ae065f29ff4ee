// Saves what the training panel exports, through a save dialog: its curves as CSV (the page's button and the export command) and a chart as PNG.
import * as vscode from 'vscode';
import { curvesCsv } from '../webview/curvesCsv';
import type { TrainingSessions } from './trainingSessions';

const PNG_PREFIX = 'data:image/png;base64,';
const CHART_NAMES: ReadonlySet<string> = new Set(['loss', 'grads', 'ratios', 'histograms']);

/** A file name from a session's name ("Trainloop: quickstart.py" → "quickstart"). */
function baseName(name: string | undefined): string {
  const file = (name ?? '').split(/[:\\/]/).pop()?.trim().replace(/\.py$/, '') ?? '';
  return file.replace(/[^\w.-]+/g, '_') || 'training';
}

async function save(bytes: Uint8Array, fileName: string, folder: vscode.Uri | undefined, filters: Record<string, string[]>): Promise<vscode.Uri | undefined> {
  const target = await vscode.window.showSaveDialog({
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, fileName) } : {}),
    filters,
    saveLabel: vscode.l10n.t('Export'),
  });
  if (!target) return undefined;
  try {
    await vscode.workspace.fs.writeFile(target, bytes);
    return target;
  } catch (error) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not write {path}: {error}', { path: target.fsPath, error: String((error as Error)?.message ?? error) }));
    return undefined;
  }
}

/** Saves the page's CSV text. */
export async function saveCurvesCsv(text: string, folder: vscode.Uri | undefined, sessionName: string | undefined): Promise<void> {
  if (typeof text !== 'string' || text.length === 0) return;
  await save(new TextEncoder().encode(text), `${baseName(sessionName)}-curves.csv`, folder, { [vscode.l10n.t('CSV files')]: ['csv'] });
}

/** Saves a chart the page sent as a PNG data: URL; anything else is refused with a message. */
export async function saveChartPng(name: string, dataUrl: string, folder: vscode.Uri | undefined): Promise<void> {
  if (typeof dataUrl !== 'string' || !dataUrl.startsWith(PNG_PREFIX) || !CHART_NAMES.has(name)) {
    void vscode.window.showErrorMessage(vscode.l10n.t('The chart could not be exported: the page sent no PNG image.'));
    return;
  }
  const bytes = Buffer.from(dataUrl.slice(PNG_PREFIX.length), 'base64');
  await save(bytes, `${name}.png`, folder, { [vscode.l10n.t('PNG images')]: ['png'] });
}

/** The export command: the shown (or last) session's curves as CSV, or a message when there is no run yet. */
export async function exportCurvesCommand(sessions: TrainingSessions): Promise<void> {
  const training = sessions.current() ?? sessions.all().at(-1);
  if (!training || training.history.points.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('There are no curves to export yet: train some batches first.'));
    return;
  }
  const program = training.program ? vscode.Uri.joinPath(vscode.Uri.file(training.program), '..') : undefined;
  await saveCurvesCsv(curvesCsv(training.history.points, training.history.evalPoints), program, training.session.name);
}
