// Python's hash() in the embedded runtime: str and bytes hashes spread over their low bits as CPython's SipHash does,
// so a train/test split by `hash(pickle.dumps(x)) % 4` is balanced (Pyodide's CPython hashes strings with FNV).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPython } from '../support/runtimeCli';

// A minGPT-style addition demo's split: every pair of 2-digit numbers, one in four to the test set by hash.
const SPLIT = `
import json, pickle, sys
pairs = [(a, b) for a in range(100) for b in range(100)]
by_pickle = [0, 0, 0, 0]
for pair in pairs:
    by_pickle[hash(pickle.dumps(pair)) % 4] += 1
by_text = [0, 0, 0, 0]
for i in range(10000):
    by_text[hash(str(i)) % 4] += 1
test_set = [pair for pair in pairs if hash(pickle.dumps(pair)) % 4 == 0]
print(json.dumps({
    "algorithm": sys.hash_info.algorithm,
    "by_pickle": by_pickle,
    "by_text": by_text,
    "test_set": len(test_set),
    "empty": [hash(""), hash(b"")],
    "equal": [hash("ab") == hash("ab"), hash(b"ab") == hash(memoryview(b"ab")), hash("ab") != hash("cb")],
    "numbers": [hash(1), hash(-1), hash(True), hash(2.0), hash(None) == hash(None)],
    "never_minus_one": all(hash(str(i)) != -1 for i in range(20000)),
    "name": [hash.__name__, hash.__module__],
    "dict": {"a": 1, "b": 2}["b"],
}))
`;

/** Each of the four buckets of 10,000 items holds 2,500 ± 250 (the binomial's sd is 43; FNV put 4,420 in one). */
function assertBalanced(counts: number[], what: string): void {
  assert.equal(counts.reduce((a, b) => a + b, 0), 10000);
  for (const count of counts) assert.ok(Math.abs(count - 2500) < 250, `${what}: ${counts.join(', ')}`);
}

test('hash() splits pickles and strings evenly, as CPython does; numbers and dicts are untouched', { timeout: 180_000 }, () => {
  const run = runPython(SPLIT);
  assert.equal(run.status, 0, run.stderr);
  const facts = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  assert.equal(facts.algorithm, 'fnv', "Pyodide's build: the reason for the fix");
  assertBalanced(facts.by_pickle as number[], 'hash(pickle.dumps(x)) % 4');
  assertBalanced(facts.by_text as number[], 'hash(str(i)) % 4');
  assert.ok((facts.test_set as number) > 2000, 'the test set is never empty');
  assert.deepEqual(facts.empty, [0, 0], "hash('') is 0, as in CPython");
  assert.deepEqual(facts.equal, [true, true, true]);
  assert.deepEqual(facts.numbers, [1, -2, 1, 2, true]);
  assert.equal(facts.never_minus_one, true);
  assert.deepEqual(facts.name, ['hash', 'builtins'], 'tracebacks and help() name it as Python does');
  assert.equal(facts.dict, 2);
});

test('the same split under CPython (SipHash) is balanced too: the reference', { timeout: 60_000 }, (t) => {
  if (!existsSync('/usr/bin/python3')) {
    if (process.env.CI === 'true') throw new Error('CI=true and /usr/bin/python3 is missing');
    console.log('SKIP: /usr/bin/python3 is missing');
    return t.skip('/usr/bin/python3 is missing');
  }
  const dir = mkdtempSync(join(tmpdir(), 'trainloop-hash-'));
  writeFileSync(join(dir, 'split.py'), SPLIT);
  const run = spawnSync('/usr/bin/python3', [join(dir, 'split.py')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const facts = JSON.parse(run.stdout) as Record<string, unknown>;
  assert.match(String(facts.algorithm), /siphash/);
  assertBalanced(facts.by_pickle as number[], 'CPython: hash(pickle.dumps(x)) % 4');
  assertBalanced(facts.by_text as number[], 'CPython: hash(str(i)) % 4');
  assert.deepEqual(facts.empty, [0, 0]);
});
