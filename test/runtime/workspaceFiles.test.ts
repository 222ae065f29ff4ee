// Files as the user sees them: the embedded runtime reads `../data` in a pytorch/examples layout at the host's paths,
// takes --cwd, and refuses a file outside the folders it mounts with one message at the user's line.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { CLI, REPO, runScriptFile } from '../support/runtimeCli';
import { unpackFashionMnist } from '../support/fashionMnist';
import { requireOrSkip } from '../support/pythonInterpreters';
import { hostFolders, projectRoot } from '../../src/runtime/hostFolders';

// Outside /tmp (always mounted), so that reaching `../data` proves the parents are mounted.
mkdirSync(join(REPO, '.cache'), { recursive: true });
const WORKSPACE = mkdtempSync(join(REPO, '.cache', 'workspace-files-'));
after(() => rmSync(WORKSPACE, { recursive: true, force: true }));

const EXAMPLES = join(WORKSPACE, 'examples');
const MAIN = join(EXAMPLES, 'mnist', 'main.py');

/** pytorch/examples' layout: mnist/main.py reads ../data and writes ../results. */
function writeExamples(): void {
  // Unpacked, all four files: real torchvision's FashionMNIST(download=False) looks for each of them.
  unpackFashionMnist(join(EXAMPLES, 'data'));
  mkdirSync(dirname(MAIN), { recursive: true });
  writeFileSync(
    MAIN,
    `import os
from torchvision import datasets, transforms

test = datasets.FashionMNIST("../data", train=False, download=False, transform=transforms.ToTensor())
image, label = test[0]
print("length", len(test))
print("targets", test.targets[:10].tolist())
print("pixels", round(float(image.sum()), 4))
print("parent", sorted(os.listdir("..")))
os.makedirs("../results", exist_ok=True)
with open("../results/summary.txt", "w") as out:
    out.write(f"{len(test)} {label}\\n")
print("cwd", os.getcwd())
`,
  );
}

test('the folders mounted: the project around the workspace, never / or all of /home', () => {
  const home = '/home/learner';
  assert.equal(projectRoot('/home/learner/examples/mnist', home), '/home/learner/examples');
  assert.equal(projectRoot('/home/learner/code/examples/mnist', home), '/home/learner/code');
  assert.equal(projectRoot('/home/learner/mnist', home), home, "directly in home: home, so that ../data resolves");
  assert.equal(projectRoot(home, home), home);
  assert.equal(projectRoot('/work/project/mnist', home), '/work');
  assert.equal(projectRoot('/work', home), '/work');
  const folders = hostFolders({ cwd: EXAMPLES, program: MAIN, runtimeFolders: [join(REPO, 'dist', 'python')], home });
  assert.ok(folders.includes('/tmp'));
  assert.ok(!folders.includes('/'));
  for (const folder of folders) {
    assert.ok(!folders.some((other) => other !== folder && folder.startsWith(`${other}/`)), `${folder} is mounted once`);
  }
  assert.ok(folders.some((folder) => EXAMPLES.startsWith(`${folder}/`)), `${EXAMPLES} is inside a mounted folder`);
});

test('mnist/main.py reads ../data and writes ../results at the host paths, as real torchvision does', { timeout: 240_000 }, (t) => {
  writeExamples();
  const run = runScriptFile(MAIN);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^length 10000$/m);
  assert.match(run.stdout, /^targets \[9, 2, 1, 1, 6, 1, 4, 6, 5, 7\]$/m);
  assert.match(run.stdout, /^parent \['data', 'mnist'\]$/m, 'the results folder does not exist before the run');
  assert.equal(readFileSync(join(EXAMPLES, 'results', 'summary.txt'), 'utf8'), '10000 9\n', 'written on the host');
  assert.ok(run.stdout.includes(`cwd ${dirname(MAIN)}\n`), 'the working folder is the host path');

  const python = requireOrSkip('debianTorch');
  if (!python.path) return t.skip(python.skip || undefined);
  rmSync(join(EXAMPLES, 'results'), { recursive: true });
  const real = spawnSync(python.path, ['main.py'], { cwd: dirname(MAIN), encoding: 'utf8', timeout: 120_000 });
  assert.equal(real.status, 0, real.stderr);
  assert.equal(run.stdout, real.stdout, 'the same lines as real PyTorch and torchvision in the same layout');
});

test('--cwd sets the working folder; the script may be named from the shell or from --cwd', { timeout: 240_000 }, () => {
  if (!existsSync(MAIN)) writeExamples();
  for (const script of ['mnist/main.py', 'main.py']) {
    const run = spawnSync(process.execPath, [CLI, 'run', script, '--cwd', 'mnist'], { cwd: EXAMPLES, encoding: 'utf8', timeout: 180_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.stdout.includes(`cwd ${dirname(MAIN)}\n`), run.stdout);
  }
  const missing = spawnSync(process.execPath, [CLI, 'run', 'mnist/main.py', '--cwd', 'nowhere'], { cwd: EXAMPLES, encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr, "trainloop: --cwd 'nowhere': No such folder\n", 'named as the user wrote it');
  const noScript = spawnSync(process.execPath, [CLI, 'run', 'mnist/mian.py'], { cwd: EXAMPLES, encoding: 'utf8' });
  assert.equal(noScript.status, 2);
  assert.equal(noScript.stderr, "trainloop: can't open file 'mnist/mian.py': No such file or directory\n");
});

test('a host file outside the mounted folders: one message at the user line, naming the path as written', { timeout: 180_000 }, () => {
  const outside = '/etc/os-release';
  assert.ok(existsSync(outside), `${outside} exists on every Linux host`);
  const dir = join(WORKSPACE, 'outside');
  mkdirSync(dir, { recursive: true });
  const written = relative(dir, outside);
  const script = join(dir, 'read_outside.py');
  writeFileSync(
    script,
    [
      'import os',
      'try:',
      '    open("/opt/trainloop-never/out.txt", "w")',
      'except PermissionError as error:',
      '    print("write refused:", error.filename)',
      `print("exists:", os.path.exists(${JSON.stringify(written)}))`,
      `text = open(${JSON.stringify(written)}).read()`,
      '',
    ].join('\n'),
  );
  const run = runScriptFile(script);
  assert.equal(run.status, 1);
  assert.match(run.stdout, /^write refused: \/opt\/trainloop-never\/out\.txt$/m);
  assert.match(run.stdout, /^exists: False$/m, 'the runtime does not see it');
  assert.match(run.stderr, /read_outside\.py", line 7, in <module>/);
  const last = run.stderr.trim().split('\n').at(-1)!;
  assert.ok(last.startsWith('FileNotFoundError: '), last);
  assert.ok(last.includes(`'${written}'`), `named as written: ${last}`);
  assert.ok(last.includes(`${outside} is outside the folders it sees`), last);
  assert.ok(last.includes('/tmp'), 'names the folders it sees');
  assert.ok(last.includes('"runtime": "python"'), 'says how to reach it');
  assert.doesNotMatch(run.stderr, /trainloop_embedded|host_files|audit/, 'no internal frame or name');
  assert.equal(run.stderr.match(/Error/g)?.length, 1, `one error: ${run.stderr}`);
});
