// What the end-to-end scenarios share: the one code-server and browser page they all drive, how a scenario is declared
// (a precondition, a screenshot on failure), assertions that collect every failure of a scenario, the README
// screenshots, and the readings several scenarios make (status bar batch, paused line, worker threads, host log errors).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO, sleep, threadNames, type CodeServer } from './codeServer';
import type { Workbench } from './workbench';

export const REQUIRED = process.env.CI === 'true' || process.env.E2E_REQUIRED === '1';
export const SCREENSHOTS = process.env.E2E_SCREENSHOTS === '1';
const SCREENSHOT_DIR = process.env.E2E_SCREENSHOTS_DIR ?? join(__dirname, 'screenshots');
/** Where the README's screenshots go (E2E_SCREENSHOTS=1): docs/ of the repository. */
const DOCS_DIR = process.env.E2E_DOCS_DIR ?? join(REPO, 'docs');

/** The scenarios pin the runtime: `auto` would pick whatever `python3` the machine has. */
export const EMBEDDED_SETTINGS = { 'trainloop.runtime': 'embedded' };

/**
 * What VS Code logs, as an error, for each of its built-in extensions in a display language whose pack translates
 * none of them (the zh-cn window's minimal pack, see displayLanguage.ts): not about Trainloop.
 */
const BUILT_IN_WITHOUT_TRANSLATION = /No bundle location found for extension vscode\./;

/**
 * Makes a README picture about 2.5× smaller (a workbench has few colours: 256, undithered, look the same) with Pillow
 * when /usr/bin/python3 has it; leaves the file as it is otherwise.
 */
function shrinkPng(file: string): void {
  const script = 'import sys\nfrom PIL import Image\nImage.open(sys.argv[1]).convert("RGB").quantize(256, dither=Image.Dither.NONE).save(sys.argv[1], optimize=True)';
  spawnSync('/usr/bin/python3', ['-c', script, file], { stdio: 'ignore', timeout: 60_000 });
}

/** 1-based number of the first line of `text` matching `pattern`. */
export function lineOf(text: string, pattern: RegExp): number {
  const index = text.split('\n').findIndex((line) => pattern.test(line));
  assert.ok(index >= 0, `no line matches ${pattern}`);
  return index + 1;
}

/** Assertions that do not stop at the first failure, so one run names every missing piece of a scenario. */
export class Checks {
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

type Precondition = () => Promise<string | undefined>;

/** The running suite: set up by workbench.test.ts's `before`, read by every scenario. */
export class Suite {
  server!: CodeServer;
  page!: Page;
  workbench!: Workbench;
  /** The trusted workspace folder the window opens (copies of the examples). */
  workspace = '';
  /** The run's folder: user data, extensions, the workspaces. */
  home = '';
  vsix = '';
  extensionActivated = false;
  /** Worker threads in the extension host before any session (other extensions may run some). */
  baselineWorkerThreads: number | undefined;
  private screenshotIndex = 0;

  readonly always: Precondition = async () => undefined;
  readonly activated: Precondition = async () => (this.extensionActivated ? undefined : 'the extension never activated');
  readonly paused: Precondition = async () => ((await this.workbench.debugToolbarState()) === 'paused' ? undefined : 'no paused Trainloop session (the scenario before did not leave one)');
  readonly live: Precondition = async () => ((await this.workbench.debugToolbarState()) !== 'none' ? undefined : 'no Trainloop session is running');

  async screenshot(name: string): Promise<string | undefined> {
    if (!this.page) return undefined;
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = join(SCREENSHOT_DIR, `${String(++this.screenshotIndex).padStart(2, '0')}-${name.replace(/[^\w]+/g, '-').replace(/^-|-$/g, '').slice(0, 60)}.png`);
    try {
      await this.page.screenshot({ path: file });
      return file;
    } catch {
      return undefined;
    }
  }

  /** A screenshot for the README (docs/<name>.png), taken only with E2E_SCREENSHOTS=1; the mouse is moved out of the way first. */
  async docsScreenshot(name: string): Promise<void> {
    if (!SCREENSHOTS) return;
    mkdirSync(DOCS_DIR, { recursive: true });
    await this.page.mouse.move(1, 999);
    const file = join(DOCS_DIR, `${name}.png`);
    await this.page.screenshot({ path: file });
    shrinkPng(file);
  }

  /**
   * A scenario. `precondition` says why it cannot run (a state an earlier scenario should have left), or nothing;
   * a failure saves a screenshot and names it; E2E_SCREENSHOTS=1 saves one either way.
   */
  scenario(name: string, precondition: Precondition, body: () => Promise<void>, options: { todo?: string } = {}): void {
    // `todo`: a known product bug makes it fail; it runs and reports, without failing the suite.
    it(name, { timeout: 300_000, ...(options.todo ? { todo: options.todo } : {}) }, async () => {
      const missing = await precondition();
      if (missing) assert.fail(`cannot run: ${missing}`);
      try {
        await body();
        if (SCREENSHOTS) await this.screenshot(name);
      } catch (error) {
        const file = await this.screenshot(`FAILED ${name}`);
        if (file && error instanceof Error) error.message += `\n(screenshot: ${file})`;
        throw error;
      }
    });
  }

  /** Ends any debug session a failed scenario left, so that the next one starts clean (not an assertion). */
  async endAnySession(): Promise<void> {
    if ((await this.workbench.debugToolbarState()) === 'none') return;
    await this.workbench.runCommand('Debug: Stop');
    await this.workbench.waitForDebugState('none', 30_000);
  }

  /** Writes the user settings (the embedded runtime unless `extra` says otherwise) and gives the workbench time to read them. */
  async settings(extra: Record<string, unknown> = {}): Promise<void> {
    this.server.writeSettings({ ...EMBEDDED_SETTINGS, ...extra });
    await sleep(1500);
  }

  assertNoExtensionHostErrors(): void {
    const errors = this.server
      .extensionHostLogs()
      .flatMap((log) => log.text.split('\n').filter((line) => (/\[error\]/i.test(line) && !BUILT_IN_WITHOUT_TRANSLATION.test(line)) || /Activating extension .?trainloop\.trainloop.? failed/i.test(line)).map((line) => `${log.path}: ${line}`));
    assert.deepEqual(errors, [], 'the extension host logged errors');
  }

  /** Threads of the extension host that are worker_threads Workers (Node names them "WorkerThread" unless named). */
  workerThreads(): number {
    const [host] = this.server.extensionHosts();
    assert.ok(host, 'no extension host process');
    return threadNames(host.pid).filter((name) => name === 'WorkerThread' || /^trainloop/i.test(name)).length;
  }

  async waitForWorkerThreads(want: number, timeout = 15_000): Promise<number> {
    const deadline = Date.now() + timeout;
    let count = this.workerThreads();
    while (count !== want && Date.now() < deadline) {
      await sleep(250);
      count = this.workerThreads();
    }
    return count;
  }

  /** The status bar's Trainloop item (`Trainloop · embedded · wasm · batch 12 · loss 0.53`) and the batch it names. */
  async statusBatch(): Promise<{ batch: number | undefined; text: string }> {
    // `Trainloop ·`: not the debug launch's own item (`Trainloop: current file (workspace)`, from launch.json).
    const text = (await this.workbench.statusTexts()).find((t) => /Trainloop ·/.test(t)) ?? '';
    const match = /\bbatch (\d+)/.exec(text) ?? /第 (\d+) 个批次/.exec(text);
    return { batch: match ? Number(match[1]) : undefined, text };
  }

  async waitForStatusBatch(want: number, timeout = 15_000): Promise<void> {
    const seen: string[] = [];
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      const { batch, text } = await this.statusBatch();
      if (seen[seen.length - 1] !== text) seen.push(text);
      if (batch === want) return;
      await sleep(200);
    }
    assert.fail(`the status bar never showed batch ${want}; it showed ${seen.map((s) => JSON.stringify(s)).join(' → ') || 'no Trainloop item'}`);
  }

  async pausedLines(): Promise<number[]> {
    return this.workbench.waitForDecoratedLines('debug-top-stack-frame-line', (lines) => lines.length > 0, 5000);
  }

  /** Where and why the session paused, for failure messages: `line 17 ("Paused on breakpoint")`. */
  async pausedWhere(lines: number[]): Promise<string> {
    await this.workbench.showRunAndDebug().catch(() => undefined);
    return `${lines.length ? `line ${lines.join(', ')}` : 'no line'} (the Call Stack says "${await this.workbench.pausedLabel()}")`;
  }
}
