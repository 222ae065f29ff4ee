// `trainloop check`: the exact text form of each diagnostic and the exit codes 0, 1 and 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { checkCommand } from '../../src/cli/checkCommand';
import { bugsDir, repoRoot } from './scriptExpectations';

async function check(paths: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await checkCommand(paths, (line) => lines.push(line));
  return { code, lines };
}

const tl001 = relative(process.cwd(), join(bugsDir, 'tl001_missing_zero_grad.py'));
const tl002 = relative(process.cwd(), join(bugsDir, 'tl002_zero_grad_between_backward_and_step.py'));

test('prints each diagnostic as path:line:col: warning: message [CODE] (1-based) and exits 1', async () => {
  const { code, lines } = await check([tl001, tl002]);
  assert.equal(code, 1);
  assert.deepEqual(lines, [
    `${tl001}:18:9: warning: Gradients accumulate across batches: this loop calls backward() and optimizer.step() but never clears the gradients. Call optimizer.zero_grad() once per iteration (for example before backward()). [TL001]`,
    `${tl002}:21:9: warning: optimizer.zero_grad() runs after backward() and before optimizer.step(), so the step sees no gradients and the parameters do not learn. Move optimizer.zero_grad() after optimizer.step() (or before the forward pass). [TL002]`,
  ]);
});

test('exits 0 and prints nothing for correct scripts', async () => {
  const ok = ['tl001_ok.py', 'tl002_ok.py', 'tl007_ok.py', 'intentional_accumulation_ok.py'].map((n) => join(bugsDir, n));
  assert.deepEqual(await check(ok), { code: 0, lines: [] });
});

test('exits 2 with a clear message for a missing file, still checking the others', async () => {
  const missing = join(repoRoot, 'examples', 'bugs', 'no_such_script.py');
  const { code, lines } = await check([missing, tl001]);
  assert.equal(code, 2);
  assert.equal(lines[0], `trainloop check: cannot read ${missing}: no such file`);
  assert.equal(lines.length, 2);
  assert.match(lines[1], /\[TL001\]$/);
});

test('exits 2 without scripts; a file that does not parse is still checked', async () => {
  assert.equal((await check([])).code, 2);
  const dir = mkdtempSync(join(tmpdir(), 'trainloop-check-'));
  const broken = join(dir, 'broken.py');
  writeFileSync(broken, 'def oops(:\n\nfor x, y in loader:\n    loss_fn(model(x), y).backward()\n    opt.step()\n');
  const { code, lines } = await check([broken]);
  assert.equal(code, 1);
  assert.deepEqual(lines.map((l) => l.slice(0, l.indexOf(': warning'))), [`${broken}:4:5`]);
});
