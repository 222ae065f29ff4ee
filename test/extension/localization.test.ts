// Every user-facing string has English and Simplified Chinese: the l10n bundles cover every message the code localizes, package.nls files cover every %key% of package.json, and translations keep their placeholders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allMessages, messagesInCode } from './l10nKeys';
import { readJson, readRepoFile } from './support';

function placeholders(text: string): string[] {
  const names: string[] = [];
  let i = 0;
  for (;;) {
    const open = text.indexOf('{', i);
    if (open < 0) break;
    const close = text.indexOf('}', open);
    if (close < 0) break;
    names.push(text.slice(open + 1, close));
    i = close + 1;
  }
  return names.sort();
}

const english = readJson('l10n', 'bundle.l10n.json');
const chinese = readJson('l10n', 'bundle.l10n.zh-cn.json');

test('every message the code localizes is in both bundles', () => {
  const missing = (bundle: Record<string, string>) => allMessages().filter((m) => !(m in bundle));
  assert.deepEqual(missing(english), [], 'missing from l10n/bundle.l10n.json');
  assert.deepEqual(missing(chinese), [], 'missing from l10n/bundle.l10n.zh-cn.json');
});

test('no stale keys, the English bundle is the identity, and translations are Chinese with the same placeholders', () => {
  const used = new Set(allMessages());
  assert.deepEqual(Object.keys(english).filter((k) => !used.has(k)), [], 'unused keys in the English bundle');
  assert.deepEqual(Object.keys(chinese).filter((k) => !used.has(k)), [], 'unused keys in the Chinese bundle');
  for (const [key, value] of Object.entries(english)) assert.equal(value, key);
  for (const [key, value] of Object.entries(chinese)) {
    assert.deepEqual(placeholders(value), placeholders(key), `placeholders of ${key}`);
    // Words other than placeholders and the product's name must read as Chinese.
    if (/[a-z]{3}/.test(key.replace(/\{[^}]*\}/g, '').replace(/Trainloop/g, ''))) assert.match(value, /[\u4e00-\u9fff]/, `${key} is translated`);
  }
});

test('only the diagnostic helpers translate non-literal messages (catalog templates, checked above)', () => {
  const files = new Set(messagesInCode().dynamic.map((d) => d.split(':')[0].replace(/\\/g, '/').replace(/^.*\/src\//, 'src/')));
  assert.deepEqual([...files].sort(), ['src/extension/diagnosticText.ts', 'src/extension/staticDiagnostics.ts']);
});

test('package.json: every %key% is in package.nls.json and package.nls.zh-cn.json, and the two have the same keys', () => {
  const manifest = readRepoFile('package.json');
  const keys = new Set<string>();
  for (let i = manifest.indexOf('"%'); i >= 0; i = manifest.indexOf('"%', i + 1)) {
    const end = manifest.indexOf('%"', i + 2);
    keys.add(manifest.slice(i + 2, end));
  }
  assert.ok(keys.size > 40, `${keys.size} keys`);
  const nls = readJson('package.nls.json');
  const nlsZh = readJson('package.nls.zh-cn.json');
  assert.deepEqual([...keys].filter((k) => !(k in nls)), []);
  assert.deepEqual([...keys].filter((k) => !(k in nlsZh)), []);
  assert.deepEqual(Object.keys(nlsZh).sort(), Object.keys(nls).sort());
  assert.deepEqual(Object.keys(nls).filter((k) => !keys.has(k)), [], 'unused package.nls keys');
  for (const key of Object.keys(nls)) {
    assert.match(nlsZh[key], /[\u4e00-\u9fff]/, `${key} is translated`);
    // Command links in walkthrough texts must survive translation.
    const links = (text: string) => text.split('(command:').slice(1).map((part) => part.slice(0, part.indexOf(')')));
    assert.deepEqual(links(nlsZh[key]), links(nls[key]), `${key} links`);
  }
});
