// CodeLens over the quickstart's training loop: train one batch, train N batches, show the training panel.
/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateOn, closeAllEditors, lineMatching } from './support';

suite('CodeLens over training loops', () => {
  let document: vscode.TextDocument;

  suiteSetup(async () => {
    document = (await activateOn('examples/quickstart.py')).document;
  });
  suiteTeardown(closeAllEditors);

  test('the training loop line has Train one batch, Train 10 batches and Show training panel', async () => {
    const loopLine = lineMatching(document, /^\s*for batch, \(X, y\) in enumerate\(dataloader\):/);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 10)) ?? [];
    const onLoop = lenses.filter((lens) => lens.range.start.line === loopLine).map((lens) => lens.command?.title);
    assert.deepEqual(onLoop, ['$(debug-start) Train one batch', '$(run-all) Train 10 batches', '$(graph-line) Show training panel']);

    const trainOne = lenses.find((lens) => lens.command?.title === '$(debug-start) Train one batch');
    assert.equal(trainOne?.command?.command, 'trainloop.trainOneBatch');
    assert.equal((trainOne?.command?.arguments?.[0] as vscode.Uri | undefined)?.toString(), document.uri.toString(), 'the lens trains this file');
    assert.equal(trainOne?.command?.arguments?.[1], loopLine, 'and runs to this loop');
  });

  test('the evaluation loop gets Evaluate, not the training lenses', async () => {
    const evalLine = lineMatching(document, /^\s*for X, y in dataloader:/);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri, 10)) ?? [];
    const onEval = lenses.filter((lens) => lens.range.start.line === evalLine).map((lens) => lens.command?.title);
    assert.deepEqual(onEval, ['$(play) Evaluate']);
  });
});
