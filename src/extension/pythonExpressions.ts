// Reads Python source for the debugger's editor features: the expression to evaluate under the mouse, and the names a function has bound before the line where it stopped.
import { type ParsedScript, type SyntaxNode, parseScript, positionAt } from '../analysis/pythonSyntax';

export interface SourceRange {
  /** 0-based */
  startLine: number;
  startCol: number;
  endLine: number;
  endCol: number;
}

export interface EvaluatableExpression extends SourceRange {
  expression: string;
}

export interface BoundName extends SourceRange {
  name: string;
}

/** Offset of a 0-based line and column; clamped to the source. */
/** The parsed script, or null if the parser fails on it (the editor features then offer nothing). */
export function parseOrNull(source: string): ParsedScript | null {
  try {
    return parseScript(source);
  } catch {
    return null;
  }
}

export function offsetAt(script: ParsedScript, line: number, col: number): number {
  if (line < 0) return 0;
  if (line >= script.lineStarts.length) return script.source.length;
  return Math.min(script.lineStarts[line] + Math.max(col, 0), script.source.length);
}

function rangeOf(script: ParsedScript, node: SyntaxNode): SourceRange {
  const start = positionAt(script, node.from);
  const end = positionAt(script, node.to);
  return { startLine: start.line, startCol: start.col, endLine: end.line, endCol: end.col };
}

/** The deepest node at `offset` over every root of the parse (a syntax error gives several). */
export function nodeAt(script: ParsedScript, offset: number, side: -1 | 0 | 1 = 1): SyntaxNode | null {
  let best: SyntaxNode | null = null;
  let bestDepth = -1;
  for (const root of script.roots) {
    const node = root.resolveInner(offset, side);
    let depth = 0;
    for (let n: SyntaxNode | null = node; n; n = n.parent) depth++;
    if (node !== root && depth > bestDepth) {
      best = node;
      bestDepth = depth;
    }
  }
  return best;
}

/** Nodes that may appear in an expression evaluated for a hover: names, attributes, subscripts with constant or name indexes. */
const SAFE_EXPRESSION_NODES: ReadonlySet<string> = new Set([
  'VariableName',
  'PropertyName',
  'MemberExpression',
  'Number',
  'String',
  'UnaryExpression',
  'ArithOp',
  'SliceExpression',
  'TupleExpression',
  'Ellipsis',
  'None',
  'Boolean',
  '.',
  '[',
  ']',
  '(',
  ')',
  ',',
  ':',
]);

function isSideEffectFree(node: SyntaxNode): boolean {
  if (node.type.isError || !SAFE_EXPRESSION_NODES.has(node.name)) return false;
  for (let child = node.firstChild; child; child = child.nextSibling) if (!isSideEffectFree(child)) return false;
  return true;
}

function isSubscript(member: SyntaxNode): boolean {
  return member.getChild('[') !== null;
}

/**
 * The expression the debugger should evaluate when the mouse is at (line, col): the dotted and
 * subscripted chain from its start up to the part under the mouse — `model.fc.weight.grad` over
 * `grad`, `model.fc` over `fc`, `outputs[0]` over the `[0]`. Null over keywords, literals, calls
 * (evaluating them could change the program) and code that does not parse.
 */
export function evaluatableExpressionAt(source: string, line: number, col: number): EvaluatableExpression | null {
  const script = parseOrNull(source);
  if (!script) return null;
  const offset = offsetAt(script, line, col);
  let node = nodeAt(script, offset, 1);
  if (!node || (node.name !== 'VariableName' && node.name !== 'PropertyName' && node.name !== '[' && node.name !== ']')) {
    // At the end of a word the node to the right is the next token: look left too.
    const left = nodeAt(script, offset, -1);
    if (left && (left.name === 'VariableName' || left.name === 'PropertyName')) node = left;
  }
  if (!node) return null;
  let target: SyntaxNode;
  if (node.name === 'VariableName') {
    target = node;
  } else if (node.name === 'PropertyName' || node.name === '[' || node.name === ']') {
    const member = node.parent;
    if (!member || member.name !== 'MemberExpression') return null;
    if (node.name !== 'PropertyName' && !isSubscript(member)) return null;
    target = member;
  } else {
    return null;
  }
  if (!isSideEffectFree(target)) return null;
  // A call's callee (`optimizer.step` in `optimizer.step()`) is a method, not a value worth showing.
  if (target.parent?.name === 'CallExpression' && target.parent.firstChild?.from === target.from && target.parent.firstChild.to === target.to) {
    if (target.name === 'MemberExpression') return null;
  }
  const expression = script.source.slice(target.from, target.to);
  if (expression.trim() === '') return null;
  return { ...rangeOf(script, target), expression };
}

/** Names bound by an assignment, `for`, `with … as`, walrus or parameter list. */
function collectTargets(node: SyntaxNode, add: (name: SyntaxNode) => void): void {
  if (node.name === 'VariableName') add(node);
  else if (node.name === 'TupleExpression' || node.name === 'ArrayExpression' || node.name === 'ParenthesizedExpression') {
    for (let child = node.firstChild; child; child = child.nextSibling) collectTargets(child, add);
  }
}

const NESTED_SCOPES: ReadonlySet<string> = new Set(['FunctionDefinition', 'ClassDefinition', 'LambdaExpression']);

/** The innermost `def` holding `offset`, or null at module level. */
function enclosingFunction(script: ParsedScript, offset: number): SyntaxNode | null {
  for (let n = nodeAt(script, offset, 1); n; n = n.parent) if (n.name === 'FunctionDefinition') return n;
  return null;
}

/** Statements inside a loop body whose bindings may not run on every pass. */
const CONDITIONAL_STATEMENTS: ReadonlySet<string> = new Set(['IfStatement', 'TryStatement', 'ForStatement', 'WhileStatement', 'MatchStatement']);

/** The body of the `for`/`while` loop whose header starts on `line` (the first non-blank character at `probe`). */
function loopBodyAt(script: ParsedScript, probe: number, line: number): SyntaxNode | null {
  for (let n = nodeAt(script, probe, 1); n; n = n.parent) {
    if ((n.name === 'ForStatement' || n.name === 'WhileStatement') && positionAt(script, n.from).line === line) return n.getChild('Body');
  }
  return null;
}

/**
 * The names of the function holding `stopLine` (or of the module, at top level), each at its
 * last binding before that line — where an inline value should show it. Parameters and loop
 * targets count; nested functions, classes and lambdas are skipped.
 *
 * Stopped on a loop's header line (where stepBatch stops at a batch's end), the loop's body has
 * just run: its targets and body bindings count too, each at its last binding made on every pass
 * (not one under an `if` in the body, unless there is no other).
 */
export function namesBoundBefore(source: string, stopLine: number): BoundName[] {
  const script = parseOrNull(source);
  if (!script) return [];
  const stopOffset = offsetAt(script, stopLine, 0);
  // Find the function from the first non-blank character of the stop line.
  let probe = stopOffset;
  while (probe < script.source.length && (script.source[probe] === ' ' || script.source[probe] === '\t')) probe++;
  const fn = enclosingFunction(script, probe);
  const loopBody = loopBodyAt(script, probe, stopLine);
  const limit = loopBody ? loopBody.to : stopOffset;
  // 0: bound before the stop line; in the loop stopped at: 2 on every pass, 1 only on some.
  const rank = (name: SyntaxNode): number => {
    if (!loopBody || name.from < stopOffset) return 0;
    for (let n = name.parent; n && n.from >= loopBody.from; n = n.parent) if (CONDITIONAL_STATEMENTS.has(n.name)) return 1;
    return 2;
  };
  const latest = new Map<string, { node: SyntaxNode; rank: number }>();
  const add = (name: SyntaxNode): void => {
    if (name.from >= limit) return;
    const text = script.source.slice(name.from, name.to);
    const known = latest.get(text);
    const candidate = { node: name, rank: rank(name) };
    if (!known || known.rank < candidate.rank || (known.rank === candidate.rank && known.node.from < name.from)) latest.set(text, candidate);
  };
  const visit = (node: SyntaxNode): void => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.from >= limit) break;
      if (NESTED_SCOPES.has(child.name)) {
        if (child.name !== 'LambdaExpression') {
          const name = child.getChild('VariableName');
          if (name) add(name);
        }
        continue;
      }
      switch (child.name) {
        case 'AssignStatement':
        case 'UpdateStatement': {
          for (let part = child.firstChild; part && part.name !== 'AssignOp' && part.name !== 'UpdateOp'; part = part.nextSibling) {
            collectTargets(part, add);
          }
          break;
        }
        case 'ForStatement': {
          for (let part = child.firstChild?.nextSibling ?? null; part && part.name !== 'in'; part = part.nextSibling) collectTargets(part, add);
          break;
        }
        case 'WithStatement': {
          for (let part = child.firstChild; part; part = part.nextSibling) {
            if (part.name === 'as' && part.nextSibling) collectTargets(part.nextSibling, add);
          }
          break;
        }
        case 'NamedExpression': {
          if (child.firstChild) collectTargets(child.firstChild, add);
          break;
        }
      }
      visit(child);
    }
  };
  if (fn) {
    const params = fn.getChild('ParamList');
    if (params) for (let p = params.firstChild; p; p = p.nextSibling) if (p.name === 'VariableName') add(p);
    const body = fn.getChild('Body');
    if (body) visit(body);
  } else {
    for (const root of script.roots) visit(root);
  }
  return [...latest.entries()]
    .map(([name, { node }]) => ({ name, ...rangeOf(script, node) }))
    .sort((a, b) => a.startLine - b.startLine || a.startCol - b.startCol);
}

const LOOP_STATEMENTS: ReadonlySet<string> = new Set(['ForStatement', 'WhileStatement', 'FunctionDefinition']);

/**
 * The line of the first statement in the body of the loop (or `def`) that starts on `loopLine`:
 * where the debugger stops with a batch's variables bound. Null when there is no such loop.
 */
export function firstBodyLine(source: string, loopLine: number): number | null {
  const script = parseOrNull(source);
  if (!script) return null;
  const lineStart = offsetAt(script, loopLine, 0);
  let probe = lineStart;
  while (probe < script.source.length && (script.source[probe] === ' ' || script.source[probe] === '\t')) probe++;
  for (let n = nodeAt(script, probe, 1); n; n = n.parent) {
    if (!LOOP_STATEMENTS.has(n.name) || positionAt(script, n.from).line !== loopLine) continue;
    const body = n.getChild('Body');
    if (!body) return null;
    for (let child = body.firstChild; child; child = child.nextSibling) {
      if (child.name === ':' || child.name === 'Comment' || child.type.isError) continue;
      const first = child.name === 'StatementGroup' ? child.firstChild ?? child : child;
      return positionAt(script, first.from).line;
    }
    return null;
  }
  return null;
}
