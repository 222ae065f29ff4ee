// Memory over a long run: the engine's live-tensor count stays flat (no higher in batches 1,900-2,000 than in 100-199) and RSS grows < 50 MB over 2,000 training batches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedRuntime } from '../../src/runtime/embeddedRuntime';
import { REPO } from '../support/runtimeCli';

const SCRIPT = `
import json, sys
import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import ToTensor
from torch._engine import E

torch.manual_seed(0)
data = datasets.FashionMNIST(root="data", train=True, download=True, transform=ToTensor())
loader = DataLoader(data, batch_size=64, shuffle=True)
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
batches = 0
while batches < 2000:
    for X, y in loader:
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        batches += 1
        if 100 <= batches < 200 or 1900 <= batches <= 2000:
            print(json.dumps({"batch": batches, "live_tensors": E.live_tensors()}), flush=True)
        if batches == 2000:
            break
`;

test('2,000 training batches: live tensors flat, RSS growth under 50 MB', { timeout: 900_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trainloop-memory-'));
  const script = join(dir, 'long_run.py');
  writeFileSync(script, SCRIPT);
  const runtime = new EmbeddedRuntime();
  const samples: Array<{ batch: number; live_tensors: number; rss: number }> = [];
  let stderr = '';
  runtime.on('output', (stream, text) => {
    if (stream === 'stderr') stderr += text;
    for (const line of text.split('\n').filter((l) => l.startsWith('{'))) {
      samples.push({ ...(JSON.parse(line) as { batch: number; live_tensors: number }), rss: process.memoryUsage().rss });
    }
  });
  const code = await runtime.start({ program: script, distDir: join(REPO, 'dist') });
  assert.equal(code, 0, stderr);
  // The count moves by a tensor or two within a stretch (the sampler's chunk of drawn indices comes and goes), so a
  // leak is a stretch whose highest count is above the earlier stretch's.
  const early = samples.filter((sample) => sample.batch < 200);
  const late = samples.filter((sample) => sample.batch >= 1900);
  assert.equal(early.length, 100);
  assert.equal(late.length, 101);
  const highest = (stretch: typeof samples) => Math.max(...stretch.map((sample) => sample.live_tensors));
  assert.ok(highest(late) <= highest(early), `live tensors grew: at most ${highest(early)} in batches 100-199, ${highest(late)} in 1,900-2,000`);
  const growthMb = (late[late.length - 1].rss - early[0].rss) / 2 ** 20;
  assert.ok(growthMb < 50, `RSS grew ${growthMb.toFixed(1)} MB between batch 100 and batch 2,000`);
});
