// Finds where a script trains (loops and functions that run backward()) and evaluates (loops under torch.no_grad()), for the editor's CodeLens.
import { type ParsedScript, type SyntaxNode, contentEnd, parseScript, positionAt } from './pythonSyntax';
import { type Loop, type Scope, type ScriptFacts, collectScriptFacts, eventsWithin } from './scriptFacts';
import { TrainingEffects } from './trainingEffects';

export interface TrainingLoopRange {
  /** `training`: runs backward(); `evaluation`: a loop under `torch.no_grad()`/`inference_mode()` without backward(). */
  kind: 'training' | 'evaluation';
  construct: 'for' | 'while' | 'function';
  /** The function itself, or the function the loop is in (`<module>` at top level). */
  functionName: string;
  /** Range of the loop or `def` statement, 0-based; startLine is the `for`/`while`/`def` line. */
  startLine: number;
  startCol: number;
  endLine: number;
  endCol: number;
}

/**
 * Training loops are the innermost loops whose iterations run backward() (directly or through a
 * local function that runs it once per call), preferring the loop that also steps the optimizer
 * (the batch loop, not a gradient-accumulation micro-loop inside it). Training functions run
 * backward() themselves or loop over code that does. Never throws; returns [] on failure.
 */
export function findTrainingLoops(source: string): TrainingLoopRange[] {
  try {
    return findInFacts(collectScriptFacts(parseScript(source)));
  } catch {
    return [];
  }
}

function findInFacts(facts: ScriptFacts): TrainingLoopRange[] {
  const effects = new TrainingEffects(facts);
  const finder = new BackwardReach(facts);
  const ranges: TrainingLoopRange[] = [];

  const training = facts.loops.filter((loop) => finder.loopRunsBackward(loop));
  const steps = new Map<Loop, boolean>(
    training.map((loop) => [loop, effects.ofRange(loop.scope, loop.body.from, loop.body.to).some((e) => e.kind === 'step')]),
  );
  for (const loop of training) {
    const stepping = steps.get(loop) === true;
    // The innermost loop, unless only an outer one steps the optimizer (accumulation micro-loops).
    const innerPreferred = training.some((inner) => inner !== loop && isNestedLoop(inner, loop) && (steps.get(inner) || !stepping));
    const outerPreferred = !stepping && training.some((outer) => outer !== loop && isNestedLoop(loop, outer) && steps.get(outer));
    if (!innerPreferred && !outerPreferred) ranges.push(rangeOf(facts.script, 'training', loop.node, loopConstruct(loop), functionNameOf(loop.scope)));
  }

  for (const scope of facts.scopes) {
    if (scope.kind !== 'function' || !scope.node) continue;
    if (finder.runsBackwardOnce(scope) || training.some((loop) => loop.scope === scope)) {
      ranges.push(rangeOf(facts.script, 'training', scope.node, 'function', scope.name));
    }
  }

  const evaluation = facts.loops.filter(
    (loop) => loop.noGrad && !effects.ofRange(loop.scope, loop.body.from, loop.body.to).some((e) => e.kind === 'backward'),
  );
  for (const loop of evaluation) {
    if (evaluation.some((inner) => inner !== loop && isNestedLoop(inner, loop))) continue;
    ranges.push(rangeOf(facts.script, 'evaluation', loop.node, loopConstruct(loop), functionNameOf(loop.scope)));
  }

  return ranges.sort((a, b) => a.startLine - b.startLine || a.startCol - b.startCol);
}

/** Which functions run backward() once per call, and which loops run it once per iteration. */
class BackwardReach {
  private readonly once = new Map<Scope, boolean>();
  private readonly loopsByScope = new Map<Scope, Loop[]>();

  constructor(private readonly facts: ScriptFacts) {
    for (const loop of facts.loops) {
      const list = this.loopsByScope.get(loop.scope);
      if (list) list.push(loop);
      else this.loopsByScope.set(loop.scope, [loop]);
    }
  }

  loopRunsBackward(loop: Loop): boolean {
    return eventsWithin(this.facts, loop.scope, loop.body.from, loop.body.to).some(
      (event) => event.kind === 'backward' || (event.kind === 'localCall' && event.callees.some((callee) => this.runsBackwardOnce(callee))),
    );
  }

  /** Runs backward() outside any loop of its own, itself or through such a function. */
  runsBackwardOnce(scope: Scope): boolean {
    const known = this.once.get(scope);
    if (known !== undefined) return known;
    this.once.set(scope, false); // recursion guard
    let result = false;
    if (scope.node) {
      const loops = this.loopsByScope.get(scope) ?? [];
      for (const event of eventsWithin(this.facts, scope, scope.node.from, scope.node.to)) {
        if (loops.some((loop) => loop.body.from <= event.node.from && event.node.from < loop.body.to)) continue;
        if (event.kind === 'backward' || (event.kind === 'localCall' && event.callees.some((callee) => this.runsBackwardOnce(callee)))) {
          result = true;
          break;
        }
      }
    }
    this.once.set(scope, result);
    return result;
  }
}

function isNestedLoop(inner: Loop, outer: Loop): boolean {
  return inner.scope === outer.scope && outer.body.from <= inner.node.from && inner.node.to <= outer.body.to;
}

function loopConstruct(loop: Loop): 'for' | 'while' {
  return loop.node.name === 'WhileStatement' ? 'while' : 'for';
}

function functionNameOf(scope: Scope): string {
  for (let s: Scope | null = scope; s; s = s.parent) if (s.kind === 'function') return s.name;
  return '<module>';
}

function rangeOf(
  script: ParsedScript,
  kind: TrainingLoopRange['kind'],
  node: SyntaxNode,
  construct: TrainingLoopRange['construct'],
  functionName: string,
): TrainingLoopRange {
  const start = positionAt(script, node.from);
  const end = positionAt(script, contentEnd(script, node));
  return { kind, construct, functionName, startLine: start.line, startCol: start.col, endLine: end.line, endCol: end.col };
}

