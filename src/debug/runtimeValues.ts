// What the runtime's debugger answers about frames, values, breakpoints and exceptions, and how a value becomes a DAP variable.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { AgentText } from '../runtime/agentMessages';

/** A value as the runtime's inspector describes it. */
export interface RuntimeVariable {
  name: string;
  value: string;
  type?: string;
  ref: number;
  indexed?: number;
  named?: number;
  expression?: string;
  kind?: string;
  /** The value in parts when it is the agent's own sentence (a Non-finite value row), for the client's language. */
  text?: unknown;
}

export interface RuntimeFrame {
  id: number;
  name: string;
  path: string;
  line: number;
}

export interface RuntimeBreakpoint {
  line: number;
  verified: boolean;
  id?: number;
  /** Why it is not set, in English; `text`: the same in parts, for the client's language. */
  message?: string;
  text?: AgentText;
}

export interface ExceptionInfo {
  id: string;
  description: string;
  breakMode: DebugProtocol.ExceptionBreakMode;
  details: { typeName: string; message: string; stackTrace: string };
  /** A training problem's message in parts (agentTextTemplates.ts), for the client's language. */
  message?: AgentText;
}

export function toVariable(variable: RuntimeVariable): DebugProtocol.Variable {
  const out: DebugProtocol.Variable = {
    name: variable.name,
    value: variable.value,
    type: variable.type,
    variablesReference: variable.ref,
  };
  if (variable.indexed) out.indexedVariables = variable.indexed;
  if (variable.named) out.namedVariables = variable.named;
  if (variable.expression) out.evaluateName = variable.expression;
  if (variable.kind === 'tensor' || variable.kind === 'model') out.presentationHint = { kind: 'data' };
  return out;
}
