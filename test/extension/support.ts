// Helpers for the editor tests: the repository's files, the l10n bundles as translators, the seed's train() loop.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { translatorFromBundle, type Translate } from '../../src/extension/localization';

export const repoRoot = resolve(__dirname, '..', '..');

export function readJson<T = Record<string, string>>(...path: string[]): T {
  return JSON.parse(readFileSync(join(repoRoot, ...path), 'utf8')) as T;
}

export function readRepoFile(...path: string[]): string {
  return readFileSync(join(repoRoot, ...path), 'utf8');
}

/** The Simplified Chinese translator the extension gets from vscode.l10n with `zh-cn`. */
export function chinese(): Translate {
  return translatorFromBundle(readJson('l10n', 'bundle.l10n.zh-cn.json'));
}

/** Joins lines into a script. */
export function py(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** The seed document's train() loop, as the learner reads it. */
export const SEED_TRAIN = py(
  'def train(dataloader, model, loss_fn, optimizer):',
  '    size = len(dataloader.dataset)',
  '    model.train()',
  '    for batch, (X, y) in enumerate(dataloader):',
  '        X, y = X.to(device), y.to(device)',
  '',
  '        # Compute prediction error',
  '        pred = model(X)',
  '        loss = loss_fn(pred, y)',
  '',
  '        # Backpropagation',
  '        loss.backward()',
  '        optimizer.step()',
  '        optimizer.zero_grad()',
  '',
  '        if batch % 100 == 0:',
  '            loss, current = loss.item(), (batch + 1) * len(X)',
  '            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")',
);

/** 0-based line and column of the first `needle` (after skipping `skip` occurrences). */
export function positionOf(source: string, needle: string, skip = 0): { line: number; col: number } {
  let from = 0;
  let at = -1;
  for (let i = 0; i <= skip; i++) {
    at = source.indexOf(needle, from);
    if (at < 0) throw new Error(`${needle} not found`);
    from = at + 1;
  }
  const before = source.slice(0, at);
  const line = before.split('\n').length - 1;
  return { line, col: at - (before.lastIndexOf('\n') + 1) };
}
