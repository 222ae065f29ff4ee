// torch.utils.data and torchvision in the runtime: the real Fashion-MNIST against real torchvision's values, loader
// semantics (shuffle, drop_last, splits, collation), the vectorized batch path's speed, and missing or downloaded data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runPython, runPythonAsync, type ScriptRun } from '../support/runtimeCli';
import { closedPort } from '../support/closedPort';

const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

/** The JSON object a script printed on its line `label {...}`. */
function printed(run: ScriptRun, label: string): Record<string, unknown> {
  const line = run.stdout.split('\n').find((l) => l.startsWith(`${label} `));
  assert.ok(line, `the script printed no "${label}" line\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
  return JSON.parse(line.slice(label.length + 1)) as Record<string, unknown>;
}

function succeeded(run: ScriptRun): void {
  assert.equal(run.status, 0, `exit status ${run.status}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
}

test('FashionMNIST reads the system copy and gives what real torchvision gives', { timeout: 180_000 }, (t) => {
  assert.ok(existsSync(FASHION_MNIST), `${FASHION_MNIST} is missing: install Debian's dataset-fashion-mnist`);
  // `sum(...tolist())` adds float32 values in double precision in a fixed order, so equal sums mean equal pixels.
  const run = runPython(`
import json, time
import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms
from torchvision.transforms import v2

def checksum(t):
    return sum(t.flatten().tolist())

train = datasets.FashionMNIST(root="data", train=True, download=True, transform=transforms.ToTensor())
test = datasets.FashionMNIST(root="data", train=False, download=True, transform=transforms.ToTensor())
image, label = train[0]
test_image, test_label = test[0]
raw = train.data[0].flatten().tolist()
print("facts", json.dumps({
    "lengths": [len(train), len(test)],
    "first": [label, list(image.shape), str(image.dtype), checksum(image)],
    "test_first": [test_label, checksum(test_image)],
    "data": [list(train.data.shape), str(train.data.dtype), sum((i + 1) * v for i, v in enumerate(raw))],
    "targets": [str(train.targets.dtype), train.targets[:10].tolist(), test.targets[:10].tolist()],
    "classes": [train.classes[9], train.class_to_idx["Bag"]],
    "raw_folder": train.raw_folder,
    "repr": repr(train).splitlines(),
}))

X, y = next(iter(DataLoader(train, batch_size=64)))
print("batch", json.dumps([list(X.shape), str(X.dtype), list(y.shape), str(y.dtype), checksum(X), sum(y.tolist())]))

normalize = transforms.Normalize((0.2860,), (0.3530,))
pipelines = {
    "batched": transforms.Compose([transforms.ToTensor(), normalize]),
    "per_sample": transforms.Compose([transforms.ToTensor(), normalize, transforms.Lambda(lambda x: x)]),
    "v2": v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize((0.2860,), (0.3530,))]),
}
normalized = {}
for name, pipeline in pipelines.items():
    dataset = datasets.FashionMNIST(root="data", train=True, download=True, transform=pipeline)
    X, _ = next(iter(DataLoader(dataset, batch_size=64)))
    first, _ = dataset[0]
    normalized[name] = [checksum(X), checksum(first), first[0, 14, 14].item()]
print("normalized", json.dumps(normalized))

plain = datasets.FashionMNIST(root="data", train=False, download=True, target_transform=lambda y: y * 10)
image, label = plain[0]
X, y = next(iter(DataLoader(plain, batch_size=4)))
print("plain", json.dumps([list(image.shape), str(image.dtype), label, list(X.shape), str(X.dtype), y.tolist()]))

loader = DataLoader(train, batch_size=64, shuffle=True)
seconds = []
for epoch in range(2):
    start = time.perf_counter()
    count = batches = 0
    for X, y in loader:
        count += X.shape[0]
        batches += 1
    seconds.append(time.perf_counter() - start)
print("epoch", json.dumps({"seconds": seconds, "samples": count, "batches": batches}))
`);
  succeeded(run);

  // Expected values: torchvision 0.14.1 + torch 1.13 (Debian's python3-torchvision, /usr/bin/python3) on the same files.
  const facts = printed(run, 'facts');
  assert.deepEqual(facts.lengths, [60000, 10000]);
  assert.deepEqual(facts.first, [9, [1, 28, 28], 'torch.float32', 299.0078472062014]);
  assert.deepEqual(facts.test_first, [9, 131.20000365097076]);
  assert.deepEqual(facts.data, [[60000, 28, 28], 'torch.uint8', 35954273]);
  assert.deepEqual(facts.targets, ['torch.int64', [9, 0, 0, 3, 0, 2, 7, 2, 5, 5], [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]]);
  assert.deepEqual(facts.classes, ['Ankle boot', 8]);
  assert.equal(facts.raw_folder, 'data/FashionMNIST/raw');
  assert.deepEqual(facts.repr, [
    'Dataset FashionMNIST',
    '    Number of datapoints: 60000',
    '    Root location: data',
    '    Split: Train',
    '    StandardTransform',
    'Transform: ToTensor()',
  ]);

  assert.deepEqual(printed(run, 'batch'), [[64, 1, 28, 28], 'torch.float32', [64], 'torch.int64', 14448.741432920098, 263]);
  const normalized = printed(run, 'normalized');
  const torchvision = [278.76711394888116, 211.85223795950878, 1.600511074066162];
  assert.deepEqual(normalized, { batched: torchvision, per_sample: torchvision, v2: torchvision });
  // No transform: the image is the uint8 tensor (torchvision would give a PIL image); target_transform in both paths.
  assert.deepEqual(printed(run, 'plain'), [[28, 28], 'torch.uint8', 90, [4, 28, 28], 'torch.uint8', [90, 20, 10, 10]]);

  const epoch = printed(run, 'epoch') as { seconds: number[]; samples: number; batches: number };
  assert.equal(epoch.samples, 60000);
  assert.equal(epoch.batches, 938);
  const [first, second] = epoch.seconds.map((s) => s.toFixed(3));
  t.diagnostic(`shuffled epochs of 60,000 images, batch_size=64, ToTensor: ${first} s, then ${second} s`);
  // Its speed is npm run bench's to measure, not a timing assertion here (a shared machine's load would decide it).
});

test('shuffling follows torch.manual_seed and visits every index once per epoch', { timeout: 120_000 }, () => {
  const source = `
import json
import torch
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
values = torch.tensor(list(range(1000)))
loader = DataLoader(TensorDataset(values, values * 2), batch_size=64, shuffle=True)
epochs = []
for _ in range(2):
    seen = []
    for x, doubled in loader:
        assert (doubled == x * 2).all().item(), "rows of the two tensors stay paired"
        seen += x.tolist()
    epochs.append(seen)
torch.manual_seed(7)
again = [x for batch, _ in loader for x in batch.tolist()]
print("order", json.dumps({
    "covers": [sorted(e) == list(range(1000)) for e in epochs],
    "epochs_differ": epochs[0] != epochs[1],
    "reseeded_repeats": again == epochs[0],
    "not_sequential": epochs[0] != list(range(1000)),
    "head": epochs[0][:8],
}))
`;
  const first = runPython(source);
  succeeded(first);
  const order = printed(first, 'order');
  assert.deepEqual(order.covers, [true, true]);
  assert.equal(order.epochs_differ, true);
  assert.equal(order.reseeded_repeats, true);
  assert.equal(order.not_sequential, true);
  const second = runPython(source);
  succeeded(second);
  assert.deepEqual(printed(second, 'order').head, order.head, 'the same seed gives the same order in a new run');
});

test('drop_last, len(loader) and the last short batch', { timeout: 120_000 }, () => {
  const run = runPython(`
import json
import torch
from torch.utils.data import DataLoader, TensorDataset
from torchvision import datasets, transforms

def sizes(loader):
    return [len(x) for x, _ in loader]

values = torch.tensor(list(range(1000)))
dataset = TensorDataset(values, values)
kept = DataLoader(dataset, batch_size=64)
dropped = DataLoader(dataset, batch_size=64, drop_last=True, shuffle=True)
fashion = datasets.FashionMNIST(root="data", train=False, download=True, transform=transforms.ToTensor())
print("drop", json.dumps({
    "kept": [len(kept), sizes(kept)[-2:], sum(sizes(kept))],
    "dropped": [len(dropped), sorted(set(sizes(dropped))), sum(sizes(dropped))],
    "fashion": [len(DataLoader(fashion, batch_size=64)), len(DataLoader(fashion, batch_size=64, drop_last=True)),
                [len(x) for x, _ in DataLoader(fashion, batch_size=64)][-1]],
    "dataset": len(kept.dataset),
}))
`);
  succeeded(run);
  assert.deepEqual(printed(run, 'drop'), {
    kept: [16, [64, 40], 1000],
    dropped: [15, [64], 960],
    fashion: [157, 156, 16],
    dataset: 1000,
  });
});

test('TensorDataset, Subset, random_split, ConcatDataset and collation', { timeout: 120_000 }, () => {
  const run = runPython(`
import json, warnings
from collections import namedtuple
import torch
from torch.utils.data import (DataLoader, Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset,
                              random_split, default_collate, SampleBatch)
from torchvision import datasets, transforms

torch.manual_seed(0)
features = torch.tensor([float(i) for i in range(100)]).reshape(50, 2)
labels = torch.tensor(list(range(50)))
dataset = TensorDataset(features, labels)
parts = random_split(dataset, [0.7, 0.2, 0.1])
uneven = random_split(range(10), [0.34, 0.33, 0.33])
counts = random_split(dataset, [30, 20])
covered = sorted(i for part in parts for i in part.indices)
try:
    random_split(dataset, [30, 30])
    mismatch = None
except ValueError as error:
    mismatch = str(error)
subset = Subset(dataset, [4, 2, 0])
concat = ConcatDataset([dataset, subset])

fashion = datasets.FashionMNIST(root="data", train=False, download=True, transform=transforms.ToTensor())
train_part, _ = random_split(fashion, [9000, 1000])
batch = train_part.__getitems__([0, 1, 2])
X, y = next(iter(DataLoader(train_part, batch_size=32, shuffle=True)))

seen = []
def keep_samples(samples):
    seen.append([type(samples[0][0]).__name__, type(samples[0][1]).__name__, len(samples)])
    return default_collate(samples)
next(iter(DataLoader(fashion, batch_size=8, collate_fn=keep_samples)))

Point = namedtuple("Point", "x y")
class Records(Dataset):
    def __len__(self):
        return 6
    def __getitem__(self, i):
        return {"id": i, "score": i / 2, "name": f"r{i}", "pair": (torch.tensor([i, i]), i), "point": Point(i, 1.5)}
record = next(iter(DataLoader(Records(), batch_size=3)))

class Stream(IterableDataset):
    def __iter__(self):
        return iter(range(10))
stream = [b.tolist() for b in DataLoader(Stream(), batch_size=4)]
unbatched = [[type(s).__name__, s[0].item()] for s in DataLoader(TensorDataset(torch.tensor([0, 1, 2])), batch_size=None)]

print("splits", json.dumps({
    "parts": [len(p) for p in parts], "uneven": [len(p) for p in uneven], "counts": [len(p) for p in counts],
    "covered": covered == list(range(50)), "mismatch": mismatch,
    "subset": [len(subset), subset[0][1].item(), subset[2][1].item()],
    "concat": [len(concat), concat[51][1].item(), concat[-1][1].item()],
    "tensor_row": [dataset[3][0].tolist(), dataset[3][1].item()],
}))
print("gathers", json.dumps({
    "subset_batch": [type(batch).__name__, len(batch), list(batch.collated[0].shape)],
    "subset_loader": [list(X.shape), str(X.dtype), list(y.shape)],
    "custom_collate": seen,
}))
print("collate", json.dumps({
    "id": [record["id"].tolist(), str(record["id"].dtype)],
    "score": [record["score"].tolist(), str(record["score"].dtype)],
    "name": record["name"],
    "pair": [list(record["pair"][0].shape), record["pair"][1].tolist()],
    "point": [type(record["point"]).__name__, record["point"].x.tolist()],
    "stream": stream, "unbatched": unbatched,
}))
`);
  succeeded(run);
  assert.deepEqual(printed(run, 'splits'), {
    parts: [35, 10, 5],
    uneven: [4, 3, 3],
    counts: [30, 20],
    covered: true,
    mismatch: 'Sum of input lengths does not equal the length of the input dataset!',
    subset: [3, 4, 0],
    concat: [53, 2, 0],
    tensor_row: [[6, 7], 3],
  });
  assert.deepEqual(printed(run, 'gathers'), {
    subset_batch: ['SampleBatch', 3, [3, 1, 28, 28]],
    subset_loader: [[32, 1, 28, 28], 'torch.float32', [32]],
    custom_collate: [['Tensor', 'int', 8]],
  });
  assert.deepEqual(printed(run, 'collate'), {
    id: [[0, 1, 2], 'torch.int64'],
    score: [[0, 0.5, 1], 'torch.float32'],
    name: ['r0', 'r1', 'r2'],
    pair: [[3, 2], [0, 1, 2]],
    point: ['Point', [0, 1, 2]],
    stream: [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]],
    unbatched: [['list', 0], ['list', 1], ['list', 2]],
  });
});

test('a dataset that is missing offline fails at once with one clear error', { timeout: 120_000 }, async () => {
  // No system copy, and a mirror that refuses connections: what an offline machine without the Debian package sees.
  const port = await closedPort();
  const run = runPython(`
import time
from torchvision import datasets
datasets.FashionMNIST.system_folders = ["/nonexistent/fashion-mnist"]
datasets.FashionMNIST.mirrors = ["http://127.0.0.1:${port}/"]
started = time.monotonic()
try:
    training_data = datasets.FashionMNIST(root="data", train=True, download=True)
finally:
    print("elapsed", time.monotonic() - started)
`, { name: 'offline.py' });
  assert.equal(run.status, 1, run.stderr);
  const seconds = Number(printed(run, 'elapsed'));
  assert.ok(seconds < 5, `the dataset failed after ${seconds} s, not at once`);
  assert.match(run.stderr, /File ".*offline\.py", line 8, in <module>\n\s+training_data = datasets\.FashionMNIST/);
  const errors = run.stderr.split('\n').filter((line) => /^\w*Error/.test(line));
  assert.equal(errors.length, 1, `one error, not a chain:\n${run.stderr}`);
  assert.match(errors[0], /^RuntimeError: FashionMNIST: the dataset files are not here and could not be downloaded\.$/);
  const message = run.stderr.slice(run.stderr.indexOf('RuntimeError'));
  assert.match(message, /Looked in: \/.*\/data\/FashionMNIST\/raw, \/nonexistent\/fashion-mnist/);
  assert.match(message, new RegExp(`Download failed: http://127\\.0\\.0\\.1:${port}/train-images-idx3-ubyte\\.gz: .*ECONNREFUSED`));
  assert.match(message, /install Debian's dataset-fashion-mnist package/);
  assert.match(message, /put train-images-idx3-ubyte\.gz, .* in \/.*\/data\/FashionMNIST\/raw\./);

  const notFound = runPython(`
from torchvision import datasets
datasets.MNIST(root="data", train=True, download=False)
`);
  assert.equal(notFound.status, 1);
  assert.match(notFound.stderr, /RuntimeError: Dataset not found\. You can use download=True to download it\n$/);
});

test('download=True fetches the files from a mirror, checks their MD5 and reads them', { timeout: 180_000 }, async () => {
  assert.ok(existsSync(FASHION_MNIST), `${FASHION_MNIST} is missing: install Debian's dataset-fashion-mnist`);
  // A local mirror serving the Debian files, so the whole download path runs without a network.
  const server: Server = createServer((request, response) => {
    const name = (request.url ?? '').slice(1);
    if (!readdirSync(FASHION_MNIST).includes(name)) {
      response.writeHead(404).end();
      return;
    }
    const body = readFileSync(join(FASHION_MNIST, name));
    response.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const port = (server.address() as AddressInfo).port;
  const md5 = (name: string) => createHash('md5').update(readFileSync(join(FASHION_MNIST, name))).digest('hex');
  const resources = readdirSync(FASHION_MNIST).sort().map((name) => [name, md5(name)]);
  try {
    const run = await runPythonAsync(`
import json, os
from torchvision import datasets, transforms
datasets.MNIST.mirrors = ["http://127.0.0.1:${port}/"]
datasets.MNIST.resources = ${JSON.stringify(resources)}
train = datasets.MNIST(root="data", train=True, download=True, transform=transforms.ToTensor())
again = datasets.MNIST(root="data", train=False, download=True)
image, label = train[0]
print("downloaded", json.dumps([len(train), len(again), label, sorted(os.listdir("data/MNIST/raw"))]))
datasets.KMNIST.mirrors = ["http://127.0.0.1:${port}/"]
datasets.KMNIST.resources = [(name, "0" * 32) for name, _ in datasets.KMNIST.resources]
datasets.KMNIST(root="data", download=True)
`);
    assert.equal(run.status, 1, run.stderr);
    assert.deepEqual(printed(run, 'downloaded'), [60000, 10000, 9, resources.map(([name]) => name)]);
    assert.match(run.stdout, /Downloading http:\/\/127\.0\.0\.1:\d+\/train-images-idx3-ubyte\.gz to \/.*\/data\/MNIST\/raw\/train-images-idx3-ubyte\.gz/);
    assert.match(run.stderr, /100%\s+26\.4 MB of 26\.4 MB/, 'progress is shown');
    assert.match(run.stderr, /RuntimeError: KMNIST: the dataset files are not here/);
    assert.match(run.stderr, /the downloaded file's MD5 checksum does not match/);
  } finally {
    server.close();
  }
});
