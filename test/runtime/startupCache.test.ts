// The embedded runtime's start-up cache: Pyodide restored from a snapshot of its booted interpreter (made by the
// first run), the compiled code of the runtime's own modules and inflated copies of .gz datasets, kept between runs.
// A restored run must see the interpreter a fresh boot gives; a damaged or changed cache is made again, never trusted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CLI, REPO } from '../support/runtimeCli';

/** What a script can see of the interpreter it runs in. */
const STATE = `
import json, os, random, sys
print(json.dumps({
    "path": [p for p in sys.path if "/dist/python/" not in p and p != os.path.dirname(os.path.abspath(__file__))],
    "executable": [sys.executable, sys._base_executable, sys.orig_argv, os.environ.get("_")],
    "environ": sorted(k for k in os.environ if k != "_"),
    "modules": sorted(m for m in sys.modules if not m.startswith(("torch", "trainloop", "_trainloop"))),
    "hash_randomization": sys.flags.hash_randomization,
    "dont_write_bytecode": sys.dont_write_bytecode,
    "random": random.random(),
}))
`;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, cache: string): Run {
  const result = spawnSync(process.execPath, [CLI, 'run', script], {
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, XDG_CACHE_HOME: cache },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function stateOf(result: Run): Record<string, unknown> {
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

test('the first run makes the snapshot; every run restored from it sees the interpreter a boot gives', { timeout: 300_000 }, () => {
  const cache = mkdtempSync(join(tmpdir(), 'trainloop-startup-'));
  const startup = join(cache, 'trainloop', 'packages', 'startup');
  const dir = mkdtempSync(join(tmpdir(), 'trainloop-startup-script-'));
  const script = join(dir, 'state.py');
  writeFileSync(script, STATE);

  const first = stateOf(run(script, cache));
  const snapshots = readdirSync(startup).filter((name) => name.endsWith('.snapshot'));
  assert.equal(snapshots.length, 1, `one snapshot in ${startup}: ${readdirSync(startup).join(', ')}`);
  const compiled = filesUnder(join(startup, 'bytecode'));
  assert.ok(compiled.some((file) => file.endsWith('/shim/torch/_tensor.py.code')), 'the shim is compiled into the cache');
  assert.ok(!compiled.some((file) => file.includes(dir)), "the script's own folder is not cached");

  const second = stateOf(run(script, cache));
  const { random: firstRandom, ...firstRest } = first;
  const { random: secondRandom, ...secondRest } = second;
  assert.deepEqual(secondRest, firstRest);
  assert.notEqual(secondRandom, firstRandom, 'random is seeded per run, as at import');

  // What a fresh boot of Pyodide gives (the program name is the worker's script, as Emscripten names it).
  const worker = join(REPO, 'dist', 'runtimeWorker.js');
  assert.deepEqual(first.executable, [worker, worker, [worker], worker]);
  assert.deepEqual(first.path, ['', '/lib/python314.zip', '/lib/python3.14/lib-dynload', '/lib/python3.14/site-packages']);
  assert.equal(first.hash_randomization, 1);
  assert.equal(first.dont_write_bytecode, true);
  assert.ok((first.modules as string[]).includes('pickle') && !(first.modules as string[]).includes('hashlib'));

  // A damaged snapshot (or another build's) is made again.
  const file = join(startup, snapshots[0]);
  writeFileSync(file, 'not a snapshot');
  const third = stateOf(run(script, cache));
  const { random: _thirdRandom, ...thirdRest } = third;
  assert.deepEqual(thirdRest, firstRest);
  assert.ok(statSync(file).size > 1_000_000, 'the snapshot was written again');
});

/** Loads modules of a "runtime folder" through bytecode_cache.py under CPython, and says where each came from. */
const CACHE_CHECK = `
import importlib, json, os, sys
sys.path.insert(0, sys.argv[1])
from trainloop_embedded import bytecode_cache
runtime, cache, outside = sys.argv[2], sys.argv[3], sys.argv[4]
bytecode_cache.install(runtime, cache)
sys.path[:0] = [runtime, outside]
import cached_module, outside_module
print(json.dumps({"cached": cached_module.VALUE, "outside": outside_module.VALUE}))
`;

test('compiled code is kept for the runtime folder only, and trusted only while the source is unchanged', { timeout: 60_000 }, (t) => {
  if (!existsSync('/usr/bin/python3')) {
    if (process.env.CI === 'true') throw new Error('CI=true and /usr/bin/python3 is missing');
    console.log('SKIP: /usr/bin/python3 is missing');
    return t.skip('/usr/bin/python3 is missing');
  }
  const root = mkdtempSync(join(tmpdir(), 'trainloop-bytecode-'));
  const [runtime, cache, outside] = ['runtime', 'cache', 'outside'].map((name) => join(root, name));
  for (const folder of [runtime, outside]) mkdirSync(folder, { recursive: true });
  writeFileSync(join(runtime, 'cached_module.py'), 'VALUE = "source"\n');
  writeFileSync(join(outside, 'outside_module.py'), 'VALUE = "outside"\n');
  const check = join(root, 'check.py');
  writeFileSync(check, CACHE_CHECK);
  const agent = join(REPO, 'src', 'runtime', 'python', 'agent');
  const load = () => {
    const result = spawnSync('/usr/bin/python3', ['-B', check, agent, runtime, cache, outside], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as Record<string, string>;
  };

  assert.deepEqual(load(), { cached: 'source', outside: 'outside' });
  const cached = filesUnder(cache);
  assert.equal(cached.length, 1, `only the runtime folder's module is cached: ${cached.join(', ')}`);
  assert.ok(cached[0].endsWith(`${join(runtime, 'cached_module.py')}.code`));

  // The cache is what the next run loads: a stand-in with the same stamp (mtime, size) is taken as it is.
  const stamp = readFileSync(cached[0]).subarray(0, 16);
  const standIn = spawnSync('/usr/bin/python3', ['-c', 'import marshal, sys; sys.stdout.buffer.write(marshal.dumps(compile("VALUE = \\"cache\\"", "x", "exec")))']);
  writeFileSync(cached[0], Buffer.concat([stamp, standIn.stdout]));
  assert.equal(load().cached, 'cache');

  // A changed source (another size) is compiled again; so is a damaged cache file, stamp or code.
  writeFileSync(join(runtime, 'cached_module.py'), 'VALUE = "edited source"\n');
  assert.equal(load().cached, 'edited source');
  const newStamp = readFileSync(cached[0]).subarray(0, 16);
  assert.notDeepEqual(newStamp, stamp);
  writeFileSync(cached[0], Buffer.concat([newStamp, Buffer.from('damaged')]));
  assert.equal(load().cached, 'edited source');
  writeFileSync(cached[0], 'damaged');
  assert.equal(load().cached, 'edited source');
  assert.deepEqual(readFileSync(cached[0]).subarray(0, 16), newStamp, 'written again');
});

/** An IDX file of `count` 2×2 images (every pixel `value`) or of `count` labels, gzip-compressed. */
function idxGz(kind: 'images' | 'labels', count: number, value: number): Buffer {
  const dims = kind === 'images' ? [count, 2, 2] : [count];
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x800 + dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const values = Buffer.alloc(dims.reduce((a, b) => a * b, 1), kind === 'images' ? value : value % 10);
  return gzipSync(Buffer.concat([header, values]));
}

const READ_MNIST = `
from torchvision import datasets
data = datasets.MNIST(root="data", train=True)
print(len(data), int(data.data.sum()), int(data.targets.sum()))
`;

test('a .gz dataset is inflated once and read from its copy until the file changes', { timeout: 300_000 }, () => {
  const cache = mkdtempSync(join(tmpdir(), 'trainloop-startup-'));
  const inflated = join(cache, 'trainloop', 'packages', 'startup', 'inflated');
  const dir = mkdtempSync(join(tmpdir(), 'trainloop-inflated-'));
  const raw = join(dir, 'data', 'MNIST', 'raw');
  mkdirSync(raw, { recursive: true });
  const script = join(dir, 'read.py');
  writeFileSync(script, READ_MNIST);
  const write = (count: number, value: number) => {
    writeFileSync(join(raw, 'train-images-idx3-ubyte.gz'), idxGz('images', count, value));
    writeFileSync(join(raw, 'train-labels-idx1-ubyte.gz'), idxGz('labels', count, value));
  };
  const read = () => {
    const result = run(script, cache);
    assert.equal(result.status, 0, result.stderr);
    return result.stdout.trim();
  };

  write(3, 7);
  assert.equal(read(), '3 84 21');
  assert.equal(readdirSync(inflated).length, 2, 'one copy per file');
  // The copy is what the next run reads: a stand-in with other pixels is taken as it is.
  const imagesCopy = readdirSync(inflated).map((name) => join(inflated, name)).sort((a, b) => statSync(b).size - statSync(a).size)[0];
  writeFileSync(imagesCopy, gunzipSync(idxGz('images', 3, 9)));
  assert.equal(read(), '3 108 21', 'read from the copies');
  write(5, 2);
  assert.equal(read(), '5 40 10', 'a changed file is inflated again');
  assert.equal(readdirSync(inflated).length, 2, "the old version's copies are dropped");
  for (const name of readdirSync(inflated)) writeFileSync(join(inflated, name), 'damaged');
  assert.equal(read(), '5 40 10', 'a damaged copy is made again');
});
