// CodeLens over the training loops the static analysis finds ("▶ Train one batch", "⏭ Train N batches", "■ Stop", "Show training panel") and over evaluation loops ("Evaluate").
import * as vscode from 'vscode';
import { findTrainingLoops, type TrainingLoopRange } from '../analysis/trainingLoops';
import { readSettings } from './settings';
import type { TrainingSessions } from './trainingSessions';

export const COMMANDS = {
  trainOneBatch: 'trainloop.trainOneBatch',
  trainBatches: 'trainloop.trainBatches',
  stop: 'trainloop.stop',
  showPanel: 'trainloop.showTrainingPanel',
  evaluate: 'trainloop.evaluate',
  stepBatch: 'trainloop.stepBatch',
  openQuickstart: 'trainloop.openQuickstart',
} as const;

/** Loops get lenses; a training function gets them only when no training loop of it has them (a `train_step` called from elsewhere). */
export function lensTargets(ranges: readonly TrainingLoopRange[]): TrainingLoopRange[] {
  return ranges.filter((range) => {
    if (range.construct !== 'function') return true;
    return !ranges.some((other) => other !== range && other.construct !== 'function' && other.startLine > range.startLine && other.endLine <= range.endLine);
  });
}

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
    const ranges = lensTargets(findTrainingLoops(document.getText()));
    this.cache.set(key, { version: document.version, ranges });
    return ranges;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const count = readSettings(document.uri).codeLensBatchCount;
    const running = this.sessions.forProgram(document.uri) !== undefined;
    const lenses: vscode.CodeLens[] = [];
    for (const loop of this.rangesOf(document)) {
      const at = new vscode.Range(loop.startLine, loop.startCol, loop.startLine, loop.startCol);
      const args = [document.uri, loop.startLine];
      if (loop.kind === 'evaluation') {
        lenses.push(
          new vscode.CodeLens(at, {
            title: vscode.l10n.t('▶ Evaluate'),
            tooltip: vscode.l10n.t('Run to this evaluation loop and stop in it'),
            command: COMMANDS.evaluate,
            arguments: args,
          }),
        );
        continue;
      }
      lenses.push(
        new vscode.CodeLens(at, {
          title: vscode.l10n.t('▶ Train one batch'),
          tooltip: vscode.l10n.t('Train one batch in a Trainloop debug session and stop'),
          command: COMMANDS.trainOneBatch,
          arguments: args,
        }),
        new vscode.CodeLens(at, {
          title: vscode.l10n.t('⏭ Train {count} batches', { count }),
          tooltip: vscode.l10n.t('Train {count} batches, then stop', { count }),
          command: COMMANDS.trainBatches,
          arguments: args,
        }),
      );
      if (running) {
        lenses.push(
          new vscode.CodeLens(at, {
            title: vscode.l10n.t('■ Stop'),
            tooltip: vscode.l10n.t('End the Trainloop session of this file'),
            command: COMMANDS.stop,
            arguments: [document.uri],
          }),
        );
      }
      lenses.push(
        new vscode.CodeLens(at, {
          title: vscode.l10n.t('Show training panel'),
          tooltip: vscode.l10n.t('Charts of the loss, gradients and updates of this run'),
          command: COMMANDS.showPanel,
          arguments: [document.uri],
        }),
      );
    }
    return lenses;
  }
}
