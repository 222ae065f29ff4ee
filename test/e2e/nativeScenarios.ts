// The python runtime in the workbench: the quickstart in the machine's own Python and real PyTorch (Debian's torch
// 1.13), paused after Train one batch — the README's screenshot of it is taken while it is paused — then stopped.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { quickstartCopy } from '../support/quickstartCopy';
import { sleep } from './codeServer';
import { TRAINING_LOOP_LINE } from './quickstartScenarios';
import { Checks, REQUIRED, type Suite } from './suite';

/** The native scenario's interpreter: Debian's python3-torch (torch 1.13, with torchvision). */
export const DEBIAN_PYTHON = '/usr/bin/python3';
/** trainloop.python is machine-overridable: a remote window reads it from the machine settings, not the user's. */
export const MACHINE_SETTINGS = { 'trainloop.python': DEBIAN_PYTHON };

export function nativeScenarios(suite: Suite): void {
  suite.scenario('with trainloop.runtime "python", Train one batch runs the quickstart in real PyTorch: the status bar names Python and torch, X is [64, 1, 28, 28]', suite.activated, async () => {
    const { workbench } = suite;
    await suite.endAnySession();
    if (spawnSync(DEBIAN_PYTHON, ['-c', 'import torch, torchvision']).status !== 0) {
      if (REQUIRED) assert.fail(`${DEBIAN_PYTHON} cannot import torch and torchvision (apt-get install python3-torch python3-torchvision)`);
      process.stderr.write(`SKIP: the native e2e scenario needs torch and torchvision for ${DEBIAN_PYTHON}\n`);
      return;
    }
    // A copy beside the embedded one, with its data where torchvision reads root="data" and torch 1.13's device line.
    quickstartCopy(true, join(suite.workspace, 'native'));
    await suite.settings({ 'trainloop.runtime': 'python' });
    try {
      await workbench.openFile('native/quickstart.py');
      await workbench.goToLine(TRAINING_LOOP_LINE);
      await workbench.codeLens('Show training panel').click();
      await workbench.openFile('native/quickstart.py');
      await workbench.codeLens('Train one batch').click();
      await workbench.waitForDebugState('paused', 180_000);
      const checks = new Checks();
      await checks.checkAsync(() => suite.waitForStatusBatch(1));
      const status = (await suite.statusBatch()).text;
      checks.check(() => assert.match(status, /Trainloop · Python 3\.\d+ · torch 1\.13\.\S+ · cpu · batch 1 · loss \d/, `the status bar names the interpreter, torch and the device: "${status}"`));
      await workbench.showRunAndDebug();
      const X = (await workbench.scopeVariables('Locals')).get('X');
      checks.check(() => assert.match(X ?? '', /^tensor\[64, 1, 28, 28\]/, `X in the Variables view: "${X}"`));
      const pythons = () => suite.server.processes().filter((p) => p.command.includes('native_launcher.py'));
      checks.check(() => assert.equal(pythons().length, 1, 'one python process runs the script'));
      // The README's picture: paused after one batch — status bar, Variables, the panel's first loss.
      await workbench.goToLine(TRAINING_LOOP_LINE);
      await workbench.hideBottomPanel();
      await suite.docsScreenshot('python-runtime-paused');
      await workbench.openFile('native/quickstart.py');
      await workbench.codeLens('Stop').click();
      await workbench.waitForDebugState('none', 30_000);
      const deadline = Date.now() + 5000;
      while (pythons().length > 0 && Date.now() < deadline) await sleep(200);
      checks.check(() => assert.deepEqual(pythons().map((p) => p.command), [], 'Stop ends the python process'));
      checks.done();
    } finally {
      await suite.settings();
    }
  });
}
