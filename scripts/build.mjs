// Builds dist/: esbuild bundles for each entry point, plus the run-time files they load (Pyodide, tfjs wasm, Python packages).
import { build } from 'esbuild';
import { cpSync, mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);
const packageDir = (name) => dirname(require.resolve(`${name}/package.json`));

const nodeEntries = {
  cli: 'src/cli/main.ts',
  runtimeWorker: 'src/runtime/worker.ts',
  debugAdapter: 'src/debug/debugAdapter.ts',
  extension: 'src/extension/extension.ts',
};

mkdirSync(dist, { recursive: true });

for (const [name, entry] of Object.entries(nodeEntries)) {
  if (!existsSync(join(root, entry))) continue;
  await build({
    entryPoints: [join(root, entry)],
    outfile: join(dist, `${name}.js`),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    external: ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    banner: name === 'cli' ? { js: '#!/usr/bin/env node' } : undefined,
    logLevel: 'warning',
  });
}

const webviewEntries = { trainingPanel: 'src/webview/trainingPanel.ts' };
for (const [name, entry] of Object.entries(webviewEntries)) {
  if (!existsSync(join(root, entry))) continue;
  await build({
    entryPoints: [join(root, entry)],
    outfile: join(dist, 'webview', `${name}.js`),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'warning',
  });
}

// Run-time files, found by explicit paths next to the bundles.
const pyodideDir = packageDir('pyodide');
mkdirSync(join(dist, 'pyodide'), { recursive: true });
for (const file of ['pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json']) {
  cpSync(join(pyodideDir, file), join(dist, 'pyodide', file));
}
const wasmDir = join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist');
mkdirSync(join(dist, 'tfjs'), { recursive: true });
for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
  cpSync(join(wasmDir, file), join(dist, 'tfjs', file));
}
// The threaded build's pthread workers load its glue and their own script by file path (src/runtime/threadedWasm.ts).
// tfjs ships the worker script as a string inside a module; its newlines stand for escaped ones in string literals.
const wasmOut = join(packageDir('@tensorflow/tfjs-backend-wasm'), 'wasm-out');
cpSync(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js'), join(dist, 'tfjs', 'tfjs-backend-wasm-threaded-simd.js'));
const { wasmWorkerContents } = require(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js'));
writeFileSync(join(dist, 'tfjs', 'tfjs-backend-wasm-threaded-simd.worker.js'), wasmWorkerContents.replace(/\n/g, '\\n'));
cpSync(join(root, 'src/runtime/python'), join(dist, 'python'), {
  recursive: true,
  filter: (src) => !src.includes('__pycache__'),
});
