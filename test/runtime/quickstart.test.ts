// The verbatim PyTorch quickstart (epochs = 1) on the real Fashion-MNIST: same printout as PyTorch, accuracy in PyTorch's band.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScriptFile, REPO } from '../support/runtimeCli';

test('the quickstart runs one epoch with PyTorch\'s printout and accuracy', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'trainloop-quickstart-'));
  const script = join(dir, 'quickstart.py');
  copyFileSync(join(REPO, 'examples', 'quickstart.py'), script);
  const run = runScriptFile(script, { dir, timeoutMs: 600_000 });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.split('\n');

  assert.equal(lines[0], 'Shape of X [N, C, H, W]: torch.Size([64, 1, 28, 28])');
  assert.equal(lines[1], 'Shape of y: torch.Size([64]) torch.int64');
  assert.equal(lines[2], 'Using cpu device');
  assert.equal(
    lines.slice(3, 13).join('\n'),
    [
      'NeuralNetwork(',
      '  (flatten): Flatten(start_dim=1, end_dim=-1)',
      '  (linear_relu_stack): Sequential(',
      '    (0): Linear(in_features=784, out_features=512, bias=True)',
      '    (1): ReLU()',
      '    (2): Linear(in_features=512, out_features=512, bias=True)',
      '    (3): ReLU()',
      '    (4): Linear(in_features=512, out_features=10, bias=True)',
      '  )',
      ')',
    ].join('\n'),
  );
  assert.ok(lines.includes('Epoch 1'));
  assert.ok(lines.includes('-------------------------------'));
  // One progress line every 100 batches of 938: batches 0, 100, ..., 900, each `loss: 2.301234  [   64/60000]`.
  const progress = lines.filter((line) => line.startsWith('loss: '));
  assert.equal(progress.length, 10);
  for (const [i, line] of progress.entries()) {
    const current = String(i * 100 * 64 + 64).padStart(5, ' ');
    assert.match(line, new RegExp(`^loss: \\d\\.\\d{6}  \\[${current}/60000\\]$`));
  }
  const firstLoss = Number(progress[0].slice(6, 14));
  assert.ok(firstLoss > 2.25 && firstLoss < 2.35, `an untrained 10-class model starts near ln(10): ${firstLoss}`);

  const errorAt = lines.indexOf('Test Error: ');
  assert.ok(errorAt > 0, 'prints "Test Error: "');
  const match = /^ Accuracy: (\d+\.\d)%, Avg loss: (\d\.\d{6}) $/.exec(lines[errorAt + 1]);
  assert.ok(match, `accuracy line as PyTorch prints it: ${JSON.stringify(lines[errorAt + 1])}`);
  const accuracy = Number(match[1]);
  const avgLoss = Number(match[2]);
  // Real PyTorch 1.13 on this machine: 43.0% and 2.1508 after one epoch (the band).
  assert.ok(accuracy >= 35 && accuracy <= 52, `accuracy ${accuracy}% is in PyTorch's band`);
  assert.ok(avgLoss >= 2.05 && avgLoss <= 2.25, `average loss ${avgLoss} is in PyTorch's band`);
  assert.ok(lines.includes('Done!'));
  assert.ok(lines.includes('Saved PyTorch Model State to model.pth'));
  assert.match(run.stdout, /Predicted: "[A-Za-z/ -]+", Actual: "Ankle boot"/);

  const batches = run.events.filter((event) => event.event === 'batch');
  assert.equal(batches.length, 938, 'one batch event per training batch');
  assert.equal(batches[0].batch, 1, 'batches count from 1, as users count');
  assert.equal(batches[0].index, 0, 'and keep their index from 0');
  assert.equal(typeof batches[0].loss, 'number');
  assert.deepEqual(run.events.at(-1), { event: 'exit', code: 0 });
});

test('--max-batches stops cleanly after N training batches', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'trainloop-quickstart-'));
  const script = join(dir, 'quickstart.py');
  copyFileSync(join(REPO, 'examples', 'quickstart.py'), script);
  const run = runScriptFile(script, { dir, cliArgs: ['--max-batches', '3'] });
  assert.equal(run.status, 0, run.stderr);
  const batches = run.events.filter((event) => event.event === 'batch');
  assert.deepEqual(batches.map((event) => event.batch), [1, 2, 3]);
  assert.match(run.stderr, /stopped after 3 training batches/);
});
