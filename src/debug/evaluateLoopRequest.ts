// The adapter's `trainloopEvaluateLoop` request: runs an evaluation loop in the paused program with the current weights
// (the agent's evaluation_run.py does the work), answers with what it measured and tells the editor in an event.
import type { Runtime } from '../runtime/runtime';
import type { EvaluateLoopArguments, EvaluateLoopResult, EvaluatedEventBody } from './debugContract';
import type { AdapterText } from './adapterText';
import { agentSentence, errorReplyText } from './agentReplies';

/** The agent's reply: the result, or why the evaluation did not run (in parts too) or what the script's code raised. */
type AgentReply = EvaluateLoopResult | { problem: string; problemText?: unknown };

/**
 * Runs the request; resolves with the response body, or rejects with the message of an error response. `announce`
 * gets the EVALUATED_EVENT body in both cases.
 */
export async function evaluateLoopRequest(
  runtime: Runtime | null,
  raw: unknown,
  program: string | undefined,
  t: AdapterText,
  announce: (body: EvaluatedEventBody) => void,
): Promise<EvaluateLoopResult> {
  const args = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<EvaluateLoopArguments>;
  const line = Number(args.line);
  const fail = (problem: string): never => {
    announce({ ok: false, problem, line: Number.isInteger(line) ? line : 0 });
    throw new Error(problem);
  };
  if (!runtime) return fail(t('The program is not running.'));
  if (!Number.isInteger(line) || line < 1) return fail(t('"line" must be a line number (from 1), not {line}.', { line: String(args.line) }));
  const path = typeof args.path === 'string' && args.path ? args.path : program;
  let reply: AgentReply;
  try {
    reply = await runtime.debugRequest<AgentReply>('evaluateLoop', { path, line });
  } catch (error) {
    return fail(errorReplyText(error, t));
  }
  if ('problem' in reply) return fail(agentSentence(reply.problemText, reply.problem, t));
  announce({ ok: true, ...reply });
  return reply;
}
