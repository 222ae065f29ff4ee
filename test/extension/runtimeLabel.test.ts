// The status bar's runtime label and tooltip: Python, torch and device for the python runtime, "embedded" and the backend otherwise, in English and Chinese.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeStatusLabel, runtimeTooltipLines } from '../../src/extension/runtimeLabel';
import { english } from '../../src/extension/localization';
import type { RuntimeEventBody } from '../../src/debug/debugContract';
import { chinese } from './support';

const PYTHON: RuntimeEventBody = {
  kind: 'python',
  label: 'Python 3.11 · torch 2.3.1+cu121 · cuda:0',
  reason: '/home/u/.venv/bin/python has Python 3.11.7 and torch 2.3.1+cu121',
  python: '/home/u/.venv/bin/python',
  pythonVersion: '3.11.7',
  torch: '2.3.1+cu121',
  device: 'cuda:0',
  bootMs: 850,
};
const EMBEDDED: RuntimeEventBody = { kind: 'embedded', label: 'embedded · wasm', backend: 'wasm', reason: 'python3 has no torch: using the embedded runtime', bootMs: 3100 };

test('the label: Python major.minor, torch without its build tag, the device; or embedded and its backend', () => {
  assert.equal(runtimeStatusLabel(PYTHON, english), 'Python 3.11 · torch 2.3.1 · cuda:0');
  assert.equal(runtimeStatusLabel(EMBEDDED, english), 'embedded · wasm');
  assert.equal(runtimeStatusLabel(EMBEDDED, chinese()), '内置 · wasm');
  // Fields the runtime could not tell: what it has, else its own label; never a bare backend name.
  assert.equal(runtimeStatusLabel({ kind: 'python', label: 'Python 3.12', pythonVersion: '3.12.1', bootMs: 1 }, english), 'Python 3.12');
  assert.equal(runtimeStatusLabel({ kind: 'python', label: 'Python (torch 1.13)', bootMs: 1 }, english), 'Python (torch 1.13)');
  assert.equal(runtimeStatusLabel({ kind: 'embedded', label: '', bootMs: 1 }, english), 'embedded');
});

test('the tooltip: the runtime in full, the interpreter, why it was chosen', () => {
  assert.deepEqual(runtimeTooltipLines(PYTHON, english), [
    'Runtime: your Python (Python 3.11.7, torch 2.3.1+cu121, cuda:0)',
    'Interpreter: /home/u/.venv/bin/python',
    'Why: /home/u/.venv/bin/python has Python 3.11.7 and torch 2.3.1+cu121',
  ]);
  assert.deepEqual(runtimeTooltipLines(EMBEDDED, english), [
    'Runtime: embedded (Pyodide and TensorFlow.js, wasm backend)',
    'Why: python3 has no torch: using the embedded runtime',
  ]);
  const zh = runtimeTooltipLines(PYTHON, chinese());
  assert.equal(zh[1], '解释器:/home/u/.venv/bin/python');
  assert.ok(zh.every((line) => /[\u4e00-\u9fff]/.test(line)), zh.join('\n'));
});
