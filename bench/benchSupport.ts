// What the benches share: medians, and a Fashion-MNIST root unpacked where torchvision and the shim both read it.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A dataset root with the system's Fashion-MNIST files unpacked as torchvision's FashionMNIST(root) expects them. */
export function fashionMnistRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'trainloop-bench-'));
  const raw = join(root, 'FashionMNIST', 'raw');
  mkdirSync(raw, { recursive: true });
  for (const file of readdirSync(FASHION_MNIST).filter((name) => name.endsWith('.gz'))) {
    writeFileSync(join(raw, file.replace(/\.gz$/, '')), gunzipSync(readFileSync(join(FASHION_MNIST, file))));
  }
  return root;
}
