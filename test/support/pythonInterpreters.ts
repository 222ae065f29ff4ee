// Test support: the Python interpreters the native-runtime tests run on (found once, lazily), and requireOrSkip, which
// skips a test whose interpreter is missing with a `SKIP:` line, or fails when CI=true (CI installs them all).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');

export type InterpreterName = 'debianTorch' | 'torch2' | 'py312' | 'py313';

interface Candidate {
  /** Where it would be, or undefined when there is no such file. */
  path: string | undefined;
  /** Python code that must run without error for the interpreter to count. */
  check: string;
  /** What to do when it is missing. */
  remedy: string;
}

/** The newest pyenv CPython of a minor version (~/.pyenv/versions/3.12.*), or undefined. */
function pyenvPython(minor: string): string | undefined {
  const root = join(homedir(), '.pyenv', 'versions');
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => name.startsWith(`${minor}.`) && /^\d+\.\d+\.\d+$/.test(name))
    .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
  const newest = versions.at(-1);
  const python = newest ? join(root, newest, 'bin', 'python') : undefined;
  return python && existsSync(python) ? python : undefined;
}

const CANDIDATES: Record<InterpreterName, () => Candidate> = {
  debianTorch: () => ({
    path: existsSync('/usr/bin/python3') ? '/usr/bin/python3' : undefined,
    check: 'import torch',
    remedy: 'apt-get install python3-torch (torch 1.13 for /usr/bin/python3)',
  }),
  torch2: () => {
    const python = join(REPO, '.cache', 'python', 'torch2', 'bin', 'python');
    return {
      path: existsSync(python) ? python : undefined,
      check: 'import torch; assert int(torch.__version__.split(".")[0]) >= 2, torch.__version__',
      remedy: 'run scripts/setup-python.sh (makes .cache/python/torch2 with torch 2.x)',
    };
  },
  py312: () => ({ path: pyenvPython('3.12'), check: 'import sys; assert sys.version_info[:2] == (3, 12)', remedy: 'pyenv install 3.12' }),
  py313: () => ({ path: pyenvPython('3.13'), check: 'import sys; assert sys.version_info[:2] == (3, 13)', remedy: 'pyenv install 3.13' }),
};

interface Found {
  path: string | undefined;
  /** Why it is missing (undefined when found). */
  missing: string | undefined;
}

const found = new Map<InterpreterName, Found>();

/** The interpreter's path when it is there and passes its check (probed once per run), else undefined. */
export function interpreterPath(name: InterpreterName): string | undefined {
  return probe(name).path;
}

function probe(name: InterpreterName): Found {
  const known = found.get(name);
  if (known) return known;
  const candidate = CANDIDATES[name]();
  let result: Found;
  if (!candidate.path) {
    result = { path: undefined, missing: `no ${name} interpreter (${candidate.remedy})` };
  } else {
    const run = spawnSync(candidate.path, ['-c', candidate.check], { encoding: 'utf8', timeout: 120_000 });
    const error = (run.stderr ?? '').trim().split('\n').at(-1) ?? '';
    result =
      run.status === 0
        ? { path: candidate.path, missing: undefined }
        : { path: undefined, missing: `${candidate.path} fails \`${candidate.check}\` (${error || `exit ${run.status}`}): ${candidate.remedy}` };
  }
  found.set(name, result);
  return result;
}

export interface Requirement {
  /** The interpreter, when the test can run. */
  path: string | undefined;
  /** For node:test's `skip` option: false, or why the test is skipped. */
  skip: string | false;
}

/**
 * The interpreter a test needs. Missing: prints `SKIP: <why>` and returns a `skip` reason — or, when CI=true (where a
 * missing tool is a failure, never a skip), throws, which fails the test file.
 */
export function requireOrSkip(name: InterpreterName): Requirement {
  const { path, missing } = probe(name);
  if (path) return { path, skip: false };
  const why = missing ?? `no ${name} interpreter`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${why}`);
  console.log(`SKIP: ${why}`);
  return { path: undefined, skip: why };
}
