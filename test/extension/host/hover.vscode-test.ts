// Hovering a training-step call explains what it does.
/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateOn, closeAllEditors, lineMatching } from './support';

function hoverText(hovers: readonly vscode.Hover[]): string {
  return hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n');
}

suite('hovers over training steps', () => {
  let document: vscode.TextDocument;

  suiteSetup(async () => {
    document = (await activateOn('examples/quickstart.py')).document;
  });
  suiteTeardown(closeAllEditors);

  test('optimizer.zero_grad() is explained', async () => {
    const line = lineMatching(document, /^\s*optimizer\.zero_grad\(\)/);
    const position = new vscode.Position(line, document.lineAt(line).text.indexOf('zero_grad') + 2);
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position)) ?? [];
    const text = hoverText(hovers);
    assert.match(text, /optimizer\.zero_grad\(\)/, 'the hover shows the call');
    assert.match(text, /Clears the old gradients/);
    assert.match(text, /accumulates gradients by default/);
  });

  test('loss.backward() is explained', async () => {
    const line = lineMatching(document, /^\s*loss\.backward\(\)/);
    const position = new vscode.Position(line, document.lineAt(line).text.indexOf('backward') + 2);
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, position)) ?? [];
    assert.match(hoverText(hovers), /Backpropagation/);
  });

  test('an ordinary line has no Trainloop hover', async () => {
    const line = lineMatching(document, /^import /);
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(line, 1))) ?? [];
    assert.doesNotMatch(hoverText(hovers), /gradients|Backpropagation/);
  });
});
