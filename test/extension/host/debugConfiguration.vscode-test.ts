// The `trainloop` debugger contribution: a launch configuration for a Python file resolves (type, backend and detectors filled in, `${file}` substituted) and starts a session that stops cleanly.
/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateOn, closeAllEditors, waitFor } from './support';

/** Resolves with the first session of `type` that starts after the call. */
function nextSession(type: string, timeoutMs: number): Promise<vscode.DebugSession> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`no ${type} debug session started within ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = vscode.debug.onDidStartDebugSession((session) => {
      if (session.type !== type) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(session);
    });
  });
}

suite('the trainloop debugger', () => {
  let program: vscode.Uri;

  suiteSetup(async () => {
    program = (await activateOn('examples/quickstart.py')).document.uri;
  });
  suiteTeardown(async () => {
    await vscode.debug.stopDebugging();
    await closeAllEditors();
  });

  test('is contributed for Python', () => {
    const extension = vscode.extensions.getExtension('trainloop.trainloop');
    const debuggers = (extension?.packageJSON as { contributes: { debuggers: { type: string; languages: string[] }[] } }).contributes.debuggers;
    assert.deepEqual(
      debuggers.map((d) => [d.type, d.languages]),
      [['trainloop', ['python']]],
    );
  });

  test('a launch configuration for the Python file in the editor resolves and starts a session', async () => {
    const folder = vscode.workspace.getWorkspaceFolder(program);
    const started = nextSession('trainloop', 60_000);
    const ok = await vscode.debug.startDebugging(folder, {
      type: 'trainloop',
      request: 'launch',
      name: 'Trainloop: host test',
      program: '${file}',
      stopOnEntry: true,
      maxBatches: 1,
    });
    assert.equal(ok, true, 'startDebugging accepted the configuration');
    const session = await started;

    const resolved = session.configuration;
    assert.equal(resolved.type, 'trainloop');
    assert.equal(resolved.request, 'launch');
    assert.equal(resolved.program, program.fsPath, '${file} is the Python file in the editor');
    assert.equal(resolved.backend, 'auto', 'the backend comes from the trainloop.backend setting');
    assert.deepEqual(resolved.disabledDetectors, [], 'every detector is enabled by default');

    const ended = new Promise<void>((resolve) => {
      const subscription = vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.id === session.id) {
          subscription.dispose();
          resolve();
        }
      });
    });
    await vscode.debug.stopDebugging(session);
    await ended;
    await waitFor('no active trainloop session', () => vscode.debug.activeDebugSession?.type, (type) => type !== 'trainloop', 10_000);
  });

  test('a configuration with no program and no Python editor is refused', async () => {
    await closeAllEditors();
    const ok = await vscode.debug.startDebugging(undefined, { type: 'trainloop', request: 'launch', name: 'Trainloop: nothing to train' });
    assert.equal(ok, false);
  });
});
