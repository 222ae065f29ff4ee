// The PyTorch quickstart in the embedded runtime, one session from start to Stop: Evaluate before any training, Train
// one batch (Variables revealed, This batch's gradients, the panel's loss), Train 10 batches, the debug hover, the
// inline tensor shapes, and Stop.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, sleep } from './codeServer';
import { Checks, lineOf, type Suite } from './suite';
import { variableChildren } from './variablesTree';

const quickstart = readFileSync(join(REPO, 'examples', 'quickstart.py'), 'utf8');
export const TRAINING_LOOP_LINE = lineOf(quickstart, /^\s*for batch, \(X, y\) in enumerate\(dataloader\):/);
const FIRST_BODY_LINE = TRAINING_LOOP_LINE + 1;
const EVAL_LOOP_LINE = lineOf(quickstart, /^\s*for X, y in dataloader:/);
const LOSS_LINE = lineOf(quickstart, /^\s*loss = loss_fn\(pred, y\)/);
/** The quickstart's model: three Linear layers, a weight and a bias each. */
const PARAMETERS = ['0', '2', '4'].flatMap((layer) => [`model.linear_relu_stack.${layer}.weight`, `model.linear_relu_stack.${layer}.bias`]);

export function quickstartScenarios(suite: Suite): void {
  const panelHeader = async () => {
    const panel = await suite.workbench.webviewFrame('header.session');
    return ((await panel.locator('header.session .status').textContent()) ?? '').trim();
  };
  const lossNote = async () => {
    const panel = await suite.workbench.webviewFrame('header.session');
    const section = panel.locator('section.panel-section').filter({ has: panel.locator('h2', { hasText: 'Loss per batch' }) });
    return ((await section.locator('.note').textContent()) ?? '').trim();
  };

  suite.scenario('CodeLens "Evaluate" with no session: runs test() with the initial weights, shows its loss and accuracy, trains no batch', suite.activated, async () => {
    const { workbench } = suite;
    await suite.endAnySession();
    await workbench.clearNotifications();
    await workbench.openFile('examples/quickstart.py');
    await workbench.goToLine(EVAL_LOOP_LINE);
    await workbench.codeLens('Evaluate').click();
    await workbench.waitForDebugState('paused', 180_000);
    const checks = new Checks();
    // test() over the 10000 test images, with the weights as initialised; the tooltip promised nothing is trained.
    const shown = await workbench.waitForNotification(/with the current weights/, 120_000).catch((error: Error) => error.message);
    checks.check(() =>
      assert.match(shown, /^test\(test_dataloader, model, loss_fn\) with the current weights \([\d.]+ s\): loss [\d.]+, accuracy [\d.]+ % on 10000 samples\. Nothing was trained\.$/, `the evaluation's outcome: "${shown}"`),
    );
    const stoppedAt = await suite.pausedLines();
    checks.check(() => assert.deepEqual(stoppedAt, [FIRST_BODY_LINE], `the session waits before the first training batch, on line ${FIRST_BODY_LINE}`));
    const status = (await suite.statusBatch()).text;
    checks.check(() => assert.doesNotMatch(status, /\bloss\b/, `no batch has trained, so the status bar has no loss: "${status}"`));
    const header = await panelHeader().catch((error: Error) => error.message);
    checks.check(() => assert.doesNotMatch(header, /\bloss \d/, `no batch has trained, so the panel has no loss: "${header}"`));
    const note = await lossNote().catch((error: Error) => error.message);
    checks.check(() => assert.match(note, /Last evaluation: loss [\d.]+, accuracy [\d.]+% \(10000 samples\)/, `the panel's loss chart notes the evaluation: "${note}"`));
    checks.done();
  });

  suite.scenario(
    'CodeLens "Train one batch": stops at the end of batch 1 with Variables revealed, This batch holds every parameter\'s gradient, the panel charts the loss, X is tensor[64, 1, 28, 28]',
    suite.activated,
    async () => {
      const { workbench } = suite;
      await workbench.openFile('examples/quickstart.py');
      await workbench.goToLine(TRAINING_LOOP_LINE);
      await workbench.codeLens('Train one batch').waitFor({ timeout: 30_000 });
      // The Explorer in front, so that the stop has something to reveal.
      await workbench.runCommand('View: Show Explorer');
      await workbench.codeLens('Train one batch').click();
      await workbench.waitForDebugState('running', 10_000).catch(() => undefined); // may be too quick to see
      await workbench.waitForDebugState('paused', 180_000);
      const checks = new Checks();
      // A batch stop reveals Run and Debug as a breakpoint does (debug.openDebug "openOnDebugBreak").
      await checks.checkAsync(async () => assert.ok(await workbench.variablesViewShowing(), 'the stop reveals the Run and Debug view with Variables'));
      const stoppedAt = await suite.pausedLines();
      const where = await suite.pausedWhere(stoppedAt);
      // The end of batch 1: at the loop's `for` line, before batch 2 is fetched, with batch 1's X, y, pred and loss bound.
      checks.check(() => assert.deepEqual(stoppedAt, [TRAINING_LOOP_LINE], `the session stops at the end of batch 1, on the loop line (line ${TRAINING_LOOP_LINE}), not at ${where}`));
      await checks.checkAsync(async () => {
        try {
          await suite.waitForStatusBatch(1);
        } catch (error) {
          throw new Error(`${(error as Error).message}, paused at ${where}`);
        }
      });
      const status = (await suite.statusBatch()).text;
      checks.check(() => assert.match(status, /\bloss \d/, `the status bar shows the batch's loss: "${status}"`));

      // The panel: its header names the batch and its loss, the loss chart has a point.
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !/\bloss \d/.test(await panelHeader())) await sleep(250);
      const header = await panelHeader();
      checks.check(() => assert.match(header, /Paused · .*batch 1 · loss \d/, `the training panel's header: "${header}"`));
      const panel = await workbench.webviewFrame('header.session');
      const lossSection = panel.locator('section.panel-section').filter({ has: panel.locator('h2', { hasText: 'Loss per batch' }) });
      await checks.checkAsync(async () => assert.ok((await lossSection.locator('.uplot canvas').count()) > 0, 'the loss chart is drawn'));

      // Batch 1's X in Locals (read first: the walk below folds Locals away).
      const locals = await workbench.scopeVariables('Locals');
      const X = locals.get('X');
      checks.check(() => assert.match(X ?? '', /^tensor\[64, 1, 28, 28\]/, `X in the Variables view's Locals: ${X ?? [...locals.keys()].join(', ')}`));

      // This batch: the batch, its loss, and each parameter's gradient as backward() left it (zero_grad() ran since).
      const thisBatch = await variableChildren(workbench.page, (title) => workbench.runCommand(title), ['Training', 'This batch']).catch((error: Error) => new Map([['(error)', error.message]]));
      checks.check(() => assert.equal(thisBatch.get('batch'), '1', `This batch names batch 1: ${[...thisBatch].map(([n, v]) => `${n} = ${v}`).join('; ')}`));
      checks.check(() => assert.match(thisBatch.get('loss') ?? '', /^\d+\.\d+/, 'This batch has the loss'));
      const gradients = await variableChildren(workbench.page, (title) => workbench.runCommand(title), ['Training', 'This batch', 'gradients']).catch((error: Error) => new Map([['(error)', error.message]]));
      checks.check(() => assert.deepEqual([...gradients.keys()], PARAMETERS, `This batch › gradients lists every parameter: ${[...gradients].map(([n, v]) => `${n} = ${v}`).join('; ')}`));
      for (const [name, summary] of gradients) {
        checks.check(() => assert.match(summary, /^tensor\[[\d, ]+\] .*σ=\d/, `the gradient of ${name} is summarised: "${summary}"`));
        checks.check(() => assert.doesNotMatch(summary, /all_zeros|None/, `the gradient of ${name} is the batch's, not the cleared one: "${summary}"`));
      }

      checks.done();
    },
  );

  suite.scenario('CodeLens "Train 10 batches": the status bar\'s batch advances by 10', suite.paused, async () => {
    const { workbench } = suite;
    const before = (await suite.statusBatch()).batch ?? 0;
    await workbench.openFile('examples/quickstart.py');
    await workbench.goToLine(TRAINING_LOOP_LINE);
    await workbench.codeLens('Train 10 batches').click();
    await workbench.waitForDebugState('running', 10_000).catch(() => undefined); // may be too quick to see
    await workbench.waitForDebugState('paused', 180_000);
    const checks = new Checks();
    await checks.checkAsync(() => suite.waitForStatusBatch(before + 10));
    const stoppedAt = await suite.pausedLines();
    const where = await suite.pausedWhere(stoppedAt);
    checks.check(() => assert.deepEqual(stoppedAt, [TRAINING_LOOP_LINE], `stops at the end of batch ${before + 10}, on the loop line ${TRAINING_LOOP_LINE} again, not at ${where}`));
    checks.done();
  });

  suite.scenario('hovering `loss` while paused shows its tensor summary', suite.paused, async () => {
    const { workbench } = suite;
    await workbench.goToLine(LOSS_LINE);
    const summary = await workbench.debugHover(LOSS_LINE, 'loss');
    assert.match(summary, /^tensor\b.*\d/, `the debug hover over loss: "${summary}"`);
    assert.match(summary, /grad_fn=\w+Backward/, `the summary names the grad_fn: "${summary}"`);
  });

  suite.scenario('Step Over into the next batch shows the tensors\' shapes inline beside the loop: X: [64, 1, 28, 28]', suite.paused, async () => {
    const { workbench } = suite;
    await workbench.page.mouse.move(5, 5);
    await workbench.openFile('examples/quickstart.py');
    await workbench.goToLine(TRAINING_LOOP_LINE);
    await workbench.runCommand('Debug: Step Over');
    await workbench.waitForDebugState('running', 5_000).catch(() => undefined);
    await workbench.waitForDebugState('paused', 60_000);
    const stoppedAt = await suite.pausedLines();
    assert.deepEqual(stoppedAt, [FIRST_BODY_LINE], `Step Over from the loop line fetches the next batch and stops on line ${FIRST_BODY_LINE}`);
    let inline = await workbench.inlineValues();
    for (const deadline = Date.now() + 10_000; !inline.has(TRAINING_LOOP_LINE) && Date.now() < deadline; inline = await workbench.inlineValues()) await sleep(250);
    const values = inline.get(TRAINING_LOOP_LINE) ?? '';
    assert.match(values, /\bX: \[64, 1, 28, 28\] f32\b/, `the inline values beside line ${TRAINING_LOOP_LINE}: "${values}" (all: ${[...inline].map(([n, v]) => `${n}: ${v}`).join(' | ')})`);
    assert.match(values, /\by: \[64\] i64\b/, `y's shape inline: "${values}"`);
  });

  suite.scenario('CodeLens "Stop" ends the session and its runtime worker', suite.live, async () => {
    const { workbench } = suite;
    const checks = new Checks();
    const during = suite.workerThreads();
    checks.check(() => assert.ok(during > suite.baselineWorkerThreads!, `a running session has a runtime worker thread in the extension host (${during} worker threads, ${suite.baselineWorkerThreads} before)`));
    await workbench.openFile('examples/quickstart.py');
    await workbench.goToLine(TRAINING_LOOP_LINE);
    await workbench.codeLens('Stop').click();
    await workbench.waitForDebugState('none', 30_000);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await suite.statusBatch()).text !== '') await sleep(250);
    const status = (await suite.statusBatch()).text;
    checks.check(() => assert.equal(status, '', 'the status bar item goes with the session'));
    const after = await suite.waitForWorkerThreads(suite.baselineWorkerThreads!);
    checks.check(() => assert.equal(after, suite.baselineWorkerThreads, 'the runtime worker thread ended'));
    await workbench.codeLens('Train one batch').waitFor({ timeout: 10_000 });
    const lensDeadline = Date.now() + 10_000;
    let lenses = await workbench.codeLensTitles();
    while (lenses.includes('Stop') && Date.now() < lensDeadline) {
      await sleep(250);
      lenses = await workbench.codeLensTitles();
    }
    checks.check(() => assert.ok(!lenses.includes('Stop'), `the Stop lens goes with the session: ${lenses.join(' | ')}`));
    checks.done();
  });
}
