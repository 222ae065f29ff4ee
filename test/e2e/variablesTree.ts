// Walks VS Code's Variables view with the keyboard, as a person does, to read a node nested under a scope (Training ›
// This batch › gradients): the view is a virtual list that renders only the rows in sight, so the walk moves the focus
// row by row (the list scrolls to it) instead of looking for rows that may not be rendered.
import type { Page } from 'playwright-core';

/** The focused row of the Variables view. */
export interface VariableRow {
  level: number;
  name: string;
  value: string;
  expanded: boolean | undefined;
  index: number;
}

async function focusedRow(page: Page): Promise<VariableRow | undefined> {
  return page.evaluate(() => {
    const pane = Array.from(document.querySelectorAll('.pane')).find((p) => p.querySelector('.pane-header')?.textContent?.startsWith('Variables'));
    const row = pane?.querySelector<HTMLElement>('.monaco-list-row.focused');
    if (!row) return undefined;
    const expanded = row.getAttribute('aria-expanded');
    const scope = /^Scope (.*)$/.exec(row.getAttribute('aria-label') ?? '');
    const name = scope ? scope[1] : (row.querySelector('.name')?.textContent ?? '').replace(/\s*[=:]\s*$/, '').trim();
    return {
      level: Number(row.getAttribute('aria-level')),
      name,
      value: (row.querySelector('.value')?.textContent ?? '').trim(),
      expanded: expanded === null ? undefined : expanded === 'true',
      index: Number(row.getAttribute('data-index')),
    };
  });
}

/** Whether the row after the focused one is a child of it (the adapter answered the expansion). */
async function childrenShown(page: Page, row: VariableRow): Promise<boolean> {
  return page.evaluate(
    ({ index, level }) =>
      Array.from(document.querySelectorAll<HTMLElement>('.monaco-list-row')).some(
        (r) => r.getAttribute('data-index') === String(index + 1) && Number(r.getAttribute('aria-level')) === level + 1 && r.closest('.pane')?.querySelector('.pane-header')?.textContent?.startsWith('Variables'),
      ),
    { index: row.index, level: row.level },
  );
}

/** Moves the focus one row down; undefined at the end of the list. */
async function down(page: Page, from: VariableRow): Promise<VariableRow | undefined> {
  await page.keyboard.press('ArrowDown');
  for (let i = 0; i < 20; i++) {
    const row = await focusedRow(page);
    if (row && row.index !== from.index) return row;
    await page.waitForTimeout(25);
  }
  return undefined;
}

/** Expands the focused row and waits for its children. */
async function expand(page: Page, row: VariableRow, timeout: number): Promise<void> {
  if (row.expanded !== true) await page.keyboard.press('ArrowRight');
  const deadline = Date.now() + timeout;
  while (!(await childrenShown(page, row))) {
    if (Date.now() > deadline) throw new Error(`"${row.name}" in the Variables view shows no children within ${timeout / 1000} s`);
    await page.waitForTimeout(100);
  }
}

/**
 * The children (name → value) of the node at `path` in the Variables view, e.g. `['Training', 'This batch',
 * 'gradients']`, expanding each step. Other scopes are collapsed on the way so that the list stays short. Fails with
 * the names it saw at the level where a step was missing.
 */
export async function variableChildren(page: Page, runCommand: (title: string) => Promise<void>, path: readonly string[], timeout = 15_000): Promise<Map<string, string>> {
  await runCommand('Run and Debug: Focus on Variables View');
  await page.keyboard.press('Home');
  let row = await focusedRow(page);
  for (let deadline = Date.now() + timeout; !row && Date.now() < deadline; row = await focusedRow(page)) {
    await page.keyboard.press('Home');
    await page.waitForTimeout(200);
  }
  if (!row) throw new Error('the Variables view has no rows');
  for (let depth = 0; depth < path.length; depth++) {
    const level = depth + 1;
    const seen: string[] = [];
    while (row && !(row.level === level && row.name === path[depth])) {
      if (row.level < level) throw new Error(`no "${path[depth]}" under ${path.slice(0, depth).join(' › ') || 'the scopes'}; it has: ${seen.join(', ')}`);
      if (row.level === level) {
        seen.push(row.name);
        // A sibling's children would only lengthen the walk.
        if (row.expanded === true) {
          await page.keyboard.press('ArrowLeft');
          await page.waitForTimeout(50);
        }
      }
      row = await down(page, row);
    }
    if (!row) throw new Error(`no "${path[depth]}" under ${path.slice(0, depth).join(' › ') || 'the scopes'}; it has: ${seen.join(', ')}`);
    await expand(page, row, timeout);
    row = (await focusedRow(page)) ?? row;
    if (depth < path.length - 1) row = await down(page, row);
  }
  const parent = row!;
  const children = new Map<string, string>();
  for (let next = await down(page, parent); next && next.level > parent.level; next = await down(page, next)) {
    if (next.level === parent.level + 1) children.set(next.name, next.value);
  }
  // Back to the top, where the scopes are.
  await page.keyboard.press('Home');
  return children;
}
