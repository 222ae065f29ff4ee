// The panel's measurements in the adapter's batch events against what the training script itself computed: each
// parameter's ‖Δw‖/‖w‖ across the optimizer's step (SGD with momentum, Adam with gradient accumulation) and the
// predictions under the batch images (the argmax of the logits the loss was given).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { TIMEOUT, finish, fixture, launch, startClient } from './adapterClient';

const SCRIPT = fixture('measured_updates.py');
const options = { timeout: TIMEOUT * 2 };

interface Expected {
  batch: number;
  ratios: Record<string, number>;
  predictions: number[];
}

interface BatchEvent {
  batch: number;
  updateRatios: Record<string, number>;
  inputs?: { shape: number[]; labels?: number[]; predictions?: number[] };
}

/** Runs the script to its end under the adapter: its batch events, and its own per-batch values by batch. */
async function run(args: string[]): Promise<{ events: BatchEvent[]; expected: Map<number, Expected> }> {
  const client = await startClient();
  const events: BatchEvent[] = [];
  let stdout = '';
  client.on('trainloopBatch', (event: DebugProtocol.Event) => events.push(event.body as BatchEvent));
  client.on('output', (event: DebugProtocol.OutputEvent) => {
    if (event.body.category === 'stdout') stdout += event.body.output;
  });
  try {
    const ended = client.waitForEvent('terminated');
    await launch(client, SCRIPT, [], { args });
    await ended;
  } finally {
    await finish(client);
  }
  const expected = new Map<number, Expected>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('expected ')) continue;
    const record = JSON.parse(line.slice('expected '.length)) as Expected;
    expected.set(record.batch, record);
  }
  assert.equal(expected.size, 24, 'the script printed every batch');
  return { events, expected };
}

let sgdRun: ReturnType<typeof run> | undefined;
/** One SGD run serves two tests. */
const sgd = () => (sgdRun ??= run(['sgd', '1']));

function assertRatiosMatch(event: BatchEvent, expected: Expected | undefined): void {
  assert.ok(expected, `batch ${event.batch} is known`);
  assert.deepEqual(Object.keys(event.updateRatios).sort(), Object.keys(expected.ratios).sort(), `batch ${event.batch}: the parameters that moved`);
  for (const [name, ratio] of Object.entries(expected.ratios)) {
    const got = event.updateRatios[name];
    assert.ok(Math.abs(got - ratio) <= 1e-3 * ratio, `batch ${event.batch} ${name}: ${got} vs ${ratio}`);
  }
}

test('SGD with momentum: the update ratios are the measured ‖Δw‖/‖w‖ of the batch they are reported with', options, async () => {
  const { events, expected } = await sgd();
  const measured = events.filter((e) => Object.keys(e.updateRatios).length > 0);
  assert.ok(measured.length >= 3, `${measured.length} measurements`);
  for (const event of measured) assertRatiosMatch(event, expected.get(event.batch - 1)); // the script counts from 0
});

test('Adam with gradient accumulation: ratios only for batches that stepped, each the measured ‖Δw‖/‖w‖', options, async () => {
  const { events, expected } = await run(['adam', '3']);
  const measured = events.filter((e) => Object.keys(e.updateRatios).length > 0);
  assert.ok(measured.length >= 2, `${measured.length} measurements`);
  for (const event of measured) {
    assert.equal(event.batch % 3, 0, `batch ${event.batch} did not step, yet has ratios`);
    assertRatiosMatch(event, expected.get(event.batch - 1));
  }
});

test('the predictions under the batch images are the argmax of the logits given to the loss', options, async () => {
  const { events, expected } = await sgd();
  const withImages = events.filter((e) => e.inputs?.predictions);
  assert.ok(withImages.length >= 1, `${withImages.length} events with predictions`); // images are sampled at most once a second
  for (const event of withImages) {
    const count = event.inputs!.shape[0];
    assert.deepEqual(event.inputs!.predictions, expected.get(event.batch - 1)?.predictions.slice(0, count), `batch ${event.batch}`);
  }
});
