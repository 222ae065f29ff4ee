// Runs a script under the non-finite locator alone on real PyTorch (fixtures/non_finite_driver.py, no debug session):
// the locator's stops, one `STOP kind line message` line each, and what the script printed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fixture } from './adapterClient';

const AGENT = join(__dirname, '../../src/runtime/python/agent');

export interface LocatorRun {
  stdout: string;
  stops: string[];
}

/** Runs `script` (with `args`) under `python`; fails the test when the script does not end normally. */
export function runUnderLocator(python: string, script: string, ...args: string[]): LocatorRun {
  const result = spawnSync(python, [fixture('non_finite_driver.py'), AGENT, script, ...args], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return { stdout: result.stdout, stops: result.stdout.split('\n').filter((line) => line.startsWith('STOP ')) };
}
