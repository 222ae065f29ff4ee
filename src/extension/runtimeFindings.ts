// The runtime's findings (TL001…) as the editor keeps them from a run's report until the program's next run: each on
// its file and line, moved by edits above it, dropped when its own line is edited, and paired with the static finding of
// the same code on the same line so that the two are one Problems entry. No vscode here: the glue is in
// staticDiagnostics.ts.
import type { RuntimeDiagnostic } from './adapterEvents';

/** One edit of a document, in the lines of the text before it (0-based, as VS Code's `contentChanges` give them). */
export interface LineEdit {
  startLine: number;
  endLine: number;
  /** The text put in place of the range. */
  text: string;
}

/** A runtime finding as kept: the program whose run reported it, and where it is now. */
export interface KeptFinding {
  program: string;
  /** The file it is in (the run's program when the report named none). */
  path: string;
  /** 0-based, moved by the edits above it. */
  line: number;
  diagnostic: RuntimeDiagnostic;
}

/** Where a line is after the edits, or null when an edit touched it (its text may no longer be what was measured). */
export function lineAfterEdits(line: number, edits: readonly LineEdit[]): number | null {
  let moved = line;
  for (const edit of edits) {
    if (edit.startLine <= line && line <= edit.endLine) return null;
    if (edit.endLine < line) moved += lineBreaks(edit.text) - (edit.endLine - edit.startLine);
  }
  return moved;
}

function lineBreaks(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** What a Problems entry is made of: a static finding, a runtime one, or both (same code, same line). */
export type ProblemEntry<S> =
  | { kind: 'static'; static: S }
  | { kind: 'both'; static: S; runtime: KeptFinding }
  | { kind: 'runtime'; runtime: KeptFinding };

/**
 * The Problems entries of one file: each static finding, with the runtime finding of its code on its line when there
 * is one (its evidence is what the entry shows), then the runtime findings no static one matched.
 */
export function mergeFindings<S extends { code: string; line: number }>(statics: readonly S[], runtime: readonly KeptFinding[]): ProblemEntry<S>[] {
  const unmatched = [...runtime];
  const entries: ProblemEntry<S>[] = statics.map((found) => {
    const index = unmatched.findIndex((r) => r.diagnostic.code === found.code && r.line === found.line);
    if (index < 0) return { kind: 'static', static: found };
    const [match] = unmatched.splice(index, 1);
    return { kind: 'both', static: found, runtime: match };
  });
  for (const finding of unmatched) entries.push({ kind: 'runtime', runtime: finding });
  return entries;
}

/** The findings of every program's last run, by file. */
export class RuntimeFindingStore {
  private findings: KeptFinding[] = [];
  /** Reports already taken in (a session's list grows; each report is taken once, even after an edit dropped it). */
  private readonly taken = new WeakSet<RuntimeDiagnostic>();

  /** Takes in the reports of `program`'s run not seen before; returns the findings added. */
  add(program: string, diagnostics: readonly RuntimeDiagnostic[]): KeptFinding[] {
    const added: KeptFinding[] = [];
    for (const diagnostic of diagnostics) {
      if (this.taken.has(diagnostic)) continue;
      this.taken.add(diagnostic);
      const finding = { program, path: diagnostic.path ?? program, line: diagnostic.line ?? 0, diagnostic };
      this.findings.push(finding);
      added.push(finding);
    }
    return added;
  }

  /** Forgets `program`'s findings (a new run of it starts); returns the files they were in. */
  clear(program: string): string[] {
    const paths = new Set(this.findings.filter((f) => f.program === program).map((f) => f.path));
    this.findings = this.findings.filter((f) => f.program !== program);
    return [...paths];
  }

  inFile(path: string): KeptFinding[] {
    return this.findings.filter((f) => f.path === path);
  }

  /** Follows edits of a file (undefined: the whole text was replaced); returns whether any finding moved or went. */
  edit(path: string, edits: readonly LineEdit[] | undefined): boolean {
    let changed = false;
    const kept: KeptFinding[] = [];
    for (const finding of this.findings) {
      if (finding.path !== path) {
        kept.push(finding);
        continue;
      }
      const line = edits === undefined ? null : lineAfterEdits(finding.line, edits);
      if (line !== finding.line) changed = true;
      if (line === null) continue;
      finding.line = line;
      kept.push(finding);
    }
    this.findings = kept;
    return changed;
  }
}
