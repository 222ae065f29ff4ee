// Tells what the objects of a training script are from how they were made or named: optimizers, LR schedulers, gradient scalers, and the model an optimizer trains.
import { type ParsedScript, type SyntaxNode, callParts, lastName, peelSameModuleCalls, textOf, unparenthesize } from './pythonSyntax';
import type { ScriptFacts } from './scriptFacts';

export type TrainingObjectKind = 'optimizer' | 'scheduler' | 'scaler' | 'unknown';

/** `dist_autograd.backward(context_id, [loss])` keeps gradients per context: nothing accumulates across batches. */
export function isDistributedAutograd(receiver: string): boolean {
  return receiver === 'dist_autograd' || receiver.endsWith('.dist_autograd') || receiver.endsWith('distributed.autograd');
}

const OPTIMIZER_CLASSES: ReadonlySet<string> = new Set([
  'SGD', 'Adam', 'AdamW', 'Adamax', 'Adagrad', 'Adadelta', 'RMSprop', 'Rprop', 'ASGD', 'LBFGS', 'NAdam', 'RAdam', 'SparseAdam', 'Adafactor', 'Lion', 'LAMB', 'Lamb',
]);

const OPTIMIZER_NAME_PARTS: readonly string[] = ['adam', 'sgd', 'optim', 'prodigy', 'shampoo', 'rmsprop', 'adagrad'];

/** What a name refers to, from its assignment (`torch.optim.SGD(...)`) or, failing that, from the name itself. */
export function trainingObjectKind(facts: ScriptFacts, name: string): TrainingObjectKind {
  for (const assignment of facts.assignments.get(name) ?? []) {
    const value = peelSameModuleCalls(facts.script, assignment.value);
    if (value.name !== 'CallExpression' || !value.firstChild) continue;
    const kind = constructorKind(facts.script, value.firstChild);
    if (kind !== 'unknown') return kind;
  }
  return nameKind(name);
}

function constructorKind(script: ParsedScript, callee: SyntaxNode): TrainingObjectKind {
  const text = textOf(script, callee);
  const lower = text.toLowerCase();
  const last = lastName(script, callee);
  const lastLower = last.toLowerCase();
  if (lower.includes('scaler')) return 'scaler';
  if (lower.includes('lr_scheduler')) return 'scheduler';
  // Before the scheduler test: `AdamWScheduleFree` is an optimizer.
  if (OPTIMIZER_CLASSES.has(last) || OPTIMIZER_NAME_PARTS.some((part) => lastLower.includes(part))) return 'optimizer';
  if (lastLower.includes('sched') || last.endsWith('LR') || last.endsWith('LROnPlateau')) return 'scheduler';
  if (lower.includes('optim')) return 'optimizer';
  return 'unknown';
}

function nameKind(name: string): TrainingObjectKind {
  const dot = name.lastIndexOf('.');
  const lower = name.slice(dot + 1).toLowerCase();
  if (lower.includes('sched')) return 'scheduler';
  if (lower.includes('scaler')) return 'scaler';
  if (lower.includes('opt')) return 'optimizer';
  return 'unknown';
}

/** The model whose parameters an optimizer was built on: `net` for `optim.SGD(net.parameters(), ...)`. */
export function optimizedModel(facts: ScriptFacts, optimizer: string): string | null {
  for (const assignment of facts.assignments.get(optimizer) ?? []) {
    const value = unparenthesize(assignment.value);
    if (value.name !== 'CallExpression') continue;
    const parts = callParts(facts.script, value);
    const first = parts?.positional[0] ?? parts?.keywords.get('params');
    if (!first || first.name !== 'CallExpression') continue;
    const inner = callParts(facts.script, first);
    if (inner && inner.receiver && (inner.name === 'parameters' || inner.name === 'named_parameters')) {
      return textOf(facts.script, inner.receiver);
    }
  }
  return null;
}

