// Quick fixes as plain data (text edits with 0-based lines and columns), for the editor's code actions and for tests that apply them.
import {
  type ParsedScript,
  type SyntaxNode,
  contentEnd,
  enclosingStatement,
  indentationOf,
  isStatement,
  lineText,
  positionAt,
  textOf,
} from './pythonSyntax';

export interface TextEdit {
  /** 0-based */
  startLine: number;
  startCol: number;
  endLine: number;
  endCol: number;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
}

function lineBreakOf(script: ParsedScript): string {
  const firstBreak = script.source.indexOf('\n');
  return firstBreak > 0 && script.source[firstBreak - 1] === '\r' ? '\r\n' : '\n';
}

/** True when only spaces and tabs come before `offset` on its line. */
function startsItsLine(script: ParsedScript, offset: number): boolean {
  const { line, col } = positionAt(script, offset);
  const before = lineText(script, line).slice(0, col);
  for (const c of before) if (c !== ' ' && c !== '\t') return false;
  return true;
}

/** True when only spaces, tabs or a comment follow `offset` on its line. */
function endsItsLine(script: ParsedScript, offset: number): boolean {
  const { line, col } = positionAt(script, offset);
  const after = lineText(script, line).slice(col);
  for (const c of after) {
    if (c === '#') return true;
    if (c !== ' ' && c !== '\t') return false;
  }
  return true;
}

/**
 * TL001: `optimizer.zero_grad()` right before the statement holding `backward()`: on its own line
 * with the same indentation, or as `optimizer.zero_grad(); ` when that statement shares its line
 * (`if ok: loss.backward()`).
 */
export function insertZeroGradBefore(script: ParsedScript, backwardCall: SyntaxNode, optimizer: string): QuickFix {
  const statement = enclosingStatement(backwardCall) ?? backwardCall;
  const { line, col } = positionAt(script, statement.from);
  const call = `${optimizer}.zero_grad()`;
  const title = `Call ${call} before backward()`;
  if (startsItsLine(script, statement.from)) {
    const newText = `${indentationOf(script, line)}${call}${lineBreakOf(script)}`;
    return { title, edits: [{ startLine: line, startCol: 0, endLine: line, endCol: 0, newText }] };
  }
  return { title, edits: [{ startLine: line, startCol: col, endLine: line, endCol: col, newText: `${call}; ` }] };
}

/**
 * TL002: moves a statement (its lines and trailing comment) to just after another statement
 * that runs after it in straight-line code, at that statement's indentation. Null when the moved
 * statement shares its lines with other code.
 */
export function moveStatementAfter(script: ParsedScript, statement: SyntaxNode, anchor: SyntaxNode, title: string): QuickFix | null {
  const statementEnd = contentEnd(script, statement);
  if (!startsItsLine(script, statement.from) || !endsItsLine(script, statementEnd)) return null;
  // `optimizer.step(); scheduler.step()`: insert after the whole line.
  let anchorEnd = contentEnd(script, anchor);
  if (anchor.parent?.name === 'StatementGroup') {
    for (let sibling = anchor.nextSibling; sibling; sibling = sibling.nextSibling) {
      if (isStatement(sibling)) anchorEnd = contentEnd(script, sibling);
    }
  }
  if (!endsItsLine(script, anchorEnd) || anchor.from < statement.to) return null;
  const eol = lineBreakOf(script);
  const first = positionAt(script, statement.from).line;
  const last = positionAt(script, statementEnd).line;
  // Lines move to the anchor's indentation (out of a `with` body, for instance).
  const fromIndent = indentationOf(script, first);
  const toIndent = indentationOf(script, positionAt(script, anchor.from).line);
  const moved: string[] = [];
  for (let line = first; line <= last; line++) {
    const text = lineText(script, line);
    moved.push(text.startsWith(fromIndent) ? toIndent + text.slice(fromIndent.length) : text);
  }
  const anchorLine = positionAt(script, anchorEnd).line;
  const lineCount = script.lineStarts.length;
  const remove: TextEdit = { startLine: first, startCol: 0, endLine: last + 1, endCol: 0, newText: '' };
  const insert: TextEdit =
    anchorLine + 1 < lineCount
      ? { startLine: anchorLine + 1, startCol: 0, endLine: anchorLine + 1, endCol: 0, newText: moved.join(eol) + eol }
      : {
          startLine: anchorLine,
          startCol: lineText(script, anchorLine).length,
          endLine: anchorLine,
          endCol: lineText(script, anchorLine).length,
          newText: eol + moved.join(eol),
        };
  return { title, edits: [remove, insert] };
}

/** The text of a statement on one line, for titles and messages. */
export function statementSummary(script: ParsedScript, node: SyntaxNode): string {
  const text = textOf(script, node);
  let lineEnd = 0;
  while (lineEnd < text.length && text[lineEnd] !== '\n' && text[lineEnd] !== '\r') lineEnd++;
  return lineEnd === text.length ? text : `${text.slice(0, lineEnd).trimEnd()} …`;
}

/** Applies non-overlapping edits to a text (what the editor does with a quick fix). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offsetOf = (line: number, col: number): number => {
    if (line >= lineStarts.length) return text.length;
    return Math.min(lineStarts[line] + col, text.length);
  };
  const ordered = edits
    .map((edit) => ({ from: offsetOf(edit.startLine, edit.startCol), to: offsetOf(edit.endLine, edit.endCol), newText: edit.newText }))
    .sort((a, b) => b.from - a.from || b.to - a.to);
  let out = text;
  for (const edit of ordered) out = out.slice(0, edit.from) + edit.newText + out.slice(edit.to);
  return out;
}

function editBetween(script: ParsedScript, from: number, to: number, newText: string): TextEdit {
  const start = positionAt(script, from);
  const end = positionAt(script, to);
  return { startLine: start.line, startCol: start.col, endLine: end.line, endCol: end.col, newText };
}

/** Deletes the whole lines of a statement that has its lines to itself; null otherwise. */
export function deleteStatementLines(script: ParsedScript, statement: SyntaxNode, title: string): QuickFix | null {
  const end = contentEnd(script, statement);
  if (!startsItsLine(script, statement.from) || !endsItsLine(script, end)) return null;
  const first = positionAt(script, statement.from).line;
  const last = positionAt(script, end).line;
  return { title, edits: [{ startLine: first, startCol: 0, endLine: last + 1, endCol: 0, newText: '' }] };
}

/** Replaces a node's text. */
export function replaceNode(script: ParsedScript, node: SyntaxNode, newText: string, title: string): QuickFix {
  return { title, edits: [editBetween(script, node.from, node.to, newText)] };
}

/**
 * Removes one argument from a call: its whole line when it sits on a line of its own
 * (`nn.Softmax(dim=1),` in a multi-line `nn.Sequential(`), else the argument and one comma.
 */
export function removeArgument(script: ParsedScript, argument: SyntaxNode, title: string): QuickFix | null {
  if (argument.parent?.name !== 'ArgList') return null;
  let previous = argument.prevSibling;
  while (previous && previous.name === 'Comment') previous = previous.prevSibling;
  let next = argument.nextSibling;
  while (next && next.name === 'Comment') next = next.nextSibling;
  const end = next?.name === ',' ? next.to : argument.to;
  if (startsItsLine(script, argument.from) && endsItsLine(script, end)) {
    const first = positionAt(script, argument.from).line;
    const last = positionAt(script, end).line;
    return { title, edits: [{ startLine: first, startCol: 0, endLine: last + 1, endCol: 0, newText: '' }] };
  }
  if (previous?.name === ',') return { title, edits: [editBetween(script, previous.from, argument.to, '')] };
  return { title, edits: [editBetween(script, argument.from, end, '')] };
}
