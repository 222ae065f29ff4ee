// Localized diagnostics: a catalog message's values are recovered from its English text and put into the translation; quick-fix titles likewise. Runs the real analysis on the repository's bug scripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeScript } from '../../src/analysis/analyzeScript';
import { DIAGNOSTIC_CATALOG, renderMessage, type DiagnosticCode } from '../../src/analysis/diagnosticCatalog';
import { applyEdits } from '../../src/analysis/quickFixes';
import { localizeDiagnosticMessage, localizeQuickFixTitle, localizedDiagnosticTitle, recoverPlaceholders } from '../../src/extension/diagnosticText';
import { english } from '../../src/extension/localization';
import { chinese, readRepoFile } from './support';

test('placeholder values come back from every catalog message, also when a value holds spaces or dots', () => {
  for (const code of Object.keys(DIAGNOSTIC_CATALOG) as DiagnosticCode[]) {
    const entry = DIAGNOSTIC_CATALOG[code];
    const values: Record<string, string> = {};
    entry.placeholders.forEach((name, i) => (values[name] = i % 2 ? `self.opt_${i}` : `model.layers[${i}] (a b.c)`));
    const message = renderMessage(code, values);
    assert.deepEqual(recoverPlaceholders(entry.messageTemplate, message), values, code);
  }
  assert.equal(recoverPlaceholders('{a} and {a}', 'x and y'), null, 'a repeated placeholder has one value');
  assert.equal(recoverPlaceholders('Loss is {v}.', 'Something else'), null);
  assert.deepEqual(recoverPlaceholders('no placeholders', 'no placeholders'), {});
});

const SCRIPTS: Array<[file: string, code: DiagnosticCode]> = [
  ['tl001_missing_zero_grad.py', 'TL001'],
  ['tl002_zero_grad_between_backward_and_step.py', 'TL002'],
  ['tl007_softmax_into_cross_entropy.py', 'TL007'],
];

test('the analysis\'s messages and quick-fix titles on the bug scripts, in Chinese', () => {
  const zh = chinese();
  for (const [file, code] of SCRIPTS) {
    const source = readRepoFile('examples', 'bugs', file);
    const found = analyzeScript(source, file).find((d) => d.code === code);
    assert.ok(found?.fix, `${file}: ${code} with a fix`);
    const message = localizeDiagnosticMessage(code, found.message, zh);
    assert.notEqual(message, found.message, `${code} message translated`);
    assert.match(message, /[\u4e00-\u9fff]/);
    assert.equal(localizeDiagnosticMessage(code, found.message, english), found.message, 'English is the analysis\'s own text');
    // The code names in the message survive translation.
    const values = recoverPlaceholders(DIAGNOSTIC_CATALOG[code].messageTemplate, found.message)!;
    for (const value of Object.values(values)) assert.ok(message.includes(value), `${code}: ${value} in ${message}`);
    // Quick-fix titles: our English template renders exactly the analysis's title.
    assert.equal(localizeQuickFixTitle(code, found.message, found.fix.title, english), found.fix.title, `${code} title template matches the analysis`);
    const title = localizeQuickFixTitle(code, found.message, found.fix.title, zh);
    assert.notEqual(title, found.fix.title, `${code} fix title translated`);
    // The fix, applied, makes the diagnostic go (what the Quick Fix does in the editor).
    const fixed = applyEdits(source, found.fix.edits);
    assert.ok(!analyzeScript(fixed, file).some((d) => d.code === code), `${code} gone after its fix`);
  }
});

test('messages the catalog did not make, unknown codes and titles', () => {
  const zh = chinese();
  assert.equal(localizeDiagnosticMessage('TL001', 'a message with extra runtime detail', zh), 'a message with extra runtime detail');
  assert.equal(localizeDiagnosticMessage('XX999', 'whatever', zh), 'whatever');
  assert.equal(localizedDiagnosticTitle('TL004', zh), '梯度爆炸');
  assert.equal(localizedDiagnosticTitle('XX999', zh), 'XX999');
  assert.equal(localizeQuickFixTitle('TL001', 'not from the template', 'Original title', zh), 'Original title');
  assert.equal(localizeQuickFixTitle('TL001', renderMessage('TL001', { optimizer: 'opt' }), 'A title the template does not make', zh), 'A title the template does not make');
});
