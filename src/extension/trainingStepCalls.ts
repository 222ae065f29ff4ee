// Recognises the training-step calls of a PyTorch loop (model.train(), loss.backward(), optimizer.step()…) under the mouse and explains them: what each does, and what it just did in this run.
import { type ParsedScript, type SyntaxNode, callParts, positionAt } from '../analysis/pythonSyntax';
import type { BatchReport } from './adapterEvents';
import type { Translate } from './localization';
import { formatNumber } from '../webview/numberFormat';
import { nodeAt, offsetAt, parseOrNull, type SourceRange } from './pythonExpressions';

export type TrainingStepKind = 'train' | 'eval' | 'backward' | 'step' | 'zero_grad' | 'to' | 'item';

export interface TrainingStepCall extends SourceRange {
  kind: TrainingStepKind;
  /** The call as written, on one line: `optimizer.step()`. */
  text: string;
  /** The object the method is called on: `optimizer`, `self.model`. */
  receiver: string;
}

const STEP_KINDS: ReadonlySet<string> = new Set<TrainingStepKind>(['train', 'eval', 'backward', 'step', 'zero_grad', 'to', 'item']);

/** `scheduler.step()` and `lr_scheduler.step()` change the learning rate, not the weights. */
function looksLikeScheduler(receiver: string): boolean {
  const lower = receiver.toLowerCase();
  return lower.includes('sched') || lower.endsWith('warmup');
}

function oneLine(text: string): string {
  let out = '';
  let space = false;
  for (const c of text) {
    if (c === '\n' || c === '\r' || c === ' ' || c === '\t') {
      space = out.length > 0;
      continue;
    }
    if (space && !(out.endsWith('(') || out.endsWith('.') || c === ')' || c === '.')) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

/** The training-step call whose method name is at (line, col), e.g. the `backward` of `loss.backward()`. */
export function trainingStepCallAt(source: string, line: number, col: number): TrainingStepCall | null {
  const script = parseOrNull(source);
  if (!script) return null;
  const offset = offsetAt(script, line, col);
  let node = nodeAt(script, offset, 1);
  if (!node || node.name !== 'PropertyName') node = nodeAt(script, offset, -1);
  if (!node || node.name !== 'PropertyName') return null;
  const callee = node.parent;
  const call = callee?.parent;
  if (!callee || callee.name !== 'MemberExpression' || !call || call.name !== 'CallExpression' || call.firstChild?.from !== callee.from) return null;
  return describeCall(script, call);
}

function describeCall(script: ParsedScript, call: SyntaxNode): TrainingStepCall | null {
  const parts = callParts(script, call);
  if (!parts || !parts.receiver || !STEP_KINDS.has(parts.name)) return null;
  const receiver = oneLine(script.source.slice(parts.receiver.from, parts.receiver.to));
  const kind = parts.name as TrainingStepKind;
  if (kind === 'step' && looksLikeScheduler(receiver)) return null;
  // `.to()` with no argument moves nothing.
  if (kind === 'to' && parts.positional.length === 0 && parts.keywords.size === 0) return null;
  const start = positionAt(script, call.from);
  const end = positionAt(script, call.to);
  return {
    kind,
    text: oneLine(script.source.slice(call.from, call.to)),
    receiver,
    startLine: start.line,
    startCol: start.col,
    endLine: end.line,
    endCol: end.col,
  };
}

/** Two lines: what the call does, and why it matters in a training loop (after the seed's explanations). */
export function explainTrainingStep(call: Pick<TrainingStepCall, 'kind' | 'receiver'>, t: Translate): [string, string] {
  const r = call.receiver;
  switch (call.kind) {
    case 'train':
      return [
        t('Puts {receiver} in training mode: Dropout drops units at random and BatchNorm normalizes with the statistics of each batch (and updates its running mean and variance).', { receiver: r }),
        t('Call it before the training loop, especially after an evaluation that called eval().'),
      ];
    case 'eval':
      return [
        t('Puts {receiver} in evaluation mode: Dropout is switched off and BatchNorm uses its running mean and variance instead of the batch statistics.', { receiver: r }),
        t('It does not turn off gradient tracking: evaluate under torch.no_grad() as well.'),
      ];
    case 'backward':
      return [
        t('Backpropagation: computes the gradient of {receiver} with respect to every parameter that requires grad.', { receiver: r }),
        t('Gradients are added to each parameter\'s .grad: they accumulate until zero_grad() clears them.'),
      ];
    case 'step':
      return [
        t('Updates the model\'s parameters: {receiver} reads each parameter\'s .grad and moves the weights to lower the loss (by lr × gradient for plain SGD).', { receiver: r }),
        t('Call it after backward(); it uses whatever the gradients hold at that moment.'),
      ];
    case 'zero_grad':
      return [
        t('Clears the old gradients of the parameters of {receiver} (sets .grad to zero or None).', { receiver: r }),
        t('PyTorch accumulates gradients by default, so clear them once per batch, after step() or before backward().'),
      ];
    case 'to':
      return [
        t('Moves {receiver} to the given device (GPU or CPU) or converts its dtype; for a tensor it returns a copy, for a module it moves the parameters in place.', { receiver: r }),
        t('The model and its inputs must be on the same device. Trainloop runs everything on its embedded runtime, so the device is always the CPU here.'),
      ];
    case 'item':
      return [
        t('Returns the value of the one-element tensor {receiver} as a plain Python number.', { receiver: r }),
        t('Use it to print or accumulate the loss: the number carries no autograd graph, so memory does not grow batch after batch.'),
      ];
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A value per parameter measured at one batch (the runtime measures sampled batches; a report carries each once). */
export interface Measurement {
  batch: number;
  values: Record<string, number>;
}

/** The run's last measurements: gradient norms after a backward(), update ratios ‖Δw‖/‖w‖ across a step. */
export interface LastMeasurements {
  gradNorms?: Measurement;
  updateRatios?: Measurement;
}

/**
 * What the call did in this run, from the last batch the session reported and the last measurements; null when
 * nothing is known.
 */
export function describeLastEffect(
  call: Pick<TrainingStepCall, 'kind'>,
  report: BatchReport | undefined,
  backend: string | undefined,
  t: Translate,
  measured: LastMeasurements = {},
): string | null {
  // The batch index as the adapter names it when it stops ("batch 7"); the status bar and panel use it too.
  const batch = report ? report.batch : 0;
  switch (call.kind) {
    case 'backward': {
      const norms = Object.entries(measured.gradNorms?.values ?? {});
      if (!measured.gradNorms || norms.length === 0) return null;
      const [largestName, largest] = norms.reduce((a, b) => (b[1] > a[1] ? b : a));
      return t('In this run (batch {batch}): computed gradients for {count} parameters; largest ‖grad‖ = {norm} ({parameter}).', {
        batch: measured.gradNorms.batch,
        count: norms.length,
        norm: formatNumber(largest),
        parameter: largestName,
      });
    }
    case 'step': {
      const ratios = Object.values(measured.updateRatios?.values ?? {});
      if (!measured.updateRatios || ratios.length === 0) return null;
      return t('In this run (batch {batch}): updated {count} parameters; median |Δw|/|w| = {ratio}.', {
        batch: measured.updateRatios.batch,
        count: ratios.length,
        ratio: formatNumber(median(ratios)),
      });
    }
    case 'zero_grad': {
      if (!report) return null;
      const accumulating = report.diagnostics.some((d) => d.code === 'TL001');
      return accumulating
        ? t('In this run (batch {batch}): gradients were not cleared between steps (TL001).', { batch })
        : t('In this run: {batches} batches so far, no gradient accumulation detected.', { batches: report.batch + 1 });
    }
    case 'item':
      if (!report || report.loss === null) return null;
      return t('In this run: the loss of batch {batch} was {loss}.', { batch, loss: formatNumber(report.loss) });
    case 'train':
    case 'eval':
      if (report?.modelTraining === undefined) return null;
      return report.modelTraining
        ? t('In this run (batch {batch}): the model was in training mode.', { batch })
        : t('In this run (batch {batch}): the model was in evaluation mode.', { batch });
    case 'to':
      if (!backend) return null;
      return t('In this run: tensors live on the embedded runtime ({backend} backend).', { backend });
  }
}
