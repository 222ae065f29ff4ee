// Which CodeLenses go over which loops (vscode-free, so tests read the plan): training loops get Train/Stop/Panel, evaluation loops get Evaluate (its tooltip says what will run), and a file that does not parse gets one lens saying why. Titles use codicons (`$(debug-start)`), which render on every platform, unlike "⏭".
import type { TrainingLoopRange } from '../analysis/trainingLoops';
import type { SyntaxProblem } from '../analysis/syntaxProblem';
import type { Translate } from './localization';

export const COMMANDS = {
  trainOneBatch: 'trainloop.trainOneBatch',
  trainBatches: 'trainloop.trainBatches',
  stop: 'trainloop.stop',
  showPanel: 'trainloop.showTrainingPanel',
  evaluate: 'trainloop.evaluate',
  stepBatch: 'trainloop.stepBatch',
  openQuickstart: 'trainloop.openQuickstart',
  chooseTrainingProblems: 'trainloop.chooseTrainingProblems',
  exportCurves: 'trainloop.exportCurves',
} as const;

/** VS Code's own command that opens a file at a selection: where the syntax-error lens goes. */
export const OPEN_AT_COMMAND = 'vscode.open';

export interface PlannedLens {
  /** 0-based position of the loop's (or def's) first character. */
  line: number;
  col: number;
  title: string;
  tooltip: string;
  command: (typeof COMMANDS)[keyof typeof COMMANDS] | typeof OPEN_AT_COMMAND;
  /** Whether the command takes the loop's line after the file (train and evaluate do: they run to the loop). */
  withLine: boolean;
  /** The syntax-error lens: where the error is (0-based), for the command that opens the file there. */
  at?: { line: number; col: number };
}

/** A syntax error as the lens tells it: Python's own words from a launch, or the editor's parser's. */
export interface LensSyntaxProblem {
  /** 0-based. */
  line: number;
  col: number;
  /** Python's message (`invalid syntax`), when a launch reported it for this text. */
  message?: string;
  /** Else what the editor's parser found there (null: the statement is cut short). */
  unexpected?: SyntaxProblem['unexpected'];
}

/** Loops get lenses; a training function gets them only when no training loop inside it has them (a `train_step` called from elsewhere). */
export function lensTargets(ranges: readonly TrainingLoopRange[]): TrainingLoopRange[] {
  return ranges.filter((range) => {
    if (range.construct !== 'function') return true;
    return !ranges.some((other) => other !== range && other.construct !== 'function' && other.startLine > range.startLine && other.endLine <= range.endLine);
  });
}

/** Python's message without its type and place: `SyntaxError: invalid syntax (train.py, line 3)` → `invalid syntax`. */
export function syntaxMessageOf(message: string): string {
  return message
    .replace(/^\s*\w*Error:\s*/, '')
    .replace(/\s*\([^()]*, line \d+\)\s*$/, '')
    .trim();
}

function syntaxLensTitle(problem: LensSyntaxProblem, t: Translate): string {
  const line = problem.line + 1;
  if (problem.message) return t('$(error) Syntax error on line {line}: {message}', { line, message: problem.message });
  if (problem.unexpected) return t('$(error) Syntax error on line {line}: unexpected "{text}"', { line, text: problem.unexpected });
  return t('$(error) Syntax error on line {line}: the statement is incomplete', { line });
}

/** What "Evaluate" will run, as TrainingSessions.evaluate does it: the tooltip says it before the click. */
function evaluateTooltip(loop: TrainingLoopRange, ranges: readonly TrainingLoopRange[], running: boolean, t: Translate): string {
  // A function that also trains is not called again (it would train): its loop runs alone, as a module-level one does.
  const inFunction = loop.functionName !== '<module>' && !ranges.some((range) => range.kind === 'training' && range.functionName === loop.functionName);
  const what = inFunction ? t('the script\'s own call of {name}()', { name: loop.functionName }) : t('this loop');
  if (running) {
    return t('Run {what} now with the current weights (a running session pauses first). Nothing is trained; the session stays where it was.', { what });
  }
  if (!ranges.some((range) => range.kind === 'training')) {
    return t('Run the script from its start to this loop and stop in it (it has no training loop to skip).');
  }
  return t('Start the script and pause before its first training batch, where the model and data exist, then run {what} with the initial weights. Nothing is trained; the time is one pass over the evaluation data.', { what });
}

export function planLenses(
  ranges: readonly TrainingLoopRange[],
  options: { running: boolean; batchCount: number; syntaxProblem?: LensSyntaxProblem | null },
  t: Translate,
): PlannedLens[] {
  const lenses: PlannedLens[] = [];
  const problem = options.syntaxProblem;
  for (const loop of lensTargets(ranges)) {
    const at = { line: loop.startLine, col: loop.startCol };
    if (problem && !options.running) {
      // A file Python cannot compile cannot train: the lens says why and goes to the error instead.
      lenses.push({
        ...at,
        title: syntaxLensTitle(problem, t),
        tooltip: t('Python cannot run this file until the syntax error is fixed. Click to go to it.'),
        command: OPEN_AT_COMMAND,
        withLine: false,
        at: { line: problem.line, col: problem.col },
      });
      continue;
    }
    if (loop.kind === 'evaluation') {
      lenses.push({ ...at, title: t('$(play) Evaluate'), tooltip: evaluateTooltip(loop, ranges, options.running, t), command: COMMANDS.evaluate, withLine: true });
      continue;
    }
    const count = options.batchCount;
    lenses.push(
      { ...at, title: t('$(debug-start) Train one batch'), tooltip: t('Train one batch, then stop at its end (after step()) with its inputs, loss and gradients'), command: COMMANDS.trainOneBatch, withLine: true },
      { ...at, title: t('$(run-all) Train {count} batches', { count }), tooltip: t('Train {count} batches, then stop at the end of the last one', { count }), command: COMMANDS.trainBatches, withLine: true },
    );
    if (options.running) {
      lenses.push({ ...at, title: t('$(debug-stop) Stop'), tooltip: t('End the Trainloop session of this file'), command: COMMANDS.stop, withLine: false });
    }
    lenses.push({ ...at, title: t('$(graph-line) Show training panel'), tooltip: t('Charts of the loss, gradients and updates of this run'), command: COMMANDS.showPanel, withLine: false });
  }
  return lenses;
}
