// Static diagnostics on the bug examples land on the lines marked `# expect: TLxxx`; TL001's Quick Fix inserts zero_grad() and the warning goes.
/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateOn, closeAllEditors, codeOf, lineMatching, openInEditor, trainloopDiagnostics, waitFor } from './support';

const BUG_EXAMPLES: { file: string; code: string }[] = [
  { file: 'examples/bugs/tl001_missing_zero_grad.py', code: 'TL001' },
  { file: 'examples/bugs/tl002_zero_grad_between_backward_and_step.py', code: 'TL002' },
  { file: 'examples/bugs/tl007_softmax_into_cross_entropy.py', code: 'TL007' },
];

const CORRECT_EXAMPLES = ['examples/bugs/tl001_ok.py', 'examples/bugs/tl002_ok.py', 'examples/bugs/tl007_ok.py'];

suite('diagnostics and Quick Fixes', () => {
  suiteSetup(async () => {
    await activateOn('examples/quickstart.py');
  });
  suiteTeardown(closeAllEditors);

  for (const { file, code } of BUG_EXAMPLES) {
    test(`${file}: ${code} on the line marked "# expect: ${code}"`, async () => {
      const { document } = await openInEditor(file);
      const expected = lineMatching(document, new RegExp(`# expect: ${code}\\b`));
      const found = await waitFor(`${code} in ${file}`, () => trainloopDiagnostics(document.uri), (list) => list.some((d) => codeOf(d) === code));
      const lines = found.filter((d) => codeOf(d) === code).map((d) => d.range.start.line);
      assert.deepEqual(lines, [expected]);
    });
  }

  for (const file of CORRECT_EXAMPLES) {
    test(`${file}: no Trainloop diagnostics`, async () => {
      const { document } = await openInEditor(file);
      // The analysis runs on open; give it a moment, then there must be nothing.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.deepEqual(trainloopDiagnostics(document.uri).map((d) => `${d.range.start.line + 1}: ${d.message}`), []);
    });
  }

  test('TL001 Quick Fix inserts optimizer.zero_grad() and the diagnostic goes', async () => {
    const editor = await openInEditor('examples/bugs/tl001_missing_zero_grad.py');
    const document = editor.document;
    try {
      const backwardLine = lineMatching(document, /# expect: TL001/);
      const [tl001] = await waitFor(
        'TL001',
        () => trainloopDiagnostics(document.uri).filter((d) => codeOf(d) === 'TL001'),
        (list) => list.length > 0,
      );

      const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, tl001.range)) ?? [];
      const fix = actions.find((action) => action.diagnostics?.some((d) => codeOf(d) === 'TL001'));
      assert.ok(fix, `a Quick Fix for TL001 among: ${actions.map((a) => a.title).join(' | ')}`);
      assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
      assert.match(fix.title, /zero_grad\(\)/);
      assert.ok(fix.edit, 'the Quick Fix carries its edit');

      assert.equal(await vscode.workspace.applyEdit(fix.edit), true);
      assert.equal(document.lineAt(backwardLine).text, '        optimizer.zero_grad()', 'zero_grad() is inserted before backward(), at its indentation');
      assert.match(document.lineAt(backwardLine + 1).text, /^\s*loss\.backward\(\)/);

      await waitFor('TL001 to go after the fix', () => trainloopDiagnostics(document.uri).filter((d) => codeOf(d) === 'TL001'), (list) => list.length === 0);
    } finally {
      // Leave the example as it is on disk.
      if (document.isDirty) {
        await vscode.window.showTextDocument(document);
        await vscode.commands.executeCommand('workbench.action.files.revert');
      }
    }
  });
});
