// package.json's contributions: generated from the debug contract (launch attributes, initial configuration) and the diagnostic catalog, and consistent with what the extension registers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generatedNlsEntries, packageContributions } from '../../src/extension/packageContributions';
import { COMMANDS } from '../../src/extension/trainingLoopLenses';
import { LAUNCH_ATTRIBUTES } from '../../src/debug/debugContract';
import { DIAGNOSTIC_CATALOG } from '../../src/analysis/diagnosticCatalog';
import { readJson, readRepoFile, repoRoot } from './support';

interface Manifest {
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string; description: string } };
  contributes: {
    commands: Array<{ command: string }>;
    debuggers: Array<{ type: string; languages: string[]; configurationAttributes: { launch: { required: string[]; properties: Record<string, { description: string }> } } }>;
    configuration: { properties: Record<string, { default: unknown }> };
    grammars: Array<{ language: string; path: string }>;
    languages: Array<{ id: string }>;
    walkthroughs: Array<{ steps: Array<{ media: { image?: string; markdown?: string } }> }>;
  };
  l10n: string;
}

const manifest = readJson<Manifest>('package.json');

test('package.json holds exactly the generated contributions (run `npx tsx src/extension/packageContributions.ts --write` after changing the contract)', () => {
  const generated = JSON.parse(JSON.stringify(packageContributions()));
  assert.deepEqual(manifest.contributes, generated.contributes);
  assert.deepEqual(manifest.activationEvents, generated.activationEvents);
  assert.deepEqual(manifest.capabilities, generated.capabilities);
  assert.equal(manifest.l10n, './l10n');
  const nls = readJson('package.nls.json');
  for (const [key, text] of Object.entries(generatedNlsEntries())) assert.equal(nls[key], text, key);
});

test('the trainloop debugger: Python, every launch attribute of the contract, activation on resolve', () => {
  const debuggerContribution = manifest.contributes.debuggers.find((d) => d.type === 'trainloop');
  assert.ok(debuggerContribution);
  assert.deepEqual(debuggerContribution.languages, ['python']);
  const launch = debuggerContribution.configurationAttributes.launch;
  assert.deepEqual(launch.required, ['program']);
  assert.deepEqual(Object.keys(launch.properties).sort(), Object.keys(LAUNCH_ATTRIBUTES.properties).sort());
  for (const attribute of ['program', 'cwd', 'args', 'stopOnEntry', 'backend', 'maxBatches']) assert.ok(attribute in launch.properties, attribute);
  assert.ok(manifest.activationEvents.includes('onDebugResolve:trainloop'));
  assert.ok(manifest.activationEvents.includes('onLanguage:python'));
});

test('settings, commands, trust, grammar and walkthrough files', () => {
  const settings = manifest.contributes.configuration.properties;
  assert.equal(settings['trainloop.backend'].default, 'auto');
  assert.equal(settings['trainloop.codeLens.batchCount'].default, 10);
  assert.equal(settings['trainloop.panel.updateRateHz'].default, 2);
  assert.deepEqual(settings['trainloop.detectors.enabled'].default, Object.keys(DIAGNOSTIC_CATALOG));
  assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), Object.values(COMMANDS).sort());
  // Every contributed command is registered by the extension.
  const extensionSource = readRepoFile('src', 'extension', 'extension.ts');
  for (const name of Object.keys(COMMANDS)) assert.ok(extensionSource.includes(`registerCommand(COMMANDS.${name}`), `${name} registered`);
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  const grammar = manifest.contributes.grammars.find((g) => g.language === 'trainlog');
  assert.ok(grammar && existsSync(join(repoRoot, grammar.path)));
  assert.ok(manifest.contributes.languages.some((l) => l.id === 'trainlog'));
  for (const step of manifest.contributes.walkthroughs[0].steps) {
    const media = step.media.image ?? step.media.markdown;
    assert.ok(media && existsSync(join(repoRoot, media)), media);
  }
});

test('the .vsix keeps what runs and drops the sources', () => {
  const ignore = readRepoFile('.vscodeignore').split('\n').map((l) => l.trim());
  for (const dropped of ['src/**', 'test/**', 'bench/**', 'scripts/**', 'docs/**', '.e2e-cache/**', 'node_modules/**', '**/*.map', '**/*.vsix', '**/.gitignore']) {
    assert.ok(ignore.includes(dropped), dropped);
  }
  for (const kept of ['dist', 'media', 'syntaxes', 'l10n']) assert.ok(!ignore.some((l) => l === `${kept}/**` || l === kept), kept);
  // Of the examples only the quickstart goes in (not the bug scripts, nor the data and model.pth it writes).
  assert.ok(ignore.includes('examples/**') && ignore.includes('!examples/quickstart.py'), 'examples/quickstart.py alone');
});
