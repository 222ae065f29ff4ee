// "Evaluate" through the standalone adapter, on every runtime: the `trainloopEvaluateLoop` request runs the script's
// own test() call in the paused program with the current weights, reports the eval loss and accuracy (the same numbers
// test() prints), and trains no batch — before the first batch (what Evaluate does without a session) and after
// "Train one batch" — and the run goes on as if nothing had happened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { BATCH_EVENT, EVALUATED_EVENT, EVALUATE_LOOP_REQUEST, type EvaluateLoopResult, type EvaluatedEventBody } from '../../src/debug/debugContract';
import type { BatchEventBody } from '../../src/runtime/agentMessages';
import { RUNTIMES_UNDER_TEST, TIMEOUT, evaluate, finish, fixture, launchToStop, outputContaining, resumeToStop, startClient, topFrame, type RuntimeUnderTest } from './adapterClient';

const PROGRAM = fixture('evaluated_training.py');
const TRAIN_BODY_LINE = 19; // `pred = model(X)`: the first body line of train()'s loop
const EVAL_LOOP_LINE = 30; // `for X, y in dataloader:` in test()
const BATCHES_PER_EPOCH = 12; // 384 samples / 32
const EPOCHS = 3;
const TEST_SAMPLES = 128;

/** What the run's batch events said: training losses (one per trained batch) and evaluation passes. */
class BatchEvents {
  losses = 0;
  evaluations: NonNullable<BatchEventBody['evaluations']> = [];
  constructor(client: DebugClient) {
    client.on(BATCH_EVENT, (event: DebugProtocol.Event) => {
      const body = event.body as BatchEventBody;
      this.losses += body.losses.length;
      this.evaluations.push(...(body.evaluations ?? []));
    });
  }
}

/** The custom request, its response kept whole (DebugClient rejects a failure with its message only). */
function evaluateLoop(client: DebugClient, line: number): Promise<DebugProtocol.Response> {
  const sender = client as unknown as { doSend(command: string, args: unknown, done: (response: DebugProtocol.Response) => void): void };
  return new Promise((resolve) => sender.doSend(EVALUATE_LOOP_REQUEST, { line }, resolve));
}

/** test()'s printed line: `Accuracy: 51.56%, Avg loss: 0.693147`. */
function printedResults(client: DebugClient): () => Array<{ accuracy: number; loss: number }> {
  const seen: Array<{ accuracy: number; loss: number }> = [];
  let text = '';
  client.on('output', (event: DebugProtocol.OutputEvent) => {
    if (event.body.category !== 'stdout') return;
    text += event.body.output;
    for (let match; (match = /Accuracy: ([\d.]+)%, Avg loss: ([\d.]+)\n/.exec(text)); text = text.slice(match.index + match[0].length)) {
      seen.push({ accuracy: Number(match[1]) / 100, loss: Number(match[2]) });
    }
  });
  return () => seen;
}

async function checkedEvaluation(client: DebugClient, printed: () => Array<{ accuracy: number; loss: number }>): Promise<EvaluateLoopResult> {
  const before = printed().length;
  const announced = client.waitForEvent(EVALUATED_EVENT) as Promise<DebugProtocol.Event>;
  const response = await evaluateLoop(client, EVAL_LOOP_LINE);
  assert.ok(response.success, response.message);
  const result = response.body as EvaluateLoopResult;
  assert.equal(result.code, 'test(test_dataloader, model, loss_fn)');
  assert.equal(result.trainedBatches, 0);
  assert.equal(result.evaluations.length, 1, 'one evaluation pass');
  const pass = result.evaluations[0];
  assert.equal(pass.samples, TEST_SAMPLES);
  assert.ok(typeof pass.loss === 'number' && Number.isFinite(pass.loss) && pass.loss > 0, `loss ${pass.loss}`);
  assert.ok(pass.accuracy !== null && pass.accuracy >= 0 && pass.accuracy <= 1, `accuracy ${pass.accuracy}`);
  assert.deepEqual((await announced).body as EvaluatedEventBody, { ok: true, ...result });
  // The same numbers test() printed (its batches are equal, so the mean of batch means is the mean).
  await until(() => printed().length > before);
  const own = printed()[before];
  assert.ok(Math.abs(own.loss - (pass.loss as number)) < 1e-5, `printed loss ${own.loss}, measured ${pass.loss}`);
  assert.ok(Math.abs(own.accuracy - pass.accuracy!) < 1e-4, `printed accuracy ${own.accuracy}, measured ${pass.accuracy}`);
  return result;
}

async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(condition(), 'in time');
}

function scenario(runtime: RuntimeUnderTest): void {
  test(`${runtime.name}: Evaluate runs test() with the current weights before training and after one batch, training nothing`, { timeout: TIMEOUT * 3, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    const events = new BatchEvents(client);
    const printed = printedResults(client);
    try {
      // Where Evaluate without a session pauses: the first body line of the training loop, batch 1 not trained yet.
      await launchToStop(client, PROGRAM, [{ line: TRAIN_BODY_LINE }]);
      await checkedEvaluation(client, printed);
      assert.equal(events.losses, 0, 'no training batch ran');
      assert.equal((await topFrame(client)).line, TRAIN_BODY_LINE, 'still paused where it was');
      assert.equal((await evaluate(client, 'model.training')).result, 'True', 'test() called model.eval(); the train mode is back');

      // "Train one batch" after it: batch 1, the one in progress when Evaluate ran, trains and ends.
      await client.setBreakpointsRequest({ source: { path: PROGRAM }, breakpoints: [] });
      const stepped = await resumeToStop(client, () => client.customRequest('stepBatch', { count: 1 }));
      assert.equal(stepped.body.description, 'batch 1');
      await until(() => events.losses === 1);

      const after = await checkedEvaluation(client, printed);
      await new Promise((resolve) => setTimeout(resolve, 300)); // a batch event of a training batch would come by now
      assert.equal(events.losses, 1, 'still one trained batch');
      assert.equal((await evaluate(client, 'model.training')).result, 'True');
      assert.equal((await evaluate(client, 'batch')).result, '0', 'the paused frame is untouched');

      // What cannot run says why, and leaves the session paused.
      const nothing = await evaluateLoop(client, 5);
      assert.equal(nothing.success, false);
      assert.match(nothing.message ?? '', /no loop on line 5/);
      const trainingLoop = await evaluateLoop(client, TRAIN_BODY_LINE - 1);
      assert.equal(trainingLoop.success, false);
      assert.match(trainingLoop.message ?? '', /trains \(it calls backward\(\)\)/);
      assert.equal(events.losses, 1, 'and nothing trained meanwhile');

      // The run goes on: every batch trains once, and each evaluation pass (2 of ours, 3 of the script's) is reported.
      const ended = client.waitForEvent('terminated');
      await client.continueRequest({ threadId: 1 });
      await ended;
      assert.equal(events.losses, EPOCHS * BATCHES_PER_EPOCH);
      assert.equal(events.evaluations.length, 2 + EPOCHS);
      assert.deepEqual(events.evaluations[1], after.evaluations[0], 'the panel got the pass the request answered with');
      process.stdout.write(`# ${runtime.name}: evaluation ${after.seconds} s, loss ${after.evaluations[0].loss}, accuracy ${after.evaluations[0].accuracy}\n`);
    } finally {
      await finish(client);
    }
  });
}

const IN_MAIN = fixture('evaluated_in_main.py');
const IN_MAIN_TRAIN_LINE = 19; // `loss = loss_fn(model(X), y)` in main()'s training loop
const IN_MAIN_EVAL_LOOP_LINE = 26; // `for X, y in test_loader:` in the same main()

function scenarioInMain(runtime: RuntimeUnderTest): void {
  test(`${runtime.name}: an evaluation loop in a main() that also trains runs alone in main()'s paused frame`, { timeout: TIMEOUT * 2, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    const events = new BatchEvents(client);
    try {
      await launchToStop(client, IN_MAIN, [{ line: IN_MAIN_TRAIN_LINE }]);
      const printed = outputContaining(client, 'stdout', '\n', TIMEOUT);
      const response = await evaluateLoop(client, IN_MAIN_EVAL_LOOP_LINE);
      assert.ok(response.success, response.message);
      const result = response.body as EvaluateLoopResult;
      // The loop with its setup (`model.eval()`, `total = 0.0`) and its print: calling main() again would train.
      assert.equal(result.code, `lines ${IN_MAIN_EVAL_LOOP_LINE - 3}-${IN_MAIN_EVAL_LOOP_LINE + 2}`);
      assert.equal(result.trainedBatches, 0);
      assert.equal(result.evaluations[0]?.samples, 64);
      const loss = Number(/epoch 0: test loss ([\d.]+)/.exec(await printed)?.[1]);
      assert.ok(Math.abs(loss - (result.evaluations[0].loss as number)) < 1e-5, `printed ${loss}, measured ${result.evaluations[0].loss}`);
      assert.equal(events.losses, 0);
      // The loop's assignments stay in its own namespace: main()'s X is still the training batch.
      assert.match((await evaluate(client, 'X')).result, /^tensor\[32, 8\]/);
      assert.equal((await evaluate(client, 'model.training')).result, 'True');
    } finally {
      await finish(client);
    }
  });
}

for (const runtime of RUNTIMES_UNDER_TEST) {
  scenario(runtime);
  scenarioInMain(runtime);
}
