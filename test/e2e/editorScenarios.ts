// The editor features that need no training run: hovers over the training-step calls, the static TL001/TL002/TL007
// squiggles with TL001's Quick Fix, and the training panel opened once and reused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './codeServer';
import { Checks, lineOf, type Suite } from './suite';

/** The static bug examples in the workspace, with the code marked on their `# expect:` line. */
const MARKED_BUGS = [
  { file: 'bugs/tl002_zero_grad_between_backward_and_step.py', code: 'TL002' },
  { file: 'bugs/tl007_softmax_into_cross_entropy.py', code: 'TL007' },
  { file: 'bugs/tl007_log_softmax_forward.py', code: 'TL007' },
];
const CORRECT_TWINS = ['bugs/tl001_ok.py', 'bugs/tl002_ok.py', 'bugs/tl007_ok.py'];

/** Workspace files these scenarios open (by their path in the repository). */
export const EDITOR_FILES: Record<string, string> = Object.fromEntries(
  [...MARKED_BUGS.map((b) => b.file), ...CORRECT_TWINS, 'bugs/tl001_missing_zero_grad.py'].map((file) => [file, `examples/${file}`]),
);

export function editorScenarios(suite: Suite): void {
  suite.scenario('hovering optimizer.zero_grad() and loss.backward() explains them; an ordinary line has no Trainloop hover', suite.activated, async () => {
    const { workbench } = suite;
    const text = readFileSync(join(suite.workspace, 'examples/quickstart.py'), 'utf8');
    const zeroGradLine = lineOf(text, /^\s*optimizer\.zero_grad\(\)/);
    const backwardLine = lineOf(text, /^\s*loss\.backward\(\)/);
    const importLine = lineOf(text, /^import /);
    await workbench.openFile('examples/quickstart.py');
    const checks = new Checks();
    await workbench.goToLine(zeroGradLine);
    const zeroGrad = await workbench.editorHover(zeroGradLine, 'zero_grad', /zero_grad/);
    checks.check(() => assert.match(zeroGrad, /optimizer\.zero_grad\(\)/, `the hover over zero_grad shows the call: "${zeroGrad}"`));
    checks.check(() => assert.match(zeroGrad, /Clears the old gradients/, `the hover says what zero_grad() does: "${zeroGrad}"`));
    checks.check(() => assert.match(zeroGrad, /accumulates gradients by default/, `the hover says why it is needed: "${zeroGrad}"`));
    await workbench.goToLine(backwardLine);
    const backward = await workbench.editorHover(backwardLine, 'backward', /Backpropagation/);
    checks.check(() => assert.match(backward, /Backpropagation/, `the hover over backward: "${backward}"`));
    await workbench.goToLine(importLine);
    await workbench.hoverWord(importLine, 'import');
    await sleep(1500);
    const shown = (await workbench.page.locator('.monaco-hover:not(.hidden)').allTextContents()).join(' ');
    checks.check(() => assert.doesNotMatch(shown, /gradients|Backpropagation/, `an import line gets no Trainloop hover: "${shown}"`));
    await workbench.page.mouse.move(5, 5);
    checks.done();
  });

  suite.scenario('TL001: a loop without zero_grad() gets a squiggle on the right line, the Quick Fix inserts the call, the squiggle goes', suite.activated, async () => {
    const { workbench } = suite;
    const file = 'bugs/tl001_missing_zero_grad.py';
    const text = readFileSync(join(suite.workspace, file), 'utf8');
    const expected = lineOf(text, /# expect: TL001/);
    await workbench.openFile(file);
    await workbench.goToLine(expected);
    const squiggles = await workbench.waitForDecoratedLines('squiggly-warning', (lines) => lines.length > 0);
    assert.deepEqual(squiggles, [expected], `TL001's squiggle belongs on line ${expected} (loss.backward())`);
    const problems = await workbench.problems();
    const tl001 = problems.filter((p) => /TL001/.test(p));
    assert.equal(tl001.length, 1, `one TL001 in the Problems view: ${problems.join(' | ')}`);
    assert.match(tl001[0], /Gradients accumulate across batches/);
    assert.match(tl001[0], new RegExp(`\\bLn ${expected}\\b`));

    await workbench.goToLine(expected, text.split('\n')[expected - 1].indexOf('loss') + 1);
    await workbench.applyQuickFix(/zero_grad/);
    // The edit lands in the editor shortly after the Quick Fix menu closes.
    const zeroGrad = (lines: Map<number, string>) => [...lines].filter(([, line]) => /^\s*optimizer\.zero_grad\(\)\s*$/.test(line));
    let fixed = await workbench.visibleLines();
    for (const deadline = Date.now() + 10_000; zeroGrad(fixed).length === 0 && Date.now() < deadline; ) {
      await sleep(250);
      fixed = await workbench.visibleLines();
    }
    const inserted = zeroGrad(fixed);
    assert.equal(inserted.length, 1, `one optimizer.zero_grad() line inserted; the editor shows:\n${[...fixed].map(([n, l]) => `${n}: ${l}`).join('\n')}`);
    const [insertedLine] = inserted[0];
    const loopLine = lineOf(text, /^\s*for inputs, targets in loader:/);
    assert.ok(insertedLine > loopLine && insertedLine <= expected + 1, `zero_grad() goes inside the loop, before the step (line ${insertedLine}, loop at ${loopLine})`);
    assert.deepEqual(await workbench.waitForDecoratedLines('squiggly-warning', (lines) => lines.length === 0), [], 'the squiggle is gone');
    // Leave the example as it is on disk.
    await workbench.runCommand('File: Revert File');
  });

  suite.scenario('TL002 and TL007 get a squiggle on the line marked "# expect:"; their correct twins get none', suite.activated, async () => {
    const { workbench } = suite;
    const checks = new Checks();
    for (const { file, code } of MARKED_BUGS) {
      const text = readFileSync(join(suite.workspace, file), 'utf8');
      const expected = lineOf(text, new RegExp(`# expect: ${code}\\b`));
      await workbench.openFile(file);
      await workbench.goToLine(expected);
      const squiggles = await workbench.waitForDecoratedLines('squiggly-warning', (lines) => lines.length > 0);
      checks.check(() => assert.deepEqual(squiggles, [expected], `${file}: ${code}'s squiggle belongs on line ${expected}`));
    }
    const problems = await workbench.problems();
    for (const { file, code } of MARKED_BUGS) {
      const name = file.split('/').pop()!;
      const expected = lineOf(readFileSync(join(suite.workspace, file), 'utf8'), new RegExp(`# expect: ${code}\\b`));
      checks.check(() => assert.ok(problems.some((p) => p.includes(code) && new RegExp(`\\bLn ${expected}\\b`).test(p)), `the Problems view lists ${code} of ${name} at line ${expected}: ${problems.join(' | ')}`));
    }
    for (const file of CORRECT_TWINS) {
      await workbench.openFile(file);
      // The analysis runs on open; give it a moment, then there must be nothing.
      await sleep(1500);
      const squiggles = await workbench.decoratedLines('squiggly-warning');
      checks.check(() => assert.deepEqual(squiggles, [], `${file} is correct: no squiggles`));
    }
    checks.done();
  });

  suite.scenario('"Show training panel" opens one panel beside the script, and asking again reuses it', suite.activated, async () => {
    const { workbench } = suite;
    const text = readFileSync(join(suite.workspace, 'examples/quickstart.py'), 'utf8');
    const loopLine = lineOf(text, /^\s*for batch, \(X, y\) in enumerate\(dataloader\):/);
    const panels = async () => (await workbench.editorTabs()).filter((label) => label === 'Training').length;
    await workbench.openFile('examples/quickstart.py');
    await workbench.goToLine(loopLine);
    await workbench.codeLens('Show training panel').click();
    await workbench.webviewFrame('header.session');
    assert.equal(await panels(), 1, `one Training tab: ${(await workbench.editorTabs()).join(' | ')}`);
    await workbench.openFile('examples/quickstart.py');
    await workbench.codeLens('Show training panel').click();
    await workbench.runCommand('Trainloop: Show Training Panel');
    await sleep(1000);
    assert.equal(await panels(), 1, `asking twice more still shows one Training tab: ${(await workbench.editorTabs()).join(' | ')}`);
  });
}
