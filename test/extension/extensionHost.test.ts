// The extension's VS Code side against a recording double of the API: activation, diagnostics as you type with Quick Fixes, workspace trust, CodeLens actions through a debug session, hovers, inline values, status bar and the panel's message flow.
import './installFakeVscode';
import { test, afterEach } from 'node:test';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import * as vscode from './fakeVscode';
import { applyEdits } from '../../src/analysis/quickFixes';
import { COMMANDS } from '../../src/extension/trainingLoopLenses';
import { readRepoFile, repoRoot, SEED_TRAIN, positionOf } from './support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const extension = require('../../src/extension/extension') as typeof import('../../src/extension/extension');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Tracker = {
  onWillReceiveMessage?(message: unknown): void;
  onDidSendMessage?(message: unknown): void;
  onExit?(): void;
};

let context: ReturnType<typeof vscode.extensionContext>;

function activate(): void {
  vscode.recorded.messages.length = 0;
  vscode.recorded.executed.length = 0;
  vscode.recorded.shown.length = 0;
  vscode.recorded.started.length = 0;
  vscode.recorded.stopped.length = 0;
  vscode.panels.length = 0;
  vscode.statusBarItems.length = 0;
  vscode.outputChannels.length = 0;
  vscode.diagnosticCollections.length = 0;
  for (const key of Object.keys(vscode.providers)) delete vscode.providers[key];
  vscode.debugRegistrations.configurationProviders.length = 0;
  vscode.debugRegistrations.adapterFactories.length = 0;
  vscode.debugRegistrations.trackerFactories.length = 0;
  vscode.settings.clear();
  vscode.workspace.isTrusted = true;
  vscode.window.activeTextEditor = undefined;
  vscode.debug.activeDebugSession = undefined;
  vscode.debug.breakpoints = [];
  context = vscode.extensionContext(repoRoot);
  extension.activate(context as never);
}

afterEach(() => {
  for (const d of context.subscriptions) d.dispose();
  vscode.workspace.textDocuments.length = 0;
});

function provider<T>(kind: string): T {
  const list = vscode.providers[kind];
  assert.ok(list && list.length === 1, `one ${kind} provider`);
  return list[0] as T;
}

function collection(name: string): vscode.FakeDiagnosticCollection {
  const found = vscode.diagnosticCollections.find((c) => c.name === name);
  assert.ok(found, name);
  return found;
}

/** Starts a session the way VS Code would after startDebugging: the tracker factory sees it first. */
function startSession(configuration: Record<string, unknown>, answer?: (command: string, args: unknown) => unknown) {
  const session = vscode.debugSession(configuration, answer);
  const tracker = vscode.debugRegistrations.trackerFactories[0].factory.createDebugAdapterTracker(session) as Tracker;
  vscode.debug.activeDebugSession = session;
  const send = (event: string, body: unknown) => tracker.onDidSendMessage?.({ type: 'event', event, body });
  return { session, tracker, send };
}

test('activation registers the debugger, the Python providers, every command and the "Trainloop" output channel', () => {
  activate();
  for (const id of Object.values(COMMANDS)) assert.ok(vscode.registeredCommands.has(id), id);
  for (const kind of ['codeLens', 'codeActions', 'hover', 'evaluatableExpression', 'inlineValues']) provider(kind);
  const { configurationProviders, adapterFactories, trackerFactories } = vscode.debugRegistrations;
  assert.deepEqual(configurationProviders.map((p) => [p.type, p.trigger]), [['trainloop', undefined], ['trainloop', vscode.DebugConfigurationProviderTriggerKind.Dynamic]]);
  assert.equal(adapterFactories[0].type, 'trainloop');
  assert.equal(trackerFactories[0].type, 'trainloop');
  assert.deepEqual(vscode.outputChannels.map((c) => [c.name, c.languageId]), [['Trainloop', 'trainlog']]);
});

test('static diagnostics: on open, again after typing stops (debounced), with a Quick Fix that removes the warning', async () => {
  activate();
  const doc = vscode.document('/w/train.py', readRepoFile('examples', 'bugs', 'tl001_missing_zero_grad.py'));
  vscode.documentOpened.fire(doc);
  const diagnostics = collection('trainloop').get(doc.uri) ?? [];
  assert.deepEqual(diagnostics.map((d) => [d.code, d.range.start.line, d.source]), [['TL001', positionOf(doc.text, 'loss.backward()').line, 'Trainloop']]);

  // Quick Fix: the analysis's edit, applied, clears the warning.
  const actions = provider<{ provideCodeActions(d: unknown, r: unknown, c: unknown): vscode.CodeAction[] }>('codeActions').provideCodeActions(doc, diagnostics[0].range, { diagnostics });
  assert.equal(actions.length, 1);
  assert.equal(actions[0].title, 'Call optimizer.zero_grad() before backward()');
  assert.ok(actions[0].isPreferred);
  const edits = actions[0].edit!.replacements.map((r) => ({ startLine: r.range.start.line, startCol: r.range.start.character, endLine: r.range.end.line, endCol: r.range.end.character, newText: r.newText }));
  doc.text = applyEdits(doc.text, edits);
  doc.version++;
  vscode.documentChanged.fire({ document: doc, contentChanges: [{ text: doc.text }] });
  assert.equal(collection('trainloop').get(doc.uri)?.length, 1, 'not re-checked while the user may still be typing');
  await sleep(400);
  assert.deepEqual(collection('trainloop').get(doc.uri), [], 'the fixed file has no warning');
});

test('diagnostics follow trainloop.detectors.enabled and are translated with the l10n bundle', () => {
  activate();
  vscode.l10n.bundle = JSON.parse(readRepoFile('l10n', 'bundle.l10n.zh-cn.json'));
  try {
    const doc = vscode.document('/w/train.py', readRepoFile('examples', 'bugs', 'tl001_missing_zero_grad.py'));
    vscode.documentOpened.fire(doc);
    assert.match(collection('trainloop').get(doc.uri)?.[0].message ?? '', /梯度在批次之间不断累积/);
    vscode.settings.set('trainloop.detectors.enabled', ['TL002']);
    vscode.documentOpened.fire(doc);
    assert.deepEqual(collection('trainloop').get(doc.uri), []);
  } finally {
    vscode.l10n.bundle = undefined;
  }
});

test('an untrusted workspace runs nothing but keeps its static diagnostics', async () => {
  activate();
  vscode.workspace.isTrusted = false;
  const doc = vscode.document('/w/train.py', readRepoFile('examples', 'bugs', 'tl001_missing_zero_grad.py'));
  vscode.documentOpened.fire(doc);
  assert.equal(collection('trainloop').get(doc.uri)?.length, 1);
  await vscode.commands.executeCommand(COMMANDS.trainOneBatch, doc.uri);
  await vscode.commands.executeCommand(COMMANDS.evaluate, doc.uri, 3);
  assert.deepEqual(vscode.recorded.started, []);
  assert.ok(vscode.recorded.messages.some((m) => m.level === 'warning' && m.text.includes('trusted workspace')));
  const resolver = vscode.debugRegistrations.configurationProviders[0].provider as { resolveDebugConfiguration(f: unknown, c: unknown): unknown };
  assert.equal(await resolver.resolveDebugConfiguration(undefined, { type: 'trainloop', request: 'launch', name: 'x', program: '/w/train.py', runtime: 'python' }), undefined);
});

type Resolver = {
  resolveDebugConfiguration(f: unknown, c: unknown): Promise<Record<string, unknown> | undefined>;
  resolveDebugConfigurationWithSubstitutedVariables(f: unknown, c: unknown): Promise<Record<string, unknown> | undefined>;
};

test('F5 on a Python file with no launch.json trains that file with the settings\' backend', async () => {
  activate();
  const resolver = vscode.debugRegistrations.configurationProviders[0].provider as Resolver;
  assert.equal(await resolver.resolveDebugConfiguration(undefined, {}), undefined, 'no Python editor: nothing to run');
  assert.ok(vscode.recorded.messages.some((m) => m.text.includes('Open a Python training script')));
  vscode.settings.set('trainloop.backend', 'cpu');
  vscode.settings.set('trainloop.detectors.enabled', ['TL001', 'TL002']);
  vscode.window.activeTextEditor = { document: vscode.document('/w/train.py', SEED_TRAIN), selection: { active: new vscode.Position(0, 0) } };
  const config = await resolver.resolveDebugConfiguration(undefined, {});
  assert.equal(config?.type, 'trainloop');
  // No runtime setting, no interpreter setting, no Python extension: auto, with python3.
  assert.equal(config?.runtime, 'auto');
  assert.equal(config?.python, 'python3');
  assert.equal(config?.request, 'launch');
  assert.equal(config?.program, '/w/train.py');
  assert.equal(config?.backend, 'cpu');
  assert.ok((config?.disabledDetectors as string[]).includes('TL004') && !(config?.disabledDetectors as string[]).includes('TL001'));
  const dynamic = vscode.debugRegistrations.configurationProviders[1].provider as { provideDebugConfigurations(): Array<Record<string, unknown>> };
  assert.deepEqual(dynamic.provideDebugConfigurations().map((c) => c.program), ['/w/train.py']);
});

test('a launch\'s interpreter: trainloop.python, else the Python extension\'s environment for the file, else python.defaultInterpreterPath', async () => {
  activate();
  const resolver = vscode.debugRegistrations.configurationProviders[0].provider as Resolver;
  const launch = () => ({ type: 'trainloop', request: 'launch', name: 'x', program: '/w/train.py' });
  const asked: unknown[] = [];
  vscode.installedExtensions.set('ms-python.python', {
    id: 'ms-python.python',
    isActive: true,
    activate: async () => undefined,
    exports: {
      environments: {
        getActiveEnvironmentPath: (resource: vscode.Uri) => {
          asked.push(resource.fsPath);
          return { id: 'venv', path: '/w/.venv' };
        },
        resolveEnvironment: async (env: { path: string }) => ({ executable: { uri: vscode.Uri.file(`${env.path}/bin/python`) } }),
      },
    },
  });
  try {
    vscode.settings.set('python.defaultInterpreterPath', '/usr/local/bin/python3.12');
    assert.equal((await resolver.resolveDebugConfiguration(undefined, launch()))?.python, '/w/.venv/bin/python');
    assert.deepEqual(asked, ['/w/train.py'], 'asked for the file being launched');
    vscode.settings.set('trainloop.python', '${workspaceFolder}/env/bin/python');
    vscode.settings.set('trainloop.runtime', 'python');
    const fromSetting = await resolver.resolveDebugConfiguration(undefined, launch());
    assert.equal(fromSetting?.python, '${workspaceFolder}/env/bin/python', 'left for VS Code to substitute');
    assert.equal(fromSetting?.runtime, 'python');
    // The launch's own attributes win; embedded looks no interpreter up.
    const own = await resolver.resolveDebugConfiguration(undefined, { ...launch(), runtime: 'embedded' });
    assert.equal(own?.runtime, 'embedded');
    assert.equal(own?.python, undefined);
  } finally {
    vscode.installedExtensions.clear();
  }
  vscode.settings.delete('trainloop.python');
  assert.equal((await resolver.resolveDebugConfiguration(undefined, launch()))?.python, '/usr/local/bin/python3.12', 'no Python extension');
});

test('a python launch whose interpreter cannot run it: a notification with the way out, no session', async () => {
  activate();
  const resolver = vscode.debugRegistrations.configurationProviders[0].provider as Resolver;
  const program = join(repoRoot, 'examples', 'quickstart.py');
  const missing = await resolver.resolveDebugConfigurationWithSubstitutedVariables(undefined, { type: 'trainloop', program, runtime: 'python', python: '/nope/bin/python' });
  assert.equal(missing, undefined);
  assert.ok(
    vscode.recorded.messages.some((m) => m.level === 'error' && m.text === 'No Python interpreter at /nope/bin/python: set trainloop.python or the launch\'s "python".'),
    JSON.stringify(vscode.recorded.messages),
  );
  // A relative interpreter is read against the script's folder (no workspace folder here).
  const relative = await resolver.resolveDebugConfigurationWithSubstitutedVariables(undefined, { type: 'trainloop', program, runtime: 'python', python: 'venv/bin/python' });
  assert.equal(relative, undefined);
  assert.ok(vscode.recorded.messages.some((m) => m.text.startsWith(`No Python interpreter at ${join(repoRoot, 'examples', 'venv', 'bin', 'python')}:`)));
  // auto is decided by the adapter, which falls back to the embedded runtime: nothing is said here.
  const auto = await resolver.resolveDebugConfigurationWithSubstitutedVariables(undefined, { type: 'trainloop', program, runtime: 'auto', python: '/nope/bin/python' });
  assert.equal(auto?.python, '/nope/bin/python');
});

test('the status bar names the runtime in the user\'s words, with the reason and the interpreter in its tooltip', async () => {
  activate();
  const { send } = startSession({ type: 'trainloop', request: 'launch', name: 'Trainloop: train.py', program: '/w/train.py', runtime: 'auto' });
  send('trainloopRuntime', {
    kind: 'python',
    label: 'Python 3.11 · torch 2.3.1+cpu · cpu',
    reason: '/home/u/.venv/bin/python has Python 3.11.7 and torch 2.3.1+cpu',
    python: '/home/u/.venv/bin/python',
    pythonVersion: '3.11.7',
    torch: '2.3.1+cpu',
    device: 'cpu',
    bootMs: 900,
  });
  send('stopped', { reason: 'entry', threadId: 1 });
  const status = vscode.statusBarItems.find((s) => s.id === 'trainloop.status');
  assert.equal(status?.text, '$(debug-pause) Trainloop · Python 3.11 · torch 2.3.1 · cpu · not in a training loop', 'paused at entry, before any batch');
  const tooltip = (status?.tooltip as vscode.MarkdownString).value;
  assert.ok(tooltip.includes('Interpreter: /home/u/.venv/bin/python'), tooltip);
  assert.ok(tooltip.includes('Why: /home/u/.venv/bin/python has Python 3.11.7 and torch 2.3.1+cpu'), tooltip);

  const embedded = startSession({ type: 'trainloop', request: 'launch', name: 'Trainloop: b.py', program: '/w/b.py' });
  embedded.send('trainloopRuntime', { kind: 'embedded', label: 'embedded · wasm', backend: 'wasm', reason: 'python3 has no torch: using the embedded runtime', bootMs: 3000 });
  embedded.send('stopped', { reason: 'entry', threadId: 1 });
  assert.equal(status?.text, '$(debug-pause) Trainloop · embedded · wasm · not in a training loop');
  assert.ok((status?.tooltip as vscode.MarkdownString).value.includes('Why: python3 has no torch: using the embedded runtime'));
});

test('"Train one batch" with no loop to run to starts a session that stops on entry, then asks the adapter for one batch', async () => {
  activate();
  const program = vscode.Uri.file('/w/train.py');
  await vscode.commands.executeCommand(COMMANDS.trainOneBatch, program);
  assert.equal(vscode.recorded.started.length, 1);
  const config = vscode.recorded.started[0];
  assert.equal(config.program, '/w/train.py');
  assert.equal(config.stopOnEntry, true);
  const { session, send } = startSession(config);
  assert.deepEqual(session.requests, []);
  send('stopped', { reason: 'entry', threadId: 1 });
  await sleep(0);
  assert.deepEqual(session.requests, [{ command: 'stepBatch', args: { count: 1 } }]);
  // Batch 0 is reported; the adapter stops at the loop body of batch 1 and says so.
  send('trainloopBatch', { batch: 1, epoch: 0, loss: 2.303, losses: [2.303], gradNorms: { 'fc.weight': 0.2 }, diagnostics: [] });
  send('stopped', { reason: 'step', threadId: 1, description: 'batch 1' });
  const status = vscode.statusBarItems.find((s) => s.id === 'trainloop.status');
  assert.ok(status?.visible);
  assert.match(status.text, /^\$\(debug-pause\) Trainloop · batch 1 · loss 2\.3/, 'a stop shows at once, with the batch the adapter stopped at');
  // "Train 10 batches" while paused: one request in the same session.
  vscode.settings.set('trainloop.codeLens.batchCount', 10);
  await vscode.commands.executeCommand(COMMANDS.trainBatches, program);
  assert.deepEqual(session.requests.slice(1), [{ command: 'stepBatch', args: { count: 10 } }]);
  assert.equal(vscode.recorded.started.length, 1, 'no second session');
  // Throttled reports while it trains; the report sent as it stops names the next batch, the stop says which.
  send('trainloopBatch', { batch: 5, loss: 2.2, losses: [2.28, 2.26, 2.24, 2.22, 2.2], gradNorms: {}, diagnostics: [] });
  send('trainloopBatch', { batch: 11, loss: 2.1, losses: [2.18, 2.16, 2.14, 2.12, 2.1], gradNorms: {}, diagnostics: [] });
  send('stopped', { reason: 'step', threadId: 1, description: 'batch 11' });
  assert.match(status.text, /batch 11 · loss 2\.1/, 'ten more batches: batch 11, not the last throttled report\'s number');
});

test('"Train 10 batches" from the loop\'s CodeLens starts a session that runs to the loop\'s first body line and trains 10 batches there', async () => {
  activate();
  const doc = vscode.document('/w/quickstart.py', readRepoFile('examples', 'quickstart.py'));
  vscode.workspace.textDocuments.push(doc);
  const loop = positionOf(doc.text, 'for batch, (X, y) in enumerate(dataloader):').line;
  const body = positionOf(doc.text, 'X, y = X.to(device), y.to(device)').line;
  const lens = (provider<{ provideCodeLenses(d: unknown): vscode.CodeLens[] }>('codeLens').provideCodeLenses(doc)).find((l) => l.command?.command === COMMANDS.trainBatches);
  assert.deepEqual(lens?.command?.arguments, [doc.uri, loop]);
  await vscode.commands.executeCommand(COMMANDS.trainBatches, ...(lens?.command?.arguments ?? []));
  const config = vscode.recorded.started[0];
  assert.equal(config.stopOnEntry, false);
  assert.deepEqual(config.__trainloopRun, { line: body + 1, batches: 10 }, 'the adapter in front of the session runs it (1-based line)');
  assert.deepEqual(vscode.debug.breakpoints, [], 'no breakpoint of the user\'s is touched');
  const { session } = startSession(config);
  assert.deepEqual(session.requests, [], 'nothing for the editor to do until the batches have trained');

  // From the command palette (no loop line): the file's first training loop.
  for (const d of context.subscriptions) d.dispose();
  activate();
  vscode.workspace.textDocuments.push(doc);
  vscode.window.activeTextEditor = { document: doc, selection: { active: new vscode.Position(0, 0) } };
  await vscode.commands.executeCommand(COMMANDS.trainOneBatch);
  assert.deepEqual(vscode.recorded.started[0].__trainloopRun, { line: body + 1, batches: 1 });
});

test('while the session runs, "Train N batches" pauses it first; Stop ends it; a breakpoint before the first batch wins', async () => {
  activate();
  const program = vscode.Uri.file('/w/train.py');
  const { session, send, tracker } = startSession({ type: 'trainloop', request: 'launch', name: 'run', program: '/w/train.py' });
  tracker.onWillReceiveMessage?.({ type: 'request', command: 'continue' });
  await vscode.commands.executeCommand(COMMANDS.trainBatches, program);
  assert.deepEqual(session.requests, [{ command: 'pause', args: { threadId: 1 } }]);
  send('stopped', { reason: 'pause', threadId: 1 });
  await sleep(0);
  assert.deepEqual(session.requests[1], { command: 'stepBatch', args: { count: 10 } });
  await vscode.commands.executeCommand(COMMANDS.stop, program);
  assert.deepEqual(vscode.recorded.stopped, [session]);

  const second = startSession({ type: 'trainloop', request: 'launch', name: 'again', program: '/w/other.py', stopOnEntry: true, __trainloopAfterEntry: { stepBatches: 1 } });
  second.send('stopped', { reason: 'breakpoint', threadId: 1 });
  await sleep(0);
  assert.deepEqual(second.session.requests, [], 'the user\'s breakpoint stop is left alone');
});

test('"Evaluate" trains nothing: a new session pauses before the first batch and evaluates there; a paused one evaluates in place; the outcome is shown', async () => {
  activate();
  const doc = vscode.document('/w/quickstart.py', readRepoFile('examples', 'quickstart.py'));
  vscode.workspace.textDocuments.push(doc);
  const evalLoop = positionOf(doc.text, 'for X, y in dataloader:').line;
  const trainBody = positionOf(doc.text, 'X, y = X.to(device), y.to(device)').line;
  const lens = provider<{ provideCodeLenses(d: unknown): vscode.CodeLens[] }>('codeLens').provideCodeLenses(doc).find((l) => l.command?.command === COMMANDS.evaluate);
  assert.deepEqual(lens?.command?.arguments, [doc.uri, evalLoop]);
  assert.match(lens?.command?.tooltip ?? '', /pause before its first training batch.*test\(\) with the initial weights\. Nothing is trained/);
  await vscode.commands.executeCommand(COMMANDS.evaluate, ...(lens?.command?.arguments ?? []));
  assert.equal(vscode.recorded.started[0].stopOnEntry, false);
  assert.deepEqual(vscode.recorded.started[0].__trainloopRun, { line: trainBody + 1, batches: 0, evaluate: { line: evalLoop + 1 } });
  assert.deepEqual(vscode.debug.breakpoints, []);

  const { session, send } = startSession(vscode.recorded.started[0]);
  send('stopped', { reason: 'breakpoint', threadId: 1 });
  await vscode.commands.executeCommand(COMMANDS.evaluate, doc.uri, evalLoop);
  assert.deepEqual(session.requests, [{ command: 'trainloopEvaluateLoop', args: { path: doc.uri.fsPath, line: evalLoop + 1 } }]);
  const pass = { batches: 1, epoch: 0, loss: 2.2871, accuracy: 0.1234, samples: 10000 };
  send('trainloopEvaluated', { ok: true, code: 'test(test_dataloader, model, loss_fn)', seconds: 3.14, evaluations: [pass], trainedBatches: 0 });
  send('trainloopEvaluated', { ok: false, problem: 'NameError: name \'test\' is not defined', line: evalLoop + 1 });
  assert.deepEqual(vscode.recorded.messages.slice(-2), [
    { level: 'info', text: 'test(test_dataloader, model, loss_fn) with the current weights (3.1 s): loss 2.287, accuracy 12.3 % on 10000 samples. Nothing was trained.' },
    { level: 'error', text: "Trainloop could not evaluate: NameError: name 'test' is not defined" },
  ]);
});

test('"Evaluate" while the session runs pauses it first and evaluates at the pause; a file without a training loop runs to the loop', async () => {
  activate();
  const program = vscode.Uri.file('/w/train.py');
  const { session, send, tracker } = startSession({ type: 'trainloop', request: 'launch', name: 'run', program: '/w/train.py' });
  tracker.onWillReceiveMessage?.({ type: 'request', command: 'continue' });
  await vscode.commands.executeCommand(COMMANDS.evaluate, program, 40);
  assert.deepEqual(session.requests, [{ command: 'pause', args: { threadId: 1 } }]);
  send('stopped', { reason: 'pause', threadId: 1 });
  await sleep(0);
  assert.deepEqual(session.requests[1], { command: 'trainloopEvaluateLoop', args: { path: program.fsPath, line: 41 } });

  const evalOnly = vscode.document('/w/eval.py', 'import torch\nwith torch.no_grad():\n    for X, y in loader:\n        loss = loss_fn(model(X), y)\n');
  vscode.workspace.textDocuments.push(evalOnly);
  await vscode.commands.executeCommand(COMMANDS.evaluate, evalOnly.uri, 2);
  assert.deepEqual(vscode.recorded.started.at(-1)?.__trainloopRun, { line: 4, batches: 0 });
});

test('a restarted session starts its charts and batch count again', async () => {
  activate();
  const { send, tracker } = startSession({ type: 'trainloop', request: 'launch', name: 'run', program: '/w/train.py' });
  send('trainloopBatch', { batch: 2, loss: 2, losses: [2.2, 2.1, 2], gradNorms: {}, diagnostics: [] });
  send('stopped', { reason: 'step', threadId: 1, description: 'batch 3' });
  const status = vscode.statusBarItems.find((s) => s.id === 'trainloop.status');
  assert.match(status?.text ?? '', /batch 3/);
  tracker.onWillReceiveMessage?.({ type: 'request', command: 'restart' });
  send('trainloopBatch', { batch: 0, loss: 2.3, losses: [2.3], gradNorms: {}, diagnostics: [] });
  send('stopped', { reason: 'step', threadId: 1, description: 'batch 1' });
  assert.match(status?.text ?? '', /batch 1 · loss 2\.3/);
});

test('runtime warnings land on their lines, in the Problems view and the panel', async () => {
  activate();
  const { send } = startSession({ type: 'trainloop', request: 'launch', name: 'run', program: '/w/train.py' });
  send('trainloopDiagnostic', { event: 'diagnostic', code: 'TL004', severity: 'warning', path: '/w/train.py', line: 12, batch: 40, message: 'Exploding gradients: the gradient norm of fc.weight is 1e6 at batch 40. Lower the learning rate or clip gradients (torch.nn.utils.clip_grad_norm_).' });
  send('trainloopDiagnostic', { event: 'diagnostic', code: 'TL004', severity: 'warning', path: '/w/train.py', line: 12, batch: 41, message: 'again' });
  const runtime = collection('trainloop').get(vscode.Uri.file('/w/train.py')) ?? [];
  assert.equal(runtime.length, 1, 'one warning per cause');
  assert.equal(runtime[0].range.start.line, 11);
  assert.equal(runtime[0].code, 'TL004');
  assert.match(runtime[0].message, /\(batch 40\)$/);
});

test('a launch with a syntax error: an error at its line, one non-modal notification, and the CodeLens says why until the file changes', () => {
  activate();
  const program = join(repoRoot, 'test', 'debug', 'fixtures', 'syntax_error.py');
  const text = readRepoFile('test', 'debug', 'fixtures', 'syntax_error.py');
  const doc = vscode.document(program, `${text}\nfor X, y in loader:\n    loss = loss_fn(model(X), y)\n    loss.backward()\n    optimizer.step()\n    optimizer.zero_grad()\n`);
  vscode.workspace.textDocuments.push(doc);
  const lenses = provider<{ provideCodeLenses(d: unknown): Array<{ command?: { title: string; command: string; arguments?: unknown[] } }> }>('codeLens');
  const titles = () => lenses.provideCodeLenses(doc).map((lens) => lens.command?.title);
  assert.deepEqual(titles(), ['$(error) Syntax error on line 3: unexpected ":"'], "the editor's parser, before any launch");
  const { send } = startSession({ type: 'trainloop', request: 'launch', name: 'run', program });
  send('output', { category: 'stderr', output: 'SyntaxError: invalid syntax (syntax_error.py, line 3)\n' });
  send('trainloopLaunchProblem', { message: 'SyntaxError: invalid syntax (syntax_error.py, line 3)', path: program, line: 3 });
  send('terminated', {}); // VS Code ends a session whose launch failed
  const errors = collection('trainloop-launch').get(vscode.Uri.file(program)) ?? [];
  assert.deepEqual(errors.map((d) => [d.range.start.line, d.range.start.character, d.severity, d.message]), [
    [2, 11, vscode.DiagnosticSeverity.Error, 'SyntaxError: invalid syntax (syntax_error.py, line 3)'],
  ]);
  const notes = vscode.recorded.messages.filter((m) => m.level === 'error');
  assert.equal(notes.length, 1, 'one notification');
  assert.equal(notes[0].modal, undefined, 'not modal');
  assert.deepEqual(notes[0].actions, ['Go to Line']);
  assert.deepEqual(titles(), ['$(error) Syntax error on line 3: invalid syntax'], "Python's words once a launch said them");
  const lens = lenses.provideCodeLenses(doc)[0];
  assert.equal(lens.command?.command, 'vscode.open', 'the lens goes to the error');
  vscode.documentChanged.fire({ document: doc, contentChanges: [{ text: '' }] });
  assert.deepEqual(collection('trainloop-launch').get(vscode.Uri.file(program)) ?? [], [], 'an edit clears it');
});

test('a launch that fails without a place (a missing program) says why once, with no diagnostic', () => {
  activate();
  const { send } = startSession({ type: 'trainloop', request: 'launch', name: 'run', program: '/w/gone.py' });
  send('trainloopLaunchProblem', { message: 'The program /w/gone.py does not exist.' });
  assert.deepEqual(vscode.recorded.messages.map((m) => [m.level, m.text, m.modal]), [['error', 'Trainloop cannot run the script: The program /w/gone.py does not exist.', undefined]]);
  assert.equal((collection('trainloop-launch').get(vscode.Uri.file('/w/gone.py')) ?? []).length, 0);
});

test('the training problems to stop on: the setting goes into the launch and, when it changes, to the live session', async () => {
  activate();
  vscode.settings.set('trainloop.stopOnTrainingProblems', ['TL004', 'TL001', 'TL999']);
  const resolver = vscode.debugRegistrations.configurationProviders[0].provider as {
    resolveDebugConfiguration(folder: unknown, config: Record<string, unknown>): Promise<Record<string, unknown> | undefined>;
  };
  const config = await resolver.resolveDebugConfiguration(undefined, { type: 'trainloop', request: 'launch', name: 'run', program: '/w/train.py', runtime: 'embedded' });
  assert.deepEqual(config?.stopOnTrainingProblems, ['TL001', 'TL004'], 'known codes, in catalog order');
  const { session } = startSession({ type: 'trainloop', request: 'launch', name: 'run', program: '/w/train.py' });
  vscode.settings.set('trainloop.stopOnTrainingProblems', ['TL002']);
  vscode.configurationChanged.fire({ affectsConfiguration: (section: string) => section === 'trainloop.stopOnTrainingProblems' || section === 'trainloop' });
  await sleep(0);
  assert.deepEqual(
    session.requests.filter((r: { command: string }) => r.command === 'trainloopTrainingProblemStops'),
    [{ command: 'trainloopTrainingProblemStops', args: { codes: ['TL002'] } }],
  );
});

test('"Choose Training Problems to Stop On" lists every code with the chosen ones ticked and saves the pick', async () => {
  activate();
  vscode.settings.set('trainloop.stopOnTrainingProblems', ['TL001']);
  vscode.quickPick.shown.length = 0;
  vscode.quickPick.answer = ['TL002', 'TL004'];
  await vscode.registeredCommands.get(COMMANDS.chooseTrainingProblems)?.();
  const items = vscode.quickPick.shown[0].items;
  assert.equal(items.length, 11);
  assert.deepEqual(items.filter((item) => item.picked).map((item) => item.label), ['TL001']);
  assert.match(items[0].description ?? '', /\w/, 'each code with its title');
  assert.deepEqual(vscode.settings.get('trainloop.stopOnTrainingProblems'), ['TL002', 'TL004']);
  vscode.quickPick.answer = undefined;
  await vscode.registeredCommands.get(COMMANDS.chooseTrainingProblems)?.();
  assert.deepEqual(vscode.settings.get('trainloop.stopOnTrainingProblems'), ['TL002', 'TL004'], 'Escape changes nothing');
});

test('hovering loss.backward() explains it and, during a run, what it did', () => {
  activate();
  const doc = vscode.document('/w/train.py', SEED_TRAIN);
  const hover = provider<{ provideHover(d: unknown, p: vscode.Position): vscode.Hover | undefined }>('hover');
  const at = positionOf(SEED_TRAIN, 'backward');
  const before = hover.provideHover(doc, new vscode.Position(at.line, at.col + 1));
  assert.match(before?.contents.value ?? '', /Backpropagation: computes the gradient of loss/);
  assert.doesNotMatch(before?.contents.value ?? '', /In this run/);
  const { send } = startSession({ type: 'trainloop', request: 'launch', name: 'run', program: '/w/train.py' });
  send('trainloopBatch', { batch: 3, loss: 1.2, losses: [1.2], gradNorms: { 'fc.weight': 0.7, 'fc.bias': 0.1 }, diagnostics: [] });
  const during = hover.provideHover(doc, new vscode.Position(at.line, at.col + 1));
  assert.match(during?.contents.value ?? '', /In this run \(batch 3\): computed gradients for 2 parameters; largest ‖grad‖ = 0\.7 \(fc\.weight\)/);
  assert.equal(hover.provideHover(doc, new vscode.Position(0, 0)), undefined);

  // optimizer.step(): the ratios measured across a step come in the report of that batch only; later reports lack them
  // (so do gradient norms).
  const step = positionOf(SEED_TRAIN, 'step');
  const stepHover = () => hover.provideHover(doc, new vscode.Position(step.line, step.col + 1))?.contents.value ?? '';
  assert.doesNotMatch(stepHover(), /In this run/, 'no update measured yet');
  send('trainloopBatch', { batch: 4, loss: 1.1, losses: [1.1], gradNorms: {}, updateRatios: { 'fc.weight': 2e-3, 'fc.bias': 1e-3, 'out.weight': 4e-3 }, diagnostics: [] });
  send('trainloopBatch', { batch: 5, loss: 1.0, losses: [1.0], gradNorms: {}, updateRatios: {}, diagnostics: [] });
  assert.match(stepHover(), /In this run \(batch 4\): updated 3 parameters; median \|Δw\|\/\|w\| = 0\.002\./);
  const backwardHover = hover.provideHover(doc, new vscode.Position(at.line, at.col + 1))?.contents.value ?? '';
  assert.match(backwardHover, /In this run \(batch 3\): computed gradients for 2 parameters/, 'the last measured norms, not the last report');
});

test('the evaluatable expression and the shape/dtype inline values of the paused function', async () => {
  activate();
  const doc = vscode.document('/w/train.py', SEED_TRAIN);
  const evaluatable = provider<{ provideEvaluatableExpression(d: unknown, p: vscode.Position): vscode.EvaluatableExpression | undefined }>('evaluatableExpression');
  const at = positionOf(SEED_TRAIN, 'dataloader.dataset');
  assert.equal(evaluatable.provideEvaluatableExpression(doc, new vscode.Position(at.line, at.col + 'dataloader.d'.length))?.expression, 'dataloader.dataset');

  const inline = provider<{ provideInlineValues(d: unknown, v: vscode.Range, c: unknown): Promise<Array<vscode.InlineValueText | vscode.InlineValueEvaluatableExpression>> }>('inlineValues');
  const stop = positionOf(SEED_TRAIN, 'pred = model(X)').line;
  const context = { frameId: 5, stoppedLocation: new vscode.Range(stop, 8, stop, 8) };
  assert.deepEqual(await inline.provideInlineValues(doc, new vscode.Range(0, 0, 30, 0), context), [], 'no trainloop session, no values');
  startSession({ type: 'trainloop', request: 'launch', name: 'run', program: '/w/train.py' }, (command, args) => {
    if (command === 'scopes') return { scopes: [{ name: 'Locals', variablesReference: 7 }, { name: 'Model', variablesReference: 8 }] };
    if (command === 'variables' && (args as { variablesReference: number }).variablesReference === 7) {
      return {
        variables: [
          { name: 'X', value: 'tensor[64, 1, 28, 28] f32 n=50176 x∈[0, 1] μ=0.29 σ=0.35' },
          { name: 'y', value: 'tensor[64] i64 x∈[0, 9]' },
          { name: 'size', value: '60000' },
          { name: 'model', value: 'NeuralNetwork(...)' },
        ],
      };
    }
    throw new Error(`unexpected ${command}`);
  });
  const values = (await inline.provideInlineValues(doc, new vscode.Range(0, 0, 30, 0), context)) as vscode.InlineValueText[];
  assert.deepEqual(values.map((v) => [v.text, v.range.start.line]), [
    ['X: [64, 1, 28, 28] f32', stop - 3],
    ['y: [64] i64', stop - 3],
  ]);
});

test('stopped at a batch\'s end on the `for` line (stepBatch), the batch\'s tensors show inline in the loop body', async () => {
  activate();
  const doc = vscode.document('/w/train.py', SEED_TRAIN);
  const inline = provider<{ provideInlineValues(d: unknown, v: vscode.Range, c: unknown): Promise<vscode.InlineValueText[]> }>('inlineValues');
  const loopLine = positionOf(SEED_TRAIN, 'for batch').line;
  startSession({ type: 'trainloop', request: 'launch', name: 'run', program: '/w/train.py' }, (command, args) => {
    if (command === 'scopes') return { scopes: [{ name: 'Locals', presentationHint: 'locals', variablesReference: 7 }, { name: 'Training', variablesReference: 9 }] };
    if (command === 'variables' && (args as { variablesReference: number }).variablesReference === 7) {
      // The loop's frame as the agent shows it there: the batch that just ended is still bound.
      return {
        variables: [
          { name: 'batch', value: '3' },
          { name: 'X', value: 'tensor[64, 1, 28, 28] f32 n=50176 x∈[0, 1] μ=0.29 σ=0.35' },
          { name: 'y', value: 'tensor[64] i64 x∈[0, 9]' },
          { name: 'pred', value: 'tensor[64, 10] f32 n=640 grad_fn=AddmmBackward0' },
          { name: 'loss', value: 'tensor f32 2.301 grad_fn=NllLossBackward0' },
          { name: 'size', value: '60000' },
        ],
      };
    }
    throw new Error(`unexpected ${command}`);
  });
  // VS Code gives the stop as the frame's line at column 1, and the visible lines as the view port.
  const context = { frameId: 1, stoppedLocation: new vscode.Range(loopLine, 0, loopLine, 0) };
  const values = await inline.provideInlineValues(doc, new vscode.Range(0, 0, 17, 0), context);
  assert.deepEqual(values.map((v) => [v.text, v.range.start.line]), [
    ['X: [64, 1, 28, 28] f32', positionOf(SEED_TRAIN, 'X, y = X.to').line],
    ['y: [64] i64', positionOf(SEED_TRAIN, 'X, y = X.to').line],
    ['pred: [64, 10] f32', positionOf(SEED_TRAIN, 'pred = model(X)').line],
    ['loss: [] f32', positionOf(SEED_TRAIN, 'loss = loss_fn').line],
  ]);
  // Only the lines VS Code shows get values.
  const scrolled = await inline.provideInlineValues(doc, new vscode.Range(positionOf(SEED_TRAIN, 'pred = model(X)').line, 0, 17, 0), context);
  assert.deepEqual(scrolled.map((v) => v.text), ['pred: [64, 10] f32', 'loss: [] f32']);
});

test('the panel: strict CSP with a nonce, nothing sent before the page says ready, then the run and throttled updates', async () => {
  activate();
  const { send } = startSession({ type: 'trainloop', request: 'launch', name: 'Trainloop: train.py', program: '/w/train.py' });
  send('trainloopBatch', { batch: 1, loss: 2.3, losses: [2.3], gradNorms: { w: 1 }, diagnostics: [] });
  await vscode.commands.executeCommand(COMMANDS.showPanel);
  const panel = vscode.panels[0];
  assert.equal(panel.viewType, 'trainloop.trainingPanel');
  const html = panel.webview.html;
  const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
  assert.match(csp, /default-src 'none'/);
  const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
  assert.ok(nonce && nonce.length >= 16);
  assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'));
  assert.ok(html.includes(`<script nonce="${nonce}" src="https://webview.test${repoRoot}/dist/webview/trainingPanel.js"></script>`));
  assert.ok(html.includes(`href="https://webview.test${repoRoot}/media/trainingPanel.css"`));
  assert.deepEqual(panel.webview.posted, [], 'the host waits for ready');

  panel.webview.fromPage.fire({ type: 'ready' });
  const init = panel.webview.posted[0] as { type: string; points: Array<{ batch: number }>; session: { state: string } };
  assert.equal(init.type, 'init');
  assert.deepEqual(init.points.map((p) => p.batch), [1], 'batches count from 1');
  for (let batch = 2; batch <= 51; batch++) send('trainloopBatch', { batch, loss: 2, losses: [2], gradNorms: {}, diagnostics: [] });
  await sleep(600); // the default rate: 2 updates a second
  const updates = panel.webview.posted.filter((m) => (m as { type: string }).type === 'update') as Array<{ points: Array<{ batch: number }> }>;
  assert.ok(updates.length >= 1 && updates.length <= 4, `${updates.length} updates for 50 batches`);
  assert.deepEqual(updates.flatMap((u) => u.points.map((p) => p.batch)), [...Array(50).keys()].map((i) => i + 2));
  const sessionMessages = panel.webview.posted.filter((m) => (m as { type: string }).type === 'session');
  assert.ok(sessionMessages.length <= 1, `${sessionMessages.length} session messages: while the run goes on, the updates carry the session`);

  panel.webview.fromPage.fire({ type: 'openLocation', path: '/w/train.py', line: 11, col: 8 });
  assert.equal(vscode.recorded.shown[0].uri.fsPath, '/w/train.py');
  panel.webview.fromPage.fire({ type: 'run', action: 'stop' });
  await sleep(0);
  assert.equal(vscode.recorded.stopped.length, 1);
});

test('the panel\'s earlier runs are the shown script\'s only (its path normalised), newest first', async () => {
  activate();
  type Runs = Array<{ id: string }>;
  const run = (program: string, loss: number) => {
    const { session, send } = startSession({ type: 'trainloop', request: 'launch', name: `Trainloop: ${program}`, program });
    send('trainloopBatch', { batch: 1, loss, losses: [loss], gradNorms: {}, diagnostics: [] });
    send('terminated', {});
    return session.id;
  };
  const a1 = run('/w/a.py', 2.3);
  const b1 = run('/w/b.py', 0.7);
  const a2 = run('/w/./a.py', 2.1);
  const b2 = run('/w/b.py', 0.6);

  // A new run of a.py, shown in the panel.
  const { send } = startSession({ type: 'trainloop', request: 'launch', name: 'Trainloop: a.py', program: '/w/a.py' });
  send('trainloopBatch', { batch: 1, loss: 2.2, losses: [2.2], gradNorms: {}, diagnostics: [] });
  await vscode.commands.executeCommand(COMMANDS.showPanel);
  const panel = vscode.panels[0];
  panel.webview.fromPage.fire({ type: 'ready' });
  const init = panel.webview.posted[0] as { type: string; runs: Runs };
  assert.equal(init.type, 'init');
  assert.deepEqual(init.runs.map((r) => r.id), [a2, a1], 'a.py\'s runs, newest first; none of b.py\'s');

  // The next run of b.py: its page starts with b.py's runs.
  run('/w/b.py', 0.5);
  const reset = panel.webview.posted.filter((m) => (m as { type: string }).type === 'reset').at(-1) as { runs: Runs };
  assert.deepEqual(reset.runs.map((r) => r.id), [b2, b1], 'b.py\'s earlier runs, not a.py\'s');
});

test('with no session, the panel\'s earlier runs follow the Python file in the editor', async () => {
  activate();
  const run = (program: string) => {
    const { session, send } = startSession({ type: 'trainloop', request: 'launch', name: 'run', program });
    send('trainloopBatch', { batch: 1, loss: 1, losses: [1], gradNorms: {}, diagnostics: [] });
    send('terminated', {});
    return session.id;
  };
  const a = run('/w/a.py');
  const b = run('/w/b.py');
  // Both runs ended and none is active: the panel shows no run.
  vscode.debug.activeDebugSession = undefined;
  vscode.window.activeTextEditor = { document: vscode.document('/w/a.py', SEED_TRAIN), selection: { active: new vscode.Position(0, 0) } };
  await vscode.commands.executeCommand(COMMANDS.showPanel);
  const panel = vscode.panels[0];
  panel.webview.fromPage.fire({ type: 'ready' });
  assert.deepEqual((panel.webview.posted[0] as { session: unknown; runs: Array<{ id: string }> }).runs.map((r) => r.id), [a]);
  vscode.changeActiveTextEditor({ document: vscode.document('/w/b.py', SEED_TRAIN), selection: { active: new vscode.Position(0, 0) } });
  const reset = panel.webview.posted.filter((m) => (m as { type: string }).type === 'reset') as Array<{ session: unknown; runs: Array<{ id: string }> }>;
  assert.deepEqual(reset.map((m) => [m.session, m.runs.map((r) => r.id)]), [[null, [b]]], 'the empty page gets b.py\'s runs');
});

test('the panel opened with no session: an empty run, and its buttons start one through the commands', async () => {
  activate();
  vscode.window.activeTextEditor = { document: vscode.document('/w/train.py', SEED_TRAIN), selection: { active: new vscode.Position(0, 0) } };
  await vscode.commands.executeCommand(COMMANDS.showPanel);
  const panel = vscode.panels[0];
  panel.webview.fromPage.fire({ type: 'ready' });
  const init = panel.webview.posted[0] as { session: unknown; points: unknown[] };
  assert.equal(init.session, null);
  assert.deepEqual(init.points, []);
  panel.webview.fromPage.fire({ type: 'run', action: 'trainOneBatch' });
  await sleep(0);
  assert.equal(vscode.recorded.started[0]?.program, '/w/train.py');
});
