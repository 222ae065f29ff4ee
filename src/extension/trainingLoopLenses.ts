// Which CodeLenses go over which loops (vscode-free, so tests read the plan): training loops get Train/Stop/Panel, evaluation loops get Evaluate.
import type { TrainingLoopRange } from '../analysis/trainingLoops';
import type { Translate } from './localization';

export const COMMANDS = {
  trainOneBatch: 'trainloop.trainOneBatch',
  trainBatches: 'trainloop.trainBatches',
  stop: 'trainloop.stop',
  showPanel: 'trainloop.showTrainingPanel',
  evaluate: 'trainloop.evaluate',
  stepBatch: 'trainloop.stepBatch',
  openQuickstart: 'trainloop.openQuickstart',
} as const;

export interface PlannedLens {
  /** 0-based position of the loop's (or def's) first character. */
  line: number;
  col: number;
  title: string;
  tooltip: string;
  command: (typeof COMMANDS)[keyof typeof COMMANDS];
  /** Whether the command takes the loop's line after the file (train and evaluate do: they run to the loop). */
  withLine: boolean;
}

/** Loops get lenses; a training function gets them only when no training loop inside it has them (a `train_step` called from elsewhere). */
export function lensTargets(ranges: readonly TrainingLoopRange[]): TrainingLoopRange[] {
  return ranges.filter((range) => {
    if (range.construct !== 'function') return true;
    return !ranges.some((other) => other !== range && other.construct !== 'function' && other.startLine > range.startLine && other.endLine <= range.endLine);
  });
}

export function planLenses(ranges: readonly TrainingLoopRange[], options: { running: boolean; batchCount: number }, t: Translate): PlannedLens[] {
  const lenses: PlannedLens[] = [];
  for (const loop of lensTargets(ranges)) {
    const at = { line: loop.startLine, col: loop.startCol };
    if (loop.kind === 'evaluation') {
      lenses.push({ ...at, title: t('▶ Evaluate'), tooltip: t('Run to this evaluation loop and stop in it'), command: COMMANDS.evaluate, withLine: true });
      continue;
    }
    const count = options.batchCount;
    lenses.push(
      { ...at, title: t('▶ Train one batch'), tooltip: t('Train one batch in a Trainloop debug session and stop'), command: COMMANDS.trainOneBatch, withLine: true },
      { ...at, title: t('⏭ Train {count} batches', { count }), tooltip: t('Train {count} batches, then stop', { count }), command: COMMANDS.trainBatches, withLine: true },
    );
    if (options.running) {
      lenses.push({ ...at, title: t('■ Stop'), tooltip: t('End the Trainloop session of this file'), command: COMMANDS.stop, withLine: false });
    }
    lenses.push({ ...at, title: t('Show training panel'), tooltip: t('Charts of the loss, gradients and updates of this run'), command: COMMANDS.showPanel, withLine: false });
  }
  return lenses;
}
