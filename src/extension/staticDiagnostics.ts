// Trainloop's Problems entries: static diagnostics (TL001/TL002/TL007) on open Python files, re-checked as the user types, with the analysis's edits offered as Quick Fixes; and the runtime's findings on the lines they name, one entry with the static finding of the same code on the same line.
import * as vscode from 'vscode';
import { analyzeScript, type StaticDiagnostic, type TextEdit } from '../analysis/analyzeScript';
import type { RuntimeDiagnostic } from './adapterEvents';
import { localizeDiagnosticMessage, localizeQuickFixTitle, localizeRuntimeFinding } from './diagnosticText';
import { type KeptFinding, type LineEdit, RuntimeFindingStore, mergeFindings } from './runtimeFindings';
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
  /** The analysis's findings of each open file, by URI (what `get` answers; the collection has them merged). */
  private readonly found = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  /** Diagnostics of a file changed (for the panel's list of warnings). */
  readonly onDidChange = this.changed.event;

  /** `runtime`: the runtime's findings, shown in the same entries (none when the extension runs nothing). */
  constructor(private readonly runtime?: RuntimeDiagnostics) {
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
    if (runtime) this.disposables.push(runtime.onDidChange((paths) => paths.forEach((path) => this.publish(vscode.Uri.file(path)))));
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
    this.found.set(document.uri.toString(), { uri: document.uri, diagnostics: found.map((d) => this.toDiagnostic(d)) });
    this.publish(document.uri);
    this.changed.fire(document.uri);
  }

  /** The analysis's findings of a file (the runtime's are the session's). */
  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.found.get(uri.toString())?.diagnostics ?? [];
  }

  /** One entry per finding; a runtime finding on the line of a static one of its code is shown in that entry. */
  private publish(uri: vscode.Uri): void {
    const statics = this.get(uri);
    const runtime = uri.scheme === 'file' && this.runtime ? this.runtime.inFile(uri.fsPath) : [];
    if (statics.length === 0 && runtime.length === 0) {
      if (this.found.has(uri.toString())) this.collection.set(uri, []);
      else this.collection.delete(uri);
      return;
    }
    const entries = mergeFindings(
      statics.map((diagnostic) => ({ code: codeOf(diagnostic) ?? '', line: diagnostic.range.start.line, diagnostic })),
      runtime,
    );
    this.collection.set(
      uri,
      entries.map((entry) => {
        if (entry.kind === 'static') return entry.static.diagnostic;
        const shown = runtimeDiagnostic(entry.runtime);
        if (entry.kind === 'runtime') return shown;
        // The static finding's range and source, so that its Quick Fix applies; the run's text, with its numbers.
        const merged = new vscode.Diagnostic(entry.static.diagnostic.range, shown.message, entry.static.diagnostic.severity);
        merged.source = DIAGNOSTIC_SOURCE;
        merged.code = entry.static.diagnostic.code;
        return merged;
      }),
    );
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    this.found.delete(key);
    this.publish(uri);
    this.changed.fire(uri);
  }

  private toDiagnostic(d: StaticDiagnostic): vscode.Diagnostic {
    const diagnostic = new vscode.Diagnostic(toRange(d), localizeDiagnosticMessage(d.code, d.message, translate), severityOf(d.severity));
    diagnostic.source = DIAGNOSTIC_SOURCE;
    diagnostic.code = d.code;
    return diagnostic;
  }
}

/** A runtime finding alone: its line (to the end, without a column), its text in the user's language and its batch. */
export function runtimeDiagnostic(finding: KeptFinding): vscode.Diagnostic {
  const d = finding.diagnostic;
  const col = d.col ?? 0;
  const range = new vscode.Range(finding.line, col, finding.line, d.col === undefined ? Number.MAX_SAFE_INTEGER : col + 1);
  const diagnostic = new vscode.Diagnostic(range, runtimeFindingText(d), severityOf(d.severity));
  diagnostic.source = vscode.l10n.t('Trainloop (run)');
  diagnostic.code = d.code;
  return diagnostic;
}

/** What the run measured, in the user's language, with its batch. */
export function runtimeFindingText(d: RuntimeDiagnostic): string {
  const message = localizeRuntimeFinding(d, translate);
  return d.batch === undefined ? message : vscode.l10n.t('{message} (batch {batch})', { message, batch: d.batch });
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

/**
 * The findings the runtime reported while training, kept from the report until the program's next run or an edit of
 * their line; StaticDiagnostics shows them.
 */
export class RuntimeDiagnostics implements vscode.Disposable {
  private readonly store = new RuntimeFindingStore();
  private readonly changed = new vscode.EventEmitter<string[]>();
  private readonly reported = new vscode.EventEmitter<{ program: string; findings: KeptFinding[]; first: boolean }>();
  private readonly disposables: vscode.Disposable[] = [this.changed, this.reported];
  /** The findings of these files changed. */
  readonly onDidChange = this.changed.event;
  /** New findings of a run; `first` when they are the run's first. */
  readonly onDidReport = this.reported.event;

  constructor() {
    this.disposables.push(vscode.workspace.onDidChangeTextDocument((event) => this.edited(event)));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  /** Takes in the reports of a run of `program` not seen yet (a session's list only grows). */
  show(program: string, diagnostics: readonly RuntimeDiagnostic[]): void {
    const first = !this.notified.has(program);
    const added = this.store.add(program, diagnostics);
    if (added.length === 0) return;
    this.notified.add(program);
    this.changed.fire([...new Set(added.map((f) => f.path))]);
    this.reported.fire({ program, findings: added, first });
  }

  /** A new run of `program` starts: its last run's findings go. */
  clear(program: string): void {
    this.notified.delete(program);
    const paths = this.store.clear(program);
    if (paths.length > 0) this.changed.fire(paths);
  }

  inFile(path: string): KeptFinding[] {
    return this.store.inFile(path);
  }

  /** Programs whose current run has reported (its first finding was announced). */
  private readonly notified = new Set<string>();

  private edited(event: vscode.TextDocumentChangeEvent): void {
    const uri = event.document.uri;
    if (uri.scheme !== 'file' || event.contentChanges.length === 0 || this.store.inFile(uri.fsPath).length === 0) return;
    const ranges = event.contentChanges.map((change) => (change as Partial<vscode.TextDocumentContentChangeEvent>).range);
    const edits: LineEdit[] | undefined = ranges.every((range) => range !== undefined)
      ? event.contentChanges.map((change) => ({ startLine: change.range.start.line, endLine: change.range.end.line, text: change.text }))
      : undefined; // no ranges: the whole text was replaced
    if (this.store.edit(uri.fsPath, edits)) this.changed.fire([uri.fsPath]);
  }
}
