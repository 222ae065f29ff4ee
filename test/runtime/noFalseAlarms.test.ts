// No false alarms: correct tutorials that train well (PyTorch's dynamic_net polynomial fit, a d2l-style dropout lesson
// on Fashion-MNIST) run with no diagnostic at all, on the embedded runtime and on the python runtime (real PyTorch).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runScriptFile, type ScriptRun } from '../support/runtimeCli';
import { requireOrSkip } from '../support/pythonInterpreters';

const FIXTURES = join(__dirname, 'fixtures');
const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';
const TIMEOUT_MS = 900_000;

interface Tutorial {
  script: string;
  /** The script's arguments on the embedded runtime (shorter: it is slower) and on the python runtime. */
  embeddedArgs: string[];
  pythonArgs: string[];
  /** The losses (or accuracies) the script printed, first to last: the run must show that it trained. */
  progress: (stdout: string) => number[];
  /** Whether `progress` should fall (a loss) or rise (an accuracy). */
  falls: boolean;
  needs?: string;
}

const TUTORIALS: Tutorial[] = [
  {
    // A random depth per forward, SGD with momentum at lr 1e-8, a summed loss: gradients of 1e3–1e7, stable.
    script: 'dynamic_net.py',
    embeddedArgs: ['2000'],
    pythonArgs: [], // the tutorial's 30000 iterations
    progress: (stdout) => [...stdout.matchAll(/^\d+ ([\d.e+-]+)$/gm), ...stdout.matchAll(/^final loss ([\d.e+-]+)$/gm)].map((m) => Number(m[1])),
    falls: true,
  },
  {
    script: 'dropout_from_scratch.py',
    embeddedArgs: ['12', '3'],
    pythonArgs: ['40', '3'],
    progress: (stdout) => [...stdout.matchAll(/train loss ([\d.]+)/g)].map((m) => Number(m[1])),
    falls: true,
    needs: FASHION_MNIST,
  },
];

const diagnostics = (run: ScriptRun) => run.events.filter((event) => event.event === 'diagnostic');

function checkSilent(run: ScriptRun, tutorial: Tutorial): void {
  assert.equal(run.status, 0, `${tutorial.script} ran to its end\n--- stderr (end) ---\n${run.stderr.slice(-3000)}`);
  const values = tutorial.progress(run.stdout);
  assert.ok(values.length >= 2, `${tutorial.script} printed its progress:\n${run.stdout}`);
  const [first, last] = [values[0], values[values.length - 1]];
  assert.ok(tutorial.falls ? last < first : last > first, `${tutorial.script} trained: ${values.join(' → ')}`);
  assert.deepEqual(run.events.filter((event) => event.event === 'internal'), [], 'no detector failed');
  assert.deepEqual(diagnostics(run).map((d) => `${String(d.code)}@${String(d.line)}: ${String(d.message)}`), [], `${tutorial.script}: no finding`);
  assert.doesNotMatch(run.stderr, /\[TL0\d\d\]|batch \?/, 'nothing printed as a finding');
}

function skipWithout(tutorial: Tutorial): string | false {
  if (!tutorial.needs || existsSync(tutorial.needs)) return false;
  const why = `${tutorial.needs} is missing (Debian package dataset-fashion-mnist)`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${why}`);
  console.log(`SKIP: ${why}`);
  return why;
}

describe('no false alarms on correct tutorials: the embedded runtime', () => {
  for (const tutorial of TUTORIALS) {
    it(tutorial.script, { timeout: TIMEOUT_MS, skip: skipWithout(tutorial) }, () => {
      const run = runScriptFile(join(FIXTURES, tutorial.script), { cliArgs: ['--', ...tutorial.embeddedArgs], timeoutMs: TIMEOUT_MS });
      checkSilent(run, tutorial);
    });
  }
});

const realTorch = requireOrSkip('debianTorch');
describe('no false alarms on correct tutorials: the python runtime (real PyTorch)', { skip: realTorch.skip }, () => {
  for (const tutorial of TUTORIALS) {
    it(tutorial.script, { timeout: TIMEOUT_MS, skip: skipWithout(tutorial) }, () => {
      const cliArgs = ['--runtime', 'python', '--python', realTorch.path ?? '', '--', ...tutorial.pythonArgs];
      checkSilent(runScriptFile(join(FIXTURES, tutorial.script), { cliArgs, timeoutMs: TIMEOUT_MS }), tutorial);
    });
  }
});

/** A plain loop that does diverge: TL004 names its iteration (the optimizer's step count), never "batch ?". */
function checkIterationUnit(run: ScriptRun): void {
  assert.equal(run.status, 0, run.stderr.slice(-3000));
  const found = diagnostics(run);
  assert.deepEqual(found.map((d) => d.code).sort(), ['TL004', 'TL011']);
  const tl004 = found.find((d) => d.code === 'TL004') as Record<string, unknown>;
  assert.equal(tl004.template, 'TL004.iteration');
  assert.match(String(tl004.message), /grew on each of the last \d+ measured steps, \d+× in all, to \S+ at iteration \d+ .*while the loss rose/);
  for (const d of found) assert.doesNotMatch(String(d.message), /batch/, `${String(d.code)} names no batch outside a DataLoader`);
  assert.doesNotMatch(run.stderr, /batch \?/);
}

describe('outside a DataLoader loop the unit is the iteration', () => {
  const script = join(FIXTURES, 'plain_loop_divergence.py');
  it('the embedded runtime', { timeout: TIMEOUT_MS }, () => checkIterationUnit(runScriptFile(script, { timeoutMs: TIMEOUT_MS })));
  it('the python runtime (real PyTorch)', { timeout: TIMEOUT_MS, skip: realTorch.skip }, () =>
    checkIterationUnit(runScriptFile(script, { cliArgs: ['--runtime', 'python', '--python', realTorch.path ?? ''], timeoutMs: TIMEOUT_MS })));
});
