// Inflated copies of the gzip files the runtime reads (MNIST-style IDX files), kept in its cache folder: inflating
// Fashion-MNIST's 26 MB of training images takes 0.25–0.35 s of every run's start, reading the 47 MB copy ~0.05 s.
// torchvision keeps such a copy too, beside the .gz it downloads (a system copy is read-only, hence a cache here).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** The same bytes as a plain Uint8Array, without a copy (a Buffer's slice() would share where Uint8Array's copies). */
export function asPlainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Inflates a gzip file into one buffer. The trailer gives the inflated size (mod 2^32): with an output chunk that
 * large, zlib's one chunk is the result, where its default 16 kB chunks are joined by one more copy (Fashion-MNIST's
 * training images, 47 MB: 0.23 s instead of 0.32 s here). A wrong size (several gzip members) costs that copy again.
 */
export function gunzipWhole(file: Uint8Array): Uint8Array {
  const inflatedSize = file.length >= 18 ? new DataView(file.buffer, file.byteOffset + file.length - 4, 4).getUint32(0, true) : 0;
  return asPlainBytes(gunzipSync(file, { chunkSize: Math.max(64 * 1024, inflatedSize) }));
}

/**
 * The host file at `path`, inflated when it is gzip-compressed: from the copy in `folder` while the file keeps its
 * size and modification time, else inflated now and kept there (written whole or not at all; the copy of the file's
 * earlier version is dropped). `check` is applied to a kept copy; a copy it rejects is made again. Null when the file
 * can't be read or is not `size` bytes.
 */
export function readInflated(path: string, size: number, folder: string | undefined, check: (bytes: Uint8Array) => void): Uint8Array | null {
  let stamp: string;
  try {
    const info = statSync(path);
    if (info.size !== size) return null;
    stamp = `${info.size}-${Math.round(info.mtimeMs)}`;
  } catch {
    return null;
  }
  const key = createHash('sha256').update(path).digest('hex').slice(0, 24);
  const copy = folder === undefined ? undefined : join(folder, `${key}-${stamp}.inflated`);
  if (copy !== undefined) {
    try {
      const kept = asPlainBytes(readFileSync(copy));
      check(kept);
      return kept;
    } catch {
      // None yet, or damaged: made below.
    }
  }
  let file: Uint8Array;
  try {
    file = asPlainBytes(readFileSync(path));
  } catch {
    return null;
  }
  if (file.length !== size || !isGzip(file)) return file.length === size ? file : null;
  const inflated = gunzipWhole(file);
  if (copy !== undefined && folder !== undefined) keepCopy(folder, key, copy, inflated);
  return inflated;
}

function keepCopy(folder: string, key: string, copy: string, inflated: Uint8Array): void {
  try {
    mkdirSync(folder, { recursive: true });
    const partial = `${copy}.${randomBytes(6).toString('hex')}.part`;
    writeFileSync(partial, inflated);
    renameSync(partial, copy);
    for (const name of readdirSync(folder)) {
      if (name.startsWith(`${key}-`) && name.endsWith('.inflated') && join(folder, name) !== copy) rmSync(join(folder, name), { force: true });
    }
  } catch {
    // A cache folder that can't be written costs the next run the inflating again, nothing more.
  }
}
