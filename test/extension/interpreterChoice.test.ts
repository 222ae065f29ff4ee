// The runtime and interpreter a `trainloop` launch gets: launch, then settings, then the Python extension, then python.defaultInterpreterPath, then python3; untrusted workspaces never get Python; problems in English and Chinese.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpreterProblemText, resolveRuntimeAttributes, type RuntimeInputs } from '../../src/extension/interpreterChoice';
import { english } from '../../src/extension/localization';
import type { PythonProbe } from '../../src/runtime/pythonProbe';
import { chinese } from './support';

/** Inputs of a trusted workspace whose Python extension answers `active` (and counts how often it is asked). */
function inputs(overrides: Partial<RuntimeInputs> & { active?: string | Error } = {}): RuntimeInputs & { asked: () => number } {
  let asked = 0;
  const { active, ...rest } = overrides;
  return {
    trusted: true,
    activeEnvironment: async () => {
      asked++;
      if (active instanceof Error) throw active;
      return active;
    },
    ...rest,
    asked: () => asked,
  };
}

test('the interpreter: the launch, then trainloop.python, then the Python extension, then python.defaultInterpreterPath, then python3', async () => {
  const all = { pythonSetting: '/opt/setting/python', active: '/home/u/.venv/bin/python', defaultInterpreterPath: '/usr/local/bin/python3.12' };

  let sources = inputs(all);
  assert.deepEqual(await resolveRuntimeAttributes({ python: '/launch/python' }, sources), {
    runtime: 'auto',
    python: '/launch/python',
    pythonSource: 'launch',
    forcedEmbedded: false,
  });
  assert.equal(sources.asked(), 0, 'the Python extension is not asked when the launch names an interpreter');

  sources = inputs(all);
  assert.deepEqual(await resolveRuntimeAttributes({}, sources), { runtime: 'auto', python: '/opt/setting/python', pythonSource: 'setting', forcedEmbedded: false });
  assert.equal(sources.asked(), 0);

  sources = inputs({ ...all, pythonSetting: '  ' });
  assert.deepEqual(await resolveRuntimeAttributes({ python: '' }, sources), {
    runtime: 'auto',
    python: '/home/u/.venv/bin/python',
    pythonSource: 'pythonExtension',
    forcedEmbedded: false,
  });
  assert.equal(sources.asked(), 1);

  assert.deepEqual(await resolveRuntimeAttributes({}, inputs({ ...all, pythonSetting: '', active: undefined })), {
    runtime: 'auto',
    python: '/usr/local/bin/python3.12',
    pythonSource: 'defaultInterpreterPath',
    forcedEmbedded: false,
  });
  // Without the Python extension (no activeEnvironment) and without settings: python3.
  assert.deepEqual(await resolveRuntimeAttributes({}, { trusted: true }), { runtime: 'auto', python: 'python3', pythonSource: 'default', forcedEmbedded: false });
});

test('a Python extension that fails is passed over', async () => {
  const sources = inputs({ active: new Error('Python extension is not installed or is disabled'), defaultInterpreterPath: '/usr/bin/python3' });
  assert.deepEqual(await resolveRuntimeAttributes({}, sources), {
    runtime: 'auto',
    python: '/usr/bin/python3',
    pythonSource: 'defaultInterpreterPath',
    forcedEmbedded: false,
  });
  assert.equal(sources.asked(), 1);
});

test('variables are left for VS Code to substitute', async () => {
  const fromLaunch = await resolveRuntimeAttributes({ python: '${command:python.interpreterPath}' }, inputs());
  assert.equal(fromLaunch.python, '${command:python.interpreterPath}');
  const fromSetting = await resolveRuntimeAttributes({ runtime: 'python' }, inputs({ pythonSetting: '${workspaceFolder}/.venv/bin/python' }));
  assert.deepEqual(fromSetting, { runtime: 'python', python: '${workspaceFolder}/.venv/bin/python', pythonSource: 'setting', forcedEmbedded: false });
});

test('the runtime: the launch, else trainloop.runtime, else auto; embedded asks for no interpreter', async () => {
  assert.equal((await resolveRuntimeAttributes({ runtime: 'python' }, inputs({ runtimeSetting: 'embedded' }))).runtime, 'python');
  assert.equal((await resolveRuntimeAttributes({}, inputs({ runtimeSetting: 'python' }))).runtime, 'python');
  assert.equal((await resolveRuntimeAttributes({}, inputs({ runtimeSetting: 'native' }))).runtime, 'auto');
  const sources = inputs({ runtimeSetting: 'embedded', pythonSetting: '/opt/python' });
  assert.deepEqual(await resolveRuntimeAttributes({}, sources), { runtime: 'embedded', forcedEmbedded: false });
  assert.equal(sources.asked(), 0);
});

test('values that are not choices reach the adapter as they are, so that its launch check names them', async () => {
  const sources = inputs({ active: '/venv/bin/python' });
  assert.deepEqual(await resolveRuntimeAttributes({ runtime: 'native' }, sources), { runtime: 'native', forcedEmbedded: false });
  assert.deepEqual(await resolveRuntimeAttributes({ runtime: 'python', python: 42 }, sources), { runtime: 'python', python: 42, pythonSource: 'launch', forcedEmbedded: false });
  assert.equal(sources.asked(), 0);
});

test('an untrusted workspace never gets Python: embedded, said once by the caller, no interpreter looked up', async () => {
  const sources = inputs({ trusted: false, runtimeSetting: 'python', pythonSetting: '/workspace/evil/python', active: '/venv/bin/python' });
  assert.deepEqual(await resolveRuntimeAttributes({ python: '/launch/python' }, sources), { runtime: 'embedded', forcedEmbedded: true });
  assert.deepEqual(await resolveRuntimeAttributes({ runtime: 'auto' }, sources), { runtime: 'embedded', forcedEmbedded: true });
  // Asked for embedded: nothing was taken away.
  assert.deepEqual(await resolveRuntimeAttributes({ runtime: 'embedded' }, sources), { runtime: 'embedded', forcedEmbedded: false });
  assert.equal(sources.asked(), 0);
});

test('an interpreter that cannot run the python runtime, said in English and in Chinese', () => {
  const cases: Array<[PythonProbe, string]> = [
    [{ path: '/nope/python', problemKind: 'not-found', problem: 'x' }, 'No Python interpreter at /nope/python: set trainloop.python or the launch\'s "python".'],
    [
      { path: '/py38', version: '3.8.18', problemKind: 'too-old', problem: 'x' },
      "Python 3.8 at /py38 is too old for Trainloop's python runtime: it needs 3.10 or newer.",
    ],
    [
      { path: '/py312', version: '3.12.1', torch: null, problemKind: 'no-torch', problem: 'x' },
      '/py312 (Python 3.12) has no torch: install PyTorch there, choose another interpreter, or use the embedded runtime.',
    ],
    [{ path: '/file', problemKind: 'not-runnable', detail: 'it is not executable', problem: 'x' }, '/file is not a runnable Python interpreter: it is not executable'],
  ];
  const zh = chinese();
  for (const [probe, text] of cases) {
    assert.equal(interpreterProblemText(probe, english), text);
    const translated = interpreterProblemText(probe, zh);
    assert.match(translated, /[\u4e00-\u9fff]/, translated);
    assert.ok(translated.includes(probe.path), translated);
  }
  assert.ok(interpreterProblemText(cases[2][0], zh).includes('3.12'));
});
