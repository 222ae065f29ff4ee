// What a person does in the VS Code workbench, through Playwright: open files, run commands, click CodeLenses, read the
// status bar, the Variables view, hovers, squiggles, the Problems view and webviews. Selectors are VS Code's own DOM.
import type { Frame, Locator, Page } from 'playwright-core';

export const STEP_TIMEOUT = 30_000;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Workbench {
  constructor(readonly page: Page) {}

  async waitUntilReady(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    await this.page.locator('.part.statusbar').waitFor({ timeout: 90_000 });
    // The explorer shows the workspace once the remote file system is connected.
    await this.page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 90_000 });
  }

  /** Clears whatever has focus (open quick input, hover, suggest widget). */
  async escape(times = 2): Promise<void> {
    for (let i = 0; i < times; i++) await this.page.keyboard.press('Escape');
  }

  /** `pick`: the row to click, by its text, or by its accessible label (`name folder, file results`). */
  private async quickInput(prefix: string, text: string, pick: RegExp | { label: RegExp }): Promise<void> {
    await this.escape();
    await this.page.keyboard.press(prefix === '>' ? 'F1' : 'Control+P');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ timeout: STEP_TIMEOUT });
    await input.fill(`${prefix}${text}`);
    const rows = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    if (pick instanceof RegExp) {
      const row = rows.filter({ hasText: pick }).first();
      await row.waitFor({ timeout: STEP_TIMEOUT });
      await row.click();
    } else {
      await this.clickRowLabelled(rows, pick.label, text);
    }
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
  }

  /**
   * Clicks the first of `rows` whose accessible label matches, looked for again until a click lands: the list is
   * re-rendered as Quick Open filters (its recently opened files first, then the results), so a row found at one index
   * may be elsewhere, or relabelled, a moment later.
   */
  private async clickRowLabelled(rows: Locator, label: RegExp, query: string): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    for (const deadline = Date.now() + STEP_TIMEOUT; Date.now() < deadline; await this.page.waitForTimeout(100)) {
      const index = (await rows.evaluateAll((all) => all.map((r) => r.getAttribute('aria-label') ?? ''))).findIndex((text) => label.test(text));
      if (index < 0) continue;
      try {
        await rows.nth(index).click({ timeout: 1000 });
        return;
      } catch {
        // The list changed under the click: look again, unless the click landed after all (Quick Open closed).
        if (!(await widget.isVisible())) return;
      }
    }
    throw new Error(`Quick Open never listed ${label} for "${query}"`);
  }

  /** Runs a command by its title from the command palette. */
  async runCommand(title: string): Promise<void> {
    await this.quickInput('>', title, new RegExp(`^\\s*${escapeRegExp(title)}`, 'i'));
  }

  /**
   * "File: Save", then waits until the active editor's tab is no longer dirty: the save lands a moment after the
   * command, and until then Quick Open lists the file as modified (a row the file's usual label doesn't match).
   */
  async saveActiveFile(): Promise<void> {
    await this.runCommand('File: Save');
    await this.page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached', timeout: STEP_TIMEOUT });
  }

  /** Opens a workspace file through Quick Open and waits until it is the active editor. */
  async openFile(relativePath: string): Promise<void> {
    const parts = relativePath.split('/');
    const name = parts.pop()!;
    // By its absolute path when the workspace folder is known: Quick Open puts a recently opened namesake first for a
    // relative query (bugs/x.py before bugs/runtime/x.py), but an absolute path names one file. And the row is picked
    // by its folder too: until Quick Open has filtered, its list is the recently opened files, where a namesake in
    // another folder (bugs/x.py) matched the name alone and was opened now and then.
    const query = this.workspaceFolder ? `${this.workspaceFolder}/${relativePath}` : relativePath;
    await this.quickInput('', query, parts.length ? { label: new RegExp(`^${escapeRegExp(`${name} ${parts.join('/')}`)}(,|，|$)`) } : new RegExp(escapeRegExp(name)));
    await this.page.locator(`.tabs-container .tab.active[data-resource-name="${name}"]`).waitFor({ timeout: STEP_TIMEOUT });
    await this.activeEditor().locator('.view-lines').waitFor({ timeout: STEP_TIMEOUT });
    if (parts.length) await this.waitForBreadcrumbs([...parts, name]);
  }

  /** Waits until the active editor's breadcrumbs start with these folders and file (no-op without breadcrumbs). */
  private async waitForBreadcrumbs(path: string[]): Promise<void> {
    const items = this.page.locator('.editor-group-container.active .breadcrumbs-control .monaco-breadcrumb-item');
    const shown = async () => (await items.allTextContents()).map((t) => t.trim()).slice(0, path.length);
    const deadline = Date.now() + 5000;
    let seen = await shown();
    while (seen.join('/') !== path.join('/') && Date.now() < deadline) {
      await this.page.waitForTimeout(100);
      seen = await shown();
    }
    if (seen.length > 0 && seen.join('/') !== path.join('/')) throw new Error(`opened ${seen.join('/')}, not ${path.join('/')}`);
  }

  /** The workspace's folder on disk, when the test knows it (see openFile). */
  workspaceFolder: string | undefined;

  activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
  }

  /** Puts the cursor at the start of a 1-based line (Go to Line) and scrolls it into the middle of the editor. */
  async goToLine(line: number, column = 1): Promise<void> {
    await this.escape();
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ timeout: STEP_TIMEOUT });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
    await this.page.waitForFunction(
      (want) => {
        const status = Array.from(document.querySelectorAll('.statusbar-item')).map((e) => e.textContent ?? '').find((t) => /Ln \d+, Col \d+/.test(t));
        return status?.includes(`Ln ${want},`) ?? false;
      },
      line,
      { timeout: STEP_TIMEOUT },
    );
  }

  /** The text of each visible editor line, by 1-based line number. */
  async visibleLines(): Promise<Map<number, string>> {
    const rows = await this.activeEditor().evaluate((editor) => {
      const numbers = new Map<string, number>();
      for (const n of Array.from(editor.querySelectorAll<HTMLElement>('.margin-view-overlays .line-numbers'))) {
        const top = n.parentElement?.style.top ?? n.style.top;
        numbers.set(top, Number(n.textContent?.trim()));
      }
      return Array.from(editor.querySelectorAll<HTMLElement>('.view-lines .view-line')).map((l) => [numbers.get(l.style.top) ?? -1, (l.textContent ?? '').replace(/\u00a0/g, ' ')] as const);
    });
    return new Map(rows.filter(([n]) => n > 0));
  }

  /** 1-based lines of the active editor that carry a decoration with this class (squiggles, the paused line…). */
  async decoratedLines(className: string): Promise<number[]> {
    return this.activeEditor().evaluate((editor, cls) => {
      const numbers = new Map<string, number>();
      for (const n of Array.from(editor.querySelectorAll<HTMLElement>('.margin-view-overlays .line-numbers'))) {
        const top = n.parentElement?.style.top ?? n.style.top;
        numbers.set(top, Number(n.textContent?.trim()));
      }
      const lines = new Set<number>();
      for (const d of Array.from(editor.querySelectorAll<HTMLElement>(`.${cls}`))) {
        // Decorations sit in a per-line container positioned by `top` (view overlays and the margin alike).
        let row: HTMLElement | null = d;
        while (row && !row.style.top) row = row.parentElement;
        const line = row ? numbers.get(row.style.top) : undefined;
        if (line !== undefined) lines.add(line);
      }
      return [...lines].sort((a, b) => a - b);
    }, className);
  }

  /** The CodeLens with this title in the active editor (visible lines only). */
  codeLens(title: string | RegExp): Locator {
    return this.activeEditor().locator('.codelens-decoration a').filter({ hasText: title });
  }

  async codeLensTitles(): Promise<string[]> {
    return (await this.activeEditor().locator('.codelens-decoration a').allTextContents()).map((t) => t.trim());
  }

  /** The status bar entry whose text matches. */
  statusItem(text: RegExp): Locator {
    return this.page.locator('.part.statusbar .statusbar-item').filter({ hasText: text });
  }

  async statusTexts(): Promise<string[]> {
    return (await this.page.locator('.part.statusbar .statusbar-item').allTextContents()).map((t) => t.trim()).filter((t) => t.length > 0);
  }

  /** Whether a debug session is paused: the debug toolbar shows Continue. */
  async debugToolbarState(): Promise<'none' | 'paused' | 'running'> {
    const toolbar = this.page.locator('.debug-toolbar');
    if (!(await toolbar.isVisible())) return 'none';
    if (await toolbar.locator('.codicon-debug-continue').count()) return 'paused';
    return 'running';
  }

  async waitForDebugState(state: 'none' | 'paused' | 'running', timeout = 120_000): Promise<void> {
    const deadline = Date.now() + timeout;
    let last = await this.debugToolbarState();
    while (last !== state && Date.now() < deadline) {
      await this.page.waitForTimeout(250);
      last = await this.debugToolbarState();
    }
    if (last !== state) throw new Error(`the debug session is "${last}" after ${timeout / 1000} s, expected "${state}"`);
  }

  /** Shows the Run and Debug view (Variables, Call Stack, Breakpoints). */
  async showRunAndDebug(): Promise<void> {
    await this.runCommand('View: Show Run and Debug');
    await this.page.locator('.debug-viewlet').first().waitFor({ timeout: STEP_TIMEOUT });
  }

  /** The Variables view's pane. */
  variablesPane(): Locator {
    return this.page.locator('.pane').filter({ has: this.page.locator('.pane-header', { hasText: /^Variables/ }) });
  }

  /** The variables of one scope of the Variables view (expanded if needed), as name → value. */
  async scopeVariables(scope: string, timeout = 15_000): Promise<Map<string, string>> {
    const pane = this.variablesPane();
    const scopeRow = pane.locator(`.monaco-list-row[aria-label="Scope ${scope}"]`);
    await scopeRow.waitFor({ timeout });
    if ((await scopeRow.getAttribute('aria-expanded')) !== 'true') await scopeRow.locator('.monaco-tl-twistie').click();
    // Children render under the scope at aria-level 2 once the adapter answered.
    const read = () =>
      pane.locator('.monaco-list-row').evaluateAll((rows, name) => {
        const out: [string, string][] = [];
        let inside = false;
        for (const row of rows) {
          const level = row.getAttribute('aria-level');
          if (level === '1') {
            inside = row.getAttribute('aria-label') === `Scope ${name}`;
            continue;
          }
          if (!inside || level !== '2') continue;
          const label = row.querySelector('.name')?.textContent ?? '';
          out.push([label.replace(/\s*[=:]\s*$/, '').trim(), (row.querySelector('.value')?.textContent ?? '').trim()]);
        }
        return out;
      }, scope);
    const deadline = Date.now() + timeout;
    let rows = await read();
    while (rows.length === 0 && Date.now() < deadline) {
      await this.page.waitForTimeout(250);
      rows = await read();
    }
    return new Map(rows);
  }

  /** Ticks or clears an exception filter in the Breakpoints view (the Run and Debug view must be showing). */
  async setExceptionFilter(label: RegExp, checked: boolean): Promise<void> {
    const pane = this.page.locator('.pane').filter({ has: this.page.locator('.pane-header', { hasText: /^Breakpoints/ }) });
    const row = pane.locator('.monaco-list-row').filter({ hasText: label }).first();
    await row.waitFor({ timeout: STEP_TIMEOUT });
    const box = row.locator('input[type="checkbox"], .monaco-custom-toggle, .monaco-checkbox').first();
    const isChecked = async () => {
      const input = row.locator('input[type="checkbox"]');
      if (await input.count()) return input.first().isChecked();
      return (await box.getAttribute('aria-checked')) === 'true' || ((await box.getAttribute('class')) ?? '').includes('checked');
    };
    if ((await isChecked()) !== checked) await box.click();
    const deadline = Date.now() + 5000;
    while ((await isChecked()) !== checked && Date.now() < deadline) await this.page.waitForTimeout(100);
    if ((await isChecked()) !== checked) throw new Error(`could not ${checked ? 'tick' : 'clear'} the exception filter ${label}`);
  }

  /** The text of the exception widget under the line the debugger stopped at. */
  async exceptionWidget(timeout = STEP_TIMEOUT): Promise<string> {
    const widget = this.activeEditor().locator('.exception-widget').first();
    await widget.waitFor({ timeout });
    return ((await widget.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  }

  /** Hovers `word` on a line until the debug hover shows, and returns its one-line value. */
  async debugHover(line: number, word: string, attempts = 4): Promise<string> {
    const title = this.page.locator('.debug-hover-widget .title').first();
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await this.page.mouse.move(5, 5);
      await this.page.waitForTimeout(300);
      // Each try points at another character of the word: VS Code's debug hover does not start again for the
      // position it last hovered, so pointing at the same spot after a hover was cut short would never retry.
      await this.hoverWord(line, word, 0, (attempt - 1) % word.length);
      try {
        await title.waitFor({ state: 'visible', timeout: 5000 });
        return ((await title.textContent()) ?? '').trim();
      } catch {
        if (attempt === attempts) break;
      }
    }
    // Say what did show, if anything: another hover, or a debug hover without a title.
    const shown = await this.page
      .locator('.monaco-hover, .debug-hover-widget')
      .evaluateAll((nodes) => nodes.filter((n) => (n as HTMLElement).offsetParent !== null).map((n) => `${n.className}: ${(n.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 200)}`));
    throw new Error(`no debug hover over "${word}" on line ${line} after ${attempts} tries; visible hovers: ${shown.join(' | ') || 'none'}`);
  }

  /** Waits until the decorated lines satisfy `done`, and returns them (the last ones seen on timeout). */
  async waitForDecoratedLines(className: string, done: (lines: number[]) => boolean, timeout = 15_000): Promise<number[]> {
    const deadline = Date.now() + timeout;
    let lines = await this.decoratedLines(className);
    while (!done(lines) && Date.now() < deadline) {
      await this.page.waitForTimeout(250);
      lines = await this.decoratedLines(className);
    }
    return lines;
  }

  /** Opens the Quick Fix menu at the cursor (Ctrl+.) and applies the action whose title matches. */
  async applyQuickFix(title: RegExp): Promise<string> {
    const item = this.page.locator('.action-widget .monaco-list-row').filter({ hasText: title }).first();
    // Ctrl+. goes to whatever has the keyboard: give it to the editor (its cursor stays), and if the menu still does
    // not come, ask for it through the command palette, which acts on the active editor.
    const input = this.activeEditor().locator('.native-edit-context, textarea.inputarea').first();
    if (await input.count()) await input.focus({ timeout: 5000 }).catch(() => undefined);
    await this.page.keyboard.press('Control+.');
    try {
      await item.waitFor({ timeout: 10_000 });
    } catch {
      await this.runCommand('Quick Fix...');
      try {
        await item.waitFor({ timeout: STEP_TIMEOUT });
      } catch {
        const offered = await this.page.locator('.action-widget .monaco-list-row').allTextContents();
        throw new Error(`no Quick Fix matching ${title}, asked for with Ctrl+. and with the "Quick Fix..." command; offered: ${offered.join(' | ') || 'none'}`);
      }
    }
    const text = ((await item.textContent()) ?? '').trim();
    await item.click();
    await this.page.locator('.action-widget').waitFor({ state: 'hidden', timeout: STEP_TIMEOUT }).catch(() => undefined);
    return text;
  }

  /** Why the debugger says it paused, as the Call Stack's header shows it ("Paused on breakpoint", "batch 3"…). */
  async pausedLabel(): Promise<string> {
    const header = this.page.locator('.pane-header').filter({ hasText: /^Call Stack/ }).first();
    if (!(await header.count())) return '';
    return ((await header.textContent()) ?? '').replace(/^Call Stack/, '').trim();
  }

  /** The Call Stack's rows (frame name, file, line) as text. */
  /** The Call Stack's rows, once it shows one (it renders a moment after the paused state; empty after 5 s). */
  async callStack(): Promise<string[]> {
    const rows = async () => (await this.page.locator('.debug-call-stack .monaco-list-row').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
    let shown = await rows();
    for (const deadline = Date.now() + 5000; shown.length === 0 && Date.now() < deadline; shown = await rows()) await this.page.waitForTimeout(100);
    return shown;
  }

  /** Moves the mouse onto an occurrence of `word` in a visible 1-based line (its middle, or its `character`-th character), pixel precise. */
  async hoverWord(line: number, word: string, occurrence = 0, character?: number): Promise<void> {
    const box = await this.activeEditor().evaluate(
      (editor, { line, word, occurrence, character }) => {
        const numbers = new Map<string, number>();
        for (const n of Array.from(editor.querySelectorAll<HTMLElement>('.margin-view-overlays .line-numbers'))) {
          const top = n.parentElement?.style.top ?? n.style.top;
          numbers.set(top, Number(n.textContent?.trim()));
        }
        const row = Array.from(editor.querySelectorAll<HTMLElement>('.view-lines .view-line')).find((l) => numbers.get(l.style.top) === line);
        if (!row) return null;
        const pattern = new RegExp(`\\b${word}\\b`, 'g');
        const text = row.textContent ?? '';
        const matches = [...text.replace(/\u00a0/g, ' ').matchAll(pattern)];
        const match = matches[occurrence];
        if (!match || match.index === undefined) return null;
        // Walk the line's text nodes to the match and measure it.
        const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
        let offset = 0;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const length = node.textContent?.length ?? 0;
          if (match.index >= offset && match.index < offset + length) {
            const range = document.createRange();
            // The whole word, or one character of it.
            const start = match.index - offset + (character === undefined ? 0 : Math.min(character, word.length - 1));
            range.setStart(node, Math.min(start, length - 1));
            range.setEnd(node, Math.min(length, character === undefined ? start + word.length : start + 1));
            const r = range.getBoundingClientRect();
            return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
          }
          offset += length;
        }
        return null;
      },
      { line, word, occurrence, character },
    );
    if (!box) throw new Error(`"${word}" is not on visible line ${line} of the active editor`);
    await this.page.mouse.move(box.x - 30, box.y + 40);
    await this.page.mouse.move(box.x, box.y, { steps: 5 });
  }

  /** The frame of a webview whose document has an element matching `selector` (webviews nest two iframes deep). */
  async webviewFrame(selector: string, timeout = STEP_TIMEOUT): Promise<Frame> {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame()) continue;
        try {
          if ((await frame.locator(selector).count()) > 0) return frame;
        } catch {
          /* frame navigating or detached */
        }
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`no webview shows ${selector} within ${timeout / 1000} s`);
  }

  /**
   * Hovers `word` on a line until an editor hover (not the debugger's) shows text matching `expect`, and returns the
   * text last shown. Retries: under load the editor may still be scrolling to the line when the word is measured, so
   * the first hover can be a neighbour line's.
   */
  async editorHover(line: number, word: string, expect: RegExp, attempts = 4): Promise<string> {
    const hover = this.page.locator('.monaco-hover:not(.hidden)').filter({ hasText: /\S/ }).first();
    let text = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await this.page.mouse.move(5, 5);
      await this.page.waitForTimeout(300 * attempt);
      await this.hoverWord(line, word, 0, (attempt - 1) % word.length);
      try {
        await hover.waitFor({ state: 'visible', timeout: 5000 });
        text = ((await hover.textContent()) ?? '').replace(/\s+/g, ' ').trim();
        if (expect.test(text)) return text;
      } catch {
        /* no hover yet: try again */
      }
    }
    return text;
  }

  /** The inline values the debugger shows in the active editor (`X: [64, 1, 28, 28] f32, y: [64] i64`), by line. */
  async inlineValues(): Promise<Map<number, string>> {
    const rows = await this.activeEditor().evaluate((editor) => {
      const numbers = new Map<string, number>();
      for (const n of Array.from(editor.querySelectorAll<HTMLElement>('.margin-view-overlays .line-numbers'))) {
        const top = n.parentElement?.style.top ?? n.style.top;
        numbers.set(top, Number(n.textContent?.trim()));
      }
      return Array.from(editor.querySelectorAll<HTMLElement>('.view-lines .view-line'))
        .map((l) => [numbers.get(l.style.top) ?? -1, Array.from(l.querySelectorAll('.debug-inline-value')).map((v) => (v.textContent ?? '').replace(/\u00a0/g, ' ').trim()).join(' ')] as const)
        .filter(([, text]) => text.length > 0);
    });
    return new Map(rows);
  }

  /** The messages of the notification toasts on screen. */
  async notifications(): Promise<string[]> {
    return (await this.page.locator('.notifications-toasts .notification-list-item-message').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** Waits for a notification toast whose message matches, and returns its text. */
  async waitForNotification(text: RegExp, timeout = STEP_TIMEOUT): Promise<string> {
    const deadline = Date.now() + timeout;
    let shown = await this.notifications();
    while (!shown.some((t) => text.test(t)) && Date.now() < deadline) {
      await this.page.waitForTimeout(250);
      shown = await this.notifications();
    }
    const found = shown.find((t) => text.test(t));
    if (found === undefined) throw new Error(`no notification matching ${text} within ${timeout / 1000} s; shown: ${shown.join(' | ') || 'none'}`);
    return found;
  }

  /** Closes every notification toast (so that the next one can be told apart). */
  async clearNotifications(): Promise<void> {
    if ((await this.notifications()).length === 0) return;
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** The labels of the editor tabs of every group. */
  async editorTabs(): Promise<string[]> {
    return (await this.page.locator('.tabs-container .tab .label-name').allTextContents()).map((t) => t.trim());
  }

  /** Hides the panel at the bottom (Problems, Output, …) when it shows. */
  async hideBottomPanel(): Promise<void> {
    if (await this.page.locator('.part.panel.bottom').isVisible()) await this.runCommand('View: Toggle Panel Visibility');
  }

  /** Whether the Run and Debug view is showing, with its Variables pane. */
  async variablesViewShowing(): Promise<boolean> {
    return (await this.page.locator('.debug-viewlet').first().isVisible()) && (await this.variablesPane().first().isVisible());
  }

  /** The Problems view's entries under the files whose row shows `file` (e.g. `tl001_missing_zero_grad.py bugs/runtime`). */
  async problemsOf(file: RegExp): Promise<string[]> {
    const rows = await this.problemsRows();
    const out: string[] = [];
    let inside = false;
    for (const row of rows) {
      if (row.level === '1') inside = file.test(row.text);
      else if (inside) out.push(row.text);
    }
    return out;
  }

  /** The Problems view's rows with their tree level (1: a file, 2: its entries). */
  async problemsRows(): Promise<{ level: string | null; text: string }[]> {
    await this.problems();
    return this.page
      .locator('.markers-panel .monaco-list-row')
      .evaluateAll((elements) => elements.map((r) => ({ level: r.getAttribute('aria-level'), text: `${r.getAttribute('aria-label') ?? ''} | ${r.textContent ?? ''}`.replace(/\s+/g, ' ').trim() })));
  }

  /** The Problems view's rows (opened with its command): accessible label | shown text. */
  async problems(): Promise<string[]> {
    await this.runCommand('View: Focus Problems');
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    await rows.first().waitFor({ timeout: STEP_TIMEOUT }).catch(() => undefined);
    const labels = await rows.evaluateAll((elements) => elements.map((r) => `${r.getAttribute('aria-label') ?? ''} | ${r.textContent ?? ''}`));
    return labels.map((t) => t.replace(/\s+/g, ' ').trim());
  }
}
