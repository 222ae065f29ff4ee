// The shape of a diagnostic found by reading a script, and how a rule builds one from a syntax node.
import { type DiagnosticCode, type FormattableDiagnostic, DIAGNOSTIC_CATALOG, renderMessage } from './diagnosticCatalog';
import { type ParsedScript, type SyntaxNode, contentEnd, positionAt } from './pythonSyntax';
import type { QuickFix } from './quickFixes';

export interface StaticDiagnostic extends FormattableDiagnostic {
  /** Start of the reported code, 0-based (`line`, `col`), and its end. */
  endLine: number;
  endCol: number;
  fix?: QuickFix;
}

/** A diagnostic before the file path is known. */
export type RuleFinding = Omit<StaticDiagnostic, 'path'>;

export function findingAt(
  script: ParsedScript,
  code: DiagnosticCode,
  node: SyntaxNode,
  values: Readonly<Record<string, string | number>>,
  fix?: QuickFix | null,
): RuleFinding {
  const start = positionAt(script, node.from);
  const end = positionAt(script, contentEnd(script, node));
  const finding: RuleFinding = {
    code,
    severity: DIAGNOSTIC_CATALOG[code].severity,
    message: renderMessage(code, values),
    line: start.line,
    col: start.col,
    endLine: end.line,
    endCol: end.col,
  };
  if (fix) finding.fix = fix;
  return finding;
}
