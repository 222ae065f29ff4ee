// Parses Python with @lezer/python (re-parsing the code that a syntax error swallowed) and offers small helpers over its syntax tree: text, positions, statements, calls.
import { parser } from '@lezer/python';
import { type SyntaxNode, type TreeCursor, TreeFragment } from '@lezer/common';

export type { SyntaxNode, TreeCursor };

export interface ParsedScript {
  source: string;
  /**
   * `Script` nodes in source order. Usually one; when a syntax error made the parser swallow
   * the code after it (an unclosed bracket, a broken `def` line), the code from the next line
   * that starts at column 0 is parsed again on its own, giving another root.
   * Positions in every root are offsets into `source`.
   */
  roots: SyntaxNode[];
  hasSyntaxErrors: boolean;
  /** Offset of the first character of each line. */
  lineStarts: number[];
}

export interface Position {
  /** 0-based */
  line: number;
  /** 0-based, in UTF-16 code units like VS Code */
  col: number;
}

/** At most this many extra parses to recover from syntax errors. */
const MAX_RECOVERY_PARSES = 32;

export function parseScript(source: string): ParsedScript {
  const lineStarts = computeLineStarts(source);
  const roots: SyntaxNode[] = [];
  let hasSyntaxErrors = false;
  let blankedSource: string | undefined;
  let start = 0;
  let input = source;
  let tree = parser.parse(input);
  for (let attempt = 0; ; attempt++) {
    const root = tree.topNode;
    const errorAt = firstErrorPosition(root);
    if (errorAt === undefined) {
      roots.push(root);
      break;
    }
    hasSyntaxErrors = true;
    const resume = attempt < MAX_RECOVERY_PARSES ? recoveryPoint(root, source, lineStarts, start) : undefined;
    if (resume === undefined) {
      roots.push(root);
      break;
    }
    // Code before the resume point becomes blank lines, so that positions stay offsets into
    // `source`; the parser reuses what it can of the previous tree (lezer's incremental parsing).
    blankedSource ??= blankOut(source);
    const previous = TreeFragment.addTree(tree);
    // The part before the resume point, alone, so that its last statement ends where it should.
    const head = input.slice(0, resume);
    const headFragments = TreeFragment.applyChanges(previous, [{ fromA: resume, toA: input.length, fromB: resume, toB: resume }]);
    roots.push(parser.parse(head, headFragments).topNode);
    // The rest, on its own.
    const restInput = blankedSource.slice(0, resume) + source.slice(resume);
    const restFragments = TreeFragment.applyChanges(previous, [{ fromA: start, toA: resume, fromB: start, toB: resume }]);
    input = restInput;
    tree = parser.parse(input, restFragments);
    start = resume;
  }
  return { source, roots, hasSyntaxErrors, lineStarts };
}

function computeLineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13 && source.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return starts;
}

/** Same length and line breaks as `source`, every other character a space. */
function blankOut(source: string): string {
  let out = '';
  let runStart = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || c === 13) {
      out += ' '.repeat(i - runStart) + source[i];
      runStart = i + 1;
    }
  }
  return out + ' '.repeat(source.length - runStart);
}

function firstErrorPosition(node: SyntaxNode): number | undefined {
  let found: number | undefined;
  walk(node, {
    enter(cursor) {
      if (found !== undefined) return false;
      if (cursor.type.isError) {
        found = cursor.from;
        return false;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Where to parse again after a syntax error: the first line after the error that starts at
 * column 0 and still lies inside the top-level statement holding the error (so that statement
 * swallowed it). `undefined` when the error stayed local.
 */
function recoveryPoint(root: SyntaxNode, source: string, lineStarts: number[], after: number): number | undefined {
  for (let statement = root.firstChild; statement; statement = statement.nextSibling) {
    if (statement.to <= after) continue;
    const errorAt = firstErrorPosition(statement);
    if (errorAt === undefined) continue;
    const errorLine = lineOfOffset(lineStarts, Math.max(errorAt, statement.from));
    for (let line = errorLine + 1; line < lineStarts.length; line++) {
      const offset = lineStarts[line];
      if (offset >= statement.to) break;
      if (startsTopLevelCode(source, offset)) return offset;
    }
  }
  return undefined;
}

function startsTopLevelCode(source: string, offset: number): boolean {
  const c = source[offset];
  if (c === undefined) return false;
  return !(c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '#' || c === ')' || c === ']' || c === '}');
}

function lineOfOffset(lineStarts: number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lineStarts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

export function positionAt(script: ParsedScript, offset: number): Position {
  const line = lineOfOffset(script.lineStarts, offset);
  return { line, col: offset - script.lineStarts[line] };
}

/** The text of a line without its line break. */
export function lineText(script: ParsedScript, line: number): string {
  const start = script.lineStarts[line];
  if (start === undefined) return '';
  let end = line + 1 < script.lineStarts.length ? script.lineStarts[line + 1] : script.source.length;
  while (end > start && (script.source[end - 1] === '\n' || script.source[end - 1] === '\r')) end--;
  return script.source.slice(start, end);
}

/** The spaces and tabs that start a line. */
export function indentationOf(script: ParsedScript, line: number): string {
  const text = lineText(script, line);
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return text.slice(0, i);
}

export function textOf(script: ParsedScript, node: SyntaxNode): string {
  return script.source.slice(node.from, node.to);
}

export const SIMPLE_STATEMENTS: ReadonlySet<string> = new Set([
  'AssignStatement',
  'UpdateStatement',
  'ExpressionStatement',
  'DeleteStatement',
  'PassStatement',
  'BreakStatement',
  'ContinueStatement',
  'ReturnStatement',
  'YieldStatement',
  'PrintStatement',
  'RaiseStatement',
  'ImportStatement',
  'ScopeStatement',
  'AssertStatement',
  'TypeDefinition',
]);

export const COMPOUND_STATEMENTS: ReadonlySet<string> = new Set([
  'IfStatement',
  'WhileStatement',
  'ForStatement',
  'TryStatement',
  'WithStatement',
  'FunctionDefinition',
  'ClassDefinition',
  'DecoratedStatement',
  'MatchStatement',
]);

export function isStatement(node: SyntaxNode): boolean {
  return SIMPLE_STATEMENTS.has(node.name) || COMPOUND_STATEMENTS.has(node.name);
}

/** The statements of a `Script` or `Body`, in order, with `a; b` groups flattened. */
export function statementsOf(block: SyntaxNode): SyntaxNode[] {
  const statements: SyntaxNode[] = [];
  for (let child = block.firstChild; child; child = child.nextSibling) {
    if (child.name === 'StatementGroup') {
      for (let inner = child.firstChild; inner; inner = inner.nextSibling) {
        if (isStatement(inner)) statements.push(inner);
      }
    } else if (isStatement(child)) {
      statements.push(child);
    }
  }
  return statements;
}

/** The smallest statement that contains `node` (or is `node`). */
export function enclosingStatement(node: SyntaxNode): SyntaxNode | null {
  for (let n: SyntaxNode | null = node; n; n = n.parent) {
    if (isStatement(n)) return n;
  }
  return null;
}

/** Where a node's code ends: blocks can end after their last line break (and blank lines). */
export function contentEnd(script: ParsedScript, node: SyntaxNode): number {
  let to = node.to;
  while (to > node.from) {
    const c = script.source[to - 1];
    if (c !== '\n' && c !== '\r' && c !== ' ' && c !== '\t' && c !== '\f') break;
    to--;
  }
  return to;
}

/** The first `Body` child of a compound statement (a loop's body, not its `else`). */
export function firstBody(node: SyntaxNode): SyntaxNode | null {
  return node.getChild('Body');
}

/** Strips `( … )` around an expression. */
export function unparenthesize(node: SyntaxNode): SyntaxNode {
  let n = node;
  while (n.name === 'ParenthesizedExpression') {
    let inner: SyntaxNode | null = null;
    for (let child = n.firstChild; child; child = child.nextSibling) {
      if (child.name !== '(' && child.name !== ')') {
        inner = child;
        break;
      }
    }
    if (!inner) break;
    n = inner;
  }
  return n;
}

export interface CallParts {
  call: SyntaxNode;
  callee: SyntaxNode;
  /** `a.b` in `a.b.c(...)`; null for a plain name call. */
  receiver: SyntaxNode | null;
  /** `c` in `a.b.c(...)`, `f` in `f(...)`; '' when the callee is something else (a call, a subscript…). */
  name: string;
  /** Positional arguments, `*args` left out. */
  positional: SyntaxNode[];
  keywords: Map<string, SyntaxNode>;
  /** The last argument is `*args`/`**kwargs`: `positional` does not end where the call does. */
  endsWithUnpacking: boolean;
}

/** Splits a `CallExpression` into callee, receiver, name and arguments. */
export function callParts(script: ParsedScript, call: SyntaxNode): CallParts | null {
  const callee = call.firstChild;
  const argList = call.lastChild;
  if (!callee || !argList || argList.name !== 'ArgList') return null;
  let receiver: SyntaxNode | null = null;
  let name = '';
  if (callee.name === 'VariableName') {
    name = textOf(script, callee);
  } else if (callee.name === 'MemberExpression') {
    const property = callee.lastChild;
    if (property && property.name === 'PropertyName') {
      name = textOf(script, property);
      receiver = callee.firstChild;
    }
  }
  const positional: SyntaxNode[] = [];
  const keywords = new Map<string, SyntaxNode>();
  let group: SyntaxNode[] = [];
  let endsWithUnpacking = false;
  const flush = (): void => {
    if (group.length === 0) return;
    const [first, second, third] = group;
    endsWithUnpacking = first.name === '*' || first.name === '**';
    if (endsWithUnpacking) {
      // *args / **kwargs: not a single argument.
    } else if (second && second.name === 'AssignOp' && third && first.name === 'VariableName') {
      keywords.set(textOf(script, first), third);
    } else {
      positional.push(first);
    }
    group = [];
  };
  for (let child = argList.firstChild; child; child = child.nextSibling) {
    const kind = child.name;
    if (kind === '(' || kind === ')') continue;
    if (kind === ',') {
      flush();
      continue;
    }
    if (kind === 'Comment') continue;
    group.push(child);
  }
  flush();
  return { call, callee, receiver, name, positional, keywords, endsWithUnpacking };
}

/** The last name of a dotted callee: `Softmax` for `torch.nn.Softmax`, `f` for `f`. */
export function lastName(script: ParsedScript, node: SyntaxNode): string {
  if (node.name === 'VariableName') return textOf(script, node);
  if (node.name === 'MemberExpression') {
    const property = node.lastChild;
    if (property && property.name === 'PropertyName') return textOf(script, property);
  }
  return '';
}

/** Calls of `.to(device)`, `.cuda()`, `.float()`… that return the same module; `M().to(device)` is still an `M`. */
const SAME_MODULE_METHODS: ReadonlySet<string> = new Set(['to', 'cuda', 'cpu', 'float', 'double', 'half', 'bfloat16', 'train', 'eval', 'requires_grad_', 'type']);

/** Peels `.to(device)`-style calls off a constructor call: `Net().to(device)` gives `Net()`. */
export function peelSameModuleCalls(script: ParsedScript, node: SyntaxNode): SyntaxNode {
  let n = unparenthesize(node);
  for (let guard = 0; guard < 16 && n.name === 'CallExpression'; guard++) {
    const parts = callParts(script, n);
    if (!parts || !parts.receiver || !SAME_MODULE_METHODS.has(parts.name)) break;
    const receiver = unparenthesize(parts.receiver);
    if (receiver.name !== 'CallExpression') break;
    n = receiver;
  }
  return n;
}

/** Callbacks for `walk`: `enter` may return false to skip a node's children; `leave` runs after them. */
export interface TreeVisitor {
  enter(cursor: TreeCursor): boolean | void;
  leave?(cursor: TreeCursor): void;
}

/** Walks every node under `node` (itself included), depth first, in source order, with one cursor. */
export function walk(node: SyntaxNode, visitor: TreeVisitor): void {
  const cursor = node.cursor();
  let depth = 0;
  for (;;) {
    const descend = visitor.enter(cursor) !== false;
    if (descend && cursor.firstChild()) {
      depth++;
      continue;
    }
    visitor.leave?.(cursor);
    for (;;) {
      if (depth === 0) return;
      if (cursor.nextSibling()) break;
      cursor.parent();
      depth--;
      visitor.leave?.(cursor);
    }
  }
}
