// What the client is told about a stop, in its language: the `stopped` event from the debugger's message, and the
// `exceptionInfo` answer. A training problem's message comes in parts (an AgentText, see agentTextTemplates.ts) and is
// rendered here; without them, the debugger's English is shown with only its frame translated (adapterText's stopText).
import { StoppedEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { StoppedMessage, TrainingProblemStop } from '../runtime/agentMessages';
import { isRenderableAgentText, renderAgentText } from '../runtime/agentTextTemplates';
import { type AdapterText, englishText, stopText } from './adapterText';
import type { ExceptionInfo } from './runtimeValues';

/**
 * A message's parts in the client's language, or undefined when they are not all known or do not give back the agent's
 * English (`english`, when it sent it: a number the agent wrote as JavaScript would not, `1e-05`, keeps the English).
 */
function inClientLanguage(message: unknown, english: string | undefined, t: AdapterText): string | undefined {
  if (!isRenderableAgentText(message)) return undefined;
  if (english !== undefined && renderAgentText(message, englishText) !== english) return undefined;
  return renderAgentText(message, t);
}

/** `NonFiniteValue: message`, or `TL001 (line 18): message` for a report, as the debugger writes it in English. */
function problemDescription(problem: TrainingProblemStop, message: string, t: AdapterText): string {
  if (problem.line === null || problem.line === undefined) return `${problem.kind}: ${message}`;
  return t('{code} (line {line}): {message}', { code: problem.kind, line: problem.line, message });
}

export function stoppedEvent(stop: StoppedMessage, threadId: number, t: AdapterText): DebugProtocol.StoppedEvent {
  const event: DebugProtocol.StoppedEvent = new StoppedEvent(stop.reason, threadId);
  const message = stop.problem ? inClientLanguage(stop.problem.message, stop.text, t) : undefined;
  if (stop.problem && message !== undefined) {
    event.body.description = problemDescription(stop.problem, message, t);
    event.body.text = message;
  } else {
    event.body.description = stopText(stop.description, t);
    event.body.text = stopText(stop.text, t);
  }
  // The editor reads the batch of a stepBatch stop from here, whatever the language of the description.
  const batch = /^batch (-?\d+)$/.exec(stop.description?.trim() ?? '');
  if (batch) (event.body as { batch?: number }).batch = Number(batch[1]);
  event.body.allThreadsStopped = true;
  if (stop.breakpoints) event.body.hitBreakpointIds = stop.breakpoints;
  return event;
}

/** The `exceptionInfo` answer: a training problem's message in the client's language; an exception's as Python says it. */
export function exceptionInfoBody(info: ExceptionInfo, t: AdapterText): DebugProtocol.ExceptionInfoResponse['body'] {
  const message = inClientLanguage(info.message, info.description, t);
  return {
    exceptionId: info.id,
    description: message ?? info.description,
    breakMode: info.breakMode,
    details: {
      message: message ?? info.details.message,
      typeName: info.details.typeName,
      stackTrace: info.details.stackTrace,
    },
  };
}
