// `npm run package`: builds dist/, packs the extension into a .vsix with @vscode/vsce, checks that it holds what runs
// (bundles, Pyodide, tfjs .wasm, media, grammar, l10n) and nothing else (no sources, no node_modules), and prints its size.
//   node scripts/package.mjs [--no-build] [--out file.vsix]
// Exit code 1 when the build or vsce fails; 2 when the .vsix was made but holds too much or too little.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Where `npm run package` puts the .vsix (test/e2e looks for it there too). */
export function defaultVsixPath() {
  return join(root, `${manifest.name}-${manifest.version}.vsix`);
}

/** The entries of a zip file (a .vsix): name, sizes, and a way to read one. Zip64 is not needed for a .vsix this size. */
export function readZipEntries(file) {
  const zip = readFileSync(file);
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error(`${file} is not a zip file (no end of central directory)`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: broken central directory at byte ${at}`);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    entries.push({
      name,
      size,
      compressedSize,
      read() {
        const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
        const data = zip.subarray(dataStart, dataStart + compressedSize);
        return method === 0 ? Buffer.from(data) : inflateRawSync(data);
      },
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

/** What must be in the .vsix: every run-time file the project has on disk, and the few that prove the build is whole. */
function requiredFiles() {
  const onDisk = [
    ...filesUnder(join(root, 'dist')).filter((f) => !f.endsWith('.map')),
    ...filesUnder(join(root, 'media')),
    ...filesUnder(join(root, 'syntaxes')),
    ...filesUnder(join(root, 'l10n')),
    ...readdirSync(root).filter((f) => /^package\.nls(\.[\w-]+)?\.json$/.test(f)).map((f) => join(root, f)),
  ].map((f) => relative(root, f).split('\\').join('/'));
  const mustExist = [
    'package.json',
    manifest.main.replace(/^\.\//, ''),
    'dist/debugAdapter.js',
    'dist/runtimeWorker.js',
    'dist/pyodide/pyodide.asm.wasm',
    'dist/pyodide/pyodide.asm.mjs',
    'dist/pyodide/python_stdlib.zip',
    'dist/tfjs/tfjs-backend-wasm.wasm',
    'dist/webview/trainingPanel.js',
    'l10n/bundle.l10n.json',
    'examples/quickstart.py',
  ];
  return [...new Set([...mustExist, ...onDisk])];
}

/** Paths (inside `extension/`) a .vsix may hold; anything else is something .vscodeignore let through. */
const ALLOWED = [
  /^package\.json$/,
  /^package\.nls(\.[\w-]+)?\.json$/,
  /^dist\/(?!.*\.(map|ts)$).+/,
  /^media\/.+/,
  /^syntaxes\/.+/,
  /^l10n\/bundle\.l10n(\.[\w-]+)?\.json$/,
  /^examples\/quickstart\.py$/,
  /^(readme|changelog)\.md$/i,
  /^license(\.txt|\.md)?$/i,
];

/** The checks, as a list of problems (empty when the .vsix is right). */
export function checkVsix(file) {
  const names = readZipEntries(file).map((e) => e.name);
  const problems = [];
  const inside = names.filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
  for (const name of names) {
    if (!name.startsWith('extension/') && name !== 'extension.vsixmanifest' && name !== '[Content_Types].xml') problems.push(`unexpected entry outside extension/: ${name}`);
  }
  const forbidden = inside.filter((n) => /^(src|test|node_modules|bench|scripts|\.e2e-cache|\.vscode(-test)?|\.ci|\.git)\//.test(n) || /\.(map|vsix)$/.test(n) || /(?<!\.d)\.ts$/.test(n));
  if (forbidden.length) problems.push(`sources or tooling in the .vsix (.vscodeignore lets them in): ${summarize(forbidden)}`);
  const unexpected = inside.filter((n) => !forbidden.includes(n) && !ALLOWED.some((re) => re.test(n)));
  if (unexpected.length) problems.push(`files not needed at run time in the .vsix (add them to .vscodeignore): ${summarize(unexpected)}`);
  const present = new Set(inside);
  const missing = requiredFiles().filter((f) => !present.has(f));
  if (missing.length) problems.push(`run-time files missing from the .vsix: ${summarize(missing)}`);
  return problems;
}

function summarize(list) {
  return list.length <= 12 ? list.join(', ') : `${list.slice(0, 12).join(', ')} … and ${list.length - 12} more`;
}

function megabytes(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    console.error(`package: ${[command, ...args].join(' ')} failed (${result.signal ?? `exit ${result.status}`})`);
    process.exit(1);
  }
}

function main(argv) {
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? resolve(argv[outIndex + 1]) : defaultVsixPath();
  if (!argv.includes('--no-build')) run(process.execPath, [join(root, 'scripts', 'build.mjs')]);
  const vsce = join(dirname(createRequire(import.meta.url).resolve('@vscode/vsce/package.json')), 'vsce');
  // Everything the extension runs is bundled in dist/, so no node_modules go in (--no-dependencies). The repository
  // field and LICENSE file are optional for a local .vsix; README links stay as written (no repository to rebase them on).
  run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '--out', out]);
  const entries = readZipEntries(out);
  const unpacked = entries.reduce((sum, e) => sum + e.size, 0);
  const problems = checkVsix(out);
  for (const problem of problems) console.error(`package: ${problem}`);
  console.log(`package: ${relative(process.cwd(), out) || out}: ${megabytes(statSync(out).size)} (${entries.length} files, ${megabytes(unpacked)} unpacked)`);
  if (problems.length) process.exit(2);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
