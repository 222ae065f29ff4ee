// The training-bug detectors (TL001–TL011): every buggy example reports its code on its `# expect:` line and nothing
// else, every correct sibling reports nothing, under `trainloop run --events` and (when installed) under real PyTorch.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DIAGNOSTIC_CATALOG, type DiagnosticCode } from '../../src/analysis/diagnosticCatalog';
import { REPO, runScriptFile, type ScriptRun } from '../support/runtimeCli';
import { RUNTIME_FINDING_TEMPLATES, isRuntimeFindingTemplateId } from '../../src/runtime/runtimeFindingTemplates';
import { fillPlaceholders } from '../../src/extension/localization';

const EXAMPLES = join(REPO, 'examples', 'bugs', 'runtime');
const FIXTURES = join(__dirname, 'detectors');
const HARNESS = join(FIXTURES, 'run_on_real_torch.py');
const DIAGNOSTICS_PY = join(REPO, 'src', 'runtime', 'python', 'agent', 'trainloop_agent', 'diagnostics.py');
const SYSTEM_PYTHON = '/usr/bin/python3';
const TIMEOUT_MS = 300_000;

const hasRealTorch = spawnSync(SYSTEM_PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
const examples = readdirSync(EXAMPLES)
  .filter((name) => name.endsWith('.py'))
  .sort()
  .map((name) => join(EXAMPLES, name));

type Event = Record<string, unknown>;

/** `code@line` for each `# expect: TL001[, TL011]` comment of the script. */
function expectedFindings(script: string): string[] {
  const found: string[] = [];
  readFileSync(script, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      const match = /#\s*expect:\s*(TL\d{3}(?:\s*,\s*TL\d{3})*)/.exec(text);
      if (match) for (const code of match[1].split(',')) found.push(`${code.trim()}@${index + 1}`);
    });
  return found.sort();
}

const diagnostics = (events: Event[]) => events.filter((event) => event.event === 'diagnostic');
const findings = (events: Event[]) => diagnostics(events).map((d) => `${d.code}@${d.line}`).sort();

/** The exception line of a Python traceback (`AttributeError: ...`): names the API the shim lacks. */
function pythonError(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim());
  const error = lines.filter((line) => /^([A-Za-z_][\w.]*)?(Error|Exception|Exit|Interrupt)\b.*/.test(line)).at(-1);
  return error ?? lines.filter(Boolean).at(-1) ?? '(no output)';
}

function assertRan(run: ScriptRun, where: string): void {
  if (run.status === 0) return;
  assert.fail(
    `${where} could not run ${basename(run.script)} (exit ${run.status}): ${pythonError(run.stderr)}\n` +
      `This is the runtime, not the detectors: a missing shim API or kernel.\n--- stderr (end) ---\n${run.stderr.slice(-3000)}`,
  );
}

function runUnderPyTorch(script: string, cliArgs: string[] = []): ScriptRun {
  const dir = mkdtempSync(join(tmpdir(), 'trainloop-detectors-'));
  const eventsFile = join(dir, 'events.jsonl');
  const result = spawnSync(SYSTEM_PYTHON, [HARNESS, script, '--events', eventsFile, ...cliArgs], {
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    cwd: dir,
  });
  const events = existsSync(eventsFile)
    ? readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Event)
    : [];
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, events, dir, script };
}

function runUnderTrainloop(script: string, cliArgs: string[] = []): ScriptRun {
  return runScriptFile(script, { cliArgs, timeoutMs: TIMEOUT_MS });
}

/** What any run of an example must show: its findings on its lines, each also printed in the one text form. */
function checkExample(run: ScriptRun, where: string): void {
  assertRan(run, where);
  const failures = run.events.filter((event) => event.event === 'internal');
  assert.deepEqual(failures, [], `no detector failed on ${basename(run.script)}`);
  assert.deepEqual(findings(run.events), expectedFindings(run.script), `findings of ${basename(run.script)}`);
  for (const d of diagnostics(run.events)) {
    assert.equal(d.path, run.script);
    assert.equal(d.severity, 'warning');
    assert.ok(typeof d.column === 'number' && d.column >= 1, `column of ${d.code}`);
    assert.ok(typeof d.batch === 'number' && d.batch >= 1, `batch of ${d.code}, from 1`);
    assert.equal(typeof d.evidence, 'object');
    const line = `${d.path}:${d.line}:${d.column}: warning: ${d.message} [${d.code}]`;
    assert.ok(run.stderr.includes(line), `stderr carries ${line}`);
    checkEvidence(d);
    checkWording(d);
  }
}

/** The message is its runtime template filled with its values, every value used, and the static text is not repeated. */
function checkWording(d: Event): void {
  const template = d.template;
  assert.ok(isRuntimeFindingTemplateId(template), `${d.code}: a runtime template id, not ${String(template)}`);
  assert.equal(template.split('.')[0], d.code);
  const values = d.values as Record<string, string | number>;
  assert.equal(fillPlaceholders(RUNTIME_FINDING_TEMPLATES[template], values), d.message, `${d.code}: message = template + values`);
  assert.doesNotMatch(String(d.message), /\{\w+\}/, `${d.code}: every placeholder filled`);
  assert.notEqual(d.message, DIAGNOSTIC_CATALOG[d.code as DiagnosticCode].messageTemplate);
}

/** The evidence each code promises, on the examples' bugs. */
function checkEvidence(d: Event): void {
  const evidence = d.evidence as Record<string, unknown>;
  switch (d.code as DiagnosticCode) {
    case 'TL001': {
      assert.ok((evidence.backward_passes_in_gradient as number) >= 2, 'TL001: backward passes summed');
      assert.ok((evidence.gradient_norm_growth as number) > 1, 'TL001: gradient norm growth');
      // The watched parameter's .grad is the sum of what each backward() added, and its norm grew with each.
      assert.match(String(evidence.parameter), /^model\.\d+\.weight$/);
      assert.ok((evidence.sum_max_error as number) < 1e-5, `TL001: .grad = the sum (error ${String(evidence.sum_max_error)})`);
      const norms = evidence.parameter_gradient_norms as number[];
      assert.equal(norms.length, evidence.backward_passes_in_gradient);
      assert.ok(norms[norms.length - 1] > norms[0], `TL001: the norm grew: ${norms.join(' → ')}`);
      assert.match(String(d.message), new RegExp(`^Gradients accumulate across batches: ${String(evidence.parameter).replace(/\./g, '\\.')}\\.grad equals the sum of the gradients of the last 2 backward\\(\\) calls \\(largest difference [^)]+\\), and its norm grew [\\d.e+-]+ → [\\d.e+-]+\\.`));
      break;
    }
    case 'TL002':
      assert.equal(evidence.parameters_changed_by_step, false, 'TL002: the step moved nothing');
      break;
    case 'TL003':
      assert.ok((evidence.non_finite_gradients as string[]).length > 0, 'TL003: which gradients went non-finite');
      break;
    case 'TL004':
      assert.ok((evidence.factor as number) > 10, 'TL004: norm above 10× its running median');
      break;
    case 'TL005':
      assert.ok((evidence.ratio as number) < 1e-3, 'TL005: first/last layer gradient ratio');
      break;
    case 'TL006':
      assert.ok((evidence.dead_units as number) / (evidence.units as number) >= 0.7, 'TL006: 70% dead units');
      break;
    case 'TL011': {
      const ratio = evidence.update_to_weight_ratio as number;
      assert.ok(ratio < 1e-5 || ratio > 1e-1, 'TL011: update ratio outside 1e-3 ×/÷ 100');
      break;
    }
    default:
      break;
  }
}

describe('detectors under the embedded runtime (trainloop run --events)', () => {
  for (const script of examples) {
    it(basename(script), { timeout: TIMEOUT_MS }, () => checkExample(runUnderTrainloop(script), 'the embedded runtime'));
  }

  it('--disable-detectors turns one detector, or all, off', { timeout: TIMEOUT_MS }, () => {
    const script = join(EXAMPLES, 'tl004_exploding_gradients.py');
    const withoutTl004 = runUnderTrainloop(script, ['--disable-detectors', 'TL004']);
    assertRan(withoutTl004, 'the embedded runtime');
    assert.deepEqual(findings(withoutTl004.events).map((f) => f.split('@')[0]), ['TL011']);
    const none = runUnderTrainloop(script, ['--disable-detectors', 'all']);
    assertRan(none, 'the embedded runtime');
    assert.deepEqual(diagnostics(none.events), []);
  });

  it('a detector that raises is reported once and switched off, and the script goes on', { timeout: TIMEOUT_MS }, () => {
    const run = runUnderTrainloop(join(FIXTURES, 'failing_monitor.py'));
    checkFailingMonitor(run);
  });

  it('the PyTorch quickstart on Fashion-MNIST raises nothing (first 150 batches)', { timeout: 600_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'trainloop-detectors-quickstart-'));
    const run = runScriptFile(join(REPO, 'examples', 'quickstart.py'), {
      cliArgs: ['--max-batches', '150'],
      timeoutMs: 600_000,
      dir,
    });
    assertRan(run, 'the embedded runtime');
    assert.equal(run.events.filter((event) => event.event === 'batch').length, 150);
    assert.deepEqual(diagnostics(run.events), []);
    assert.deepEqual(run.events.filter((event) => event.event === 'internal'), []);
  });
});

describe('detectors under real PyTorch (test/runtime/detectors/run_on_real_torch.py)', { skip: !hasRealTorch }, () => {
  for (const script of examples) {
    it(basename(script), { timeout: TIMEOUT_MS }, () => checkExample(runUnderPyTorch(script), 'real PyTorch'));
  }

  it('a detector that raises is reported once and switched off, and the script goes on', { timeout: TIMEOUT_MS }, () => {
    checkFailingMonitor(runUnderPyTorch(join(FIXTURES, 'failing_monitor.py')));
  });
});

function checkFailingMonitor(run: ScriptRun): void {
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^finished$/m);
  const failures = run.events.filter((event) => event.event === 'internal');
  assert.equal(failures.length, 1, 'reported once');
  assert.equal(failures[0].detector, 'TL004');
  assert.match(String(failures[0].error), /ZeroDivisionError: injected/);
  assert.equal(run.stderr.match(/the TL004 detector failed and was switched off/g)?.length, 1);
  assert.deepEqual(findings(run.events), expectedFindings(run.script), 'the other detectors kept working');
}

describe('runtime diagnostic wording', () => {
  it("diagnostics.py's message templates are the runtime's own (runtimeFindingTemplates.ts), not the catalog's", () => {
    const dump = spawnSync(
      'python3',
      [
        '-c',
        'import ast, json, sys\n' +
          'tree = ast.parse(open(sys.argv[1]).read())\n' +
          'node = next(n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "MESSAGE_TEMPLATES")\n' +
          'print(json.dumps(ast.literal_eval(node.value)))',
        DIAGNOSTICS_PY,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(dump.status, 0, dump.stderr);
    const templates = JSON.parse(dump.stdout) as Record<string, string>;
    assert.deepEqual(templates, { ...RUNTIME_FINDING_TEMPLATES });
    const codes = new Set(Object.keys(templates).map((id) => id.split('.')[0]));
    assert.deepEqual([...codes].sort(), Object.keys(DIAGNOSTIC_CATALOG).sort(), 'every code has a runtime wording');
    for (const [id, template] of Object.entries(templates)) {
      assert.notEqual(template, DIAGNOSTIC_CATALOG[id.split('.')[0] as DiagnosticCode].messageTemplate, `${id} has its own text`);
    }
  });
});
