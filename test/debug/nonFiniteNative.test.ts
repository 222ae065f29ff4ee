// The non-finite locator on real PyTorch checks only what the user's code calls: a library module's NaN/Inf is located
// at the user's call of it, an op in the user's own module at its line, and parameters already NaN are not "made here".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from './adapterClient';
import { runUnderLocator } from './locatorDriver';
import { requireOrSkip } from '../support/pythonInterpreters';
const debianTorch = requireOrSkip('debianTorch');
const torch2 = requireOrSkip('torch2');

/** The locator's stops on one case of non_finite_modules.py, without a debug session (non_finite_driver.py). */
function stopsOf(python: string, which: string): string[] {
  const run = runUnderLocator(python, fixture('non_finite_modules.py'), which);
  assert.match(run.stdout, /finished/);
  return run.stops;
}

for (const [name, interpreter] of [['torch 1.13', debianTorch], ['torch 2', torch2]] as const) {
  test(`real ${name}: NaN/Inf made inside library modules stops at the user's call, inside the user's module at its line`, { skip: interpreter.skip }, () => {
    const python = interpreter.path!;
    assert.deepEqual(stopsOf(python, 'overflow'), ['STOP NonFiniteValue 33 `model(x)` made 8 Inf from finite inputs at batch 1.']);
    assert.deepEqual(stopsOf(python, 'own-module'), [
      'STOP NonFiniteValue 19 `hidden - hidden` has 32 zeros (the first at [0, 0]), so `torch.log(hidden - hidden)` made 32 Inf at batch 1.',
    ]);
    assert.deepEqual(stopsOf(python, 'nan-weights'), [], 'the NaN was in a parameter before the batch: carried in, not made');
  });
}
