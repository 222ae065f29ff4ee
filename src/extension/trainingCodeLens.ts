// CodeLens over the training loops the static analysis finds ("▶ Train one batch", "⏭ Train N batches", "■ Stop", "Show training panel") and over evaluation loops ("Evaluate").
import * as vscode from 'vscode';
import { findTrainingLoops, type TrainingLoopRange } from '../analysis/trainingLoops';
import { readSettings } from './settings';
import { translate } from './staticDiagnostics';
import { planLenses } from './trainingLoopLenses';
import type { TrainingSessions } from './trainingSessions';

export { COMMANDS } from './trainingLoopLenses';

export class TrainingCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly cache = new Map<string, { version: number; ranges: TrainingLoopRange[] }>();
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly sessions: TrainingSessions) {
    let lastShape = '';
    this.disposables = [
      this.changed,
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

  private rangesOf(document: vscode.TextDocument): TrainingLoopRange[] {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version) return cached.ranges;
    const ranges = findTrainingLoops(document.getText());
    this.cache.set(key, { version: document.version, ranges });
    return ranges;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const plan = planLenses(
      this.rangesOf(document),
      { running: this.sessions.forProgram(document.uri) !== undefined, batchCount: readSettings(document.uri).codeLensBatchCount },
      translate,
    );
    return plan.map(
      (lens) =>
        new vscode.CodeLens(new vscode.Range(lens.line, lens.col, lens.line, lens.col), {
          title: lens.title,
          tooltip: lens.tooltip,
          command: lens.command,
          arguments: lens.withLine ? [document.uri, lens.line] : [document.uri],
        }),
    );
  }
}
