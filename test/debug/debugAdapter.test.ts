// The standalone debug adapter on real scripts (real Pyodide, real tfjs): breakpoints, batch steps, tensor values,
// evaluation, pause, exception filters, terminate, and the answers to bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { FASHION_MNIST } from '../support/fashionMnist';
import { QUICKSTART, quickstartCopy } from '../support/quickstartCopy';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import {
  TIMEOUT,
  adapterProcess,
  evaluate,
  finish,
  fixture,
  launch,
  launchToStop,
  outputContaining,
  resumeToStop,
  scopeVariables,
  scopes,
  startClient,
  topFrame,
  RUNTIMES_UNDER_TEST,
  type RuntimeUnderTest,
} from './adapterClient';
import { LAUNCH_PROBLEM_EVENT, type LaunchProblemEventBody } from '../../src/debug/debugContract';

const TRAINING = fixture('tiny_training.py');
const TRAIN_LOOP_LINE = 31; // `for batch, (X, y) in enumerate(dataloader):`
const TRAIN_BODY_FIRST_LINE = 32; // `pred = model(X)`
const TRAIN_BACKWARD_LINE = 35; // `loss.backward()`
const options = { timeout: TIMEOUT * 2 };
const PARAMETERS = ['model.linear_relu_stack.0.bias', 'model.linear_relu_stack.0.weight', 'model.linear_relu_stack.2.bias', 'model.linear_relu_stack.2.weight'];

/** The children of a variable (none when it has no reference). */
async function childrenOf(client: DebugClient, variable: DebugProtocol.Variable | undefined): Promise<DebugProtocol.Variable[]> {
  assert.ok(variable && variable.variablesReference > 0, `${variable?.name}: ${variable?.value} has children`);
  return (await client.variablesRequest({ variablesReference: variable.variablesReference })).body.variables;
}

/** The rows of the Training scope's "This batch" node, by name. */
async function thisBatchRows(client: DebugClient, training: DebugProtocol.Variable[]): Promise<Map<string, DebugProtocol.Variable>> {
  const rows = await childrenOf(client, training.find((v) => v.name === 'This batch'));
  return new Map(rows.map((row) => [row.name, row]));
}

/** A launch request whose whole response is kept (DebugClient turns a failure into an Error with the message only). */
function rawLaunch(client: DebugClient, args: Record<string, unknown>): Promise<DebugProtocol.Response> {
  const sender = client as unknown as { doSend(command: string, args: unknown, done: (response: DebugProtocol.Response) => void): void };
  return new Promise((resolve) => sender.doSend('launch', args, resolve));
}

/** Every scenario runs on each runtime: the embedded one, and the user's Python with real PyTorch. */
function scenarios(runtime: RuntimeUnderTest): void {
  test(`${runtime.name}: a breakpoint inside train() is hit, and X shows as a [64, 1, 28, 28] tensor summary`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      const stopped = await launchToStop(client, TRAINING, [{ line: TRAIN_BODY_FIRST_LINE }]);
      assert.equal(stopped.body.reason, 'breakpoint');
      const frame = await topFrame(client);
      assert.equal(frame.name, 'train');
      assert.equal(frame.line, TRAIN_BODY_FIRST_LINE);
      assert.equal(frame.source?.path, TRAINING);
      const stack = (await client.stackTraceRequest({ threadId: 1 })).body.stackFrames;
      assert.deepEqual(stack.map((f) => f.name), ['train', '<module>'], 'user frames only');

      const locals = await scopeVariables(client, 'Locals');
      const X = locals.find((v) => v.name === 'X');
      assert.ok(X, 'X is a local');
      assert.match(X.value, /^tensor\[64, 1, 28, 28\] f32 n=50176 x∈\[-?\d[\d.e+-]*, \d[\d.e+-]*\] μ=-?[\d.e+-]+ σ=[\d.e+-]+$/);
      assert.equal(X.type, 'torch.Tensor');
      assert.equal(X.indexedVariables, 64);
      assert.equal(X.evaluateName, 'X');
      const children = (await client.variablesRequest({ variablesReference: X.variablesReference, filter: 'named' })).body.variables;
      assert.deepEqual(children.map((c) => c.name), ['shape', 'dtype', 'device', 'requires_grad', 'stats']);
      assert.equal(children[0].value, 'torch.Size([64, 1, 28, 28])');
      const page = (await client.variablesRequest({ variablesReference: X.variablesReference, filter: 'indexed', start: 10, count: 3 })).body.variables;
      assert.deepEqual(page.map((c) => c.name), ['10', '11', '12']);
      assert.match(page[0].value, /^tensor\[1, 28, 28\] f32 n=784 /);
      assert.equal(page[0].evaluateName, 'X[10]');

      const names = (await scopes(client)).map((s) => s.name);
      assert.deepEqual(names, ['Locals', 'Globals', 'Model', 'Training']);
      const model = await scopeVariables(client, 'Model');
      assert.deepEqual(model.map((m) => m.name), ['model']);
      const parameters = (await client.variablesRequest({ variablesReference: model[0].variablesReference })).body.variables;
      const weight = parameters.find((p) => p.name === 'linear_relu_stack.0.weight');
      assert.ok(weight);
      assert.match(weight.value, /^tensor\[32, 784\] f32 n=25088 .* grad=None$/);
      assert.equal(weight.evaluateName, 'model.linear_relu_stack[0].weight');
      const training = await scopeVariables(client, 'Training');
      const row = (name: string) => training.find((v) => v.name === name)?.value;
      assert.equal(row('batch'), '1', 'batches count from 1, as users count them');
      assert.equal(row('epoch'), '0');
      assert.equal(row('optimizer.lr'), '0.001');
    } finally {
      assert.equal(await finish(client), 0);
    }
  });

  test(`${runtime.name}: stepBatch twice stops at the ends of the batch in progress and the next, with each batch's values`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      await launchToStop(client, TRAINING, [{ line: TRAIN_BACKWARD_LINE }]);
      assert.equal((await evaluate(client, 'batch')).result, '0', "the script's own counter, from 0");
      const atBackward = { loss: (await evaluate(client, 'loss.item()')).result, X: (await evaluate(client, 'id(X)')).result };
      await client.setBreakpointsRequest({ source: { path: TRAINING }, breakpoints: [] });
      for (const expected of [1, 2]) {
        const stopped = await resumeToStop(client, () => client.customRequest('stepBatch', { count: 1 }));
        assert.equal(stopped.body.reason, 'breakpoint', 'VS Code reveals Run and Debug on a breakpoint stop');
        assert.equal(stopped.body.description, `batch ${expected}`);
        const frame = await topFrame(client);
        assert.equal(frame.line, TRAIN_LOOP_LINE, 'at the loop line, before the next batch is fetched');
        assert.equal((await evaluate(client, 'batch')).result, String(expected - 1), 'the batch that just ended is still bound');
        if (expected === 1) {
          assert.equal((await evaluate(client, 'loss.item()')).result, atBackward.loss, 'the same iteration as the breakpoint');
          assert.equal((await evaluate(client, 'id(X)')).result, atBackward.X);
        }
        const training = await scopeVariables(client, 'Training');
        assert.equal(training.find((v) => v.name === 'batch')?.value, String(expected));
        const thisBatch = await thisBatchRows(client, training);
        assert.equal(thisBatch.get('batch')?.value, String(expected));
        assert.match(thisBatch.get('loss')?.value ?? '', /^\d/);
        const gradients = await childrenOf(client, thisBatch.get('gradients'));
        assert.deepEqual(gradients.map((g) => g.name).sort(), PARAMETERS, 'every parameter, as at backward()');
        for (const g of gradients) assert.match(g.value, /^tensor\[[\d, ]+\] f32 n=\d+ /, `${g.name}: a summary`);
        const ratios = await childrenOf(client, thisBatch.get('update ratio'));
        assert.deepEqual(ratios.map((r) => r.name).sort(), PARAMETERS, 'the update ratio of its step()');
        assert.equal(thisBatch.get('learning rate')?.value, '0.001');
      }
      const far = await resumeToStop(client, () => client.customRequest('stepBatch', { count: 9 }));
      assert.equal(far.body.description, 'batch 11', 'batches are counted across epochs');
      assert.equal((await evaluate(client, 'batch')).result, '0', 'ten batches an epoch: batch 11 is the first of the second');
      assert.equal((await evaluate(client, 'epoch', 'hover')).result, '1');
      const stepped = await resumeToStop(client, () => client.nextRequest({ threadId: 1 }));
      assert.equal(stepped.body.reason, 'step');
      assert.equal((await topFrame(client)).line, TRAIN_BODY_FIRST_LINE, 'a step from the end of a batch goes into the next one');
      assert.equal((await evaluate(client, 'batch')).result, '1');
    } finally {
      await finish(client);
    }
  });
  test(`${runtime.name}: hover on loss returns its summary; evaluate runs statements in the frame; hover refuses calls`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      await launchToStop(client, TRAINING, [{ line: TRAIN_BACKWARD_LINE }]);
      const hover = await evaluate(client, 'loss', 'hover');
      assert.match(hover.result, /^tensor f32 \d+\.\d+ grad_fn=NllLossBackward0$/);
      const watch = await evaluate(client, 'model.linear_relu_stack[0].weight.grad', 'watch');
      assert.equal(watch.result, 'None');
      await assert.rejects(evaluate(client, 'model.train()', 'hover'), /hover shows names, attributes and subscripts only/);
      await assert.rejects(evaluate(client, 'no_such_name', 'hover'), /NameError: name 'no_such_name' is not defined/);
      await assert.rejects(evaluate(client, 'pred.reshape(3, 7)', 'repl'), /RuntimeError|ValueError/);
      const statement = await evaluate(client, 'scaled = loss * 2', 'repl');
      assert.equal(statement.result, '');
      assert.match((await evaluate(client, 'scaled')).result, /^tensor f32 \d+\.\d+ grad_fn=MulBackward0$/);
      const frameId = (await topFrame(client)).id;
      const completions = (await client.completionsRequest({ text: 'loss.ba', column: 8, frameId })).body.targets;
      assert.ok(completions.some((c) => c.label === 'backward'), 'attributes complete after a dot');
      const names = (await client.completionsRequest({ text: 'mod', column: 4, frameId })).body.targets.map((c) => c.label);
      assert.ok(names.includes('model'), 'names of the frame complete');
      const setExpression = (args: DebugProtocol.SetExpressionArguments) =>
        client.send('setExpression', args) as Promise<DebugProtocol.SetExpressionResponse>;
      const set = await setExpression({ expression: 'optimizer.param_groups[0]["lr"]', value: '0.5', frameId });
      assert.equal(set.body.value, '0.5');
      const training = await scopeVariables(client, 'Training');
      assert.equal(training.find((v) => v.name === 'optimizer.lr')?.value, '0.5');
      await assert.rejects(setExpression({ expression: 'loss + 1', value: '2', frameId }), /cannot be assigned to/);
      const copied = await evaluate(client, 'y', 'clipboard');
      assert.match(copied.result, /^tensor\(\[/);
      // The session is alive after the errors: step one line.
      const stepped = await resumeToStop(client, () => client.nextRequest({ threadId: 1 }));
      assert.equal(stepped.body.reason, 'step');
      assert.equal((await topFrame(client)).line, TRAIN_BACKWARD_LINE + 1);
      const withGrad = await evaluate(client, 'model.linear_relu_stack[0].weight', 'hover');
      assert.match(withGrad.result, / grad x∈\[/);
    } finally {
      await finish(client);
    }
  });

  test(`${runtime.name}: conditional breakpoints stop only when true; hit counts and logpoints`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    const program = fixture('counting.py');
    try {
      const logged: string[] = [];
      client.on('output', (event: DebugProtocol.OutputEvent) => {
        // Logpoints' lines come with their source (the adapter's own console lines have none).
      if (event.body.category === 'console' && event.body.source) logged.push(event.body.output);
      });
      const stopped = await launchToStop(client, program, [
        { line: 3, condition: 'value == 4' },
        { line: 9, logMessage: 'i={i} total={total}' },
      ]);
      assert.equal(stopped.body.reason, 'breakpoint');
      assert.equal((await evaluate(client, 'value')).result, '4');
      await client.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 3, hitCondition: '>= 3' }] });
      const hit = await resumeToStop(client, () => client.continueRequest({ threadId: 1 }));
      assert.equal(hit.body.reason, 'breakpoint');
      assert.equal((await evaluate(client, 'value')).result, '7', 'the third hit after the hit condition was set');
      const ended = client.waitForEvent('terminated');
      await client.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 3, condition: 'value == 100' }] });
      await client.continueRequest({ threadId: 1 });
      await ended;
      assert.deepEqual(logged.slice(0, 3), ['i=0 total=0\n', 'i=1 total=0\n', 'i=2 total=1\n']);
      assert.equal(logged.length, 5, 'the logpoint logged until it was removed at the stop for value == 4');
    } finally {
      await finish(client);
    }
  });

  test(`${runtime.name}: stepping by line: next, stepIn, stepOut`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    const program = fixture('counting.py');
    try {
      await launchToStop(client, program, [{ line: 9 }]);
      await resumeToStop(client, () => client.stepInRequest({ threadId: 1 }));
      let frame = await topFrame(client);
      assert.deepEqual([frame.name, frame.line], ['square', 3]);
      await resumeToStop(client, () => client.nextRequest({ threadId: 1 }));
      frame = await topFrame(client);
      assert.deepEqual([frame.name, frame.line], ['square', 4]);
      await resumeToStop(client, () => client.stepOutRequest({ threadId: 1 }));
      frame = await topFrame(client);
      assert.equal(frame.name, '<module>');
      const started = Date.now();
      await resumeToStop(client, () => client.nextRequest({ threadId: 1 }));
      assert.ok(Date.now() - started < 1000, 'a step answers quickly');
    } finally {
      await finish(client);
    }
  });

  test(`${runtime.name}: pause stops a busy loop within a second, and terminate ends the run and the adapter`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      const looping = client.assertOutput('stdout', 'looping');
      await launch(client, fixture('busy_loop.py'));
      await looping;
      // The output arrives while print() may still be returning on line 6: let the script reach its loop first.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      const stopped = await resumeToStop(client, () => client.pauseRequest({ threadId: 1 }));
      assert.ok(Date.now() - started < 1000, `paused in ${Date.now() - started} ms`);
      assert.equal(stopped.body.reason, 'pause');
      const frame = await topFrame(client);
      assert.equal(frame.name, '<module>');
      assert.ok([7, 8].includes(frame.line), `stopped in the loop (line ${frame.line})`);
      assert.ok(Number((await evaluate(client, 'ticks')).result) > 0);
      await resumeToStop(client, async () => {
        await client.continueRequest({ threadId: 1 });
        await new Promise((resolve) => setTimeout(resolve, 200));
        await client.pauseRequest({ threadId: 1 });
      });
      const terminated = client.waitForEvent('terminated');
      const exited = new Promise((resolve) => adapterProcess(client).once('exit', resolve));
      await client.terminateRequest({});
      await terminated;
      await client.disconnectRequest({});
      assert.equal(await exited, 0);
    } finally {
      await finish(client);
    }
  });

  test(`${runtime.name}: a breakpoint set while the script runs is verified and hit`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    const program = fixture('busy_loop.py');
    try {
      const looping = client.assertOutput('stdout', 'looping');
      await launch(client, program);
      await looping;
      const stopped = client.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      // If an assertion below fails first, this wait must not outlive the test as an unhandled rejection hiding it.
      stopped.catch(() => undefined);
      const started = Date.now();
      const answer = await client.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 8, condition: 'ticks > 1000' }] });
      assert.equal(answer.body.breakpoints[0].verified, true);
      assert.equal((await stopped).body.reason, 'breakpoint');
      assert.ok(Date.now() - started < 1000, `stopped ${Date.now() - started} ms after the breakpoint was set`);
      assert.equal((await topFrame(client)).line, 8);
    } finally {
      await finish(client);
    }
  });

  test(`${runtime.name}: pause inside library code stops at the user line that called it`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      await launch(client, fixture('busy_library.py'));
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const started = Date.now();
      const stopped = await resumeToStop(client, () => client.pauseRequest({ threadId: 1 }));
      assert.ok(Date.now() - started < 1000, `paused in ${Date.now() - started} ms`);
      assert.equal(stopped.body.reason, 'pause');
      const stack = (await client.stackTraceRequest({ threadId: 1 })).body.stackFrames;
      assert.deepEqual(stack.map((f) => `${f.name}:${f.line}`), ['<module>:7'], 'only the user frame, on the calling line');
      assert.equal((await evaluate(client, 'len(values)')).result, '200000000');
    } finally {
      await finish(client);
    }
  });

  test(`${runtime.name}: exception filters: uncaught exceptions stop with the user frames; a NaN stops where it is made, a NaN gradient at its backward()`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      const stopped = await launchToStop(client, fixture('raises.py'));
      assert.equal(stopped.body.reason, 'exception');
      assert.equal(stopped.body.description, "KeyError: 'missing'");
      const stack = (await client.stackTraceRequest({ threadId: 1 })).body.stackFrames;
      assert.deepEqual(stack.map((f) => `${f.name}:${f.line}`), ['inner:3', 'outer:8', '<module>:11']);
      assert.equal((await evaluate(client, 'values')).result, "{'present': 1}");
      const info = await client.exceptionInfoRequest({ threadId: 1 });
      assert.equal(info.body.exceptionId, 'KeyError');
      assert.equal(info.body.breakMode, 'unhandled');
      assert.match(info.body.details?.stackTrace ?? '', /raises\.py", line 3, in inner/);
      assert.doesNotMatch(info.body.details?.stackTrace ?? '', /trainloop_agent/);
    } finally {
      await finish(client);
    }
    const nan = await startClient(runtime);
    try {
      const stopped = await launchToStop(nan, fixture('nan_loss.py'));
      assert.equal(stopped.body.reason, 'exception');
      // The non-finite locator (nonFiniteLocator.test.ts): the log's line, not backward()'s.
      assert.equal(stopped.body.description, 'NonFiniteValue: `(x @ weights).mean() - shift` has 1 negative value, so `torch.log((x @ weights).mean() - shift)` made 1 NaN at batch 3.');
      assert.equal((await topFrame(nan)).line, 9);
      assert.match((await evaluate(nan, 'torch.log((x @ weights).mean() - shift)')).result, /^tensor f32 nan /);
    } finally {
      await finish(nan);
    }
    const nanGradient = await startClient(runtime);
    try {
      const stopped = await launchToStop(nanGradient, fixture('nan_gradient.py'));
      assert.equal(stopped.body.reason, 'exception');
      // The locator names the forward op whose backward made the Inf (nonFiniteLocator.test.ts); no loop: no batch number.
      assert.equal(stopped.body.description, 'NonFiniteGradient: The backward of `model(x).pow(2).mean().sqrt()` (line 8, SqrtBackward0) made 1 Inf from finite gradients before the first training batch.');
      assert.equal((await topFrame(nanGradient)).line, 9);
    } finally {
      await finish(nanGradient);
    }
  });

  test(`${runtime.name}: a training-bug filter (TL001) stops at the report with its code, message and line`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    const program = join(__dirname, '../../examples/bugs/runtime/tl001_missing_zero_grad.py');
    try {
      const stopped = await launchToStop(client, program, [], {}, ['uncaught', 'TL001']);
      assert.equal(stopped.body.reason, 'exception');
      assert.match(stopped.body.description ?? '', /^TL001 \(line 18\): Gradients accumulate across batches/);
      const frame = await topFrame(client);
      assert.equal(frame.source?.path, program);
      const info = await client.exceptionInfoRequest({ threadId: 1 });
      assert.equal(info.body.exceptionId, 'TL001');
      assert.match(info.body.details?.stackTrace ?? '', /tl001_missing_zero_grad\.py:18/);
    } finally {
      await finish(client);
    }
  });

  test(`${runtime.name}: the raised filter stops where a caught exception is raised; stepIn enters forward() with its model`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      const stopped = await launchToStop(client, fixture('caught.py'), [], {}, ['raised']);
      assert.equal(stopped.body.reason, 'exception');
      assert.equal(stopped.body.description, "ValueError: invalid literal for int() with base 10: 'x'");
      assert.equal((await topFrame(client)).line, 4);
      assert.equal((await client.exceptionInfoRequest({ threadId: 1 })).body.breakMode, 'always');
      const ended = client.waitForEvent('terminated');
      await client.continueRequest({ threadId: 1 });
      await ended;
    } finally {
      await finish(client);
    }
    const training = await startClient(runtime);
    try {
      await launchToStop(training, TRAINING, [{ line: TRAIN_BODY_FIRST_LINE }]);
      await resumeToStop(training, () => training.stepInRequest({ threadId: 1 }));
      const frame = await topFrame(training);
      assert.deepEqual([frame.name, frame.line], ['NeuralNetwork.forward', 19]);
      const model = await scopeVariables(training, 'Model');
      assert.deepEqual(model.map((m) => m.name), ['self']);
      await resumeToStop(training, () => training.stepOutRequest({ threadId: 1 }));
      const back = await topFrame(training);
      assert.deepEqual([back.name, back.line], ['train', TRAIN_BODY_FIRST_LINE]);
    } finally {
      await finish(training);
    }
  });

  test(`${runtime.name}: bad input gets clear answers: blank and missing lines, missing program, syntax error`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      const answers = await launch(client, TRAINING, [{ line: 33 }, { line: 34 }, { line: 999 }, { line: 1 }], { stopOnEntry: true });
      assert.equal(answers[0].verified, true);
      assert.equal(answers[1].verified, false);
      assert.match(answers[1].message ?? '', /Line 34 has no code/);
      assert.equal(answers[2].verified, false);
      assert.match(answers[2].message ?? '', /Line 999 is past the end of tiny_training.py \(\d+ lines\)/);
      assert.equal(answers[3].verified, false, 'a comment line');
    } finally {
      await finish(client);
    }
    // A launch that cannot start fails without `showUser` (VS Code opens no modal "Open launch.json" for it): the
    // message goes to the Debug Console and, with its place, to the editor's diagnostic.
    const missing = await startClient(runtime);
    try {
      await missing.initializeRequest();
      const said = outputContaining(missing, 'stderr', 'does not exist');
      const problem = missing.waitForEvent(LAUNCH_PROBLEM_EVENT);
      const response = await rawLaunch(missing, { program: fixture('no_such_script.py'), ...runtime.launch });
      assert.equal(response.success, false);
      assert.match(response.message ?? '', /no_such_script\.py does not exist/);
      assert.equal((response.body as { error?: DebugProtocol.Message } | undefined)?.error?.showUser, false, 'no modal dialog');
      assert.match(await said, /no_such_script\.py does not exist/);
      assert.equal(((await problem).body as LaunchProblemEventBody).line, undefined, 'a missing program has no line');
    } finally {
      await finish(missing);
    }
    const broken = await startClient(runtime);
    try {
      await broken.initializeRequest();
      const output = new Promise<DebugProtocol.OutputEvent>((resolve) => {
        const listener = (event: DebugProtocol.OutputEvent) => {
          if (!/SyntaxError/.test(event.body.output)) return;
          broken.removeListener('output', listener);
          resolve(event);
        };
        broken.on('output', listener);
      });
      const problem = broken.waitForEvent(LAUNCH_PROBLEM_EVENT);
      const response = await rawLaunch(broken, { program: fixture('syntax_error.py'), ...runtime.launch });
      assert.equal(response.success, false);
      assert.match(response.message ?? '', /SyntaxError: .*\(syntax_error\.py, line 3\)/);
      assert.equal((response.body as { error?: DebugProtocol.Message } | undefined)?.error?.showUser, false, 'no modal dialog');
      const said = await output;
      assert.equal(said.body.category, 'stderr');
      assert.equal(said.body.source?.path, fixture('syntax_error.py'), 'the Debug Console links the file');
      assert.equal(said.body.line, 3);
      const body = (await problem).body as LaunchProblemEventBody;
      assert.deepEqual([body.path, body.line], [fixture('syntax_error.py'), 3]);
      assert.match(body.message, /SyntaxError/);
    } finally {
      await finish(broken);
    }
  });

  test(`${runtime.name}: a 10-million-element tensor summarizes quickly, flags NaN, and pages its elements`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    const program = fixture('big_tensor.py');
    try {
      await launchToStop(client, program, [{ line: 9 }]);
      const started = Date.now();
      const big = await evaluate(client, 'big', 'hover');
      const elapsed = Date.now() - started;
      assert.match(big.result, /^tensor\[10000000\] f32 n=10000000 x∈\[-\d\.\d+, \d\.\d+\] μ=-?[\d.e+-]+ σ=[\d.]+$/);
      // The bench measures the real cost (npm run bench); here only a bound that holds on a loaded machine.
      assert.ok(elapsed < 2000, `hover answered in ${elapsed} ms`);
      const broken = await evaluate(client, 'broken', 'hover');
      assert.match(broken.result, /^tensor\[1000\] f32 n=1000 x∈\[-\d\.\d+, \d\.\d+\] μ=-?[\d.e+-]+ σ=[\d.]+ NaN! \+Inf!$/);
      const page = (await client.variablesRequest({ variablesReference: broken.variablesReference, filter: 'indexed', start: 2, count: 6 })).body.variables;
      assert.deepEqual(page.map((v) => v.value).filter((v) => !/^-?\d/.test(v)), ['nan', 'inf']);
      const stats = (await client.variablesRequest({ variablesReference: broken.variablesReference, filter: 'named' })).body.variables.find((v) => v.name === 'stats');
      const counts = (await client.variablesRequest({ variablesReference: stats!.variablesReference })).body.variables;
      assert.deepEqual(counts.filter((c) => ['n', 'nan', '+inf', '-inf'].includes(c.name)).map((c) => `${c.name}=${c.value}`), ['n=1000', 'nan=1', '+inf=1', '-inf=0']);
      const small = await evaluate(client, 'small');
      const values = (await client.variablesRequest({ variablesReference: small.variablesReference, filter: 'indexed', start: 200, count: 50 })).body.variables;
      assert.deepEqual(values.slice(0, 2).map((v) => [v.name, v.value]), [['200', '200.0'], ['201', '201.0']]);
      assert.equal(values.length, 50);
    } finally {
      await finish(client);
    }
  });

  test(`${runtime.name}: summaries read like lovely-tensors, exactly (golden text)`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      await launchToStop(client, fixture('summaries.py'), [{ line: 16 }]);
      const golden: Record<string, string> = {
        zeros: 'tensor[3, 4] f32 n=12 all_zeros',
        ints: 'tensor[10] i64 n=10 x∈[0, 9] μ=4.5 σ=3.028 x=[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]',
        flags: 'tensor[3] bool n=3 true=2 x=[True, False, True]',
        scalar: 'tensor f32 2.5',
        empty: 'tensor[0, 3] f32 n=0 empty',
        weights: 'tensor[2, 2] f32 n=4 x∈[-2.0, 4.0] μ=0.875 σ=2.462 x=[1.0, -2.0, 0.5, 4.0] grad x∈[2.0, 2.0] μ=2.0 σ=0.0',
        out: 'tensor f32 7.0 grad_fn=SumBackward0',
        fresh: 'tensor[2] f32 n=2 x∈[1.0, 1.0] μ=1.0 σ=0.0 x=[1.0, 1.0] grad=None',
        wide: 'tensor[101] f32 n=101 x∈[-1000.0, 5.00e+04] μ=2.45e+04 σ=1.49e+04',
        mixed: 'tensor[4] f32 n=4 x∈[1.0, 3.0] μ=2.0 σ=1.414 NaN! -Inf! x=[1.0, nan, -inf, 3.0]',
        table: "{'lr': 0.1, 'X': tensor[3, 4] f32, 'names': ['a', 'b']}",
      };
      const actual: Record<string, string> = {};
      for (const name of Object.keys(golden)) actual[name] = (await evaluate(client, name, 'hover')).result;
      assert.deepEqual(actual, golden);
      const table = await evaluate(client, 'table');
      const entries = (await client.variablesRequest({ variablesReference: table.variablesReference })).body.variables;
      assert.deepEqual(entries.map((e) => [e.name, e.evaluateName]), [["'lr'", "table['lr']"], ["'X'", "table['X']"], ["'names'", "table['names']"]]);
    } finally {
      await finish(client);
    }
  });

  test(`${runtime.name}: custom batch events report losses and gradient norms; restart runs the script again`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      const events: Record<string, unknown>[] = [];
      client.on('trainloopBatch', (event: DebugProtocol.Event) => events.push(event.body));
      await launchToStop(client, TRAINING, [{ line: 40, condition: 'batch == 5' }]);
      assert.ok(events.length > 0, 'a batch event before the stop');
      const last = events[events.length - 1] as { batch: number; losses: number[] };
      assert.ok(last.losses.length >= 1);
      const measured = events.find((e) => Object.keys(e.gradNorms as Record<string, number>).length > 0) as { gradNorms: Record<string, number> } | undefined;
      assert.ok(measured, 'gradient norms measured (on sampled batches, each sent once)');
      assert.ok(Object.keys(measured.gradNorms).some((name) => name.startsWith('model.linear_relu_stack.')));
      const restarted = client.waitForEvent('stopped');
      await client.restartRequest({});
      const again = (await restarted) as DebugProtocol.StoppedEvent;
      assert.equal(again.body.reason, 'breakpoint');
      const training = await scopeVariables(client, 'Training');
      assert.equal(training.find((v) => v.name === 'batch')?.value, '6', 'a fresh run counts its batches from 1 again');
      await client.setBreakpointsRequest({ source: { path: TRAINING }, breakpoints: [] });
      const ended = client.waitForEvent('terminated');
      await client.continueRequest({ threadId: 1 });
      await ended;
      const final = events[events.length - 1] as { batch: number };
      assert.equal(final.batch, 20, 'the last report covers the last batch (2 epochs of 10)');
    } finally {
      await finish(client);
    }
  });

  test(`${runtime.name}: batch events feed the panel: update ratios, weight/gradient histograms and the batch images`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      const events: Record<string, unknown>[] = [];
      client.on('trainloopBatch', (event: DebugProtocol.Event) => events.push(event.body));
      await launchToStop(client, TRAINING, [{ line: 40, condition: 'batch == 5' }]);
      type Histogram = { min: number; max: number; counts: number[] };
      const withExtras = events.find((e) => e.histograms && e.inputs) as
        | { updateRatios: Record<string, number>; histograms: Record<string, { weights: Histogram; grads: Histogram }>;
            inputs: { shape: number[]; bytes: string; labels?: number[]; predictions?: number[] } }
        | undefined;
      assert.ok(withExtras, 'a batch event with histograms and inputs');
      assert.ok(JSON.stringify(withExtras).length < 50_000, 'a small report');
      const name = 'model.linear_relu_stack.0.weight';
      const ratio = withExtras.updateRatios[name];
      assert.ok(typeof ratio === 'number' && ratio > 0 && ratio < 1, `update ratio ${ratio}`);
      const { weights, grads } = withExtras.histograms[name];
      for (const h of [weights, grads]) {
        assert.equal(h.counts.length, 30);
        assert.ok(h.min <= h.max);
        assert.equal(h.counts.reduce((a, b) => a + b, 0), (32 * 28 * 28) / 2, 'every other value of 25 088 counted (at most 20 000)');
      }
      const { shape, bytes, labels, predictions } = withExtras.inputs;
      assert.deepEqual(shape, [12, 1, 28, 28], 'as many 28×28 images as fit in 10 000 values');
      const values = Buffer.from(bytes, 'base64');
      assert.equal(values.length, 12 * 28 * 28);
      assert.ok(Math.min(...values) === 0 && Math.max(...values) === 255, 'scaled over their range');
      assert.equal(labels?.length, 12);
      assert.ok(labels.every((v) => Number.isInteger(v) && v >= 0 && v < 10));
      assert.equal(predictions?.length, 12);
      assert.ok(predictions.every((v) => Number.isInteger(v) && v >= 0 && v < 10));
    } finally {
      await finish(client);
    }
  });

  // Under real torchvision the quickstart reads root="data" beside itself: the python runtimes run a copy with the data
  // unpacked there, on torch 1.13 with the tutorial's pre-2.6 device line (torch.accelerator came in 2.6). The torch 2
  // environment has no torchvision (the index's torchvision is built for CUDA torch).
  const quickstartSkip =
    !existsSync(QUICKSTART) || !existsSync(FASHION_MNIST)
      ? 'the quickstart or Debian\'s dataset-fashion-mnist is missing'
      : runtime.name === 'python (torch 2)'
        ? 'the torch 2 environment has no torchvision'
        : runtime.skip;
  test(`${runtime.name}: the PyTorch quickstart: X is [64, 1, 28, 28]; Train one batch stops at the end of that batch, with This batch`, { ...options, skip: quickstartSkip }, async () => {
    const client = await startClient(runtime);
    const program = runtime.launch.runtime === 'python' ? quickstartCopy(true) : QUICKSTART;
    const losses: number[] = []; // every batch's loss in order, from the batch events (each loss is sent once)
    client.on('trainloopBatch', (event: DebugProtocol.Event) => losses.push(...((event.body as { losses: number[] }).losses)));
    try {
      const line = readFileSync(program, 'utf8').split('\n').findIndex((text) => text.includes('loss.backward()')) + 1;
      const stopped = await launchToStop(client, program, [{ line }], { maxBatches: 20 });
      assert.equal(stopped.body.reason, 'breakpoint');
      const frame = await topFrame(client);
      assert.equal(frame.name, 'train');
      const X = (await scopeVariables(client, 'Locals')).find((v) => v.name === 'X');
      assert.match(X?.value ?? '', /^tensor\[64, 1, 28, 28\] f32 n=50176 x∈\[0\.0, 1\.0\] /);
      const first = Number((await scopeVariables(client, 'Training')).find((v) => v.name === 'batch')?.value);
      assert.equal(first, 1, 'the first training batch is batch 1 (the shapes loop before it trains nothing)');
      const ownCounter = (await evaluate(client, 'batch')).result;
      await client.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
      const stepped = await resumeToStop(client, () => client.customRequest('stepBatch', { count: 1 }));
      assert.equal(stepped.body.reason, 'breakpoint');
      assert.equal(stepped.body.description, `batch ${first}`, 'the end of the batch in progress');
      assert.equal((await evaluate(client, 'batch')).result, ownCounter, 'the same iteration as loss.backward()');
      assert.equal(Number((await evaluate(client, 'float(loss)')).result), losses[first - 1], "the batch's loss in the events (the quickstart makes `loss` a float on every 100th)");
      const thisBatch = await thisBatchRows(client, await scopeVariables(client, 'Training'));
      assert.equal(Number(thisBatch.get('loss')?.value), losses[first - 1]);
      const gradients = await childrenOf(client, thisBatch.get('gradients'));
      assert.equal(gradients.length, 6, 'three Linear layers: six parameters');
      for (const g of gradients) assert.match(g.value, /^tensor\[[\d, ]+\] f32 n=\d+ x∈/, `${g.name}: its gradient at backward()`);
      const next = await resumeToStop(client, () => client.customRequest('stepBatch', { count: 1 }));
      assert.equal(next.body.description, `batch ${first + 1}`, 'from a batch end, the end of the next one');
      assert.equal((await evaluate(client, 'batch')).result, String(Number(ownCounter) + 1));
    } finally {
      await finish(client);
    }
  });
}

for (const runtime of RUNTIMES_UNDER_TEST) scenarios(runtime);
