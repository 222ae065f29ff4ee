// Runtime findings in the editor, against the recording double of the VS Code API: the runtime's TL001 and the static
// TL001 on the same line are one Problems entry showing the run's numbers (in English and in Chinese) with the static
// Quick Fix; an edit of the line or a new run clears it, an edit above moves it; the run's first finding shows one
// notification whose "Show" opens the line and whose "Stop on this" adds the code to the training problems to stop on.
import './installFakeVscode';
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as vscode from './fakeVscode';
import { applyEdits } from '../../src/analysis/quickFixes';
import { fillPlaceholders } from '../../src/extension/localization';
import { type KeptFinding, RuntimeFindingStore, lineAfterEdits, mergeFindings } from '../../src/extension/runtimeFindings';
import { RUNTIME_FINDING_TEMPLATES } from '../../src/runtime/runtimeFindingTemplates';
import { TRAINING_PROBLEM_STOPS_REQUEST } from '../../src/debug/debugContract';
import { COMMANDS } from '../../src/extension/trainingLoopLenses';
import { readRepoFile, repoRoot, positionOf } from './support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const extension = require('../../src/extension/extension') as typeof import('../../src/extension/extension');

const PROGRAM = '/w/train.py';
const SOURCE = readRepoFile('examples', 'bugs', 'tl001_missing_zero_grad.py');
const BACKWARD = positionOf(SOURCE, 'loss.backward()');

/** What the agent sends for TL001 on the example (the values of a real run; the message is the template filled). */
function tl001Record(line = BACKWARD.line + 1, batch = 2) {
  const values = { optimizer: 'optimizer', parameter: 'model.0.weight', passes: 2, error: '0', norms: '0.284 → 0.405', batch };
  const evidence = { backward_passes_in_gradient: 2, steps_already_applied: 1, gradient_norm: 0.67, parameter: 'model.0.weight', sum_max_error: 0, parameter_gradient_norms: [0.284, 0.405] };
  return { event: 'diagnostic', code: 'TL001', severity: 'warning', path: PROGRAM, line, column: BACKWARD.col + 1, batch, message: fillPlaceholders(RUNTIME_FINDING_TEMPLATES.TL001, values), template: 'TL001', values, evidence };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Tracker = { onWillReceiveMessage?(message: unknown): void; onDidSendMessage?(message: unknown): void };

let context: ReturnType<typeof vscode.extensionContext> | undefined;

function activate(): void {
  vscode.recorded.messages.length = 0;
  vscode.recorded.shown.length = 0;
  vscode.panels.length = 0;
  vscode.diagnosticCollections.length = 0;
  for (const key of Object.keys(vscode.providers)) delete vscode.providers[key];
  vscode.debugRegistrations.configurationProviders.length = 0;
  vscode.debugRegistrations.adapterFactories.length = 0;
  vscode.debugRegistrations.trackerFactories.length = 0;
  vscode.settings.clear();
  vscode.messageAnswers.length = 0;
  vscode.workspace.isTrusted = true;
  vscode.debug.activeDebugSession = undefined;
  context = vscode.extensionContext(repoRoot);
  extension.activate(context as never);
}

afterEach(() => {
  for (const d of context?.subscriptions ?? []) d.dispose();
  context = undefined;
  vscode.workspace.textDocuments.length = 0;
  vscode.l10n.bundle = undefined;
});

function problems(uri = vscode.Uri.file(PROGRAM)): vscode.Diagnostic[] {
  const collection = vscode.diagnosticCollections.find((c) => c.name === 'trainloop');
  assert.ok(collection, 'the trainloop collection');
  assert.ok(!vscode.diagnosticCollections.some((c) => c.name === 'trainloop-runtime'), 'one collection: static and runtime findings in the same entries');
  return collection.get(uri) ?? [];
}

/** Opens the example as PROGRAM, as an editor does. */
function openProgram(): vscode.FakeDocument {
  const doc = vscode.document(PROGRAM, SOURCE);
  vscode.workspace.textDocuments.push(doc);
  vscode.documentOpened.fire(doc);
  return doc;
}

/** A run of PROGRAM, as VS Code starts it after startDebugging: the tracker sees it first. */
function startRun() {
  const session = vscode.debugSession({ type: 'trainloop', request: 'launch', name: 'run', program: PROGRAM });
  const tracker = vscode.debugRegistrations.trackerFactories[0].factory.createDebugAdapterTracker(session) as Tracker;
  vscode.debug.activeDebugSession = session;
  const send = (event: string, body: unknown) => tracker.onDidSendMessage?.({ type: 'event', event, body });
  return { session, send };
}

/** Replaces a range of the document by `text`, and tells the extension as VS Code does (the range in the old text). */
function edit(doc: vscode.FakeDocument, range: vscode.Range, text: string): void {
  doc.text = applyEdits(doc.text, [{ startLine: range.start.line, startCol: range.start.character, endLine: range.end.line, endCol: range.end.character, newText: text }]);
  doc.version++;
  vscode.documentChanged.fire({ document: doc, contentChanges: [{ range, text } as never] });
}

describe('the findings kept between runs (runtimeFindings.ts)', () => {
  test('an edit above a line moves it by the lines it adds or removes; an edit of the line itself drops it', () => {
    assert.equal(lineAfterEdits(10, [{ startLine: 2, endLine: 2, text: 'a\nb\n' }]), 12);
    assert.equal(lineAfterEdits(10, [{ startLine: 2, endLine: 5, text: '' }]), 7);
    assert.equal(lineAfterEdits(10, [{ startLine: 12, endLine: 14, text: 'x\n' }]), 10, 'below: stays');
    assert.equal(lineAfterEdits(10, [{ startLine: 10, endLine: 10, text: '    optimizer.zero_grad()\n' }]), null, 'a Quick Fix inserted on the line');
    assert.equal(lineAfterEdits(10, [{ startLine: 8, endLine: 11, text: '' }]), null, 'deleted with others');
    assert.equal(lineAfterEdits(10, [{ startLine: 1, endLine: 1, text: '\n' }, { startLine: 4, endLine: 6, text: '' }]), 9, 'several edits of the old text');
  });

  test('a static and a runtime finding of one code on one line pair up; others stay apart', () => {
    const finding = (code: string, line: number): KeptFinding => ({ program: PROGRAM, path: PROGRAM, line, diagnostic: { code, message: code, severity: 'warning', line } });
    const entries = mergeFindings([{ code: 'TL001', line: 17 }, { code: 'TL007', line: 9 }], [finding('TL001', 17), finding('TL003', 17), finding('TL007', 30)]);
    assert.deepEqual(entries.map((e) => [e.kind, e.kind === 'runtime' ? e.runtime.diagnostic.code : e.static.code, e.kind === 'static' ? null : e.runtime.line]), [
      ['both', 'TL001', 17],
      ['static', 'TL007', null],
      ['runtime', 'TL003', 17],
      ['runtime', 'TL007', 30],
    ]);
  });

  test('each report is taken once, even after an edit dropped it; a new run of the program forgets its findings', () => {
    const store = new RuntimeFindingStore();
    const first = { code: 'TL001', message: 'm', severity: 'warning' as const, line: 17 };
    const elsewhere = { code: 'TL004', message: 'm', severity: 'warning' as const, path: '/w/model.py', line: 3 };
    assert.equal(store.add(PROGRAM, [first, elsewhere]).length, 2);
    assert.equal(store.add(PROGRAM, [first, elsewhere]).length, 0, 'the session list grows; nothing new');
    assert.equal(store.edit(PROGRAM, [{ startLine: 17, endLine: 17, text: 'x' }]), true);
    assert.deepEqual(store.inFile(PROGRAM), []);
    assert.equal(store.add(PROGRAM, [first, elsewhere]).length, 0, 'a dropped finding does not come back with the next report');
    assert.deepEqual(store.clear(PROGRAM), ['/w/model.py']);
    assert.deepEqual(store.inFile('/w/model.py'), []);
    assert.equal(store.edit('/w/other.py', undefined), false);
  });
});

describe('runtime findings in VS Code (fake API)', () => {
  test('the static and the runtime TL001 on the backward() line are one Problems entry with the run\'s numbers, and its Quick Fix', () => {
    activate();
    const doc = openProgram();
    assert.deepEqual(problems().map((d) => [d.code, d.range.start.line, d.source]), [['TL001', BACKWARD.line, 'Trainloop']]);
    const staticText = problems()[0].message;

    const { send } = startRun();
    send('trainloopDiagnostic', tl001Record());
    send('trainloopBatch', { batch: 2, loss: 1, losses: [1], gradNorms: {}, updateRatios: {}, modelTraining: true, diagnostics: [tl001Record()] });
    const entries = problems();
    assert.equal(entries.length, 1, `one entry: ${entries.map((d) => d.message).join(' | ')}`);
    const [entry] = entries;
    assert.equal(entry.code, 'TL001');
    assert.equal(entry.source, 'Trainloop');
    assert.equal(entry.range.start.line, BACKWARD.line);
    assert.notEqual(entry.message, staticText);
    assert.equal(
      entry.message,
      "Gradients accumulate across batches: model.0.weight.grad equals the sum of the gradients of the last 2 backward() calls (largest difference 0), and its norm grew 0.284 → 0.405. Each optimizer.step() applies earlier batches' gradients again: call optimizer.zero_grad() once per iteration. (batch 2)",
    );
    const quickFixes = vscode.providers.codeActions[0] as { provideCodeActions(d: unknown, r: unknown, c: unknown): vscode.CodeAction[] };
    const actions = quickFixes.provideCodeActions(doc, entry.range, { diagnostics: [entry] });
    assert.deepEqual(actions.map((a) => a.title), ['Call optimizer.zero_grad() before backward()'], 'the merged entry keeps the static Quick Fix');
  });

  test('in Chinese, the merged entry is the run\'s text translated, with the same numbers', () => {
    activate();
    vscode.l10n.bundle = JSON.parse(readRepoFile('l10n', 'bundle.l10n.zh-cn.json'));
    openProgram();
    startRun().send('trainloopDiagnostic', tl001Record());
    const [entry] = problems();
    assert.equal(
      entry.message,
      '梯度在批次之间不断累积:model.0.weight.grad 等于最近 2 次 backward() 调用的梯度之和(最大差值 0),其范数依次增长为 0.284 → 0.405。每次 optimizer.step() 都会再次应用之前批次的梯度:请在每次迭代中调用一次 optimizer.zero_grad()。(第 2 个批次)',
    );
  });

  test('a runtime finding without a static one is its own entry; one in another file lands there', () => {
    activate();
    openProgram();
    const { send } = startRun();
    send('trainloopDiagnostic', { ...tl001Record(), code: 'TL004', template: 'TL004', values: {}, message: 'Exploding gradients (old agent)', line: 12, batch: 40 });
    send('trainloopDiagnostic', { ...tl001Record(), code: 'TL006', path: '/w/model.py', line: 5, template: 'nope', message: 'Dying ReLU: …' });
    assert.deepEqual(problems().map((d) => [d.code, d.range.start.line, d.source, d.message]), [
      ['TL001', BACKWARD.line, 'Trainloop', problems()[0].message],
      ['TL004', 11, 'Trainloop (run)', 'Exploding gradients (old agent) (batch 40)'],
    ]);
    assert.deepEqual(problems(vscode.Uri.file('/w/model.py')).map((d) => [d.code, d.range.start.line, d.message]), [['TL006', 4, 'Dying ReLU: … (batch 2)']]);
  });

  test('the Quick Fix (an edit of the line) clears the runtime finding at once; the static one goes once the file is re-checked', async () => {
    activate();
    const doc = openProgram();
    startRun().send('trainloopDiagnostic', tl001Record());
    assert.match(problems()[0].message, /equals the sum/);
    const quickFixes = vscode.providers.codeActions[0] as { provideCodeActions(d: unknown, r: unknown, c: unknown): vscode.CodeAction[] };
    const [fix] = quickFixes.provideCodeActions(doc, problems()[0].range, { diagnostics: problems() });
    const [replacement] = fix.edit!.replacements;
    assert.equal(replacement.range.start.line, BACKWARD.line, 'the fix edits the backward() line');
    edit(doc, replacement.range, replacement.newText);
    assert.match(doc.text, /optimizer\.zero_grad\(\)/);
    assert.ok(!problems().some((d) => /equals the sum/.test(d.message)), 'the run\'s finding went with the edit');
    await sleep(400);
    assert.deepEqual(problems(), [], 'the fixed file has no finding at all');
  });

  test('an edit above the line moves the runtime finding with it, still one entry with the static one', async () => {
    activate();
    const doc = openProgram();
    startRun().send('trainloopDiagnostic', tl001Record());
    edit(doc, new vscode.Range(0, 0, 0, 0), '# a comment\n# another\n');
    assert.deepEqual(problems().filter((d) => /equals the sum/.test(d.message)).map((d) => d.range.start.line), [BACKWARD.line + 2]);
    await sleep(400);
    const entries = problems();
    assert.equal(entries.length, 1);
    assert.equal(entries[0].range.start.line, BACKWARD.line + 2);
    assert.match(entries[0].message, /equals the sum.*\(batch 2\)$/);
  });

  test('a new run of the program clears its last run\'s findings', () => {
    activate();
    openProgram();
    startRun().send('trainloopDiagnostic', { ...tl001Record(), code: 'TL004', template: 'TL004', line: 12 });
    assert.equal(problems().length, 2);
    startRun();
    assert.deepEqual(problems().map((d) => [d.code, d.source]), [['TL001', 'Trainloop']]);
    assert.doesNotMatch(problems()[0].message, /equals the sum/);
  });

  test('the run\'s first finding shows one notification; "Show" opens the file at the line', async () => {
    activate();
    openProgram();
    vscode.messageAnswers.push('Show');
    const { send } = startRun();
    send('trainloopDiagnostic', tl001Record());
    send('trainloopDiagnostic', { ...tl001Record(), code: 'TL004', template: 'TL004', line: 12, message: 'Exploding gradients …' });
    await tick();
    await tick();
    const notices = vscode.recorded.messages.filter((m) => m.level === 'warning');
    assert.equal(notices.length, 1, 'one notification per run');
    assert.deepEqual(notices[0].actions, ['Show', 'Stop on this']);
    assert.match(notices[0].text, /^Trainloop found a training problem in train\.py, line 18: Gradients accumulate across batches: model\.0\.weight\.grad equals .* \(batch 2\) \[TL001\]$/);
    assert.equal(vscode.recorded.shown.length, 1);
    const shown = vscode.recorded.shown[0] as { uri: vscode.Uri; options: { selection: vscode.Range } };
    assert.equal(shown.uri.fsPath, PROGRAM);
    assert.equal(shown.options.selection.start.line, BACKWARD.line);

    startRun().send('trainloopDiagnostic', tl001Record());
    await tick();
    assert.equal(vscode.recorded.messages.filter((m) => m.level === 'warning').length, 2, 'the next run\'s first finding is announced again');
  });

  test('"Stop on this" adds the code to trainloop.stopOnTrainingProblems and the live run gets it; a chosen code offers only "Show"', async () => {
    activate();
    vscode.settings.set('trainloop.stopOnTrainingProblems', ['TL004']);
    vscode.messageAnswers.push('Stop on this');
    const { session, send } = startRun();
    send('trainloopDiagnostic', tl001Record());
    await tick();
    await tick();
    assert.deepEqual(vscode.settings.get('trainloop.stopOnTrainingProblems'), ['TL004', 'TL001']);
    assert.deepEqual(session.requests.filter((r) => r.command === TRAINING_PROBLEM_STOPS_REQUEST).map((r) => r.args), [{ codes: ['TL001', 'TL004'] }]);

    startRun().send('trainloopDiagnostic', tl001Record());
    await tick();
    const last = vscode.recorded.messages.filter((m) => m.level === 'warning').at(-1);
    assert.deepEqual(last?.actions, ['Show'], 'TL001 already stops the run');
  });

  test('the training panel lists the pair once too: the run\'s finding, with its numbers', async () => {
    activate();
    openProgram();
    startRun().send('trainloopDiagnostic', tl001Record());
    await vscode.commands.executeCommand(COMMANDS.showPanel);
    const panel = vscode.panels.at(-1)!;
    panel.webview.fromPage.fire({ type: 'ready' });
    await sleep(50);
    const lists = panel.webview.posted.filter((m) => ['init', 'diagnostics'].includes((m as { type: string }).type)) as Array<{ diagnostics: Array<{ code: string; origin: string; line?: number; message: string }> }>;
    const last = lists.at(-1)?.diagnostics ?? [];
    assert.deepEqual(last.map((d) => [d.code, d.origin, d.line]), [['TL001', 'runtime', BACKWARD.line]]);
    assert.match(last[0].message, /model\.0\.weight\.grad equals the sum/);
  });

  test('in Chinese, the notification and its buttons are translated', async () => {
    activate();
    vscode.l10n.bundle = JSON.parse(readRepoFile('l10n', 'bundle.l10n.zh-cn.json'));
    startRun().send('trainloopDiagnostic', tl001Record());
    await tick();
    const [notice] = vscode.recorded.messages.filter((m) => m.level === 'warning');
    assert.deepEqual(notice.actions, ['显示', '遇到时停止']);
    assert.match(notice.text, /^Trainloop 在 train\.py 第 18 行发现一个训练问题:梯度在批次之间不断累积:model\.0\.weight\.grad 等于最近 2 次/);
  });
});
