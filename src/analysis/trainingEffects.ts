// Follows calls of local functions, so that a loop calling train_step() is known to run the backward(), step() and zero_grad() inside it.
import type { Scope, ScriptFacts, TrainingEvent } from './scriptFacts';
import { eventsWithin } from './scriptFacts';

export interface TrainingEffect {
  kind: 'backward' | 'step' | 'clear';
  /** Where it happens; may be inside a function the range calls. */
  event: TrainingEvent;
  /** The local call, in the range looked at, that leads to it; null when it is in the range itself. */
  via: TrainingEvent | null;
}

/** Keep expansion bounded on pathological files. */
const MAX_EFFECTS_PER_FUNCTION = 500;
const MAX_EFFECTS_PER_RANGE = 5000;

export class TrainingEffects {
  private readonly byFunction = new Map<Scope, TrainingEffect[]>();
  private readonly expanding = new Set<Scope>();

  constructor(private readonly facts: ScriptFacts) {}

  /** Effects of the code of `scope` between `from` and `to`, in source order, called functions expanded in place. */
  ofRange(scope: Scope, from: number, to: number): TrainingEffect[] {
    const effects: TrainingEffect[] = [];
    for (const event of eventsWithin(this.facts, scope, from, to)) {
      if (event.kind !== 'localCall') {
        effects.push({ kind: event.kind, event, via: null });
        continue;
      }
      for (const callee of event.callees) {
        for (const inner of this.ofFunction(callee)) effects.push({ kind: inner.kind, event: inner.event, via: event });
      }
      if (effects.length >= MAX_EFFECTS_PER_RANGE) break;
    }
    return effects;
  }

  /**
   * Effects of running a function once (nested functions it only defines are not run), the
   * first of each kind per target (`loss.backward()` twice counts once).
   */
  ofFunction(scope: Scope): TrainingEffect[] {
    const known = this.byFunction.get(scope);
    if (known) return known;
    if (this.expanding.has(scope) || !scope.node) return [];
    this.expanding.add(scope);
    // What callers need to know is which kinds of effect happen to which objects, and the first
    // place each happens: one effect per kind and target keeps long call chains cheap.
    const effects: TrainingEffect[] = [];
    const seen = new Set<string>();
    for (const effect of this.ofRange(scope, scope.node.from, scope.node.to)) {
      const isCall = effect.event.node.name === 'CallExpression';
      const key = `${effect.kind} ${effect.event.target} ${isCall}`;
      if (seen.has(key)) continue;
      seen.add(key);
      effects.push(effect);
      if (effects.length >= MAX_EFFECTS_PER_FUNCTION) break;
    }
    this.expanding.delete(scope);
    this.byFunction.set(scope, effects);
    return effects;
  }
}
