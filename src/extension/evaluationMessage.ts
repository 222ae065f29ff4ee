// What the editor says once "Evaluate" has run: the evaluation's loss and accuracy with the current weights, or why it did not run.
import type { EvaluatedEventBody } from '../debug/debugContract';
import type { Translate } from './localization';

export interface EvaluationMessage {
  kind: 'info' | 'error';
  text: string;
}

function number(value: unknown): string {
  return typeof value === 'number' ? value.toPrecision(4).replace(/\.?0+$/, '') : String(value);
}

export function evaluationMessage(body: EvaluatedEventBody, t: Translate): EvaluationMessage {
  if (!body.ok) return { kind: 'error', text: t('Trainloop could not evaluate: {problem}', { problem: body.problem }) };
  const seconds = body.seconds.toFixed(1);
  const pass = body.evaluations[body.evaluations.length - 1];
  if (!pass) {
    return { kind: 'info', text: t('{code} ran in {seconds} s but called no loss function under torch.no_grad(), so there is no evaluation loss to show.', { code: body.code, seconds }) };
  }
  const args = { code: body.code, seconds, loss: number(pass.loss), samples: pass.samples };
  if (pass.accuracy === null) return { kind: 'info', text: t('{code} with the current weights ({seconds} s): loss {loss} on {samples} samples. Nothing was trained.', args) };
  const accuracy = `${(pass.accuracy * 100).toFixed(1)} %`;
  return { kind: 'info', text: t('{code} with the current weights ({seconds} s): loss {loss}, accuracy {accuracy} on {samples} samples. Nothing was trained.', { ...args, accuracy }) };
}
