// `trainloop check SCRIPT...`: runs the static analysis on each script and prints its diagnostics in the one text form.
import { readFile } from 'node:fs/promises';
import { analyzeScript } from '../analysis/analyzeScript';
import { formatDiagnostic } from '../analysis/diagnosticCatalog';

/**
 * Prints `path:line:col: warning: message [TL001]` for every diagnostic (paths as given).
 * Returns 0 when there is nothing to report, 1 when something was reported,
 * 2 when a script could not be read (the other scripts are still checked).
 */
export async function checkCommand(paths: string[], write: (line: string) => void): Promise<number> {
  if (paths.length === 0) {
    write('trainloop check: no script given (usage: trainloop check SCRIPT...)');
    return 2;
  }
  let reported = false;
  let unreadable = false;
  for (const path of paths) {
    let source: string;
    try {
      source = await readFile(path, 'utf8');
    } catch (error) {
      unreadable = true;
      write(`trainloop check: cannot read ${path}: ${describeReadError(error)}`);
      continue;
    }
    for (const diagnostic of analyzeScript(source, path)) {
      reported = true;
      write(formatDiagnostic(diagnostic));
    }
  }
  return unreadable ? 2 : reported ? 1 : 0;
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
