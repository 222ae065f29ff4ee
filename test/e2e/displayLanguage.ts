// A display language for code-server without a marketplace: VS Code takes a locale as its display language (vscode.env
// .language, the `locale` of DAP's initialize, the extension's package.nls.<locale>.json and l10n bundle) only when a
// language pack for it is installed; otherwise it falls back to English everywhere. The real pack (MS-CEINTL's) comes
// from a marketplace the test machines cannot reach, so this makes a minimal one: a pack that declares the locale and
// translates nothing of VS Code itself — VS Code's own words stay English, the extension's are in the locale.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { CodeServer } from './codeServer';

const PUBLISHER = 'trainloop-e2e';

/** Packs the minimal language pack for `locale` (e.g. `zh-cn`) under `home` with vsce and returns the .vsix. */
function packLanguagePack(home: string, locale: string): string {
  const name = `display-language-${locale}`;
  const folder = join(home, name);
  mkdirSync(join(folder, 'translations'), { recursive: true });
  const manifest = {
    name,
    displayName: `${locale} display language (Trainloop e2e)`,
    description: `Makes ${locale} an installed display language; translates nothing of VS Code itself.`,
    version: '0.0.1',
    publisher: PUBLISHER,
    license: 'MIT',
    engines: { vscode: '^1.90.0' },
    categories: ['Language Packs'],
    contributes: { localizations: [{ languageId: locale, languageName: locale, translations: [{ id: 'vscode', path: './translations/main.i18n.json' }] }] },
  };
  writeFileSync(join(folder, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(folder, 'README.md'), `# ${manifest.displayName}\n\n${manifest.description}\n`);
  writeFileSync(join(folder, 'translations', 'main.i18n.json'), JSON.stringify({ version: '1.0.0', contents: {} }));
  const vsix = join(home, `${name}.vsix`);
  const vsce = join(dirname(createRequire(__filename).resolve('@vscode/vsce/package.json')), 'vsce');
  const result = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix], {
    cwd: folder,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`vsce could not pack the ${locale} language pack (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`);
  return vsix;
}

/**
 * Installs a language pack for `locale` into the server's extensions and registers it where the server looks for
 * language packs (languagepacks.json in the user data; the server writes it only when it installs a pack itself, not
 * when `--install-extension` does). A window opened after `server.setDisplayLanguage(locale)` is then in that locale.
 */
export function installDisplayLanguage(server: CodeServer, home: string, locale: string): void {
  server.installExtension(packLanguagePack(home, locale));
  const id = `${PUBLISHER}.display-language-${locale}`;
  const installed = readdirSync(server.extensionsDir).find((entry) => entry.startsWith(`${id}-`));
  if (!installed) throw new Error(`the ${locale} language pack is not in ${server.extensionsDir} after its installation`);
  const packs = {
    [locale]: {
      hash: `${id}-0.0.1`,
      extensions: [{ extensionIdentifier: { id }, version: '0.0.1' }],
      translations: { vscode: join(server.extensionsDir, installed, 'translations', 'main.i18n.json') },
      label: locale,
    },
  };
  writeFileSync(join(server.userDataDir, 'languagepacks.json'), JSON.stringify(packs));
}
