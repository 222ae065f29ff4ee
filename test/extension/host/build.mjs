// Compiles the extension-host tests (test/extension/host/*.vscode-test.ts) to out/host-tests/*.test.js for `vscode-test` (see .vscode-test.mjs); `npm run test:vscode` runs it.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const outDir = join(root, 'out', 'host-tests');
const suffix = '.vscode-test.ts';

const tests = readdirSync(here).filter((name) => name.endsWith(suffix));
if (tests.length === 0) throw new Error(`no *${suffix} files in ${here}`);

rmSync(outDir, { recursive: true, force: true });
for (const name of tests) {
  await build({
    entryPoints: [join(here, name)],
    outfile: join(outDir, `${name.slice(0, -suffix.length)}.test.js`),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    // The extension host provides `vscode`; the test runner provides mocha's globals.
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
}
console.log(`built ${tests.length} extension-host test files into ${outDir}`);
