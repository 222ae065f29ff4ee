// End to end in a real VS Code: the packaged .vsix installed into code-server, its workbench driven through Debian's
// Chromium with playwright-core, each scenario asserting on what the workbench shows. Needs scripts/e2e-setup.sh's
// tools (Node 24 + code-server, cached) and /usr/bin/chromium; skips with the reason where they cannot be had, except
// in CI (CI=true) or with E2E_REQUIRED=1, where that is a failure. E2E_SCREENSHOTS=1 saves one screenshot per
// scenario (a failed scenario always saves one) into test/e2e/screenshots/ or $E2E_SCREENSHOTS_DIR.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { quickstartCopy } from '../support/quickstartCopy';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { CodeServer, REPO, descendantsOf, installTools, packagedVsix, processesWhere, sleep, threadNames, type E2eTools } from './codeServer';
import { Workbench } from './workbench';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REQUIRED = process.env.CI === 'true' || process.env.E2E_REQUIRED === '1';
const SCREENSHOTS = process.env.E2E_SCREENSHOTS === '1';
const SCREENSHOT_DIR = process.env.E2E_SCREENSHOTS_DIR ?? join(__dirname, 'screenshots');
/** The native scenario's interpreter: Debian's python3-torch (torch 1.13, with torchvision). */
const DEBIAN_PYTHON = '/usr/bin/python3';
/** The scenarios pin the runtime: `auto` would pick whatever `python3` the machine has. */
const EMBEDDED_SETTINGS = { 'trainloop.runtime': 'embedded' };
/** trainloop.python is machine-overridable: a remote window reads it from the machine settings, not the user's. */
const MACHINE_SETTINGS = { 'trainloop.python': DEBIAN_PYTHON };

/** The scripts the workspace gets, by their path in it (copies: the runs write beside them, the Quick Fix edits one). */
const WORKSPACE_FILES: Record<string, string> = {
  'examples/quickstart.py': 'examples/quickstart.py',
  'bugs/tl001_missing_zero_grad.py': 'examples/bugs/tl001_missing_zero_grad.py',
  'bugs/runtime/tl001_missing_zero_grad.py': 'examples/bugs/runtime/tl001_missing_zero_grad.py',
};

function prerequisites(): { tools?: E2eTools; problem?: string } {
  if (!existsSync(CHROMIUM)) return { problem: `no Chromium at ${CHROMIUM} (Debian: apt-get install chromium)` };
  try {
    require.resolve('playwright-core');
  } catch {
    return { problem: 'playwright-core is not installed (npm ci)' };
  }
  return installTools();
}

/** 1-based number of the first line of `text` matching `pattern`. */
function lineOf(text: string, pattern: RegExp): number {
  const index = text.split('\n').findIndex((line) => pattern.test(line));
  assert.ok(index >= 0, `no line matches ${pattern}`);
  return index + 1;
}

const setup = prerequisites();
if (setup.problem) {
  const message = `end-to-end suite ${REQUIRED ? 'cannot run' : 'skipped'}: ${setup.problem}`;
  process.stderr.write(`\n${message}\n\n`);
  if (REQUIRED) it('the end-to-end tools install (scripts/e2e-setup.sh, Chromium)', () => assert.fail(message));
  else it('Trainloop in a real VS Code (code-server + Chromium)', { skip: setup.problem }, () => undefined);
}

describe('Trainloop in a real VS Code (code-server + Chromium)', () => {
  if (setup.problem) return;
  const tools = setup.tools!;
  let home = '';
  let workspace = '';
  let vsix = '';
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let workbench: Workbench;
  let screenshotIndex = 0;
  /** Worker threads in the extension host before any session (other extensions may run some). */
  let baselineWorkerThreads: number | undefined;
  let extensionActivated = false;

  async function screenshot(name: string): Promise<string | undefined> {
    if (!page) return undefined;
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = join(SCREENSHOT_DIR, `${String(++screenshotIndex).padStart(2, '0')}-${name.replace(/[^\w]+/g, '-').replace(/^-|-$/g, '').slice(0, 60)}.png`);
    try {
      await page.screenshot({ path: file });
      return file;
    } catch {
      return undefined;
    }
  }

  /**
   * A scenario. `precondition` says why it cannot run (a state an earlier scenario should have left), or nothing;
   * a failure saves a screenshot and names it; E2E_SCREENSHOTS=1 saves one either way.
   */
  function scenario(name: string, precondition: () => Promise<string | undefined>, body: () => Promise<void>): void {
    it(name, { timeout: 300_000 }, async () => {
      const missing = await precondition();
      if (missing) assert.fail(`cannot run: ${missing}`);
      try {
        await body();
        if (SCREENSHOTS) await screenshot(name);
      } catch (error) {
        const file = await screenshot(`FAILED ${name}`);
        if (file && error instanceof Error) error.message += `\n(screenshot: ${file})`;
        throw error;
      }
    });
  }

  const always = async () => undefined;
  const activated = async () => (extensionActivated ? undefined : 'the extension never activated');
  const paused = async () => ((await workbench.debugToolbarState()) === 'paused' ? undefined : 'no paused Trainloop session (the one-batch scenario did not leave one)');
  const live = async () => ((await workbench.debugToolbarState()) !== 'none' ? undefined : 'no Trainloop session is running');

  /** Assertions that do not stop at the first failure, so one run names every missing piece of a scenario. */
  class Checks {
    private readonly failures: string[] = [];
    check(fn: () => void): void {
      try {
        fn();
      } catch (error) {
        this.failures.push(error instanceof Error ? error.message.split('\n')[0] : String(error));
      }
    }
    async checkAsync(fn: () => Promise<void>): Promise<void> {
      try {
        await fn();
      } catch (error) {
        this.failures.push(error instanceof Error ? error.message.split('\n')[0] : String(error));
      }
    }
    done(): void {
      if (this.failures.length) assert.fail(this.failures.map((f) => `- ${f}`).join('\n'));
    }
  }

  /** Ends whatever this suite started (code-server's process group, Chromium), also when called twice. */
  async function stopEverything(): Promise<void> {
    try {
      await browser?.close();
    } catch {
      /* already gone */
    }
    browser = undefined;
    // Chromium's processes are this test process's descendants; none may outlive the suite.
    for (const p of descendantsOf(process.pid)) {
      if (p.pid !== process.pid && /chrom/i.test(p.command)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    await server?.stop();
  }

  /** Last resort when the test process exits or is ended from outside: no code-server or Chromium may be left. */
  function killSync(): void {
    const doomed = [...(server?.processes() ?? []), ...descendantsOf(process.pid).filter((p) => p.pid !== process.pid && /chrom/i.test(p.command))];
    for (const p of doomed) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }

  function onSignal(signal: NodeJS.Signals): void {
    killSync();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  }

  before(async () => {
    process.once('exit', killSync);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, onSignal);
    home = mkdtempSync(join(tmpdir(), 'trainloop-e2e-'));
    workspace = join(home, 'workspace');
    for (const [target, source] of Object.entries(WORKSPACE_FILES)) {
      mkdirSync(dirname(join(workspace, target)), { recursive: true });
      copyFileSync(join(REPO, source), join(workspace, target));
    }
    ({ vsix } = packagedVsix());
    server = new CodeServer({ tools, vsix, home, workspace });
    server.installExtension();
    server.writeSettings(EMBEDDED_SETTINGS);
    server.writeMachineSettings(MACHINE_SETTINGS);
    await server.start();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.setDefaultTimeout(30_000);
    await page.goto(server.url);
    workbench = new Workbench(page);
    workbench.workspaceFolder = workspace;
    await workbench.waitUntilReady();
  });

  after(async () => {
    await stopEverything();
    process.removeListener('exit', killSync);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(signal, onSignal);
    const left = server ? server.processes() : [];
    if (home && left.length === 0) rmSync(home, { recursive: true, force: true });
    assert.deepEqual(left.map((p) => p.command), [], 'code-server left processes behind');
  });

  // ---- the package -----------------------------------------------------------------------------------------------

  scenario('the .vsix holds the bundles, Pyodide, tfjs .wasm, media, grammar and l10n, and nothing else', always, async () => {
    const packageScript = pathToFileURL(join(REPO, 'scripts', 'package.mjs')).href;
    const { checkVsix } = (await import(packageScript)) as { checkVsix: (file: string) => string[] };
    assert.deepEqual(checkVsix(vsix), [], `${vsix} is not what npm run package should make`);
  });

  // ---- activation ------------------------------------------------------------------------------------------------

  scenario('opening a Python file activates the extension, with no errors in the extension host log', always, async () => {
    await workbench.openFile('examples/quickstart.py');
    const deadline = Date.now() + 30_000;
    while (!extensionActivated && Date.now() < deadline) {
      extensionActivated = server!.extensionHostLogs().some((log) => /_doActivateExtension trainloop\.trainloop\b/.test(log.text));
      if (!extensionActivated) await sleep(250);
    }
    const logs = server!.extensionHostLogs();
    assert.ok(logs.length > 0, `no extension host log under ${server!.userDataDir}/logs`);
    assert.ok(extensionActivated, `the extension host log never says trainloop.trainloop was activated:\n${logs.map((l) => l.text).join('\n').slice(-3000)}`);
    assertNoExtensionHostErrors();
    const hosts = server!.extensionHosts();
    assert.equal(hosts.length, 1, `one extension host expected, found: ${hosts.map((h) => h.command).join('\n')}`);
    baselineWorkerThreads = workerThreads();
  });

  function assertNoExtensionHostErrors(): void {
    const errors = server!
      .extensionHostLogs()
      .flatMap((log) => log.text.split('\n').filter((line) => /\[error\]/i.test(line) || /Activating extension .?trainloop\.trainloop.? failed/i.test(line)).map((line) => `${log.path}: ${line}`));
    assert.deepEqual(errors, [], 'the extension host logged errors');
  }

  /** Threads of the extension host that are worker_threads Workers (Node names them "WorkerThread" unless named). */
  function workerThreads(): number {
    const [host] = server!.extensionHosts();
    assert.ok(host, 'no extension host process');
    return threadNames(host.pid).filter((name) => name === 'WorkerThread' || /^trainloop/i.test(name)).length;
  }

  async function waitForWorkerThreads(want: number, timeout = 15_000): Promise<number> {
    const deadline = Date.now() + timeout;
    let count = workerThreads();
    while (count !== want && Date.now() < deadline) {
      await sleep(250);
      count = workerThreads();
    }
    return count;
  }

  /** Ends any debug session a failed scenario left, so that the next one starts clean (not an assertion). */
  async function endAnySession(): Promise<void> {
    if ((await workbench.debugToolbarState()) === 'none') return;
    await workbench.runCommand('Debug: Stop');
    await workbench.waitForDebugState('none', 30_000);
  }

  // ---- the quickstart, one batch at a time --------------------------------------------------------------------------

  const quickstart = readFileSync(join(REPO, 'examples', 'quickstart.py'), 'utf8');
  const trainingLoopLine = lineOf(quickstart, /^\s*for batch, \(X, y\) in enumerate\(dataloader\):/);
  const lossLine = lineOf(quickstart, /^\s*loss = loss_fn\(pred, y\)/);

  /** The status bar's Trainloop item (`Trainloop · wasm · batch 12 · loss 0.53`) and the batch it names. */
  async function statusBatch(): Promise<{ batch: number | undefined; text: string }> {
    const text = (await workbench.statusTexts()).find((t) => /Trainloop/.test(t)) ?? '';
    const match = /\bbatch (\d+)/.exec(text);
    return { batch: match ? Number(match[1]) : undefined, text };
  }

  async function waitForStatusBatch(want: number, timeout = 15_000): Promise<void> {
    const seen: string[] = [];
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      const { batch, text } = await statusBatch();
      if (seen[seen.length - 1] !== text) seen.push(text);
      if (batch === want) return;
      await sleep(200);
    }
    assert.fail(`the status bar never showed batch ${want}; it showed ${seen.map((s) => JSON.stringify(s)).join(' → ') || 'no Trainloop item'}`);
  }

  async function pausedLines(): Promise<number[]> {
    return workbench.waitForDecoratedLines('debug-top-stack-frame-line', (lines) => lines.length > 0, 5000);
  }

  /** Where and why the session paused, for failure messages: `line 17 ("Paused on breakpoint")`. */
  async function pausedWhere(lines: number[]): Promise<string> {
    await workbench.showRunAndDebug().catch(() => undefined);
    return `${lines.length ? `line ${lines.join(', ')}` : 'no line'} (the Call Stack says "${await workbench.pausedLabel()}")`;
  }

  scenario('CodeLens "Train one batch" on the quickstart: stops at the end of batch 1, the panel charts a loss, X is tensor[64, 1, 28, 28]', activated, async () => {
    await workbench.openFile('examples/quickstart.py');
    await workbench.goToLine(trainingLoopLine);
    await workbench.codeLens('Train one batch').waitFor({ timeout: 30_000 });
    const lenses = await workbench.codeLensTitles();
    assert.ok(lenses.includes('Show training panel'), `CodeLenses: ${lenses.join(' | ')}`);
    await workbench.codeLens('Show training panel').click();
    const panel = await workbench.webviewFrame('header.session');

    await workbench.codeLens('Train one batch').click();
    await workbench.waitForDebugState('paused', 180_000);
    const checks = new Checks();
    const stoppedAt = await pausedLines();
    const where = await pausedWhere(stoppedAt);
    // The end of batch 1: at the loop's `for` line, before batch 2 is fetched, with batch 1's X, y, pred and loss bound.
    checks.check(() => assert.deepEqual(stoppedAt, [trainingLoopLine], `the session stops at the end of batch 1, on the loop line (line ${trainingLoopLine}), not at ${where}`));
    await checks.checkAsync(async () => {
      try {
        await waitForStatusBatch(1);
      } catch (error) {
        throw new Error(`${(error as Error).message}, paused at ${where}`);
      }
    });
    await checks.checkAsync(async () => assert.match((await statusBatch()).text, /\bloss \d/, 'the status bar shows the last loss'));

    // The panel: its header names the batch and its loss, the loss chart has a point.
    const header = panel.locator('header.session .status');
    const lossSection = panel.locator('section.panel-section').filter({ has: panel.locator('h2', { hasText: 'Loss per batch' }) });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !/\bloss \d/.test((await header.textContent()) ?? '')) await sleep(250);
    const headerText = ((await header.textContent()) ?? '').trim();
    const note = ((await lossSection.locator('.note').textContent()) ?? '').trim();
    checks.check(() => assert.match(headerText, /Paused · .*batch \d+ · loss \d/, `the training panel shows no loss point: its header says "${headerText}", the loss chart says "${note}"`));
    checks.check(() => assert.equal(note, '', `the loss chart's note: "${note}"`));
    await checks.checkAsync(async () => assert.ok((await lossSection.locator('.uplot canvas').count()) > 0, 'the loss chart is not drawn'));

    await workbench.showRunAndDebug();
    const locals = await workbench.scopeVariables('Locals');
    const X = locals.get('X');
    checks.check(() => assert.ok(X !== undefined, `the Variables view's Locals of train() have no X: ${[...locals].map(([n, v]) => `${n} = ${v}`).join('; ')}`));
    if (X !== undefined) checks.check(() => assert.match(X, /^tensor\[64, 1, 28, 28\]/, 'X in the Variables view'));
    checks.done();
  });

  scenario('CodeLens "Train 10 batches": the status bar\'s batch advances by 10', paused, async () => {
    const before = (await statusBatch()).batch ?? 0;
    await workbench.openFile('examples/quickstart.py');
    await workbench.goToLine(trainingLoopLine);
    await workbench.codeLens('Train 10 batches').click();
    await workbench.waitForDebugState('running', 10_000).catch(() => undefined); // may be too quick to see
    await workbench.waitForDebugState('paused', 180_000);
    const checks = new Checks();
    await checks.checkAsync(() => waitForStatusBatch(before + 10));
    const stoppedAt = await pausedLines();
    const where = await pausedWhere(stoppedAt);
    checks.check(() => assert.deepEqual(stoppedAt, [trainingLoopLine], `stops at the end of batch ${before + 10}, on the loop line ${trainingLoopLine} again, not at ${where}`));
    checks.done();
  });

  scenario('hovering `loss` while paused shows its tensor summary', paused, async () => {
    await workbench.goToLine(lossLine);
    const summary = await workbench.debugHover(lossLine, 'loss');
    assert.match(summary, /^tensor\b.*\d/, `the debug hover over loss: "${summary}"`);
    assert.match(summary, /grad_fn=\w+Backward/, `the summary names the grad_fn: "${summary}"`);
    // The hover stays up for the scenario's screenshot; the next scenario's first step closes it.
  });

  scenario('CodeLens "Stop" ends the session and its runtime worker', live, async () => {
    const checks = new Checks();
    const during = workerThreads();
    checks.check(() => assert.ok(during > baselineWorkerThreads!, `a running session has a runtime worker thread in the extension host (${during} worker threads, ${baselineWorkerThreads} before)`));
    await workbench.openFile('examples/quickstart.py');
    await workbench.goToLine(trainingLoopLine);
    await workbench.codeLens('Stop').click();
    await workbench.waitForDebugState('none', 30_000);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await statusBatch()).text !== '') await sleep(250);
    const status = (await statusBatch()).text;
    checks.check(() => assert.equal(status, '', 'the status bar item goes with the session'));
    const after = await waitForWorkerThreads(baselineWorkerThreads!);
    checks.check(() => assert.equal(after, baselineWorkerThreads, 'the runtime worker thread ended'));
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

  // ---- diagnostics ------------------------------------------------------------------------------------------------

  scenario('TL001: a loop without zero_grad() gets a squiggle on the right line, the Quick Fix inserts the call, the squiggle goes', activated, async () => {
    const file = 'bugs/tl001_missing_zero_grad.py';
    const text = readFileSync(join(workspace, file), 'utf8');
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
  });

  scenario('the TL001 exception filter stops the run where the accumulated gradients are used, with TL001\'s message', activated, async () => {
    await endAnySession();
    const file = 'bugs/runtime/tl001_missing_zero_grad.py';
    const text = readFileSync(join(workspace, file), 'utf8');
    // The runtime sees the accumulation when optimizer.step() consumes the gradients: the run stops there, where
    // execution is, and TL001's report names the backward() line it is about.
    const backwardLine = lineOf(text, /# expect: TL001/);
    const stepLine = lineOf(text, /^\s*optimizer\.step\(\)/);
    // The detectors' codes are one "Training Problems" filter (on by default); the setting picks the codes it stops on.
    server!.writeSettings({ ...EMBEDDED_SETTINGS, 'trainloop.stopOnTrainingProblems': ['TL001'] });
    await sleep(1000); // the workbench reads the changed settings file
    await workbench.showRunAndDebug();
    await workbench.setExceptionFilter(/^Training Problems/, true);
    await workbench.openFile(file);
    await workbench.goToLine(lineOf(text, /^\s*for inputs, targets in loader:/));
    await workbench.codeLens('Train 10 batches').click();
    await workbench.waitForDebugState('paused', 180_000);
    const checks = new Checks();
    const widget = await workbench.exceptionWidget().catch((error: Error) => `(no exception widget: ${error.message.split('\n')[0]})`);
    checks.check(() => assert.match(widget, /TL001/, `the exception widget names TL001: "${widget}"`));
    checks.check(() => assert.match(widget, /Gradients accumulate across batches/, `the exception widget shows TL001's message: "${widget}"`));
    const stoppedAt = await pausedLines();
    const where = await pausedWhere(stoppedAt);
    checks.check(() => assert.deepEqual(stoppedAt, [stepLine], `the run stops on line ${stepLine}, the optimizer.step() that uses the accumulated gradients, not at ${where}`));
    const label = await workbench.pausedLabel();
    checks.check(() => assert.match(label, new RegExp(`TL001 \\(line ${backwardLine}\\)`), `the Call Stack says why, naming the backward() line ${backwardLine}: "${label}"`));
    checks.done();
  });

  scenario('"Trainloop: Stop Training" ends the TL001 run and its worker', live, async () => {
    await workbench.runCommand('Trainloop: Stop Training');
    await workbench.waitForDebugState('none', 30_000);
    assert.equal(await waitForWorkerThreads(baselineWorkerThreads!), baselineWorkerThreads, 'the runtime worker thread ended');
  });

  // ---- the native runtime: the user's Python and real PyTorch ------------------------------------------------------

  scenario('with trainloop.runtime "python", Train one batch runs the quickstart in real PyTorch: the status bar names torch, X is [64, 1, 28, 28]', activated, async () => {
    await endAnySession();
    if (spawnSync(DEBIAN_PYTHON, ['-c', 'import torch, torchvision']).status !== 0) {
      if (REQUIRED) assert.fail(`${DEBIAN_PYTHON} cannot import torch and torchvision (apt-get install python3-torch python3-torchvision)`);
      process.stderr.write(`SKIP: the native e2e scenario needs torch and torchvision for ${DEBIAN_PYTHON}\n`);
      return;
    }
    // A copy beside the embedded one, with its data where torchvision reads root="data" and torch 1.13's device line.
    quickstartCopy(true, join(workspace, 'native'));
    server!.writeSettings({ ...EMBEDDED_SETTINGS, 'trainloop.runtime': 'python' });
    await sleep(3000); // the workbench reads the changed settings file
    try {
      await workbench.openFile('native/quickstart.py');
      await workbench.goToLine(trainingLoopLine);
      await workbench.codeLens('Train one batch').click();
      await workbench.waitForDebugState('paused', 180_000);
      const checks = new Checks();
      const status = (await workbench.statusTexts()).find((t) => /Trainloop/.test(t)) ?? '';
      checks.check(() => assert.match(status, /Python 3\.\d+.*torch 1\.13/, `the status bar names the interpreter and torch: "${status}"`));
      await workbench.showRunAndDebug();
      const X = (await workbench.scopeVariables('Locals')).get('X');
      checks.check(() => assert.match(X ?? '', /^tensor\[64, 1, 28, 28\]/, `X in the Variables view: "${X}"`));
      const pythons = () => processesWhere((p) => p.command.includes('native_launcher.py'));
      checks.check(() => assert.equal(pythons().length, 1, 'one python process runs the script'));
      await workbench.codeLens('Stop').click();
      await workbench.waitForDebugState('none', 30_000);
      const deadline = Date.now() + 5000;
      while (pythons().length > 0 && Date.now() < deadline) await sleep(200);
      checks.check(() => assert.deepEqual(pythons().map((p) => p.command), [], 'Stop ends the python process'));
      checks.done();
    } finally {
      server!.writeSettings(EMBEDDED_SETTINGS);
    }
  });

  scenario('the extension host log stays free of errors through all of it', activated, async () => {
    assertNoExtensionHostErrors();
  });
});
