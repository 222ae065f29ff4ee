// The editor's inline values at a stepBatch stop, against the real adapter and Python agent (the user's Python with real PyTorch): the loop's tensors show in its body, though the stop is on the `for` line.
import '../extension/installFakeVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from '../extension/fakeVscode';
import { TensorInlineValues } from '../../src/extension/pythonDebugProviders';
import { TIMEOUT, finish, fixture, launchToStop, resumeToStop, startClient, topFrame, RUNTIMES_UNDER_TEST } from './adapterClient';

const TRAINING = fixture('tiny_training.py');
const runtime = RUNTIMES_UNDER_TEST.find((r) => r.launch.runtime === 'python' && !r.skip) ?? RUNTIMES_UNDER_TEST[1];

test(`${runtime.name}: stopped by stepBatch on the for line, X, y, pred and loss show inline on the loop body's lines`, { timeout: TIMEOUT * 2, skip: runtime.skip }, async () => {
  const source = readFileSync(TRAINING, 'utf8');
  const lines = source.split('\n');
  const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)); // 0-based, as VS Code's ranges
  const client = await startClient(runtime);
  try {
    await launchToStop(client, TRAINING, [{ line: lineOf('loss.backward()') + 1 }]);
    await client.setBreakpointsRequest({ source: { path: TRAINING }, breakpoints: [] });
    await resumeToStop(client, () => client.customRequest('stepBatch', { count: 1 }));
    const frame = await topFrame(client);
    const loopLine = lineOf('for batch, (X, y) in enumerate(dataloader):');
    assert.equal(frame.line - 1, loopLine, 'stepBatch stops on the for line');

    // VS Code asks the provider with the frame's place as the stopped location, and the session answers from the adapter.
    vscode.debug.activeDebugSession = vscode.debugSession({ type: 'trainloop', request: 'launch', program: TRAINING }, async (command, args) =>
      (await client.customRequest(command, args)).body,
    );
    const context = { frameId: frame.id, stoppedLocation: new vscode.Range(frame.line - 1, frame.column - 1, frame.line - 1, frame.column - 1) };
    const values = (await new TensorInlineValues().provideInlineValues(
      vscode.document(TRAINING, source) as never,
      new vscode.Range(0, 0, lines.length, 0) as never,
      context as never,
    )) as unknown as vscode.InlineValueText[];
    assert.deepEqual(
      values.map((v) => [v.text, v.range.start.line]),
      [
        ['X: [64, 1, 28, 28] f32', loopLine],
        ['y: [64] i64', loopLine],
        ['pred: [64, 10] f32', lineOf('pred = model(X)')],
        ['loss: [] f32', lineOf('loss = loss_fn(pred, y)')],
      ],
    );
  } finally {
    vscode.debug.activeDebugSession = undefined;
    await finish(client);
  }
});
