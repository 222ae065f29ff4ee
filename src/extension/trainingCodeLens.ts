// CodeLens over the training loops the static analysis finds ("Train one batch", "Train N batches", "Stop", "Show training panel"), over evaluation loops ("Evaluate"), and, on a file that does not parse, one lens that says why.
import * as vscode from 'vscode';
import { findTrainingLoops, type TrainingLoopRange } from '../analysis/trainingLoops';
import { firstSyntaxProblem, type SyntaxProblem } from '../analysis/syntaxProblem';
import type { LaunchProblems } from './launchProblems';
import { readSettings } from './settings';
import { translate } from './staticDiagnostics';
import { type LensSyntaxProblem, planLenses } from './trainingLoopLenses';
import type { TrainingSessions } from './trainingSessions';

export { COMMANDS } from './trainingLoopLenses';

export class TrainingCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly cache = new Map<string, { version: number; ranges: TrainingLoopRange[]; syntax: SyntaxProblem | null }>();
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly sessions: TrainingSessions,
    private readonly launchProblems?: LaunchProblems,
  ) {
    let lastShape = '';
    this.disposables = [
      this.changed,
      ...(launchProblems ? [launchProblems.onDidChange(() => this.changed.fire())] : []),
      // Only session starts and ends change the lenses (Stop appears and goes), not every batch.
      sessions.onDidChange(() => {
        const shape = sessions
          .all()
          .filter((s) => s.state !== 'ended')
          .map((s) => s.program)
          .join('\n');
        if (shape !== lastShape) {
          lastShape = shape;
          this.changed.fire();
        }
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('trainloop.codeLens')) this.changed.fire();
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString())),
    ];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private parsed(document: vscode.TextDocument): { ranges: TrainingLoopRange[]; syntax: SyntaxProblem | null } {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version) return cached;
    const text = document.getText();
    const entry = { version: document.version, ranges: findTrainingLoops(text), syntax: firstSyntaxProblem(text) };
    this.cache.set(key, entry);
    return entry;
  }

  /** Python's own words when a launch of this text reported the error, else the editor's parser's. */
  private syntaxProblemOf(document: vscode.TextDocument, parsed: SyntaxProblem | null): LensSyntaxProblem | null {
    return this.launchProblems?.syntaxErrorFor(document.uri) ?? parsed;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const { ranges, syntax } = this.parsed(document);
    const plan = planLenses(
      ranges,
      {
        running: this.sessions.forProgram(document.uri) !== undefined,
        batchCount: readSettings(document.uri).codeLensBatchCount,
        syntaxProblem: this.syntaxProblemOf(document, syntax),
      },
      translate,
    );
    return plan.map((lens) => {
      const range = new vscode.Range(lens.line, lens.col, lens.line, lens.col);
      const args = lens.at
        ? [document.uri, { selection: new vscode.Range(lens.at.line, lens.at.col, lens.at.line, lens.at.col) }]
        : lens.withLine
          ? [document.uri, lens.line]
          : [document.uri];
      return new vscode.CodeLens(range, { title: lens.title, tooltip: lens.tooltip, command: lens.command, arguments: args });
    });
  }
}
