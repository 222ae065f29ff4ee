// Issue 15's acceptance on real scripts: the official tutorials' and examples' steps (told again in our words in
// fixtures/tutorials, adapted only for offline data and shorter runs) print on the embedded runtime what they print
// on real PyTorch 1.13 + torchvision: text exactly, losses to 1e-3 with the same seed, and wherever PyTorch itself is
// sensitive to float32 rounding (an accuracy near a tie, Adadelta at lr 1.0), within the seed noise measured on
// PyTorch by scaling the initial weights by 1 ± 1e-6 and 1 ± 1e-5 (reference_runner.py).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, REPO } from '../support/runtimeCli';
import { FASHION_MNIST, unpackFashionMnist } from '../support/fashionMnist';
import { requireOrSkip } from '../support/pythonInterpreters';
import { comparePrintouts, printedLines, type Comparison } from '../support/printoutComparison';

const FIXTURES = join(REPO, 'test', 'runtime', 'fixtures', 'tutorials');
const RUNNER = 'reference_runner.py';
/**
 * PyTorch's seed noise: the initial weights scaled by 1 + ε for each ε. Four runs, because accuracies move in steps:
 * two runs at ±1e-6 often leave a 32-image accuracy where it was while the runtime's sits one image away.
 */
const EPSILONS = [1e-6, -1e-6, 1e-5, -1e-5];
const TIMEOUT_MS = 600_000;

interface KnownGap {
  /** The reference lines the runtime does not print yet (compared in a `todo` test of their own). */
  line: RegExp;
  /** What is wrong, where: the todo's text. */
  reason: string;
}

interface Tutorial {
  /** The script, relative to fixtures/tutorials (and to the working folder it runs in). */
  script: string;
  args: string[];
  /** Matches each printed loss (the number itself), for the report's largest loss difference. */
  losses?: RegExp;
  gaps?: KnownGap[];
  /** The RNN examples' criterion: the last training loss within 5 % of PyTorch's. */
  finalTrainingLoss?: RegExp;
}

const TUTORIALS: Tutorial[] = [
  { script: 'quickstart.py', args: ['2', '6400', '1000'], losses: /(?<=^loss: *|Avg loss: )[\d.]+/ },
  { script: 'autograd_tour.py', args: [] },
  {
    script: 'blitz_neural_networks.py',
    args: [],
    losses: /(?<=^tensor\()[\d.]+(?=, grad_fn=<Mse)|(?<=update |loss )[\d.]+/,
  },
  { script: 'polynomial_fit.py', args: ['200', '1000'], losses: /(?<=^\d+ )[-\d.e+]+$/ },
  { script: 'nn_really.py', args: ['1280', '500', '2'], losses: /(?<=tensor\()[\d.]+(?=, grad_fn=<N)|(?<=^\d+ tensor\()[\d.]+|(?<=^\d+ )[\d.]+$/ },
  { script: 'cifar10_classifier.py', args: ['2', '1000', '500'], losses: /(?<=loss: )[\d.]+/ },
  {
    script: 'mnist/main.py',
    args: ['--epochs', '2', '--train-samples', '448', '--test-samples', '200', '--log-interval', '3', '--save-model'],
    losses: /(?<=Loss: |Average loss: )[\d.]+/,
  },
  {
    script: 'char_rnn_names.py',
    args: ['4', '160'],
    losses: /(?<=loss = |^training loss )[\d.e-]+/,
    finalTrainingLoss: /^training loss ([\d.e+-]+)$/,
  },
  {
    script: 'lstm_sequence.py',
    args: ['3', '16'],
    losses: /(?<=loss )[\d.]+/,
    finalTrainingLoss: /^epoch \d+ train loss ([\d.e+-]+)$/,
  },
  {
    // float64 as the example asks: the runtime computes it in float32 (tfjs has no float64 kernels), within noise here.
    script: 'time_sequence_prediction.py',
    args: ['2', '40', '12'],
    losses: /(?<=^loss: |^test loss: )[\d.e-]+/,
  },
  { script: 'transfer_learning.py', args: ['2', '48', '32'], losses: /(?<=Loss: )[\d.]+/ },
  {
    script: 'transforms_and_utils.py',
    args: [],
  },
];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` without blocking (so that PyTorch and the runtime run side by side). */
function runAsync(command: string, args: string[], cwd: string, timeoutMs = TIMEOUT_MS): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

let workspace: string | undefined;
/** A folder holding the unpacked Fashion-MNIST once (`data/`), and one copy of the scripts per run, data linked in. */
function runFolder(label: string): string {
  if (!workspace) {
    workspace = mkdtempSync(join(tmpdir(), 'trainloop-tutorial-scripts-'));
    unpackFashionMnist(join(workspace, 'data'));
  }
  const folder = join(workspace, label);
  cpSync(FIXTURES, folder, { recursive: true });
  symlinkSync(join('..', 'data'), join(folder, 'data'));
  return folder;
}
after(() => {
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

function scriptFolder(tutorial: Tutorial, root: string): string {
  return join(root, tutorial.script, '..');
}

function referenceRun(python: string, tutorial: Tutorial, epsilon: number, label: string): Promise<Run> {
  const root = runFolder(label);
  const cwd = scriptFolder(tutorial, root);
  return runAsync(python, [join(root, RUNNER), String(epsilon), join(root, tutorial.script), ...tutorial.args], cwd);
}

interface Outcome {
  comparison: Comparison;
  reference: string[];
  perturbed: string[][];
  runtime: string[];
  diagnostics: string[];
}

const debianTorch = requireOrSkip('debianTorch');
const fashionMnistMissing = existsSync(FASHION_MNIST) ? false : `${FASHION_MNIST} is missing (Debian package dataset-fashion-mnist)`;
if (fashionMnistMissing) {
  if (process.env.CI === 'true') throw new Error(`CI=true and ${fashionMnistMissing}`);
  console.log(`SKIP: ${fashionMnistMissing}`);
}
const skip = debianTorch.skip || fashionMnistMissing;
const outcomes = new Map<string, Promise<Outcome>>();

/** Runs the tutorial on the runtime and on PyTorch side by side; PyTorch's seed noise only when the strict check fails. */
async function runTutorial(tutorial: Tutorial): Promise<Outcome> {
  const python = debianTorch.path!;
  const label = tutorial.script.replace(/\W/g, '_');
  const embeddedRoot = runFolder(`${label}-embedded`);
  const events = join(embeddedRoot, 'events.jsonl');
  const embeddedCwd = scriptFolder(tutorial, embeddedRoot);
  const [embedded, real] = await Promise.all([
    runAsync(process.execPath, [CLI, 'run', join(embeddedRoot, tutorial.script), '--events', events, '--', ...tutorial.args], embeddedCwd),
    referenceRun(python, tutorial, 0, `${label}-reference`),
  ]);
  assert.equal(real.status, 0, `PyTorch ran ${tutorial.script}\n${real.stderr.slice(-3000)}`);
  assert.equal(embedded.status, 0, `the runtime ran ${tutorial.script} to its end\n--- stdout (end) ---\n${embedded.stdout.slice(-1500)}\n--- stderr (end) ---\n${embedded.stderr.slice(-3000)}`);
  const runtime = printedLines(embedded.stdout);
  const reference = printedLines(real.stdout);
  const gapLine = (line: string) => (tutorial.gaps ?? []).some((gap) => gap.line.test(line));
  let perturbed: string[][] = [];
  let comparison = comparePrintouts(runtime, reference, [], gapLine);
  if (comparison.failures.length > 0) {
    const runs = await Promise.all(EPSILONS.map((epsilon, i) => referenceRun(python, tutorial, epsilon, `${label}-noise${i}`)));
    for (const run of runs) assert.equal(run.status, 0, `PyTorch ran ${tutorial.script} with perturbed weights\n${run.stderr.slice(-3000)}`);
    perturbed = runs.map((run) => printedLines(run.stdout));
    comparison = comparePrintouts(runtime, reference, perturbed, gapLine);
  }
  const diagnostics = existsSync(events)
    ? readFileSync(events, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((event) => event.event === 'diagnostic')
        .map((d) => `${tutorial.script}:${String(d.line)} ${String(d.code)} ${String(d.message)}`)
    : [];
  return { comparison, reference, perturbed, runtime, diagnostics };
}

function outcome(tutorial: Tutorial): Promise<Outcome> {
  let promise = outcomes.get(tutorial.script);
  if (!promise) {
    promise = runTutorial(tutorial);
    promise.catch(() => undefined); // reported by the test that awaits it
    outcomes.set(tutorial.script, promise);
  }
  return promise;
}

/** One line for the report: numbers compared, the largest loss difference, what needed PyTorch's seed noise. */
function summary(tutorial: Tutorial, { comparison, perturbed }: Outcome): string {
  const { differences } = comparison;
  const lossAt = (text: string) => new Set([...text.matchAll(new RegExp(tutorial.losses?.source ?? '$^', 'g'))].map((m) => m.index));
  const losses = differences.filter((d) => lossAt(d.text).has(d.column));
  const maxLoss = losses.reduce((max, d) => Math.max(max, d.difference), 0);
  const relative = losses.reduce((max, d) => Math.max(max, d.difference / Math.max(1, Math.abs(d.reference))), 0);
  const noisy = differences.filter((d) => d.withinNoise);
  const noise = perturbed.length
    ? `; seed noise measured, ${noisy.length} within it (largest ${noisy.reduce((max, d) => Math.max(max, d.difference), 0).toPrecision(3)}), ${comparison.textWithinNoise} lines' text as a perturbed PyTorch run's`
    : '';
  const lossText = losses.length ? `largest loss difference ${maxLoss.toExponential(2)} (${relative.toExponential(2)} relative past 1) over ${losses.length} losses` : 'no losses printed';
  return `${tutorial.script}: ${differences.length} numbers, ${lossText}${noise}`;
}

describe('tutorial and example scripts print what real PyTorch 1.13 prints', { skip, concurrency: 2 }, () => {
  for (const tutorial of TUTORIALS) {
    it(tutorial.script, { timeout: TIMEOUT_MS }, async () => {
      const result = await outcome(tutorial);
      console.log(summary(tutorial, result));
      assert.deepEqual(result.comparison.failures, [], `${tutorial.script} printed what PyTorch printed`);
      if (tutorial.finalTrainingLoss) {
        const last = (lines: string[]) => Number(lines.map((line) => tutorial.finalTrainingLoss!.exec(line)?.[1]).filter(Boolean).at(-1));
        const [runtime, reference] = [last(result.runtime), last(result.reference)];
        assert.ok(Math.abs(runtime - reference) <= 0.05 * reference, `training loss ${runtime}, PyTorch's ${reference}: within 5 %`);
      }
    });
    for (const gap of tutorial.gaps ?? []) {
      it(`${tutorial.script}: ${gap.line.source}`, { timeout: TIMEOUT_MS, todo: gap.reason }, async () => {
        const { runtime, reference, perturbed } = await outcome(tutorial);
        const lines = reference.map((line, i) => (gap.line.test(line) ? i : -1)).filter((i) => i >= 0);
        assert.ok(lines.length > 0, `PyTorch printed lines matching ${gap.line.source}`);
        const picked = (printout: string[]) => lines.map((i) => printout[i] ?? '');
        const { failures } = comparePrintouts(picked(runtime), picked(reference), perturbed.map(picked));
        assert.deepEqual(failures, []);
      });
    }
  }
});

/** The findings the detectors give on these correct tutorials today (issue 15, item 6: they should give none). */
describe('the detectors stay silent on these correct tutorials', { skip }, () => {
  it('no finding on any of them', { timeout: TIMEOUT_MS }, async () => {
    const found: string[] = [];
    for (const tutorial of TUTORIALS) found.push(...(await outcome(tutorial)).diagnostics);
    assert.deepEqual(found, []);
  });
});
