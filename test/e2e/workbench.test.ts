// End to end in a real VS Code: the packaged .vsix installed into code-server, its workbench driven through Debian's
// Chromium with playwright-core, each scenario asserting on what the workbench shows. One code-server and one page serve
// every scenario, in order (each group's file says what it covers); the zh-cn and untrusted-folder windows come last,
// by reloading the page. Needs scripts/e2e-setup.sh's tools (Node 24 + code-server, cached) and /usr/bin/chromium;
// skips with the reason where they cannot be had, except in CI (CI=true) or with E2E_REQUIRED=1, where that is a
// failure. E2E_SCREENSHOTS=1 saves one screenshot per scenario into test/e2e/screenshots/ (or $E2E_SCREENSHOTS_DIR)
// and the README's pictures into docs/ (or $E2E_DOCS_DIR); a failed scenario always saves one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { CodeServer, REPO, descendantsOf, installTools, packagedVsix, sleep, type E2eTools } from './codeServer';
import { installDisplayLanguage } from './displayLanguage';
import { EDITOR_FILES, editorScenarios } from './editorScenarios';
import { MACHINE_SETTINGS, nativeScenarios } from './nativeScenarios';
import { quickstartScenarios } from './quickstartScenarios';
import { LAUNCH_JSON, RUNTIME_TL001, runtimeFindingScenarios } from './runtimeFindingScenarios';
import { EMBEDDED_SETTINGS, REQUIRED, Suite } from './suite';
import { UNTRUSTED_FILES, windowScenarios } from './windowScenarios';
import { Workbench } from './workbench';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The scripts the workspace gets, by their path in it (copies: the runs write beside them, the Quick Fixes edit them). */
const WORKSPACE_FILES: Record<string, string> = {
  'examples/quickstart.py': 'examples/quickstart.py',
  [RUNTIME_TL001]: `examples/${RUNTIME_TL001}`,
  ...EDITOR_FILES,
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

function copyInto(folder: string, files: Record<string, string>): void {
  for (const [target, source] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, target)), { recursive: true });
    copyFileSync(join(REPO, source), join(folder, target));
  }
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
  const suite = new Suite();
  let browser: Browser | undefined;
  let untrusted = '';

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
    await suite.server?.stop();
  }

  /** Last resort when the test process exits or is ended from outside: no code-server or Chromium may be left. */
  function killSync(): void {
    const doomed = [...(suite.server?.processes() ?? []), ...descendantsOf(process.pid).filter((p) => p.pid !== process.pid && /chrom/i.test(p.command))];
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
    suite.home = mkdtempSync(join(tmpdir(), 'trainloop-e2e-'));
    suite.workspace = join(suite.home, 'workspace');
    copyInto(suite.workspace, WORKSPACE_FILES);
    mkdirSync(join(suite.workspace, '.vscode'), { recursive: true });
    writeFileSync(join(suite.workspace, '.vscode', 'launch.json'), LAUNCH_JSON);
    untrusted = join(suite.home, 'untrusted');
    copyInto(untrusted, UNTRUSTED_FILES);
    ({ vsix: suite.vsix } = packagedVsix());
    suite.server = new CodeServer({ tools, vsix: suite.vsix, home: suite.home, workspace: suite.workspace });
    suite.server.installExtension();
    installDisplayLanguage(suite.server, suite.home, 'zh-cn');
    suite.server.writeSettings(EMBEDDED_SETTINGS);
    suite.server.writeMachineSettings(MACHINE_SETTINGS);
    suite.server.setDisplayLanguage(undefined);
    await suite.server.start();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--disable-dev-shm-usage'],
    });
    suite.page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    suite.page.setDefaultTimeout(30_000);
    await suite.page.goto(suite.server.url);
    suite.workbench = new Workbench(suite.page);
    suite.workbench.workspaceFolder = suite.workspace;
    await suite.workbench.waitUntilReady();
  });

  after(async () => {
    await stopEverything();
    process.removeListener('exit', killSync);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(signal, onSignal);
    const left = suite.server ? suite.server.processes() : [];
    if (suite.home && left.length === 0) rmSync(suite.home, { recursive: true, force: true });
    assert.deepEqual(left.map((p) => p.command), [], 'code-server left processes behind');
  });

  // ---- the package and activation ------------------------------------------------------------------------------

  suite.scenario('the .vsix holds the bundles, Pyodide, tfjs .wasm, media, grammar and l10n, and nothing else', suite.always, async () => {
    const packageScript = pathToFileURL(join(REPO, 'scripts', 'package.mjs')).href;
    const { checkVsix } = (await import(packageScript)) as { checkVsix: (file: string) => string[] };
    assert.deepEqual(checkVsix(suite.vsix), [], `${suite.vsix} is not what npm run package should make`);
  });

  suite.scenario('opening a Python file activates the extension, with no errors in the extension host log', suite.always, async () => {
    const { server, workbench } = suite;
    await workbench.openFile('examples/quickstart.py');
    const deadline = Date.now() + 30_000;
    while (!suite.extensionActivated && Date.now() < deadline) {
      suite.extensionActivated = server.extensionHostLogs().some((log) => /_doActivateExtension trainloop\.trainloop\b/.test(log.text));
      if (!suite.extensionActivated) await sleep(250);
    }
    const logs = server.extensionHostLogs();
    assert.ok(logs.length > 0, `no extension host log under ${server.userDataDir}/logs`);
    assert.ok(suite.extensionActivated, `the extension host log never says trainloop.trainloop was activated:\n${logs.map((l) => l.text).join('\n').slice(-3000)}`);
    suite.assertNoExtensionHostErrors();
    const hosts = server.extensionHosts();
    assert.equal(hosts.length, 1, `one extension host expected, found: ${hosts.map((h) => h.command).join('\n')}`);
    suite.baselineWorkerThreads = suite.workerThreads();
  });

  // ---- the scenarios, in the order they run ---------------------------------------------------------------------

  editorScenarios(suite);
  quickstartScenarios(suite);
  runtimeFindingScenarios(suite);
  nativeScenarios(suite);
  windowScenarios(suite, () => untrusted);

  suite.scenario('the extension host logs stay free of errors through all of it', suite.activated, async () => {
    suite.assertNoExtensionHostErrors();
  });
});
