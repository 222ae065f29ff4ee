// TL007: a model that ends in softmax/log-softmax while the script trains it with CrossEntropyLoss (which applies log-softmax itself).
import {
  type ParsedScript,
  type SyntaxNode,
  callParts,
  lastName,
  peelSameModuleCalls,
  statementsOf,
  textOf,
  unparenthesize,
} from './pythonSyntax';
import { type Scope, type ScriptFacts, scopeBody } from './scriptFacts';
import { type QuickFix, deleteStatementLines, removeArgument, replaceNode } from './quickFixes';
import { type RuleFinding, findingAt } from './staticDiagnostic';

const SOFTMAX_MODULES: ReadonlySet<string> = new Set(['Softmax', 'LogSoftmax']);
const SOFTMAX_FUNCTIONS: ReadonlySet<string> = new Set(['softmax', 'log_softmax']);
const FUNCTIONAL_MODULES: ReadonlySet<string> = new Set(['F', 'torch', 'functional', 'nn.functional', 'torch.nn.functional']);
const CROSS_ENTROPY: ReadonlySet<string> = new Set(['CrossEntropyLoss', 'cross_entropy']);
/** How many `x = …; return x` hops to follow back from `forward`'s return. */
const MAX_HOPS = 8;

type Removal =
  | { kind: 'layer'; layer: SyntaxNode }
  | { kind: 'unwrap'; call: SyntaxNode; inner: SyntaxNode | null };

interface SoftmaxEnd {
  softmax: SyntaxNode;
  removal: Removal;
}

interface SoftmaxModel {
  /** The `nn.Softmax(...)` / `F.softmax(...)` call that ends the model. */
  softmax: SyntaxNode;
  /** How to take it out: drop the layer from its Sequential, or unwrap the call in forward(). */
  removal: Removal;
  /** Names the model instance is bound to (`model`, `self.net`). */
  instances: string[];
}

export function checkSoftmaxBeforeCrossEntropy(facts: ScriptFacts): RuleFinding[] {
  if (!usesCrossEntropy(facts)) return [];
  const findings: RuleFinding[] = [];
  const reported = new Set<number>();
  for (const model of softmaxModels(facts)) {
    if (reported.has(model.softmax.from)) continue;
    if (!model.instances.some((instance) => isCalled(facts, instance))) continue;
    reported.add(model.softmax.from);
    const callee = model.softmax.firstChild;
    const layer = callee ? textOf(facts.script, callee) : 'softmax';
    const fix = removalFix(facts.script, model.removal, `Remove ${layer}: CrossEntropyLoss expects raw logits`);
    findings.push(findingAt(facts.script, 'TL007', model.softmax, { layer }, fix));
  }
  return findings;
}

function usesCrossEntropy(facts: ScriptFacts): boolean {
  for (const [callee, sites] of facts.calls) {
    const dot = callee.lastIndexOf('.');
    if (CROSS_ENTROPY.has(callee.slice(dot + 1)) && sites.length > 0) return true;
  }
  return false;
}

/** A name bound to a constructor-like call: `model = Net().to(device)` gives target `model`, class `Net`. */
interface ConstructorBinding {
  target: string;
  scope: Scope;
  /** The call, with `.to(device)`-style calls peeled off. */
  call: SyntaxNode;
  className: string;
}

function constructorBindings(facts: ScriptFacts): ConstructorBinding[] {
  const bindings: ConstructorBinding[] = [];
  for (const [target, assignments] of facts.assignments) {
    for (const assignment of assignments) {
      const call = peelSameModuleCalls(facts.script, assignment.value);
      if (call.name !== 'CallExpression' || !call.firstChild) continue;
      const className = lastName(facts.script, call.firstChild);
      if (className) bindings.push({ target, scope: assignment.scope, call, className });
    }
  }
  return bindings;
}

function softmaxModels(facts: ScriptFacts): SoftmaxModel[] {
  const models: SoftmaxModel[] = [];
  const bindings = constructorBindings(facts);
  // Classes whose forward() ends in a softmax.
  for (const scope of facts.scopes) {
    if (scope.kind !== 'class') continue;
    const forward = scope.methods.get('forward');
    if (!forward) continue;
    const end = softmaxReturnedBy(facts, scope, forward);
    if (!end) continue;
    const instances = bindings.filter((b) => b.className === scope.name).map((b) => b.target);
    models.push({ ...end, instances });
  }
  // `model = nn.Sequential(..., nn.Softmax(dim=1))` at module level or in a function.
  for (const binding of bindings) {
    if (binding.scope.kind === 'class' || !isPlainName(binding.target)) continue;
    if (binding.className !== 'Sequential' && !SOFTMAX_MODULES.has(binding.className)) continue;
    const softmax = lastLayerSoftmax(facts.script, binding.call);
    if (softmax && softmax !== binding.call) models.push({ softmax, removal: { kind: 'layer', layer: softmax }, instances: [binding.target] });
  }
  return models;
}

function isPlainName(text: string): boolean {
  return text.length > 0 && !text.includes('.');
}

/** The softmax call that `forward` returns, following `x = …` assignments and `self.layer(...)` calls. */
function softmaxReturnedBy(facts: ScriptFacts, owner: Scope, forward: Scope): SoftmaxEnd | null {
  const body = scopeBody(forward);
  if (!body) return null;
  const statements = statementsOf(body);
  const last = statements[statements.length - 1];
  if (!last || last.name !== 'ReturnStatement') return null;
  const returned = last.firstChild?.nextSibling;
  if (!returned || returned.nextSibling?.name === ',') return null;
  return softmaxProducing(facts, owner, statements, statements.length - 1, returned, 0);
}

function softmaxProducing(
  facts: ScriptFacts,
  owner: Scope,
  statements: SyntaxNode[],
  before: number,
  expression: SyntaxNode,
  hops: number,
): SoftmaxEnd | null {
  if (hops > MAX_HOPS) return null;
  const script = facts.script;
  const e = unparenthesize(expression);
  if (e.name === 'VariableName') {
    const name = textOf(script, e);
    for (let i = before - 1; i >= 0; i--) {
      const value = assignedValue(script, statements[i], name);
      if (value) return softmaxProducing(facts, owner, statements, i, value, hops + 1);
    }
    return null;
  }
  if (e.name !== 'CallExpression') return null;
  const parts = callParts(script, e);
  if (!parts) return null;
  if (parts.receiver && textOf(script, parts.receiver) === 'self') {
    // self.layer(x): what is self.layer?
    const module = attributeValue(facts, owner, `self.${parts.name}`);
    if (!module) return null;
    const constructed = peelSameModuleCalls(script, module);
    const softmax = lastLayerSoftmax(script, constructed);
    if (!softmax) return null;
    // In a Sequential, drop the layer; `self.softmax = nn.Softmax(...)`: stop applying it.
    if (softmax !== constructed) return { softmax, removal: { kind: 'layer', layer: softmax } };
    return { softmax, removal: { kind: 'unwrap', call: e, inner: parts.positional[0] ?? null } };
  }
  if (SOFTMAX_FUNCTIONS.has(parts.name)) {
    // F.softmax(z, dim=1) keeps z; z.softmax(dim=1) keeps z.
    const functional = parts.receiver !== null && FUNCTIONAL_MODULES.has(textOf(script, parts.receiver));
    const inner = functional || !parts.receiver ? (parts.positional[0] ?? null) : parts.receiver;
    return { softmax: e, removal: { kind: 'unwrap', call: e, inner } };
  }
  return null;
}

/** The value of `name = value` when `statement` is that assignment. */
function assignedValue(script: ParsedScript, statement: SyntaxNode, name: string): SyntaxNode | null {
  if (statement.name !== 'AssignStatement') return null;
  const target = statement.firstChild;
  const operator = target?.nextSibling;
  if (!target || !operator || operator.name !== 'AssignOp' || textOf(script, target) !== name) return null;
  const value = operator.nextSibling;
  if (!value || value.nextSibling) return null;
  return value;
}

/** What a class's methods assign to `self.x` (the last assignment in `__init__` first). */
function attributeValue(facts: ScriptFacts, owner: Scope, attribute: string): SyntaxNode | null {
  const assignments = (facts.assignments.get(attribute) ?? []).filter((a) => a.scope.parent === owner);
  const inInit = assignments.filter((a) => a.scope.name === '__init__');
  const chosen = inInit.length > 0 ? inInit : assignments;
  return chosen.length > 0 ? chosen[chosen.length - 1].value : null;
}

/** The softmax module ending `nn.Sequential(...)` (nested ones too), or the module itself when it is a softmax. */
function lastLayerSoftmax(script: ParsedScript, node: SyntaxNode, depth = 0): SyntaxNode | null {
  if (depth > MAX_HOPS || node.name !== 'CallExpression') return null;
  const parts = callParts(script, node);
  if (!parts) return null;
  const name = lastName(script, parts.callee);
  if (SOFTMAX_MODULES.has(name)) return node;
  if (name !== 'Sequential' || parts.endsWithUnpacking) return null;
  const last = parts.positional[parts.positional.length - 1];
  if (!last) return null;
  const layer = unparenthesize(last);
  if (layer.name === 'CallExpression' && lastName(script, layer.firstChild ?? layer) === 'OrderedDict') {
    return lastLayerSoftmax(script, lastOrderedDictValue(script, layer) ?? layer, depth + 1);
  }
  return lastLayerSoftmax(script, layer, depth + 1);
}

/** `nn.Softmax(1)` in `OrderedDict([('fc', ...), ('out', nn.Softmax(1))])`. */
function lastOrderedDictValue(script: ParsedScript, call: SyntaxNode): SyntaxNode | null {
  const items = callParts(script, call)?.positional[0];
  if (!items || (items.name !== 'ArrayExpression' && items.name !== 'TupleExpression')) return null;
  let lastItem: SyntaxNode | null = null;
  for (let child = items.firstChild; child; child = child.nextSibling) {
    if (child.name === 'TupleExpression') lastItem = child;
  }
  if (!lastItem) return null;
  let value: SyntaxNode | null = null;
  let index = 0;
  for (let child = lastItem.firstChild; child; child = child.nextSibling) {
    if (child.name === '(' || child.name === ')') continue;
    if (child.name === ',') {
      index++;
      continue;
    }
    if (index === 1) value = child;
  }
  return value;
}

/** The instance is called (`model(x)`), or handed to a local function that calls that parameter. */
function isCalled(facts: ScriptFacts, instance: string): boolean {
  if ((facts.calls.get(instance)?.length ?? 0) > 0) return true;
  const script = facts.script;
  for (const [callee, sites] of facts.calls) {
    const functions = facts.functionsByName.get(callee);
    if (!functions) continue;
    for (const site of sites) {
      const parts = callParts(script, site.node);
      if (!parts) continue;
      const parameterNames: Array<string | number> = [];
      parts.positional.forEach((argument, index) => {
        if (textOf(script, argument) === instance) parameterNames.push(index);
      });
      for (const [keyword, argument] of parts.keywords) {
        if (textOf(script, argument) === instance) parameterNames.push(keyword);
      }
      for (const fn of functions) {
        for (const which of parameterNames) {
          const parameter = typeof which === 'number' ? fn.params[which] : which;
          if (parameter && callsNameWithin(facts, parameter, fn)) return true;
        }
      }
    }
  }
  return false;
}

function callsNameWithin(facts: ScriptFacts, name: string, fn: Scope): boolean {
  return (facts.calls.get(name) ?? []).some((site) => {
    for (let s: Scope | null = site.scope; s; s = s.parent) if (s === fn) return true;
    return false;
  });
}

function removalFix(script: ParsedScript, removal: Removal, title: string): QuickFix | null {
  if (removal.kind === 'layer') return removeArgument(script, removal.layer, title);
  const { call, inner } = removal;
  if (!inner) return null;
  // `x = F.softmax(x, dim=1)` on its own line: drop the line.
  const statement = call.parent;
  if (statement?.name === 'AssignStatement') {
    const value = assignedValue(script, statement, textOf(script, inner));
    if (value && value.from === call.from && value.to === call.to) {
      const deletion = deleteStatementLines(script, statement, title);
      if (deletion) return deletion;
    }
  }
  return replaceNode(script, call, textOf(script, inner), title);
}
