// Debian's Fashion-MNIST files (dataset-fashion-mnist), unpacked where real torchvision's FashionMNIST(root) reads them.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

/** Writes the four files, unpacked, into `root`/FashionMNIST/raw (torchvision's layout for `root`). */
export function unpackFashionMnist(root: string): void {
  const raw = join(root, 'FashionMNIST', 'raw');
  mkdirSync(raw, { recursive: true });
  for (const file of readdirSync(FASHION_MNIST).filter((name) => name.endsWith('.gz'))) {
    writeFileSync(join(raw, file.replace(/\.gz$/, '')), gunzipSync(readFileSync(join(FASHION_MNIST, file))));
  }
}
