// The diagnostic catalog: every code TL001…TL011 is there once, templates render, and the one text form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIAGNOSTIC_CATALOG, formatDiagnostic, renderMessage } from '../../src/analysis/diagnosticCatalog';

test('the catalog holds TL001…TL011, each with a title, a template and its placeholders', () => {
  const codes = Object.keys(DIAGNOSTIC_CATALOG);
  assert.deepEqual(codes, Array.from({ length: 11 }, (_, i) => `TL${String(i + 1).padStart(3, '0')}`));
  for (const [code, entry] of Object.entries(DIAGNOSTIC_CATALOG)) {
    assert.equal(entry.code, code);
    assert.ok(entry.title.length > 0 && entry.messageTemplate.length > 0);
    const filled = renderMessage(entry.code, Object.fromEntries(entry.placeholders.map((p) => [p, 'X'])));
    assert.ok(!filled.includes('{'), `${code} left a placeholder: ${filled}`);
  }
  assert.deepEqual(DIAGNOSTIC_CATALOG.TL002.placeholders, ['clear', 'optimizer']);
});

test('renderMessage fills placeholders and leaves unknown ones visible', () => {
  assert.equal(
    renderMessage('TL006', { percent: 82, layer: 'model.relu1' }),
    'Dying ReLU: 82% of the outputs of model.relu1 are zero at batch {batch}. Lower the learning rate or use LeakyReLU.',
  );
});

test('formatDiagnostic gives path:line:col: severity: message [CODE] with 1-based positions', () => {
  assert.equal(
    formatDiagnostic({ path: 'examples/a.py', line: 0, col: 4, severity: 'warning', message: 'Something.', code: 'TL004' }),
    'examples/a.py:1:5: warning: Something. [TL004]',
  );
});
