// The threaded wasm build (src/runtime/threadedWasm.ts) starts its pool in Node, computes what the cpu backend
// computes, and lets its process end (the runtime picks it only when a core is left over: not on 2-core machines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');

test('the threaded build runs on 2 threads, matches the cpu backend, and its process ends by itself', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'threadedWasmProbe.ts')], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(result.status, 0, `the probe failed or hung:\n${result.stderr}`);
  const seen = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { threads: number; worst: number; size: number };
  assert.equal(seen.threads, 2, 'XNNPACK pool size');
  assert.equal(seen.size, 64 * 512);
  assert.ok(seen.worst < 1e-4, `worst relative difference from the cpu backend: ${seen.worst}`);
});

