// Static diagnostics (TL001/TL002/TL007) on open Python files, re-checked as the user types, with the analysis's edits offered as Quick Fixes; and the runtime's warnings on the lines they name.
import * as vscode from 'vscode';
import { analyzeScript, type StaticDiagnostic, type TextEdit } from '../analysis/analyzeScript';
import type { RuntimeDiagnostic } from './adapterEvents';
import { localizeDiagnosticMessage, localizeQuickFixTitle } from './diagnosticText';
import type { Translate } from './localization';
import { readSettings } from './settings';

export const DIAGNOSTIC_SOURCE = 'Trainloop';
export const ANALYSIS_DELAY_MS = 300;

export const translate: Translate = (message, args) => (args ? vscode.l10n.t(message, args) : vscode.l10n.t(message));

function severityOf(severity: StaticDiagnostic['severity']): vscode.DiagnosticSeverity {
  switch (severity) {
    case 'error':
      return vscode.DiagnosticSeverity.Error;
    case 'info':
      return vscode.DiagnosticSeverity.Information;
    default:
      return vscode.DiagnosticSeverity.Warning;
  }
}

function isAnalyzable(document: vscode.TextDocument): boolean {
  return document.languageId === 'python' && document.uri.scheme !== 'output' && document.uri.scheme !== 'vscode-scm';
}

export function toRange(d: { line: number; col: number; endLine: number; endCol: number }): vscode.Range {
  return new vscode.Range(d.line, d.col, d.endLine, d.endCol);
}

export class StaticDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('trainloop');
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Diagnostics of a file changed (for the panel's list of warnings). */
  readonly onDidChange = this.changed.event;

  constructor() {
    this.disposables.push(
      this.collection,
      this.changed,
      vscode.workspace.onDidOpenTextDocument((document) => this.analyzeNow(document)),
      vscode.workspace.onDidChangeTextDocument((event) => this.analyzeSoon(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('trainloop.detectors')) this.analyzeAllOpen();
      }),
    );
    this.analyzeAllOpen();
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }

  analyzeAllOpen(): void {
    for (const document of vscode.workspace.textDocuments) this.analyzeNow(document);
  }

  /** Typing re-checks the file once it has been still for ANALYSIS_DELAY_MS. */
  analyzeSoon(document: vscode.TextDocument): void {
    if (!isAnalyzable(document)) return;
    const key = document.uri.toString();
    const previous = this.timers.get(key);
    if (previous) clearTimeout(previous);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (!document.isClosed) this.analyzeNow(document);
      }, ANALYSIS_DELAY_MS),
    );
  }

  analyzeNow(document: vscode.TextDocument): void {
    if (!isAnalyzable(document)) return;
    const enabled = readSettings(document.uri).enabledDetectors;
    const found = analyzeScript(document.getText(), document.uri.fsPath).filter((d) => enabled.has(d.code));
    this.collection.set(document.uri, found.map((d) => this.toDiagnostic(d)));
    this.changed.fire(document.uri);
  }

  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    this.collection.delete(uri);
    this.changed.fire(uri);
  }

  private toDiagnostic(d: StaticDiagnostic): vscode.Diagnostic {
    const diagnostic = new vscode.Diagnostic(toRange(d), localizeDiagnosticMessage(d.code, d.message, translate), severityOf(d.severity));
    diagnostic.source = DIAGNOSTIC_SOURCE;
    diagnostic.code = d.code;
    return diagnostic;
  }
}

function toWorkspaceEdit(uri: vscode.Uri, edits: readonly TextEdit[]): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of edits) edit.replace(uri, new vscode.Range(e.startLine, e.startCol, e.endLine, e.endCol), e.newText);
  return edit;
}

function codeOf(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (typeof code === 'string') return code;
  if (typeof code === 'object' && code !== null && typeof code.value === 'string') return code.value;
  return undefined;
}

/** Quick Fixes: the edit the analysis computed for each Trainloop diagnostic in the range. */
export class TrainloopQuickFixes implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && codeOf(d) !== undefined);
    if (ours.length === 0) return [];
    // Fixes are computed from the text as it is now, so they never apply to stale positions.
    const current = analyzeScript(document.getText(), document.uri.fsPath);
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of ours) {
      const match = current.find((d) => d.code === codeOf(diagnostic) && d.fix && toRange(d).isEqual(diagnostic.range));
      if (!match?.fix) continue;
      const title = localizeQuickFixTitle(match.code, match.message, match.fix.title, translate);
      const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
      action.edit = toWorkspaceEdit(document.uri, match.fix.edits);
      action.diagnostics = [diagnostic];
      action.isPreferred = true;
      actions.push(action);
    }
    return actions;
  }
}

/** Warnings the runtime reported while training, on the lines they name (kept until the file's next run). */
export class RuntimeDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('trainloop-runtime');

  dispose(): void {
    this.collection.dispose();
  }

  /** Replaces the runtime warnings of one run's program (and of any other file they point to). */
  show(program: string, diagnostics: readonly RuntimeDiagnostic[]): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    byFile.set(program, []);
    for (const d of diagnostics) {
      const path = d.path ?? program;
      const line = d.line ?? 0;
      const col = d.col ?? 0;
      const range = new vscode.Range(line, col, line, d.col === undefined ? Number.MAX_SAFE_INTEGER : col + 1);
      const message = localizeDiagnosticMessage(d.code, d.message, translate);
      const text = d.batch === undefined ? message : vscode.l10n.t('{message} (batch {batch})', { message, batch: d.batch });
      const diagnostic = new vscode.Diagnostic(range, text, severityOf(d.severity));
      diagnostic.source = vscode.l10n.t('Trainloop (run)');
      diagnostic.code = d.code;
      const list = byFile.get(path) ?? [];
      list.push(diagnostic);
      byFile.set(path, list);
    }
    for (const [path, list] of byFile) this.collection.set(vscode.Uri.file(path), list);
  }

  clear(program: string): void {
    this.collection.delete(vscode.Uri.file(program));
  }
}
