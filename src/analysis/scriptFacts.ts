// Collects, in one walk over the syntax tree, the facts the training-loop rules read: scopes, loops, blocks, assignments, and the calls that matter (backward, step, clearing gradients, calls of local functions).
import {
  type ParsedScript,
  type SyntaxNode,
  callParts,
  enclosingStatement,
  lastName,
  textOf,
  unparenthesize,
  walk,
} from './pythonSyntax';
import { trainingObjectKind } from './trainingObjects';

export interface Scope {
  kind: 'module' | 'function' | 'class' | 'lambda';
  /** The `FunctionDefinition`/`ClassDefinition`/`LambdaExpression`; null for the module. */
  node: SyntaxNode | null;
  name: string;
  parent: Scope | null;
  /** Parameter names in order; `*args`/`**kwargs` keep their stars. */
  params: string[];
  /** Decorator texts without `@`, e.g. `torch.no_grad()`. */
  decorators: string[];
  /** For a class: its methods by name. */
  methods: Map<string, Scope>;
}

export interface Loop {
  node: SyntaxNode;
  /** The body that repeats (not the `else` clause). */
  body: SyntaxNode;
  scope: Scope;
  /** Inside `with torch.no_grad():` (or `inference_mode`) in the same function, or in a function decorated with one. */
  noGrad: boolean;
}

/** A statement list: a `Script` root or a `Body`. */
export interface Block {
  node: SyntaxNode;
  scope: Scope;
}

export type TrainingEventKind = 'backward' | 'step' | 'clear' | 'localCall';

export interface TrainingEvent {
  kind: TrainingEventKind;
  /** The call; for `p.grad = None` / `del p.grad`, the statement. */
  node: SyntaxNode;
  scope: Scope;
  /**
   * step: the optimizer that steps (`optimizer`, `self.opt`);
   * clear: what is cleared (`optimizer`, `model`, `p.grad`);
   * backward: the receiver (`loss`); localCall: the callee text.
   */
  target: string;
  /** localCall: the local functions it may run. */
  callees: Scope[];
}

export interface Assignment {
  /** The target's text: `model`, `self.net`. */
  target: string;
  value: SyntaxNode;
  statement: SyntaxNode;
  scope: Scope;
}

export interface CallSite {
  node: SyntaxNode;
  scope: Scope;
}

export interface ScriptFacts {
  script: ParsedScript;
  moduleScope: Scope;
  /** Functions, lambdas and classes, in source order. */
  scopes: Scope[];
  loops: Loop[];
  blocks: Block[];
  /** backward, step, clear and localCall events in source order. */
  events: TrainingEvent[];
  assignments: Map<string, Assignment[]>;
  /** Every call whose callee is a name or dotted name, by callee text. */
  calls: Map<string, CallSite[]>;
  /** Functions that are not methods, by name. */
  functionsByName: Map<string, Scope[]>;
}

interface RawStep {
  node: SyntaxNode;
  scope: Scope;
  receiver: string;
  firstArgument: SyntaxNode | null;
  argumentCount: number;
  eventIndex: number;
}

interface RawLocalCall {
  event: TrainingEvent;
  /** `f` for `f(...)`, `m` for `self.m(...)` */
  name: string;
  viaSelf: boolean;
}

const NO_GRAD_CONTEXTS: ReadonlySet<string> = new Set(['no_grad', 'inference_mode']);

export function collectScriptFacts(script: ParsedScript): ScriptFacts {
  const moduleScope: Scope = { kind: 'module', node: null, name: '<module>', parent: null, params: [], decorators: [], methods: new Map() };
  const facts: ScriptFacts = {
    script,
    moduleScope,
    scopes: [],
    loops: [],
    blocks: [],
    events: [],
    assignments: new Map(),
    calls: new Map(),
    functionsByName: new Map(),
  };
  const rawSteps: RawStep[] = [];
  const rawLocalCalls: RawLocalCall[] = [];
  const errorPositions: number[] = [];

  // One frame per scope: how deep inside no-grad `with` bodies we are.
  interface Frame {
    scope: Scope;
    noGradDepth: number;
  }
  const frames: Frame[] = [{ scope: moduleScope, noGradDepth: 0 }];
  // What entering each node pushed, popped when leaving it.
  const pushed: Array<'scope' | 'noGrad' | null> = [];

  const frame = (): Frame => frames[frames.length - 1];

  for (const root of script.roots) {
    facts.blocks.push({ node: root, scope: moduleScope });
    walk(root, {
      enter(cursor) {
        const kind = cursor.name;
        let action: 'scope' | 'noGrad' | null = null;
        if (cursor.type.isError) errorPositions.push(cursor.from);
        switch (kind) {
          case 'FunctionDefinition':
          case 'ClassDefinition':
          case 'LambdaExpression': {
            const scope = makeScope(script, cursor.node, frame().scope);
            facts.scopes.push(scope);
            if (scope.kind === 'function') {
              if (scope.parent?.kind === 'class') scope.parent.methods.set(scope.name, scope);
              else push(facts.functionsByName, scope.name, scope);
            }
            const noGrad = scope.decorators.some((d) => NO_GRAD_CONTEXTS.has(decoratorName(d)));
            frames.push({ scope, noGradDepth: noGrad ? 1 : 0 });
            action = 'scope';
            break;
          }
          case 'Body': {
            const body = cursor.node;
            const parent = body.parent;
            const current = frame();
            facts.blocks.push({ node: body, scope: current.scope });
            if (parent && (parent.name === 'ForStatement' || parent.name === 'WhileStatement')) {
              const firstBody = parent.getChild('Body');
              if (firstBody && firstBody.from === body.from) {
                facts.loops.push({ node: parent, body, scope: current.scope, noGrad: current.noGradDepth > 0 });
              }
            } else if (parent && parent.name === 'WithStatement' && isNoGradWith(script, parent)) {
              current.noGradDepth++;
              action = 'noGrad';
            }
            break;
          }
          case 'CallExpression':
            recordCall(cursor.node);
            break;
          case 'AssignStatement':
            recordAssignment(cursor.node);
            break;
          case 'DeleteStatement':
            recordDelete(cursor.node);
            break;
        }
        pushed.push(action);
      },
      leave() {
        const action = pushed.pop();
        if (action === 'scope') frames.pop();
        else if (action === 'noGrad') frame().noGradDepth--;
      },
    });
  }

  function addEvent(kind: TrainingEventKind, node: SyntaxNode, target: string): TrainingEvent {
    const event: TrainingEvent = { kind, node, scope: frame().scope, target, callees: [] };
    facts.events.push(event);
    return event;
  }

  function recordCall(call: SyntaxNode): void {
    const parts = callParts(script, call);
    if (!parts) return;
    const scope = frame().scope;
    const calleeKind = parts.callee.name;
    if (calleeKind === 'VariableName' || calleeKind === 'MemberExpression') {
      push(facts.calls, textOf(script, parts.callee), { node: call, scope });
    }
    const receiverText = parts.receiver ? textOf(script, parts.receiver) : '';
    switch (parts.name) {
      case 'backward':
        if (parts.receiver) addEvent('backward', call, receiverText);
        return;
      case 'step':
        if (parts.receiver) {
          // Placeholder event, turned into a step or dropped once all assignments are known.
          const eventIndex = facts.events.length;
          addEvent('step', call, receiverText);
          rawSteps.push({
            node: call,
            scope,
            receiver: receiverText,
            firstArgument: parts.positional[0] ?? null,
            argumentCount: parts.positional.length + parts.keywords.size,
            eventIndex,
          });
          // optimizer.step(closure): the closure runs inside step().
          for (const argument of parts.positional) {
            if (argument.name === 'VariableName') {
              const event = addEvent('localCall', call, textOf(script, argument));
              rawLocalCalls.push({ event, name: textOf(script, argument), viaSelf: false });
            }
          }
        }
        return;
      case 'zero_grad':
        addEvent('clear', call, parts.receiver ? receiverText : 'zero_grad');
        return;
      case 'zero_':
      case 'fill_':
        if (parts.receiver && isGradientAccess(script, parts.receiver)) addEvent('clear', call, receiverText);
        return;
    }
    if (calleeKind === 'VariableName') {
      const event = addEvent('localCall', call, parts.name);
      rawLocalCalls.push({ event, name: parts.name, viaSelf: false });
    } else if (parts.receiver && parts.receiver.name === 'VariableName' && receiverText === 'self') {
      const event = addEvent('localCall', call, `self.${parts.name}`);
      rawLocalCalls.push({ event, name: parts.name, viaSelf: true });
    }
  }

  function recordAssignment(statement: SyntaxNode): void {
    const targets: SyntaxNode[] = [];
    let value: SyntaxNode | null = null;
    let afterOperator = false;
    let hasTuple = false;
    for (let child = statement.firstChild; child; child = child.nextSibling) {
      if (child.name === 'AssignOp') {
        if (value) targets.push(value);
        value = null;
        afterOperator = true;
        continue;
      }
      if (child.name === ',') {
        hasTuple = true;
        continue;
      }
      if (child.name === 'TypeDef') continue;
      if (!afterOperator) targets.push(child);
      else value = child;
    }
    if (!value) return;
    let clearsGradient = false;
    for (const target of targets) {
      if (target.name === 'MemberExpression' && lastName(script, target) === 'grad') clearsGradient = true;
      // `a, b = f()` and `x = a, b` bind no single value to a single name.
      if (hasTuple) continue;
      if (target.name === 'VariableName' || target.name === 'MemberExpression') {
        push(facts.assignments, textOf(script, target), { target: textOf(script, target), value, statement, scope: frame().scope });
      }
    }
    if (clearsGradient) addEvent('clear', statement, textOf(script, targets[0]));
  }

  function recordDelete(statement: SyntaxNode): void {
    for (let child = statement.firstChild; child; child = child.nextSibling) {
      if (child.name === 'MemberExpression' && lastName(script, child) === 'grad') {
        addEvent('clear', statement, textOf(script, child));
        return;
      }
    }
  }

  // Now that every assignment is known, keep the steps that step an optimizer.
  const dropped = new Set<number>();
  for (const raw of rawSteps) {
    const optimizer = steppedOptimizer(facts, raw);
    if (optimizer === null) dropped.add(raw.eventIndex);
    else facts.events[raw.eventIndex].target = optimizer;
  }
  for (const raw of rawLocalCalls) raw.event.callees = resolveLocalCall(facts, raw);
  facts.events = facts.events.filter(
    (event, index) =>
      !dropped.has(index) &&
      (event.kind !== 'localCall' || event.callees.length > 0) &&
      !inBrokenStatement(event.node, errorPositions),
  );
  return facts;
}

/** Whether the smallest statement around `node` holds a syntax error: its calls may be parser guesses. */
function inBrokenStatement(node: SyntaxNode, errorPositions: number[]): boolean {
  if (errorPositions.length === 0) return false;
  const statement = enclosingStatement(node) ?? node;
  let low = 0;
  let high = errorPositions.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (errorPositions[mid] < statement.from) low = mid + 1;
    else high = mid;
  }
  return low < errorPositions.length && errorPositions[low] <= statement.to;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function makeScope(script: ParsedScript, node: SyntaxNode, parent: Scope): Scope {
  const kind = node.name === 'ClassDefinition' ? 'class' : node.name === 'LambdaExpression' ? 'lambda' : 'function';
  const nameNode = kind === 'lambda' ? null : node.getChild('VariableName');
  const params: string[] = [];
  const paramList = node.getChild('ParamList');
  if (paramList && kind === 'function') {
    let star = '';
    let expectName = true;
    for (let child = paramList.firstChild; child; child = child.nextSibling) {
      if (child.name === ',') {
        star = '';
        expectName = true;
      } else if (child.name === '*' || child.name === '**') {
        star = child.name;
      } else if (child.name === 'VariableName' && expectName) {
        params.push(star + textOf(script, child));
        expectName = false;
      }
    }
  }
  const decorators: string[] = [];
  if (node.parent?.name === 'DecoratedStatement') {
    for (const decorator of node.parent.getChildren('Decorator')) {
      const at = decorator.firstChild;
      const text = script.source.slice(at ? at.to : decorator.from, decorator.to).trim();
      decorators.push(text);
    }
  }
  return {
    kind,
    node,
    name: nameNode ? textOf(script, nameNode) : '<lambda>',
    parent,
    params,
    decorators,
    methods: new Map(),
  };
}

/** `no_grad` for `torch.no_grad()` / `@torch.no_grad`. */
function decoratorName(decorator: string): string {
  const paren = decorator.indexOf('(');
  const dotted = paren >= 0 ? decorator.slice(0, paren) : decorator;
  const dot = dotted.lastIndexOf('.');
  return dotted.slice(dot + 1).trim();
}

function isNoGradWith(script: ParsedScript, statement: SyntaxNode): boolean {
  for (let child = statement.firstChild; child; child = child.nextSibling) {
    if (child.name !== 'CallExpression') continue;
    const parts = callParts(script, child);
    if (!parts) continue;
    if (NO_GRAD_CONTEXTS.has(parts.name)) return true;
    if (parts.name === 'set_grad_enabled' && parts.positional[0] && textOf(script, parts.positional[0]) === 'False') return true;
  }
  return false;
}

/** `p.grad` or `p.grad.data`. */
function isGradientAccess(script: ParsedScript, node: SyntaxNode): boolean {
  const n = unparenthesize(node);
  if (n.name !== 'MemberExpression') return false;
  const name = lastName(script, n);
  if (name === 'grad') return true;
  if (name === 'data' && n.firstChild) return isGradientAccess(script, n.firstChild);
  return false;
}

/** The optimizer a `.step(...)` call steps, or null when it is a scheduler, an environment… */
function steppedOptimizer(facts: ScriptFacts, raw: RawStep): string | null {
  switch (trainingObjectKind(facts, raw.receiver)) {
    case 'optimizer':
      return raw.receiver;
    case 'scheduler':
      return null;
    case 'scaler':
      // GradScaler: scaler.step(optimizer)
      return raw.firstArgument ? textOf(facts.script, raw.firstArgument) : null;
    case 'unknown':
      // A bare `x.step()` is most likely an optimizer; `env.step(action)` is not.
      return raw.argumentCount === 0 ? raw.receiver : null;
  }
}

function resolveLocalCall(facts: ScriptFacts, raw: RawLocalCall): Scope[] {
  if (!raw.viaSelf) return facts.functionsByName.get(raw.name) ?? [];
  const owner = enclosingClass(raw.event.scope);
  const method = owner?.methods.get(raw.name);
  return method ? [method] : [];
}

/** The class a method (or a function nested in one) belongs to. */
export function enclosingClass(scope: Scope): Scope | null {
  for (let s: Scope | null = scope; s; s = s.parent) {
    if (s.kind === 'class') return s;
  }
  return null;
}

/** Events of `scope` itself (not of functions nested in it) between `from` and `to`. */
export function eventsWithin(facts: ScriptFacts, scope: Scope, from: number, to: number): TrainingEvent[] {
  const events = facts.events;
  let low = 0;
  let high = events.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (events[mid].node.from < from) low = mid + 1;
    else high = mid;
  }
  const found: TrainingEvent[] = [];
  for (let i = low; i < events.length && events[i].node.from < to; i++) {
    if (events[i].scope === scope) found.push(events[i]);
  }
  return found;
}

/** The body of a function or class scope; null for the module and lambdas. */
export function scopeBody(scope: Scope): SyntaxNode | null {
  return scope.node && scope.kind !== 'lambda' ? scope.node.getChild('Body') : null;
}
