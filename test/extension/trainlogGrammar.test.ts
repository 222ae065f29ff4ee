// The `trainlog` TextMate grammar of the "Trainloop" output channel, run by the same engine VS Code uses (vscode-textmate + Oniguruma): losses, progress, warnings with codes, tracebacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { repoRoot } from './support';

async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName !== 'text.log.trainloop') return null;
      const path = join(repoRoot, 'syntaxes', 'trainlog.tmLanguage.json');
      return textmate.parseRawGrammar(readFileSync(path, 'utf8'), path);
    },
  });
  const grammar = await registry.loadGrammar('text.log.trainloop');
  if (!grammar) throw new Error('grammar did not load');
  return grammar;
}

/** Each token of each line as `text → innermost scope` (tokens with only the root scope are skipped). */
function tokenize(grammar: textmate.IGrammar, text: string): string[][] {
  let stack = textmate.INITIAL;
  return text.split('\n').map((line) => {
    const result = grammar.tokenizeLine(line, stack);
    stack = result.ruleStack;
    return result.tokens
      .filter((t) => t.scopes.length > 1 && line.slice(t.startIndex, t.endIndex).trim() !== '')
      .map((t) => `${line.slice(t.startIndex, t.endIndex).trim()} → ${t.scopes[t.scopes.length - 1]}`);
  });
}

const grammarPromise = loadGrammar();

test('the quickstart\'s printout: epoch header, losses with progress, accuracy', async () => {
  const lines = tokenize(
    await grammarPromise,
    ['Epoch 1', '-------------------------------', 'loss: 2.303437  [   64/60000]', 'Test Error: ', ' Accuracy: 45.1%, Avg loss: 1.921593 '].join('\n'),
  );
  assert.deepEqual(lines[0], ['Epoch → markup.heading.epoch.trainlog', '1 → constant.numeric.epoch.trainlog']);
  assert.deepEqual(lines[1], ['------------------------------- → punctuation.definition.rule.trainlog']);
  assert.deepEqual(lines[2], [
    'loss → keyword.other.loss.trainlog',
    ': → punctuation.separator.trainlog',
    '2.303437 → constant.numeric.loss.trainlog',
    '[ → punctuation.definition.progress.begin.trainlog',
    '64 → constant.numeric.progress.current.trainlog',
    '/ → punctuation.separator.progress.trainlog',
    '60000 → constant.numeric.progress.total.trainlog',
    '] → punctuation.definition.progress.end.trainlog',
  ]);
  assert.deepEqual(lines[4], [
    'Accuracy → keyword.other.metric.trainlog',
    ': → punctuation.separator.trainlog',
    '45.1% → constant.numeric.metric.trainlog',
    'Avg → keyword.other.loss.trainlog',
    'loss → keyword.other.loss.trainlog',
    ': → punctuation.separator.trainlog',
    '1.921593 → constant.numeric.loss.trainlog',
  ]);
});

test('a Trainloop warning in its one text form, with its code', async () => {
  const [line] = tokenize(
    await grammarPromise,
    '/work/train.py:18:9: warning: Gradients accumulate across batches: this loop calls backward() and optimizer.step() but never clears the gradients. [TL001]',
  );
  assert.equal(line[0], '/work/train.py → string.unquoted.path.trainlog');
  assert.ok(line.includes('18 → constant.numeric.line.trainlog'));
  assert.ok(line.includes('9 → constant.numeric.column.trainlog'));
  assert.ok(line.includes('warning → markup.changed.severity.warning.trainlog'));
  assert.equal(line[line.length - 1], '[TL001] → keyword.other.diagnostic-code.trainlog');
});

test('a Python traceback: header, frames with path, line and function, the exception', async () => {
  const lines = tokenize(
    await grammarPromise,
    [
      'Traceback (most recent call last):',
      '  File "/work/train.py", line 12, in train',
      '    loss = loss_fn(pred, y)',
      '           ^^^^^^^^^^^^^^^^',
      'RuntimeError: shapes (64, 10) and (32,) do not match',
      'trainloop: stopped after 10 training batches (--max-batches)',
    ].join('\n'),
  );
  assert.deepEqual(lines[0], ['Traceback (most recent call last) → markup.heading.traceback.trainlog']);
  assert.deepEqual(lines[1], [
    'File → keyword.other.file.trainlog',
    '"/work/train.py" → string.quoted.double.path.trainlog',
    'line → keyword.other.line.trainlog',
    '12 → constant.numeric.line.trainlog',
    'in → keyword.other.in.trainlog',
    'train → entity.name.function.trainlog',
  ]);
  assert.deepEqual(lines[3], ['^^^^^^^^^^^^^^^^ → punctuation.definition.caret.trainlog']);
  assert.equal(lines[4][0], 'RuntimeError → invalid.illegal.exception.trainlog');
  assert.equal(lines[5][0], 'trainloop → entity.name.tag.trainloop.trainlog');
  assert.ok(lines[5].includes('10 → constant.numeric.trainlog'));
});

test('non-finite values stand out; ordinary words and numbers inside names do not', async () => {
  const [line] = tokenize(await grammarPromise, 'batch 7: loss nan, grad inf, conv2d layer ok');
  assert.ok(line.includes('nan → constant.numeric.loss.trainlog'), line.join('\n'));
  assert.ok(line.includes('inf → invalid.illegal.non-finite.trainlog'), line.join('\n'));
  assert.ok(line.includes('7 → constant.numeric.trainlog'));
  assert.ok(!line.some((t) => t.startsWith('2 ')), 'the 2 of conv2d is not a number');
});
