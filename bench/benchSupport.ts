// What the benches share: medians, and a Fashion-MNIST root unpacked where torchvision and the shim both read it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
