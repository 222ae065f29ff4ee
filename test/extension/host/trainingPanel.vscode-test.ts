// The "Show training panel" command opens the training panel's webview beside the script.
/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateOn, closeAllEditors, waitFor } from './support';

function trainingPanelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('trainloop.trainingPanel'));
}

suite('training panel', () => {
  suiteTeardown(closeAllEditors);

  test('trainloop.showTrainingPanel opens one webview, and running it again reuses it', async () => {
    const { document } = await activateOn('examples/quickstart.py');
    await vscode.commands.executeCommand('trainloop.showTrainingPanel', document.uri);
    const tabs = await waitFor('the training panel tab', trainingPanelTabs, (list) => list.length > 0);
    assert.equal(tabs.length, 1);

    await vscode.commands.executeCommand('trainloop.showTrainingPanel', document.uri);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(trainingPanelTabs().length, 1, 'a second command shows the same panel');

    await vscode.window.tabGroups.close(trainingPanelTabs());
    await waitFor('the training panel to close', trainingPanelTabs, (list) => list.length === 0);
  });
});
