// The first syntax error of a Python script as the editor can tell it without running Python (@lezer/python), for the CodeLens that says why a file cannot train.
import { type ParsedScript, type SyntaxNode, parseScript, positionAt } from './pythonSyntax';

export interface SyntaxProblem {
  /** 0-based line and column of the error. */
  line: number;
  col: number;
  /** What is wrong there: the unexpected text, or nothing when the file ends too early. */
  unexpected: string | null;
}

/**
 * Lezer's grammar rejects a few statements CPython accepts (`x = yield`, `with (a as b, c as d):`); an error on such a
 * line is not reported, so that a valid script never loses its lenses. CPython's own message comes with a launch.
 */
const LEZER_GAPS = [/^\s*with\s*\(/, /\byield\b/];

export function firstSyntaxProblem(source: string): SyntaxProblem | null {
  const script = parseScript(source);
  if (!script.hasSyntaxErrors) return null;
  for (const root of script.roots) {
    const error = firstError(root);
    if (!error) continue;
    const at = positionAt(script, error.from);
    const text = lineAt(script, at.line);
    if (LEZER_GAPS.some((gap) => gap.test(text))) return null;
    return { line: at.line, col: at.col, unexpected: unexpectedText(script, error) };
  }
  return null;
}

function firstError(root: SyntaxNode): SyntaxNode | null {
  let found: SyntaxNode | null = null;
  const cursor = root.cursor();
  do {
    if (cursor.type.isError) {
      found = cursor.node;
      break;
    }
  } while (cursor.next());
  return found;
}

function lineAt(script: ParsedScript, line: number): string {
  const start = script.lineStarts[line] ?? script.source.length;
  const end = script.lineStarts[line + 1] ?? script.source.length;
  return script.source.slice(start, end);
}

/** The error node's text, else the next word or symbol after it; null at the end of the file. */
function unexpectedText(script: ParsedScript, error: SyntaxNode): string | null {
  const own = script.source.slice(error.from, error.to).trim();
  const rest = own || script.source.slice(error.from).replace(/^[ \t]+/, '');
  if (rest === '' || /^\s*$/.test(rest)) return null;
  const token = /^(\w+|\S)/.exec(rest)?.[0] ?? rest[0];
  return token === '\n' || token === '\r' ? null : token.slice(0, 20);
}
