// TL001 (a training loop never clears gradients) and TL002 (gradients cleared between backward() and step()).
import { type SyntaxNode, SIMPLE_STATEMENTS, statementsOf } from './pythonSyntax';
import { insertZeroGradBefore, moveStatementAfter, statementSummary } from './quickFixes';
import type { ScriptFacts } from './scriptFacts';
import { isDistributedAutograd, optimizedModel, trainingObjectKind } from './trainingObjects';
import { type RuleFinding, findingAt } from './staticDiagnostic';
import { type TrainingEffect, TrainingEffects } from './trainingEffects';

/**
 * TL001: a loop whose iterations run backward() and an optimizer's step() (itself or through
 * local functions it calls) but nothing that clears that optimizer's gradients. Clearing anywhere
 * in the loop body counts, so intentional accumulation (`if (i + 1) % k == 0: step(); zero_grad()`)
 * is fine. With several optimizers (GANs), each needs its own clearing. Reported at the backward()
 * call that feeds the step, once per call.
 */
export function checkMissingZeroGrad(facts: ScriptFacts, effects: TrainingEffects): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const reported = new Set<number>();
  for (const loop of facts.loops) {
    const inLoop = effects.ofRange(loop.scope, loop.body.from, loop.body.to);
    const backwards = inLoop.filter((effect) => effect.kind === 'backward' && !isDistributedAutograd(effect.event.target));
    if (backwards.length === 0) continue;
    // A training engine (DeepSpeed: `engine.backward(loss); engine.step()`) clears gradients in its own step().
    const engines = new Set(backwards.map((effect) => effect.event.target));
    const clears = inLoop.filter((effect) => effect.kind === 'clear');
    const stepped = new Set<string>();
    for (const effect of inLoop) {
      if (effect.kind !== 'step' || engines.has(effect.event.target)) continue;
      const optimizer = effect.event.target;
      if (stepped.has(optimizer)) continue;
      stepped.add(optimizer);
      if (clears.some((clear) => clearCovers(facts, clear, optimizer, inLoop))) continue;
      const call = backwardFeeding(inLoop, effect).event.node;
      if (reported.has(call.from)) continue;
      reported.add(call.from);
      findings.push(findingAt(facts.script, 'TL001', call, { optimizer }, insertZeroGradBefore(facts.script, call, optimizer)));
    }
  }
  return findings;
}

/**
 * Whether a clearing resets the gradients `optimizer` steps with. Only a clearing that surely
 * concerns something else (another optimizer, or the model another optimizer in the loop trains)
 * does not count.
 */
function clearCovers(facts: ScriptFacts, clear: TrainingEffect, optimizer: string, inLoop: TrainingEffect[]): boolean {
  if (clear.event.node.name !== 'CallExpression') return true; // p.grad = None, del p.grad
  const target = clear.event.target;
  if (target === optimizer || target === 'zero_grad') return true;
  // `prof.step()`, `local_sgd.step()`: a stepper we cannot tell from an optimizer needs only some clearing.
  if (trainingObjectKind(facts, optimizer) === 'unknown') return true;
  if (trainingObjectKind(facts, target) === 'optimizer') return false;
  const model = optimizedModel(facts, optimizer);
  if (model === null || model === target) return true;
  const otherModels = inLoop
    .filter((effect) => effect.kind === 'step' && effect.event.target !== optimizer)
    .map((effect) => optimizedModel(facts, effect.event.target));
  return !otherModels.includes(target);
}

/** The backward() whose gradients a step uses: the last one before it, else (wrapping around the loop) the last one. */
function backwardFeeding(inLoop: TrainingEffect[], step: TrainingEffect): TrainingEffect {
  const at = inLoop.indexOf(step);
  let before: TrainingEffect | undefined;
  let last: TrainingEffect | undefined;
  inLoop.forEach((effect, index) => {
    if (effect.kind !== 'backward' || isDistributedAutograd(effect.event.target)) return;
    last = effect;
    if (index < at) before = effect;
  });
  return (before ?? last)!;
}

interface StatementRole {
  statement: SyntaxNode;
  backward: boolean;
  steps: TrainingEffect[];
  clears: TrainingEffect[];
  /** Nothing but gradient clearing: `opt.zero_grad()`, `p.grad = None`, `for p in ps: p.grad = None`. */
  onlyClears: boolean;
  /** Straight-line code whose order we know; other statements holding events break the sequence. */
  straightLine: boolean;
}

/**
 * TL002: in one block, a statement that only clears gradients comes after a backward() and
 * before the step() that should use those gradients (no other backward() or step() between).
 * Reported at the clearing statement.
 */
export function checkZeroGradBeforeStep(facts: ScriptFacts, effects: TrainingEffects): RuleFinding[] {
  const findings: RuleFinding[] = [];
  const reported = new Set<number>();
  for (const block of facts.blocks) {
    let afterBackward = false;
    let pendingClears: StatementRole[] = [];
    for (const statement of straightLineStatements(block.node)) {
      const role = roleOf(statement, effects.ofRange(block.scope, statement.from, statement.to));
      if (!role) continue;
      if (!role.straightLine || (role.backward && role.steps.length > 0)) {
        afterBackward = false;
        pendingClears = [];
        continue;
      }
      if (role.backward) {
        afterBackward = true;
        pendingClears = [];
      } else if (role.steps.length > 0) {
        for (const pending of pendingClears) {
          if (reported.has(pending.statement.from)) continue;
          const finding = clearedBeforeStep(facts, pending, role);
          if (finding) {
            reported.add(pending.statement.from);
            findings.push(finding);
          }
        }
        afterBackward = false;
        pendingClears = [];
      } else if (role.onlyClears && afterBackward) {
        pendingClears.push(role);
      }
    }
  }
  return findings;
}

/** A block's statements, with the bodies of `with` statements (which run once, in order) spliced in. */
function straightLineStatements(block: SyntaxNode): SyntaxNode[] {
  const statements: SyntaxNode[] = [];
  for (const statement of statementsOf(block)) {
    const body = statement.name === 'WithStatement' ? statement.getChild('Body') : null;
    if (body) statements.push(...straightLineStatements(body));
    else statements.push(statement);
  }
  return statements;
}

function roleOf(statement: SyntaxNode, inStatement: TrainingEffect[]): StatementRole | null {
  if (inStatement.length === 0) return null;
  const backward = inStatement.some((effect) => effect.kind === 'backward');
  const steps = inStatement.filter((effect) => effect.kind === 'step');
  const clears = inStatement.filter((effect) => effect.kind === 'clear');
  const onlyClears = clears.length > 0 && !backward && steps.length === 0;
  const simple = SIMPLE_STATEMENTS.has(statement.name);
  // `for p in model.parameters(): p.grad = None` is as good as a call.
  const clearingLoop = statement.name === 'ForStatement' && onlyClears;
  return { statement, backward, steps, clears, onlyClears, straightLine: simple || clearingLoop };
}

function clearedBeforeStep(facts: ScriptFacts, clearing: StatementRole, stepping: StatementRole): RuleFinding | null {
  const optimizer = stepping.steps[0].event.target;
  // Clearing another optimizer's or another model's gradients (GANs) does not starve this step.
  const clearsOtherObject = clearing.clears.every((clear) => {
    if (clear.event.node.name !== 'CallExpression') return false;
    const target = clear.event.target;
    if (target === optimizer || target === 'zero_grad') return false;
    if (trainingObjectKind(facts, target) === 'optimizer') return true;
    const model = optimizedModel(facts, optimizer);
    return model !== null && model !== target;
  });
  if (clearsOtherObject) return null;
  const clearText = statementSummary(facts.script, SIMPLE_STATEMENTS.has(clearing.statement.name) ? clearing.statement : clearing.clears[0].event.node);
  const fix = moveStatementAfter(
    facts.script,
    clearing.statement,
    stepping.statement,
    `Move ${clearText} after ${optimizer}.step()`,
  );
  return findingAt(facts.script, 'TL002', clearing.statement, { clear: clearText, optimizer }, fix);
}

export function checkTrainingLoops(facts: ScriptFacts, effects: TrainingEffects = new TrainingEffects(facts)): RuleFinding[] {
  return [...checkMissingZeroGrad(facts, effects), ...checkZeroGradBeforeStep(facts, effects)];
}
