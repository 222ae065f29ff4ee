// The debug contract (src/debug/debugContract.ts) against what package.json contributes, its launch checks, its exception filters, and the adapter's words in the client's language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import {
  DEBUG_TYPE,
  EXCEPTION_FILTERS,
  LAUNCH_ATTRIBUTES,
  TRAINING_PROBLEMS_FILTER,
  exceptionFilters,
  launchProblem,
  runtimeExceptionFilters,
  trainingProblemCodes,
} from '../../src/debug/debugContract';
import { adapterText, englishText, rowName, scopeName, stopText } from '../../src/debug/adapterText';

const ADAPTER = join(__dirname, '../../dist/debugAdapter.js');
const manifest = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));

test("package.json's trainloop debugger has the contract's launch attributes", () => {
  const debuggerEntry = manifest.contributes?.debuggers?.find((d: { type: string }) => d.type === DEBUG_TYPE);
  assert.ok(debuggerEntry, 'package.json contributes the trainloop debugger');
  const launch = debuggerEntry.configurationAttributes.launch;
  assert.deepEqual(launch.required, LAUNCH_ATTRIBUTES.required);
  const typeOf = (properties: Record<string, { type: string }>) =>
    Object.fromEntries(Object.entries(properties).map(([name, p]) => [name, p.type]));
  const contributed = typeOf(launch.properties);
  for (const [name, type] of Object.entries(typeOf(LAUNCH_ATTRIBUTES.properties as unknown as Record<string, { type: string }>))) {
    assert.equal(contributed[name], type, `launch attribute ${name}`);
  }
});

test('exception filters: uncaught, raised, non-finite, and one "Training Problems" filter for every TL code', () => {
  assert.deepEqual(EXCEPTION_FILTERS.map((f) => f.filter), ['uncaught', 'raised', 'nonfinite', TRAINING_PROBLEMS_FILTER]);
  assert.deepEqual(EXCEPTION_FILTERS.filter((f) => f.default).map((f) => f.filter), ['uncaught', 'nonfinite', TRAINING_PROBLEMS_FILTER]);
  const problems = EXCEPTION_FILTERS.find((f) => f.filter === TRAINING_PROBLEMS_FILTER)!;
  assert.equal(problems.supportsCondition, true, 'the codes can be typed as its condition');
  assert.match(problems.conditionDescription ?? '', /TL001/);
});

test('the runtime gets TL codes for the "Training Problems" filter: its condition, else the chosen codes; TL ids pass through', () => {
  const all = Array.from({ length: 11 }, (_, i) => `TL${String(i + 1).padStart(3, '0')}`);
  assert.deepEqual(runtimeExceptionFilters(['uncaught', 'nonfinite', TRAINING_PROBLEMS_FILTER], undefined, []), ['uncaught', 'nonfinite']);
  assert.deepEqual(runtimeExceptionFilters(['uncaught', TRAINING_PROBLEMS_FILTER], undefined, ['TL004', 'TL001']), ['uncaught', 'TL001', 'TL004']);
  assert.deepEqual(runtimeExceptionFilters(['uncaught'], [{ filterId: TRAINING_PROBLEMS_FILTER, condition: 'tl002, TL009 nonsense' }], ['TL001']), ['uncaught', 'TL002', 'TL009']);
  assert.deepEqual(runtimeExceptionFilters([], [{ filterId: TRAINING_PROBLEMS_FILTER, condition: 'all' }], []), all);
  assert.deepEqual(runtimeExceptionFilters(['uncaught'], undefined, ['TL001']), ['uncaught'], 'the chosen codes stop only while the filter is on');
  assert.deepEqual(runtimeExceptionFilters(['uncaught', 'TL001'], undefined, []), ['uncaught', 'TL001'], 'a TL id sent as a filter still works');
  assert.deepEqual(trainingProblemCodes(['TL003', 'TL999', 'x']), ['TL003']);
});

test('filter labels, scope names, stop descriptions and launch problems in Chinese for a zh-cn client', () => {
  const zh = adapterText('zh-cn');
  assert.deepEqual(exceptionFilters(zh).map((f) => f.label), ['未捕获的异常', '引发的异常', '非有限的损失或梯度', '训练问题']);
  for (const filter of exceptionFilters(zh)) assert.match(filter.description ?? '', /[\u4e00-\u9fff]/, filter.filter);
  assert.deepEqual(['locals', 'globals', 'model', 'training'].map((hint) => scopeName(hint, hint, zh)), ['局部变量', '全局变量', '模型', '训练']);
  assert.equal(scopeName('other', 'Other', zh), 'Other');
  assert.deepEqual(['This batch', 'last loss', 'loss history'].map((name) => rowName(name, zh)), ['本批次', '最近的损失', '损失历史'], 'the Training scope\'s own rows');
  assert.equal(rowName('loss', zh), 'loss', 'a Python name stays as written');
  assert.equal(stopText('batch 3', zh), '第 3 个批次');
  assert.equal(stopText('TL001 (line 18): Gradients accumulate', zh), 'TL001(第 18 行):Gradients accumulate');
  assert.equal(stopText('ValueError: bad', zh), 'ValueError: bad');
  assert.equal(launchProblem({ program: '/work/missing.py' }, () => false, zh), '程序 /work/missing.py 不存在。');
  assert.equal(adapterText('zh-CN')('Locals'), '局部变量');
  assert.equal(adapterText('de')('Locals'), 'Locals', 'languages without a bundle get English');
  assert.equal(englishText('batch {batch}', { batch: 2 }), 'batch 2');
});

test('the standalone adapter answers initialize in the locale VS Code sends', { skip: existsSync(ADAPTER) ? false : `SKIP: ${ADAPTER} is missing (npm run build)` }, async () => {
  const client = new DebugClient('node', ADAPTER, DEBUG_TYPE);
  await client.start();
  try {
    const response = await client.initializeRequest({ adapterID: DEBUG_TYPE, pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true, locale: 'zh-cn' });
    assert.equal(response.body?.supportsExceptionFilterOptions, true);
    assert.deepEqual(response.body?.exceptionBreakpointFilters?.map((f) => f.label), ['未捕获的异常', '引发的异常', '非有限的损失或梯度', '训练问题']);
  } finally {
    await client.stop();
  }
});

test('launch arguments are checked with clear messages', () => {
  const exists = (path: string) => path === '/work/train.py' || path === '/work';
  assert.match(launchProblem({}, exists) ?? '', /needs a "program"/);
  assert.match(launchProblem({ program: '/work/missing.py' }, exists) ?? '', /\/work\/missing\.py does not exist/);
  assert.match(launchProblem({ program: '/work/train.py', cwd: '/nowhere' }, exists) ?? '', /working folder \/nowhere does not exist/);
  assert.match(launchProblem({ program: '/work/train.py', backend: 'cuda' as never }, exists) ?? '', /Unknown backend "cuda"/);
  assert.match(launchProblem({ program: '/work/train.py', maxBatches: -1 }, exists) ?? '', /"maxBatches" must be a whole number/);
  assert.equal(launchProblem({ program: '/work/train.py', cwd: '/work', backend: 'wasm', maxBatches: 3, args: ['--x'] }, exists), null);
});
