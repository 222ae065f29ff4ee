// The agent's words inside its replies, in the client's language: an error answer to a request (`The program is
// running: pause it first.`), why the program cannot start (`Cannot open …`) and a Variables row whose value is a
// sentence (the Non-finite value scope's `(result)`); and, shown beside them, the runtime choice's reason or problem
// and a runtime's own failure lines.
// The agent sends them in English and in parts (an AgentText, see agentTextTemplates.ts); the parts are used only
// when they give back that English, so an older agent's or a user exception's text is shown as it came.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { ReadyMessage } from '../runtime/agentMessages';
import { isRenderableAgentText, renderAgentText } from '../runtime/agentTextTemplates';
import { DebuggerReplyError } from '../runtime/debugReplies';
import { type RuntimeDecision, decisionSentence } from '../runtime/runtimeChoice';
import { type RuntimeText, renderRuntimeText } from '../runtime/runtimeTextTemplates';
import { type AdapterText, englishText, rowName } from './adapterText';
import { type RuntimeVariable, toVariable } from './runtimeValues';

/** `english` rendered from `text` in the client's language, or `english` when the parts do not give it back. */
export function agentSentence(text: unknown, english: string, t: AdapterText): string {
  if (!isRenderableAgentText(text) || renderAgentText(text, englishText) !== english) return english;
  return renderAgentText(text, t);
}

/** The text of a failed request's error response. */
export function errorReplyText(error: unknown, t: AdapterText): string {
  if (error instanceof DebuggerReplyError) return agentSentence(error.text, error.message, t);
  return error instanceof Error ? error.message : String(error);
}

/** A row of Variables with its name and, when it is the agent's sentence, its value in the client's language. */
export function variableRow(variable: RuntimeVariable, t: AdapterText): DebugProtocol.Variable {
  const row = { ...toVariable(variable), name: rowName(variable.name, t) };
  if (variable.text === undefined || !isRenderableAgentText(variable.text)) return row;
  // The value is the sentence as Python's repr shows a string: in quotes.
  const english = renderAgentText(variable.text, englishText);
  if (variable.value === `'${english}'`) row.value = `'${renderAgentText(variable.text, t)}'`;
  return row;
}

/** Why the program cannot start, from the debugger's ready message (null: it can). */
export function readyProblem(message: ReadyMessage, t: AdapterText): string | null {
  return message.problem ? agentSentence(message.problemText, message.problem, t) : null;
}

/** Which runtime runs the script and why, or why none can, in the client's language. */
export function choiceText(decision: RuntimeDecision, t: AdapterText): string {
  return decisionSentence(decision, t);
}

/** A runtime's output: its own failure line (`trainloop: cannot start …`, in parts) in the client's language, the script's as it is. */
export function outputText(english: string, parts: RuntimeText | undefined, t: AdapterText): string {
  return parts ? renderRuntimeText(parts, t) : english;
}
