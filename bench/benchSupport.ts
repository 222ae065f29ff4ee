// What the benches share: medians, timed runs with their CPU time, and a Fashion-MNIST root for torchvision and the shim.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unpackFashionMnist } from '../test/support/fashionMnist';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A new dataset root with the system's Fashion-MNIST files unpacked as torchvision's FashionMNIST(root) expects them. */
export function fashionMnistRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'trainloop-bench-'));
  unpackFashionMnist(root);
  return root;
}

/** One finished process: its output, wall seconds and CPU seconds (user + system, every thread; null when unknown). */
export interface TimedRun<T = undefined> {
  status: number | null;
  stdout: string;
  stderr: string;
  wallS: number;
  cpuS: number | null;
  value: T;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Runs a command to its end, timing it: the wall clock here, CPU time through GNU time (Debian's `time` package; on a
 * shared machine CPU time moves less than wall time). The CPU time covers the whole process, start-up included.
 */
export function timedRun(command: string, args: string[], cwd: string): TimedRun {
  const withTime = existsSync(GNU_TIME);
  const cpuFile = join(mkdtempSync(join(tmpdir(), 'trainloop-cpu-')), 'cpu');
  const started = process.hrtime.bigint();
  const result = withTime
    ? spawnSync(GNU_TIME, ['-f', '%U %S', '-o', cpuFile, command, ...args], { encoding: 'utf8', cwd, maxBuffer: 1 << 26 })
    : spawnSync(command, args, { encoding: 'utf8', cwd, maxBuffer: 1 << 26 });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  let cpuS: number | null = null;
  if (withTime && existsSync(cpuFile)) {
    const [user, system] = readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    if (Number.isFinite(user) && Number.isFinite(system)) cpuS = user + system;
  }
  rmSync(dirname(cpuFile), { recursive: true, force: true });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', wallS, cpuS, value: undefined };
}
