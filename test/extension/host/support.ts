// What the extension-host tests share: the extension under test, opening the repo's example scripts, and waiting for the editor to catch up.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'trainloop.trainloop';

export function trainloopExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is loaded in the extension host (extensionDevelopmentPath is the repo)`);
  return extension;
}

/** A file of the repo, e.g. `examples/quickstart.py` (the repo is the extension under development). */
export function repoFile(relativePath: string): vscode.Uri {
  return vscode.Uri.joinPath(trainloopExtension().extensionUri, ...relativePath.split('/'));
}

/** Opens a repo file in an editor; the extension activates on the first Python file. */
export async function openInEditor(relativePath: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(repoFile(relativePath));
  assert.equal(document.languageId, 'python', `${relativePath} opens as Python`);
  return vscode.window.showTextDocument(document, { preview: false });
}

/** Polls `read` until `done` holds of its value, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

/** Opens `relativePath` and waits until the extension is active. */
export async function activateOn(relativePath: string): Promise<vscode.TextEditor> {
  const editor = await openInEditor(relativePath);
  await waitFor('the extension to activate', () => trainloopExtension().isActive, (active) => active);
  return editor;
}

/** 0-based index of the first line of `document` matching `pattern`. */
export function lineMatching(document: vscode.TextDocument, pattern: RegExp): number {
  for (let line = 0; line < document.lineCount; line++) {
    if (pattern.test(document.lineAt(line).text)) return line;
  }
  return assert.fail(`no line of ${document.uri.fsPath} matches ${pattern}`);
}

export function codeOf(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  if (typeof code === 'string' || typeof code === 'number') return String(code);
  return code === undefined ? undefined : String(code.value);
}

/** Trainloop's static diagnostics of `uri` (not those of other extensions or of a run). */
export function trainloopDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Trainloop');
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
