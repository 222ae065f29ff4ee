// The debug contract (src/debug/debugContract.ts) against what package.json contributes, and its launch checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEBUG_TYPE, EXCEPTION_FILTERS, LAUNCH_ATTRIBUTES, launchProblem } from '../../src/debug/debugContract';

const manifest = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));

test("package.json's trainloop debugger has the contract's launch attributes", () => {
  const debuggerEntry = manifest.contributes?.debuggers?.find((d: { type: string }) => d.type === DEBUG_TYPE);
  assert.ok(debuggerEntry, 'package.json contributes the trainloop debugger');
  const launch = debuggerEntry.configurationAttributes.launch;
  assert.deepEqual(launch.required, LAUNCH_ATTRIBUTES.required);
  const typeOf = (properties: Record<string, { type: string }>) =>
    Object.fromEntries(Object.entries(properties).map(([name, p]) => [name, p.type]));
  const contributed = typeOf(launch.properties);
  for (const [name, type] of Object.entries(typeOf(LAUNCH_ATTRIBUTES.properties as unknown as Record<string, { type: string }>))) {
    assert.equal(contributed[name], type, `launch attribute ${name}`);
  }
});

test('exception filters: uncaught, raised, non-finite, and one per TL code', () => {
  const ids = EXCEPTION_FILTERS.map((f) => f.filter);
  assert.deepEqual(ids.slice(0, 3), ['uncaught', 'raised', 'nonfinite']);
  assert.deepEqual(ids.slice(3), Array.from({ length: 11 }, (_, i) => `TL${String(i + 1).padStart(3, '0')}`));
  assert.deepEqual(EXCEPTION_FILTERS.filter((f) => f.default).map((f) => f.filter), ['uncaught', 'nonfinite']);
});

test('launch arguments are checked with clear messages', () => {
  const exists = (path: string) => path === '/work/train.py' || path === '/work';
  assert.match(launchProblem({}, exists) ?? '', /needs a "program"/);
  assert.match(launchProblem({ program: '/work/missing.py' }, exists) ?? '', /\/work\/missing\.py does not exist/);
  assert.match(launchProblem({ program: '/work/train.py', cwd: '/nowhere' }, exists) ?? '', /working folder \/nowhere does not exist/);
  assert.match(launchProblem({ program: '/work/train.py', backend: 'cuda' as never }, exists) ?? '', /Unknown backend "cuda"/);
  assert.match(launchProblem({ program: '/work/train.py', maxBatches: -1 }, exists) ?? '', /"maxBatches" must be a whole number/);
  assert.equal(launchProblem({ program: '/work/train.py', cwd: '/work', backend: 'wasm', maxBatches: 3, args: ['--x'] }, exists), null);
});
