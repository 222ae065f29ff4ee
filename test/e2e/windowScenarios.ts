// Scenarios that need a window of their own, opened last by reloading the same code-server: the display language zh-cn
// (scope names, status bar and CodeLens in Chinese) and an untrusted folder (Restricted Mode: nothing runs, the
// static checks still do).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './codeServer';
import { TRAINING_LOOP_LINE } from './quickstartScenarios';
import { Checks, lineOf, type Suite } from './suite';

/** The untrusted folder's files (by their path in it), copies of the repository's examples. */
export const UNTRUSTED_FILES: Record<string, string> = {
  'examples/quickstart.py': 'examples/quickstart.py',
  'bugs/tl001_missing_zero_grad.py': 'examples/bugs/tl001_missing_zero_grad.py',
};

/** The debugger's four scopes in Chinese, in order: Locals, Globals, Model, Training. */
const CHINESE_SCOPES = ['局部变量', '全局变量', '模型', '训练'];

export function windowScenarios(suite: Suite, untrustedFolder: () => string): void {
  /** Opens the workbench anew on `folder` (a reload when it is the same) and waits until the extension is back. */
  async function reopen(folder: string, restoresEditors: boolean): Promise<void> {
    await suite.endAnySession();
    const activations = () => suite.server.extensionHostLogs().reduce((n, log) => n + (log.text.match(/_doActivateExtension trainloop\.trainloop\b/g)?.length ?? 0), 0);
    const before = activations();
    await suite.page.goto(suite.server.urlFor(folder));
    suite.workbench.workspaceFolder = folder;
    await suite.workbench.waitUntilReady();
    // The new window restores its editors (Python files): its extension host activates Trainloop again. Under load
    // that takes a while, and an editor opened before it is still loading.
    if (!restoresEditors) return;
    const deadline = Date.now() + 120_000;
    while (activations() <= before && Date.now() < deadline) await sleep(500);
    assert.ok(activations() > before, 'the reopened window\'s extension host activates Trainloop');
  }

  suite.scenario('in zh-cn, Train one batch shows the scopes, the status bar and the CodeLens in Chinese', suite.activated, async () => {
    const { workbench } = suite;
    suite.server.setDisplayLanguage('zh-cn');
    try {
      await reopen(suite.workspace, true);
      const lang = await suite.page.evaluate(() => (globalThis as { _VSCODE_NLS_LANGUAGE?: string })._VSCODE_NLS_LANGUAGE);
      assert.equal(lang, 'zh-cn', 'the reloaded workbench runs in zh-cn (argv.json locale + the installed language pack)');
      await workbench.openFile('examples/quickstart.py');
      await workbench.goToLine(TRAINING_LOOP_LINE);
      const trainOne = workbench.codeLens('训练一个批次');
      await trainOne.waitFor({ timeout: 90_000 });
      await trainOne.click();
      await workbench.waitForDebugState('paused', 180_000);
      const checks = new Checks();
      await checks.checkAsync(() => suite.waitForStatusBatch(1));
      const status = (await suite.statusBatch()).text;
      checks.check(() => assert.match(status, /第 1 个批次 · 损失 \d/, `the status bar in Chinese: "${status}"`));
      await workbench.showRunAndDebug();
      const pane = workbench.variablesPane();
      await pane.locator('.monaco-list-row[aria-level="1"]').first().waitFor({ timeout: 15_000 });
      const scopes = (await pane.locator('.monaco-list-row[aria-level="1"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''))).map((l) => l.replace(/^Scope /, ''));
      checks.check(() => assert.deepEqual(scopes, CHINESE_SCOPES, 'the Variables view\'s scopes in Chinese'));
      // The Training scope open beside Locals, for the README's picture.
      const training = await workbench.scopeVariables('训练').catch(() => new Map<string, string>());
      checks.check(() => assert.ok(training.size > 0, 'the 训练 (Training) scope has rows'));
      await workbench.hideBottomPanel();
      await suite.docsScreenshot('zh-cn-scopes');
      await workbench.runCommand('Debug: Stop');
      await workbench.waitForDebugState('none', 30_000);
      checks.done();
    } finally {
      suite.server.setDisplayLanguage(undefined);
    }
  });

  suite.scenario('in an untrusted folder (Restricted Mode), Train one batch starts nothing and says why; the static squiggle still shows', suite.activated, async () => {
    const { workbench } = suite;
    // The python runtime asked for, so that "nothing starts" includes the user's Python.
    await suite.settings({ 'trainloop.runtime': 'python', 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' });
    const folder = untrustedFolder();
    const restricted = async () => {
      let texts = await workbench.statusTexts();
      for (const deadline = Date.now() + 30_000; !texts.some((t) => /Restricted Mode/.test(t)) && Date.now() < deadline; texts = await workbench.statusTexts()) await sleep(250);
      return texts;
    };
    await reopen(folder, false);
    let items = await restricted();
    // The window can come up before code-server has read the settings just written (trust off, the runtime
    // embedded): one more reload, with them read by now, is setup, not a second chance for the extension.
    if (!items.some((t) => /Restricted Mode/.test(t))) {
      await reopen(folder, false);
      items = await restricted();
    }
    const checks = new Checks();
    checks.check(() => assert.ok(items.some((t) => /Restricted Mode/.test(t)), `the window is in Restricted Mode; the status bar shows: ${items.join(' | ')}`));
    await workbench.openFile('examples/quickstart.py');
    await workbench.goToLine(TRAINING_LOOP_LINE);
    await workbench.codeLens('Train one batch').waitFor({ timeout: 90_000 });
    await workbench.clearNotifications();
    await workbench.codeLens('Train one batch').click();
    const said = await workbench.waitForNotification(/trusted workspace/).catch((error: Error) => error.message);
    checks.check(() => assert.match(said, /Trainloop runs scripts only in a trusted workspace\. Static diagnostics still work\./, `the notification says why nothing runs: "${said}"`));
    await sleep(3000);
    const state = await workbench.debugToolbarState();
    checks.check(() => assert.equal(state, 'none', 'no debug session starts'));
    const pythons = suite.server.processes().filter((p) => p.command.includes('native_launcher.py'));
    checks.check(() => assert.deepEqual(pythons.map((p) => p.command), [], 'no Python starts'));
    const status = (await suite.statusBatch()).text;
    checks.check(() => assert.equal(status, '', `no Trainloop status bar item: "${status}"`));

    const bug = 'bugs/tl001_missing_zero_grad.py';
    const expected = lineOf(readFileSync(join(folder, bug), 'utf8'), /# expect: TL001/);
    await workbench.openFile(bug);
    await workbench.goToLine(expected);
    const squiggles = await workbench.waitForDecoratedLines('squiggly-warning', (lines) => lines.length > 0);
    checks.check(() => assert.deepEqual(squiggles, [expected], `TL001's squiggle on line ${expected} in Restricted Mode too`));
    checks.done();
  });
}
