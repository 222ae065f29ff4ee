// The extension activates when a Python file opens and registers its commands.
/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateOn, closeAllEditors, trainloopExtension } from './support';

suite('activation', () => {
  suiteTeardown(closeAllEditors);

  test('opening a Python file activates the extension', async () => {
    await activateOn('examples/quickstart.py');
    assert.equal(trainloopExtension().isActive, true);
  });

  test('every command in contributes.commands is registered', async () => {
    const contributed = (trainloopExtension().packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      contributed.filter((command) => !registered.has(command)),
      [],
      'commands contributed in package.json but not registered at activation',
    );
  });
});
