// The status bar item shown while a `trainloop` session runs: the runtime (Python, torch, device; or embedded and its backend), batch and last loss; a click opens the training panel.
import * as vscode from 'vscode';
import { formatNumber } from '../webview/numberFormat';
import { runtimeStatusLabel, runtimeTooltipLines } from './runtimeLabel';
import { translate } from './staticDiagnostics';
import type { TrainingSession, TrainingSessions } from './trainingSessions';

/**
 * The runtime as the session's `trainloopRuntime` event described it; before it, the launch's embedded backend
 * when the launch named both (a python or auto launch has nothing to say until the runtime has started).
 */
function runtimeText(training: TrainingSession): string | undefined {
  if (training.runtime) return runtimeStatusLabel(training.runtime, translate);
  const runtime = (training.session.configuration as { runtime?: unknown }).runtime;
  if (runtime === 'embedded' && training.backend) return runtimeStatusLabel({ kind: 'embedded', label: '', backend: training.backend, bootMs: 0 }, translate);
  return undefined;
}

/**
 * The status bar text, e.g. `$(debug-pause) Trainloop · Python 3.11 · torch 2.3.1 · cpu · batch 12 · loss 0.532`:
 * the runtime, the batch as the adapter names it (from 1: "batch 12" while batch 12 trains, or paused in or at the end
 * of it) and the last loss; paused before the first batch, "not in a training loop".
 */
export function statusText(training: TrainingSession): string {
  const icon = training.state === 'paused' ? '$(debug-pause)' : training.state === 'starting' ? '$(loading~spin)' : '$(pulse)';
  const parts = [vscode.l10n.t('Trainloop')];
  const runtime = runtimeText(training);
  if (runtime) parts.push(runtime);
  if (training.batch !== undefined) {
    parts.push(vscode.l10n.t('batch {batch}', { batch: training.batch }));
    if (typeof training.loss === 'number') parts.push(vscode.l10n.t('loss {loss}', { loss: formatNumber(training.loss) }));
  } else if (training.state === 'starting') {
    parts.push(vscode.l10n.t('starting…'));
  } else if (training.state === 'paused') {
    parts.push(vscode.l10n.t('not in a training loop')); // paused before the first training batch

  }
  return `${icon} ${parts.join(' · ')}`;
}

export class TrainingStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('trainloop.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subscription: vscode.Disposable;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly sessions: TrainingSessions, showPanelCommand: string) {
    this.item.name = vscode.l10n.t('Trainloop training');
    this.item.command = showPanelCommand;
    // At most four repaints a second while training runs, however fast batches come; a stop or an end shows at once.
    this.subscription = sessions.onDidChange((training) => {
      if (training && training.state !== 'running' && training.state !== 'starting') {
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
        this.update();
        return;
      }
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.update();
      }, 250);
    });
    this.update();
  }

  update(): void {
    const training = this.sessions.current();
    if (!training || training.state === 'ended') {
      this.item.hide();
      return;
    }
    this.item.text = statusText(training);
    const tooltip = new vscode.MarkdownString();
    tooltip.appendText(training.session.name);
    tooltip.appendMarkdown('\n\n');
    if (training.runtime) {
      // One line each: a Markdown hard break between them, the texts themselves escaped.
      runtimeTooltipLines(training.runtime, translate).forEach((line, i) => {
        if (i > 0) tooltip.appendMarkdown('  \n');
        tooltip.appendText(line);
      });
      tooltip.appendMarkdown('\n\n');
    }
    tooltip.appendText(vscode.l10n.t('Click to show the training panel.'));
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
    this.item.dispose();
  }
}
