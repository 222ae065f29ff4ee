// Test helpers for the analysis tests: reading the example scripts and the `# expect: TL00x` marks they carry.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyzeScript, type StaticDiagnostic } from '../../src/analysis/analyzeScript';
import { parseScript } from '../../src/analysis/pythonSyntax';
import { applyEdits } from '../../src/analysis/quickFixes';

export const repoRoot = resolve(__dirname, '..', '..');
export const bugsDir = join(repoRoot, 'examples', 'bugs');

export function readBugScript(name: string): string {
  return readFileSync(join(bugsDir, name), 'utf8');
}

/** `{ code, line }` (0-based) for each line carrying `# expect: TL001`. */
export function expectedMarks(source: string): Array<{ code: string; line: number }> {
  const marks: Array<{ code: string; line: number }> = [];
  source.split('\n').forEach((text, line) => {
    const at = text.indexOf('# expect: ');
    if (at >= 0) marks.push({ code: text.slice(at + '# expect: '.length).trim(), line });
  });
  return marks;
}

/** Diagnostics reduced to what the tests compare: code and 0-based line/col. */
export function found(source: string, path = 'script.py'): Array<{ code: string; line: number; col: number }> {
  return analyzeScript(source, path).map((d) => ({ code: d.code, line: d.line, col: d.col }));
}

/** The column of the first occurrence of `needle` on a 0-based line. */
export function colOf(source: string, line: number, needle: string): number {
  return source.split('\n')[line].indexOf(needle);
}

/** The 0-based line holding `needle` (first occurrence). */
export function lineOf(source: string, needle: string): number {
  return source.split('\n').findIndex((text) => text.includes(needle));
}

/** Applies a diagnostic's quick fix to the source; a fix must not break code that parsed. */
export function withFix(source: string, diagnostic: StaticDiagnostic): string {
  if (!diagnostic.fix) throw new Error(`${diagnostic.code} has no quick fix`);
  const fixed = applyEdits(source, diagnostic.fix.edits);
  if (!parseScript(source).hasSyntaxErrors && parseScript(fixed).hasSyntaxErrors) {
    throw new Error(`${diagnostic.code} quick fix broke the syntax:\n${fixed}`);
  }
  return fixed;
}

/** Joins lines into a script (keeps indentation readable in tests). */
export function py(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}
