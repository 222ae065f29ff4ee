// The Python agent's own sentences for the user (the non-finite locator's and the training watch's stop messages and
// Variables rows, why a breakpoint is not set, its error answers to a request, why the program cannot start), one
// English template per id: the agent sends a stop's message as `{ id, values }` (agent_text.py holds the same
// templates: test/debug/agentText.test.ts compares them) and the adapter renders it in the client's language (the
// templates are l10n keys). A value is shown as it is (code, names, numbers) or is a text of its own, rendered first.
import type { AgentText } from './agentMessages';
import { RUNTIME_FINDING_TEMPLATES, isRuntimeFindingTemplateId } from './runtimeFindingTemplates';

export const AGENT_TEXT_TEMPLATES = {
  'nonFinite.value.cause': '{cause}, so {op} made {count} {when}.',
  'nonFinite.value.finiteInputs': '{op} made {count} from finite inputs {when}.',
  'nonFinite.value.thisLine': 'this line',
  'nonFinite.gradient': 'The backward of `{expression}` (line {line}, {node}) made {count} from finite gradients {when}.',
  'nonFinite.count.nan': '{nan} NaN',
  'nonFinite.count.inf': '{inf} Inf',
  'nonFinite.count.both': '{nan} NaN and {inf} Inf',
  'nonFinite.count.none': 'non-finite values',
  'nonFinite.cause.zeroDivisor': 'the divisor is 0',
  'nonFinite.cause.zeros': '`{operand}` {zeros}',
  'nonFinite.cause.negative.one': '`{operand}` has {count} negative value',
  'nonFinite.cause.negative.many': '`{operand}` has {count} negative values',
  'nonFinite.zeros.scalar': 'is 0',
  'nonFinite.zeros.column': 'is 0 in column {column}',
  'nonFinite.zeros.columns': 'is 0 in columns {columns}',
  'nonFinite.zeros.manyColumns': 'is 0 in {count} columns (the first is column {column})',
  'nonFinite.zeros.at': 'is 0 at {index}',
  'nonFinite.zeros.many': 'has {count} zeros (the first at {index})',
  'when.batch': 'at batch {batch}',
  'when.beforeFirstBatch': 'before the first training batch',
  'when.outsideLoop': 'outside a training loop',
  'nonFinite.loss': 'The loss is {value} {when}.',
  'nonFinite.gradientNorm': 'The gradient of {parameter} is not finite (norm {norm}) {when}.',
  'breakpoint.noCode': 'Line {line} has no code (blank, a comment or the inside of a statement): put the breakpoint on a line with code.',
  'breakpoint.pastEnd': 'Line {line} is past the end of {file} ({count} lines).',
  'breakpoint.badCondition': 'The condition is not a Python expression: {error}',
  'breakpoint.badHitCount': 'Hit count `{hit}` is not understood: use a number (`5`), a comparison (`>= 5`) or a period (`% 5`).',
  'breakpoint.missingFile': '{path} does not exist.',
  'breakpoint.notUserFile': 'Breakpoints stop in your own files only, not in the runtime or the library.',
  'breakpoint.syntaxError': '{file} has a syntax error at line {line}: {error}',
  'breakpoint.unreadable': 'Cannot read {path}: {error}',
  'breakpoint.conditionFailed': 'Breakpoint condition `{condition}` failed at line {line}: {error} (stopping here)',
  'nonFinite.row.values.one': '{count} of {size} value',
  'nonFinite.row.values.many': '{count} of {size} values',
  'nonFinite.row.notReadAgain': '(not read again: {error})',
  'reply.raised': '{type}: {message}',
  'reply.raisedQuoted': "{type}: '{message}'",
  'reply.running': 'The program is running: pause it first.',
  'reply.runningEvaluate': 'The program is running: pause it to evaluate.',
  'reply.frameGone': 'That stack frame is gone (the program ran since).',
  'reply.notAssignable': '{target} cannot be assigned to',
  'reply.noException': 'The program did not stop for an exception.',
  'reply.unknownCommand': 'Unknown command {name}',
  'reply.hoverOnly': 'hover shows names, attributes and subscripts only, not {node}',
  'reply.noReference': 'no value with reference {ref} (the program ran since it was shown)',
  'ready.cannotOpen': 'Cannot open {program}: {error}',
  'evaluate.cannotRead': 'Cannot read {file}: {error}',
  'evaluate.noLoop': 'There is no loop on line {line} of {file}.',
  'evaluate.loopTrains': 'The loop on line {line} trains (it calls backward()): Evaluate runs evaluation loops, those under torch.no_grad().',
  'evaluate.neverCalled': 'The script never calls {function}(), so Evaluate does not know its arguments: call it in the script (e.g. after training).',
  'evaluate.callerNotRunning': "{function}() is called from {callers}, which is not running now: Evaluate runs the script's own call with its arguments, so pause inside {callers} first.",
  'evaluate.functionTrains': 'The loop is in {function}(), which also trains, so Evaluate cannot call it: it runs the loop alone while {function}() is paused (Train one batch first).',
  'evaluate.noGlobals': "The script's globals are not reachable from here.",
  'evaluate.notDefinedYet': 'NameError: {error}. The script has not defined it yet where it is paused: Evaluate again once it has (after a few batches, or at a later breakpoint).',
} as const satisfies Record<string, string>;

export type AgentTextTemplateId = keyof typeof AGENT_TEXT_TEMPLATES;

/** Looks up an English template (the l10n key) and fills its `{name}` placeholders, as the adapter's `t` does. */
export type TemplateTranslator = (template: string, values: Readonly<Record<string, string | number>>) => string;

/** The English template of an id: the agent's own, or a runtime finding's (a TL… report's stop); undefined if unknown. */
export function agentTextTemplate(id: string): string | undefined {
  if (Object.hasOwn(AGENT_TEXT_TEMPLATES, id)) return AGENT_TEXT_TEMPLATES[id as AgentTextTemplateId];
  if (isRuntimeFindingTemplateId(id)) return RUNTIME_FINDING_TEMPLATES[id];
  return undefined;
}

/** Whether a value off the wire is an AgentText whose every template is known (else the agent's English is shown). */
export function isRenderableAgentText(value: unknown): value is AgentText {
  if (typeof value !== 'object' || value === null) return false;
  const { id, values } = value as { id?: unknown; values?: unknown };
  if (typeof id !== 'string' || agentTextTemplate(id) === undefined || typeof values !== 'object' || values === null) return false;
  return Object.values(values).every((v) => typeof v === 'string' || typeof v === 'number' || isRenderableAgentText(v));
}

/** The text in the translator's language: its parts first, then its own template with them. */
export function renderAgentText(text: AgentText, translate: TemplateTranslator): string {
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(text.values)) values[name] = typeof value === 'object' ? renderAgentText(value, translate) : value;
  return translate(agentTextTemplate(text.id) ?? text.id, values);
}

/** A text off the wire in the translator's language, or `english` (the agent's own) when it is absent or unknown. */
export function renderedOr(text: unknown, english: string, translate: TemplateTranslator): string {
  return isRenderableAgentText(text) ? renderAgentText(text, translate) : english;
}
