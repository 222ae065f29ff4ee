// A launch that cannot start (a syntax error, a missing program, an interpreter that cannot run) as the user sees it: the adapter's message is in the Debug Console already; here it becomes a diagnostic at its line and one non-modal notification, and the CodeLens reads Python's words for the file until it changes.
import * as vscode from 'vscode';
import { firstSyntaxProblem } from '../analysis/syntaxProblem';
import type { LaunchProblemEventBody } from '../debug/debugContract';
import { type LensSyntaxProblem, syntaxMessageOf } from './trainingLoopLenses';

export const LAUNCH_DIAGNOSTIC_SOURCE = 'Trainloop';

export class LaunchProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('trainloop-launch');
  /** The syntax errors launches reported, by file, until the file is edited. */
  private readonly syntaxErrors = new Map<string, LensSyntaxProblem>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[];
  /** A file's launch problem changed (the CodeLens reads it). */
  readonly onDidChange = this.changed.event;

  constructor() {
    this.disposables = [
      this.collection,
      this.changed,
      vscode.workspace.onDidChangeTextDocument((event) => {
        // The text the problem was about is gone: the next launch (or the lens's own parse) tells again.
        if (event.contentChanges.length > 0) this.clear(event.document.uri);
      }),
    ];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  /** Shows a launch's problem: a diagnostic at its line when it has one, and one notification. */
  show(problem: LaunchProblemEventBody): void {
    if (problem.path && problem.line) {
      const uri = vscode.Uri.file(problem.path);
      const line = problem.line - 1;
      const col = this.columnOf(uri, line, problem.column);
      const range = new vscode.Range(line, col, line, Number.MAX_SAFE_INTEGER);
      const diagnostic = new vscode.Diagnostic(range, problem.message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = LAUNCH_DIAGNOSTIC_SOURCE;
      this.collection.set(uri, [diagnostic]);
      this.syntaxErrors.set(uri.fsPath, { line, col, message: syntaxMessageOf(problem.message) });
      this.changed.fire();
      const goToLine = vscode.l10n.t('Go to Line');
      void vscode.window.showErrorMessage(vscode.l10n.t('Trainloop cannot run the script: {problem}', { problem: problem.message }), goToLine).then((choice) => {
        if (choice === goToLine) void vscode.window.showTextDocument(uri, { selection: range.with({ end: range.start }) });
      });
      return;
    }
    void vscode.window.showErrorMessage(vscode.l10n.t('Trainloop cannot run the script: {problem}', { problem: problem.message }));
  }

  /** The syntax error Python reported for this file at its last launch, unless the file changed since. */
  syntaxErrorFor(uri: vscode.Uri): LensSyntaxProblem | undefined {
    return this.syntaxErrors.get(uri.fsPath);
  }

  clear(uri: vscode.Uri): void {
    const had = this.syntaxErrors.delete(uri.fsPath);
    this.collection.delete(uri);
    if (had) this.changed.fire();
  }

  /** Python names the line, not the column: the editor's parser finds it when it sees the error on that line. */
  private columnOf(uri: vscode.Uri, line: number, column: number | undefined): number {
    if (column !== undefined) return column - 1;
    const document = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
    if (!document) return 0;
    const found = firstSyntaxProblem(document.getText());
    if (found && found.line === line) return found.col;
    const text = document.getText().split(/\r?\n/)[line] ?? '';
    return text.length - text.trimStart().length;
  }
}
