// The non-finite locator through the standalone adapter: a NaN made by a division by a zero std stops on the division's
// line (not at backward()), with the same message on every embedded backend and on real PyTorch, and the division's
// inputs in the stop's Variables; a zh-cn client gets that message in Chinese on both runtimes; an Inf first made in
// backward() names its forward op. Then, on real PyTorch without a session, the causes it names and the non-finite
// values it leaves alone (meant, or carried in).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import {
  TIMEOUT,
  evaluate,
  finish,
  fixture,
  launchInLocale,
  launchToStop,
  resumeToStop,
  scopes,
  startClient,
  topFrame,
  RUNTIMES_UNDER_TEST,
  EMBEDDED,
  type RuntimeUnderTest,
} from './adapterClient';
import { skipWithoutTensorflow } from '../support/tensorflowBackend';
import { requireOrSkip } from '../support/pythonInterpreters';
import { runUnderLocator } from './locatorDriver';

const ZERO_STD = fixture('nan_zero_std.py');
const DIVISION_LINE = 15; // `x = (x - mean) / std`
const BACKWARD_LINE = 18;
const ZERO_STD_MESSAGE = '`x.std(dim=0)` is 0 in column 2, so `(x - mean) / std` made 512 NaN at batch 1.';
const options = { timeout: TIMEOUT * 2 };

const embeddedOn = (backend: string, skip?: string): RuntimeUnderTest => ({
  name: `embedded (${backend})`,
  launch: { ...EMBEDDED.launch, backend },
  skip,
});

const RUNTIMES: RuntimeUnderTest[] = [
  embeddedOn('wasm'),
  embeddedOn('cpu'),
  embeddedOn('tensorflow', skipWithoutTensorflow('the non-finite locator')),
  ...RUNTIMES_UNDER_TEST.filter((runtime) => runtime !== EMBEDDED),
];

async function scopeNamed(client: DebugClient, name: string): Promise<DebugProtocol.Variable[]> {
  const scope = (await scopes(client)).find((s) => s.name === name);
  assert.ok(scope, `a "${name}" scope`);
  return (await client.variablesRequest({ variablesReference: scope.variablesReference })).body.variables;
}

for (const runtime of RUNTIMES) {
  test(`${runtime.name}: a division by a zero std stops on the division's line, naming the std, the count and the batch`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      const stopped = await launchToStop(client, ZERO_STD);
      assert.equal(stopped.body.reason, 'exception');
      assert.equal(stopped.body.description, `NonFiniteValue: ${ZERO_STD_MESSAGE}`);
      assert.equal((await topFrame(client)).line, DIVISION_LINE, 'the line that made the NaN, not backward()');
      const info = await client.exceptionInfoRequest({ threadId: 1 });
      assert.equal(info.body.exceptionId, 'NonFiniteValue');
      assert.equal(info.body.description, ZERO_STD_MESSAGE);

      const inputs = await scopeNamed(client, 'Non-finite value');
      const byName = new Map(inputs.map((v) => [v.name, v.value]));
      assert.match(byName.get('(x - mean)') ?? '', /^tensor\[512, 4\] f32 /, 'the numerator');
      assert.match(byName.get('std') ?? '', /^tensor\[4\] f32 .*x∈\[0(\.0+)?, /, 'the divisor, whose minimum is 0');
      assert.match(byName.get('(result)') ?? '', /^'512 NaN of 2048 values'$/);
      assert.equal((await evaluate(client, 'int((std == 0).sum())')).result, '1', 'the frame is the division\'s, alive');

      // Continuing: this batch's loss is NaN too, but it was shown where it was made: no second stop at backward().
      const next = await resumeToStop(client, () => client.continueRequest({ threadId: 1 }));
      const line = (await topFrame(client)).line;
      assert.ok(line !== BACKWARD_LINE || !/^NonFiniteLoss: .* at batch 1\./.test(next.body.description ?? ''),
        `no second stop for batch 1's NaN at backward(): ${next.body.description} at line ${line}`);
    } finally {
      await finish(client);
    }
  });
}

const ZERO_STD_MESSAGE_ZH = '`x.std(dim=0)` 在第 2 列为 0,因此 `(x - mean) / std` 在第 1 个批次产生了 512 个 NaN。';
const debianPython = RUNTIMES.find((runtime) => runtime.name === 'python (torch 1.13)');

for (const runtime of [embeddedOn('wasm'), ...(debianPython ? [debianPython] : [])]) {
  test(`${runtime.name}: in zh-cn, the non-finite stop and its exception info say it in Chinese`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      const stopping = client.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
      await launchInLocale(client, 'zh-cn', ZERO_STD);
      const stopped = await stopping;
      assert.equal(stopped.body.reason, 'exception');
      assert.equal(stopped.body.description, `NonFiniteValue: ${ZERO_STD_MESSAGE_ZH}`);
      assert.equal(stopped.body.text, ZERO_STD_MESSAGE_ZH);
      assert.equal((await topFrame(client)).line, DIVISION_LINE);
      const info = await client.exceptionInfoRequest({ threadId: 1 });
      assert.equal(info.body.exceptionId, 'NonFiniteValue');
      assert.equal(info.body.description, ZERO_STD_MESSAGE_ZH);
      assert.equal(info.body.details?.message, ZERO_STD_MESSAGE_ZH);
    } finally {
      await finish(client);
    }
  });
}

const NAN_GRADIENT = fixture('nan_gradient_in_loop.py');
const GRADIENT_BACKWARD_LINE = 13; // `loss.backward()`
const GRADIENT_MESSAGE = 'The backward of `error.pow(2).mean().sqrt()` (line 12, SqrtBackward0) made 1 Inf from finite gradients at batch 1.';

for (const runtime of RUNTIMES) {
  test(`${runtime.name}: a gradient that first turns infinite in backward() names the forward op whose backward made it`, { ...options, skip: runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      const stopped = await launchToStop(client, NAN_GRADIENT);
      assert.equal(stopped.body.reason, 'exception');
      assert.equal(stopped.body.description, `NonFiniteGradient: ${GRADIENT_MESSAGE}`);
      assert.equal((await topFrame(client)).line, GRADIENT_BACKWARD_LINE, 'the forward frame is gone: the stop is at backward()');
    } finally {
      await finish(client);
    }
  });
}

const debianTorch = requireOrSkip('debianTorch');
const torch2 = requireOrSkip('torch2');

/** The locator's stops on one case of non_finite_cases.py, on real PyTorch without a debug session. */
function stopsOf(python: string, which: string): string[] {
  const run = runUnderLocator(python, fixture('non_finite_cases.py'), which);
  assert.match(run.stdout, /finished/);
  return run.stops;
}

test('real torch: the cause is named for log, sqrt and a scalar division; a meant -inf and a NaN carried in do not stop', { skip: debianTorch.skip }, () => {
  const python = debianTorch.path!;
  assert.deepEqual(stopsOf(python, 'log'), ['STOP NonFiniteValue 15 `x @ weights - 4` has 8 zeros (the first at [0, 0]), so `torch.log(x @ weights - 4)` made 8 Inf at batch 1.']);
  assert.deepEqual(stopsOf(python, 'sqrt'), ['STOP NonFiniteValue 18 `x @ weights - 5` has 8 negative values, so `centered.sqrt()` made 8 NaN at batch 1.']);
  assert.deepEqual(stopsOf(python, 'scalar'), ['STOP NonFiniteValue 20 the divisor is 0, so `(x @ weights) / 0.0` made 8 Inf at batch 1.']);
  assert.deepEqual(stopsOf(python, 'mask'), [], 'masked_fill with -inf is meant');
  assert.deepEqual(stopsOf(python, 'carried'), [], 'the NaN was in the data before any op of the batch');
});

test('real torch: torch.empty\'s leftover memory (nn.Linear\'s weight before its init) is not a NaN the code made', { skip: debianTorch.skip }, () => {
  for (const python of [debianTorch.path!, ...(torch2.path ? [torch2.path] : [])]) {
    const run = runUnderLocator(python, fixture('non_finite_cases.py'), 'uninitialized');
    assert.match(run.stdout, /uninitialized NaN seen: True/, 'the allocator handed back the freed NaN at least once');
    assert.deepEqual(run.stops, [], python);
  }
});

test('real torch: a dataset standardised before the training loop stops on that line (examples/bugs TL003)', { skip: debianTorch.skip }, () => {
  const example = join(__dirname, '../../examples/bugs/runtime/tl003_constant_feature_nan.py');
  assert.equal(runUnderLocator(debianTorch.path!, example).stops.join('\n'),
    'STOP NonFiniteValue 10 `features.std(dim=0)` is 0 in column 3, so `(features - features.mean(dim=0)) / features.std(dim=0)` made 256 NaN before the first training batch.');
});
