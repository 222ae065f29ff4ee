// Pyodide's packages (numpy, and the others of its index) for the embedded runtime: fetched once from Pyodide's package
// index, a mirror URL or a local folder, checked against their SHA-256 and kept in a cache folder the worker reads.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';

/** Pyodide's version: its index lives at Pyodide's CDN under this version (pyodide-lock.json names the files). */
export const PYODIDE_VERSION = '314.0.7';
export const DEFAULT_PACKAGE_INDEX = `https://cdn.jsdelivr.net/pyodide/v${PYODIDE_VERSION}/full/`;

/** The command line's cache folder: $XDG_CACHE_HOME/trainloop/packages, else ~/.cache/trainloop/packages. */
export function defaultPackageCache(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'trainloop', 'packages');
}

/** What the worker asks for: the index's lock file, or one package file named by the lock. */
export type PackageRequest = { kind: 'lock' } | { kind: 'file'; fileName: string; sha256: string; name: string };

export type PackageReply = { ok: true; path: string } | { ok: false; error: string; source: string };

const PROGRESS_EVERY_MS = 500;

function isUrl(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !source.startsWith('file://');
}

function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** An error in a few words, with the network's reason (`fetch failed` says little alone: ENOTFOUND, ECONNREFUSED). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message;
  return reason ? `${error.message}: ${reason}` : error.message;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Fetches package files into `cacheDir` (once: a cached file whose hash matches is used as it is). `source` is a URL
 * (Pyodide's index or a mirror of it) or a local folder holding the same files; `progress` gets one line at a time.
 */
export class PackageFetcher {
  readonly source: string;

  constructor(
    source: string | undefined,
    private readonly cacheDir: string,
    private readonly bundledLock: string,
    private readonly progress: (line: string) => void,
  ) {
    const given = source?.trim() || DEFAULT_PACKAGE_INDEX;
    this.source = isUrl(given) ? (given.endsWith('/') ? given : `${given}/`) : resolve(given.replace(/^file:\/\//, ''));
  }

  async handle(request: PackageRequest): Promise<PackageReply> {
    try {
      if (request.kind === 'lock') return { ok: true, path: await this.lockFile() };
      return { ok: true, path: await this.file(request.fileName, request.sha256, request.name) };
    } catch (error) {
      return { ok: false, error: describe(error), source: this.source };
    }
  }

  /** The source's own pyodide-lock.json when it has one (a mirror of another build, a folder of test wheels), else
   * the lock that ships with the runtime. */
  private async lockFile(): Promise<string> {
    if (!isUrl(this.source)) {
      const own = join(this.source, 'pyodide-lock.json');
      if (!existsSync(this.source)) throw new Error(`the folder ${this.source} does not exist`);
      return existsSync(own) ? own : this.bundledLock;
    }
    if (this.source === DEFAULT_PACKAGE_INDEX) return this.bundledLock;
    const cached = join(this.cacheDir, 'locks', `${sha256Of(Buffer.from(this.source)).slice(0, 16)}.json`);
    try {
      const response = await fetch(`${this.source}pyodide-lock.json`);
      if (response.status === 404) return this.bundledLock;
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const text = await response.text();
      JSON.parse(text);
      mkdirSync(join(this.cacheDir, 'locks'), { recursive: true });
      writeFileSync(cached, text);
      return cached;
    } catch {
      // Offline now: the lock fetched before, else the runtime's own (the same Pyodide's packages, most likely), so
      // that the package's own download says what failed.
      return existsSync(cached) ? cached : this.bundledLock;
    }
  }

  private async file(fileName: string, sha256: string, name: string): Promise<string> {
    if (basename(fileName) !== fileName) throw new Error(`the lock names an unsafe file: ${fileName}`);
    const target = join(this.cacheDir, fileName);
    if (existsSync(target) && sha256Of(readFileSync(target)) === sha256) return target;
    const bytes = isUrl(this.source) ? await this.download(`${this.source}${fileName}`, name) : this.copy(fileName);
    const actual = sha256Of(bytes);
    if (actual !== sha256) throw new Error(`${fileName} from ${this.source} has SHA-256 ${actual}, the lock says ${sha256}`);
    mkdirSync(this.cacheDir, { recursive: true });
    const partial = `${target}.${process.pid}.part`;
    writeFileSync(partial, bytes);
    renameSync(partial, target);
    return target;
  }

  private copy(fileName: string): Uint8Array {
    const path = join(this.source, fileName);
    if (!existsSync(path)) throw new Error(`${fileName} is not in the folder ${this.source}`);
    this.progress(`trainloop: installing ${fileName} from ${this.source} (${megabytes(statSync(path).size)})\n`);
    return readFileSync(path);
  }

  private async download(url: string, name: string): Promise<Uint8Array> {
    const response = await fetch(url);
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} for ${url}`);
    const total = Number(response.headers.get('content-length')) || 0;
    this.progress(`trainloop: downloading ${name} from ${url}${total ? ` (${megabytes(total)})` : ''}, once: it is kept in ${this.cacheDir}\n`);
    const chunks: Uint8Array[] = [];
    let received = 0;
    let reported = Date.now();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      chunks.push(chunk);
      received += chunk.length;
      if (Date.now() - reported >= PROGRESS_EVERY_MS) {
        reported = Date.now();
        this.progress(`trainloop: ${name}: ${megabytes(received)}${total ? ` of ${megabytes(total)} (${Math.round((100 * received) / total)}%)` : ''}\n`);
      }
    }
    this.progress(`trainloop: ${name}: ${megabytes(received)} downloaded\n`);
    return Buffer.concat(chunks);
  }
}
