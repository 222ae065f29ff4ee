// A runtime finding from start to end: F5 with `"program": "${file}"` trains the file in the editor, the Training
// Problems filter stops the run at TL001, the Problems view shows the finding once with the run's numbers, and after
// the Quick Fix a new run leaves no TL001.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './codeServer';
import { Checks, lineOf, type Suite } from './suite';

export const RUNTIME_TL001 = 'bugs/runtime/tl001_missing_zero_grad.py';

/** The workspace's launch.json: one configuration, for the Python file in the editor. */
export const LAUNCH_JSON = JSON.stringify(
  { version: '0.2.0', configurations: [{ type: 'trainloop', request: 'launch', name: 'Trainloop: current file', program: '${file}' }] },
  null,
  2,
);

/** The runtime TL001 text carries what the run measured: the parameter whose .grad summed k batches, the norm's growth. */
const TL001_EVIDENCE = /\.grad equals the sum of the gradients of the last \d+ backward\(\) calls .*norm grew/;

export function runtimeFindingScenarios(suite: Suite): void {
  const text = () => readFileSync(join(suite.workspace, RUNTIME_TL001), 'utf8');
  const backwardLine = () => lineOf(text(), /^\s*loss\.backward\(\)/);
  const tl001Problems = async () => (await suite.workbench.problemsOf(/tl001_missing_zero_grad\.py.*bugs\/runtime/)).filter((p) => /TL001/.test(p));

  /** "Debug: Start Debugging" — what F5 runs — with the file open, and waits until the session is up. */
  async function startDebugging(): Promise<void> {
    await suite.workbench.openFile(RUNTIME_TL001);
    await suite.workbench.runCommand('Debug: Start Debugging');
    const deadline = Date.now() + 60_000;
    while ((await suite.workbench.debugToolbarState()) === 'none' && Date.now() < deadline) await sleep(100);
  }

  suite.scenario('F5 with "program": "${file}" trains the file in the editor; the TL001 filter stops it where the accumulated gradients are used', suite.activated, async () => {
    const { workbench } = suite;
    await suite.endAnySession();
    const stepLine = lineOf(text(), /^\s*optimizer\.step\(\)/);
    // The detectors' codes are one "Training Problems" filter (on by default); the setting picks the codes it stops on.
    await suite.settings({ 'trainloop.stopOnTrainingProblems': ['TL001'] });
    await workbench.showRunAndDebug();
    await workbench.setExceptionFilter(/^Training Problems/, true);
    await startDebugging();
    await workbench.waitForDebugState('paused', 180_000);
    const checks = new Checks();
    const stack = await workbench.callStack();
    checks.check(() => assert.match(stack[0] ?? '', /tl001_missing_zero_grad\.py/, `\${file} is the file in the editor: the Call Stack shows ${stack.join(' | ')}`));
    const widget = await workbench.exceptionWidget().catch((error: Error) => `(no exception widget: ${error.message.split('\n')[0]})`);
    checks.check(() => assert.match(widget, /TL001/, `the exception widget names TL001: "${widget}"`));
    checks.check(() => assert.match(widget, /Gradients accumulate across batches/, `the exception widget shows TL001's message: "${widget}"`));
    const stoppedAt = await suite.pausedLines();
    const where = await suite.pausedWhere(stoppedAt);
    checks.check(() => assert.deepEqual(stoppedAt, [stepLine], `the run stops on line ${stepLine}, the optimizer.step() that uses the accumulated gradients, not at ${where}`));
    const label = await workbench.pausedLabel();
    checks.check(() => assert.match(label, new RegExp(`TL001 \\(line ${backwardLine()}\\)`), `the Call Stack says why, naming the backward() line ${backwardLine()}: "${label}"`));
    checks.done();
  });

  suite.scenario('the runtime TL001 is one Problems entry on the backward() line, with what the run measured', suite.live, async () => {
    const { workbench } = suite;
    const line = backwardLine();
    let found = await tl001Problems();
    for (const deadline = Date.now() + 15_000; !found.some((p) => TL001_EVIDENCE.test(p)) && Date.now() < deadline; found = await tl001Problems()) await sleep(500);
    const checks = new Checks();
    const all = found.length === 1 ? [] : await workbench.problemsRows();
    checks.check(() => assert.equal(found.length, 1, `the static and the runtime TL001 on one line are one entry: ${found.join(' | ')} (the Problems view: ${all.map((r) => `${r.level}: ${r.text}`).join(' / ')})`));
    checks.check(() => assert.match(found[0] ?? '', new RegExp(`\\bLn ${line}\\b`), `the entry is on the backward() line ${line}: ${found[0]}`));
    checks.check(() => assert.match(found[0] ?? '', TL001_EVIDENCE, `the entry shows the run's numbers: ${found[0]}`));
    await workbench.openFile(RUNTIME_TL001);
    await workbench.goToLine(line);
    await workbench.problems();
    await suite.docsScreenshot('problems-runtime-finding');
    checks.done();
  });

  suite.scenario('"Trainloop: Stop Training" ends the TL001 run and its worker', suite.live, async () => {
    await suite.workbench.runCommand('Trainloop: Stop Training');
    await suite.workbench.waitForDebugState('none', 30_000);
    assert.equal(await suite.waitForWorkerThreads(suite.baselineWorkerThreads!), suite.baselineWorkerThreads, 'the runtime worker thread ended');
  });

  suite.scenario('after the Quick Fix and a new run, the Problems view has no TL001 for the file', suite.activated, async () => {
    const { workbench } = suite;
    await suite.endAnySession();
    const line = backwardLine();
    await workbench.openFile(RUNTIME_TL001);
    await workbench.goToLine(line, text().split('\n')[line - 1].indexOf('loss') + 1);
    await workbench.applyQuickFix(/zero_grad/);
    await workbench.saveActiveFile();
    await startDebugging();
    assert.notEqual(await workbench.debugToolbarState(), 'none', 'a new run started');
    // The fixed script trains its 16 batches and ends; nothing stops it.
    await workbench.waitForDebugState('none', 180_000);
    let left = await tl001Problems();
    for (const deadline = Date.now() + 10_000; left.length > 0 && Date.now() < deadline; left = await tl001Problems()) await sleep(500);
    assert.deepEqual(left, [], 'no TL001 is left for the fixed file');
    await suite.docsScreenshot('problems-runtime-finding-cleared');
  });
}
