// The agent's sentences for the user (agent_text.py) and their rendering in the adapter (agentTextTemplates.ts): the two
// tables are the same, the adapter's English is the agent's English to the character, every template has a Chinese
// translation, and a stop, an exceptionInfo answer, a breakpoint's answer, an error answer (evaluating while running), the
// Non-finite value scope's rows and why the program cannot start carry the sentence in the client's language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { AGENT_TEXT_TEMPLATES, isRenderableAgentText, renderAgentText } from '../../src/runtime/agentTextTemplates';
import type { AgentText } from '../../src/runtime/agentMessages';
import { adapterText, diagnosticLine, englishText } from '../../src/debug/adapterText';
import { exceptionInfoBody, stoppedEvent } from '../../src/debug/stopEvents';
import chinese from '../../l10n/bundle.l10n.zh-cn.json';
import { existsSync } from 'node:fs';
import { ADAPTER, EMBEDDED, RUNTIMES_UNDER_TEST, finish, fixture, launchInLocale, scopeVariables, startClient } from './adapterClient';
import { choiceText, errorReplyText, outputText, readyProblem, variableRow } from '../../src/debug/agentReplies';
import { chooseRuntime } from '../../src/runtime/runtimeChoice';
import { CLI_ADVICE, probePython } from '../../src/runtime/pythonProbe';
import { RUNTIME_TEXT_TEMPLATES, englishRuntimeText, renderRuntimeText, runtimeText } from '../../src/runtime/runtimeTextTemplates';
import { createRuntime } from '../../src/runtime/runtimeFactory';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DebuggerReplyError } from '../../src/runtime/debugReplies';

const AGENT_TEXT_PY = join(__dirname, '../../src/runtime/python/agent/trainloop_agent/agent_text.py');
const PYTHON = process.env.PYTHON ?? 'python3';

/** Runs agent_text.py (no torch needed) with `code` after it; `code` prints JSON. */
function python(code: string): unknown {
  const script = `import json, runpy, sys\nns = runpy.run_path(sys.argv[1])\nAgentText, TEMPLATES = ns["AgentText"], ns["TEMPLATES"]\n${code}`;
  const result = spawnSync(PYTHON, ['-c', script, AGENT_TEXT_PY], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

test('agent_text.py and agentTextTemplates.ts hold the same templates', () => {
  assert.deepEqual(python('print(json.dumps(TEMPLATES))'), { ...AGENT_TEXT_TEMPLATES });
});

test('every agent template has a Chinese translation', () => {
  const bundle = chinese as Record<string, string>;
  assert.deepEqual(Object.values(AGENT_TEXT_TEMPLATES).filter((template) => !(template in bundle)), []);
});

/** The sentences the locator and the training watch build, as Python builds them: [English, wire]. */
const SAMPLES = python(`
when = AgentText("when.batch", batch=1)
samples = [
  AgentText("nonFinite.value.cause", op="\`(x - mean) / std\`", when=when,
            cause=AgentText("nonFinite.cause.zeros", operand="x.std(dim=0)", zeros=AgentText("nonFinite.zeros.column", column=2)),
            count=AgentText("nonFinite.count.nan", nan=512)),
  AgentText("nonFinite.value.finiteInputs", op=AgentText("nonFinite.value.thisLine"),
            count=AgentText("nonFinite.count.both", nan=2, inf=1), when=AgentText("when.beforeFirstBatch")),
  AgentText("nonFinite.gradient", expression="error.pow(2).mean().sqrt()", line=12, node="SqrtBackward0",
            count=AgentText("nonFinite.count.inf", inf=1), when=when),
  AgentText("nonFinite.loss", value=float("nan"), when=AgentText("when.outsideLoop")),
  AgentText("nonFinite.gradientNorm", parameter="fc.weight", norm=float("inf"), when=when),
  AgentText("nonFinite.value.cause", op="\`d[{k}]\`", when=when, count=AgentText("nonFinite.count.none"),
            cause=AgentText("nonFinite.cause.zeroDivisor")),
]
print(json.dumps([[str(s), s.wire()] for s in samples]))
`) as [string, AgentText][];

test('the adapter renders the agent\'s English to the character', () => {
  for (const [english, wire] of SAMPLES) {
    assert.ok(isRenderableAgentText(wire), JSON.stringify(wire));
    assert.equal(renderAgentText(wire, englishText), english);
  }
  assert.equal(SAMPLES[0][0], '`x.std(dim=0)` is 0 in column 2, so `(x - mean) / std` made 512 NaN at batch 1.');
  assert.equal(SAMPLES[3][0], 'The loss is nan outside a training loop.', 'a float travels as Python writes it');
  assert.equal(SAMPLES[5][0], 'the divisor is 0, so `d[{k}]` made non-finite values at batch 1.', 'braces in a value stay as they are');
});

test('in zh-cn, a non-finite stop and its exceptionInfo are Chinese; the batch and the code stay', () => {
  const zh = adapterText('zh-cn');
  const [english, message] = SAMPLES[0];
  const event = stoppedEvent({ kind: 'stopped', reason: 'exception', description: `NonFiniteValue: ${english}`, text: english, problem: { kind: 'NonFiniteValue', line: null, message } }, 1, zh);
  assert.equal(event.body.text, '`x.std(dim=0)` 在第 2 列为 0,因此 `(x - mean) / std` 在第 1 个批次产生了 512 个 NaN。');
  assert.equal(event.body.description, `NonFiniteValue: ${event.body.text}`);
  const info = exceptionInfoBody({ id: 'NonFiniteValue', description: english, breakMode: 'always', details: { typeName: 'NonFiniteValue', message: english, stackTrace: '' }, message }, zh);
  assert.equal(info.description, event.body.text);
  assert.equal(info.details?.message, event.body.text);
  // English clients get the agent's text; a message whose parts are unknown falls back to it.
  assert.equal(stoppedEvent({ kind: 'stopped', reason: 'exception', text: english, problem: { kind: 'NonFiniteValue', line: null, message } }, 1, englishText).body.text, english);
  const mismatch: AgentText = { id: 'nonFinite.loss', values: { value: 0.00001, when: { id: 'when.outsideLoop', values: {} } } };
  assert.equal(stoppedEvent({ kind: 'stopped', reason: 'exception', text: 'The loss is 1e-05 outside a training loop.', problem: { kind: 'NonFiniteLoss', line: null, message: mismatch } }, 1, zh).body.text,
    'The loss is 1e-05 outside a training loop.', 'parts that do not give back the English are not used');
  const unknown = { id: 'no.such.text', values: {} };
  assert.equal(stoppedEvent({ kind: 'stopped', reason: 'exception', text: english, problem: { kind: 'NonFiniteValue', line: null, message: unknown } }, 1, zh).body.text, english);
});

test('in zh-cn, a TL… report\'s stop shows its runtime template in Chinese', () => {
  const zh = adapterText('zh-cn');
  const message: AgentText = { id: 'TL008.train', values: { batch: 3, layers: 'model.drop' } };
  const event = stoppedEvent({ kind: 'stopped', reason: 'exception', problem: { kind: 'TL008', line: 17, message } }, 1, zh);
  assert.equal(event.body.description, `TL008(第 17 行):${event.body.text}`);
  assert.match(event.body.text ?? '', /[\u4e00-\u9fff]/);
  assert.match(event.body.text ?? '', /model\.drop/);
});

test('a runtime finding\'s Debug Console line keeps its form, with the message in the client\'s language', () => {
  const values = { batch: 3, layers: 'model.drop' };
  const message = renderAgentText({ id: 'TL008.train', values }, englishText);
  const record = { path: '/w/train.py', line: 17, column: 5, severity: 'warning', code: 'TL008', message, template: 'TL008.train', values };
  assert.equal(diagnosticLine(record, englishText), `/w/train.py:17:5: warning: ${message} [TL008]\n`);
  const zh = diagnosticLine(record, adapterText('zh-cn'));
  assert.match(zh, /^\/w\/train\.py:17:5: warning: .*[\u4e00-\u9fff].* \[TL008\]\n$/);
  assert.equal(diagnosticLine({ ...record, message: 'an older agent\'s words' }, adapterText('zh-cn')), `/w/train.py:17:5: warning: an older agent's words [TL008]\n`, 'a template that does not reproduce the message is not used');
});

const TRAINING = fixture('tiny_training.py');
const noAdapter = existsSync(ADAPTER) ? undefined : `SKIP: ${ADAPTER} is missing (npm run build)`;

for (const runtime of [EMBEDDED, ...RUNTIMES_UNDER_TEST.filter((r) => r.name === 'python (torch 1.13)')]) {
  test(`${runtime.name}: in zh-cn, why a breakpoint is not set is Chinese`, { timeout: 120_000, skip: noAdapter ?? runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      const answers = await launchInLocale(client, 'zh-cn', TRAINING, [{ line: 34 }, { line: 999 }, { line: 33, hitCondition: 'often' }], { stopOnEntry: true });
      assert.equal(answers[0].message, '第 34 行没有代码(空行、注释或语句的中间部分):请把断点放在有代码的行上。');
      assert.equal(answers[1].message, '第 999 行超出了 tiny_training.py 的末尾(共 46 行)。');
      assert.equal(answers[2].message, '无法理解命中次数 `often`:请使用数字(`5`)、比较(`>= 5`)或周期(`% 5`)。');
    } finally {
      await finish(client);
    }
  });
}

test('an error answer, a Variables row and a ready problem are shown in the client\'s language, English unchanged', () => {
  const [running, rowValue, notReadAgain, gone, noRef, cannotOpen] = python(`
from json import dumps
AgentError = ns["AgentError"]
texts = [AgentText("reply.running"),
         AgentText("nonFinite.row.values.many", count=AgentText("nonFinite.count.nan", nan=512), size=2048),
         AgentText("nonFinite.row.notReadAgain", error=ValueError("x is gone")),
         AgentError(AgentText("reply.frameGone")).answer(),
         AgentError(AgentText("reply.noReference", ref=7), type_name="KeyError", quoted=True).answer(),
         AgentText("ready.cannotOpen", program="/w/t.py", error="No such file or directory")]
print(dumps([[str(t), t.wire()] for t in texts]))
`) as [string, AgentText][];
  // The English is today's, to the character (a KeyError's str() quotes its message).
  assert.equal(running[0], 'The program is running: pause it first.');
  assert.equal(rowValue[0], '512 NaN of 2048 values');
  assert.equal(notReadAgain[0], '(not read again: x is gone)');
  assert.equal(gone[0], 'ValueError: That stack frame is gone (the program ran since).');
  assert.equal(noRef[0], "KeyError: 'no value with reference 7 (the program ran since it was shown)'");
  assert.equal(cannotOpen[0], 'Cannot open /w/t.py: No such file or directory');
  const zh = adapterText('zh-cn');
  assert.equal(errorReplyText(new DebuggerReplyError(running[0], running[1]), englishText), running[0]);
  assert.equal(errorReplyText(new DebuggerReplyError(running[0], running[1]), zh), '程序正在运行:请先暂停。');
  assert.equal(errorReplyText(new DebuggerReplyError(gone[0], gone[1]), zh), 'ValueError:该栈帧已不存在(程序此后继续运行过)。');
  assert.equal(errorReplyText(new DebuggerReplyError('NameError: name \'x\' is not defined', undefined), zh), 'NameError: name \'x\' is not defined', 'a user exception as Python says it');
  assert.equal(errorReplyText(new DebuggerReplyError('older words', running[1]), zh), 'older words', 'parts that do not give back the English are not used');
  const row = variableRow({ name: '(result)', value: `'${rowValue[0]}'`, type: 'AgentText', ref: 0, text: rowValue[1] }, zh);
  assert.deepEqual([row.name, row.value], ['(结果)', "'2048 个值中有 512 个 NaN'"]);
  assert.equal(variableRow({ name: 'x', value: `'${notReadAgain[0]}'`, ref: 0, text: notReadAgain[1] }, zh).value, "'(未能再次读取:x is gone)'");
  assert.equal(variableRow({ name: '(result)', value: `'${rowValue[0]}'`, ref: 0, text: rowValue[1] }, englishText).value, "'512 NaN of 2048 values'");
  assert.equal(readyProblem({ kind: 'ready', problem: cannotOpen[0], problemText: cannotOpen[1] }, zh), '无法打开 /w/t.py:No such file or directory');
  assert.equal(readyProblem({ kind: 'ready', problem: 'SyntaxError: invalid syntax (t.py, line 3)' }, zh), 'SyntaxError: invalid syntax (t.py, line 3)');
  assert.equal(readyProblem({ kind: 'ready', problem: null }, zh), null);
});

const BUSY = fixture('busy_loop.py');
const ZERO_STD = fixture('nan_zero_std.py');

for (const runtime of [EMBEDDED, ...RUNTIMES_UNDER_TEST.filter((r) => r.name === 'python (torch 1.13)')]) {
  test(`${runtime.name}: in zh-cn, the runtime's reason and evaluating while the program runs are Chinese`, { timeout: 120_000, skip: noAdapter ?? runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      const looping = client.waitForEvent('output');
      const chosen = client.waitForEvent('trainloopRuntime');
      await launchInLocale(client, 'zh-cn', BUSY);
      await looping;
      // Why this runtime, in the status bar's tooltip and the Debug Console: in Chinese.
      assert.match(String((await chosen).body.reason), /内置运行时|带有 Python/);
      await assert.rejects(client.evaluateRequest({ expression: 'ticks', context: 'repl' }), (error: Error) => {
        assert.equal(error.message, '程序正在运行:请先暂停。');
        return true;
      });
    } finally {
      await finish(client);
    }
  });

  test(`${runtime.name}: in zh-cn, the Non-finite value scope's rows, a gone frame and an Evaluate problem are Chinese`, { timeout: 120_000, skip: noAdapter ?? runtime.skip }, async () => {
    const client = await startClient(runtime);
    try {
      const stopping = client.waitForEvent('stopped');
      await launchInLocale(client, 'zh-cn', ZERO_STD);
      await stopping;
      const rows = new Map((await scopeVariables(client, '非有限值')).map((v) => [v.name, v.value]));
      assert.equal(rows.get('(结果)'), "'2048 个值中有 512 个 NaN'", JSON.stringify([...rows]));
      assert.ok(rows.has('std'), 'the operands keep their names');
      await assert.rejects(client.evaluateRequest({ expression: 'x', frameId: 99, context: 'repl' }), (error: Error) => {
        assert.equal(error.message, 'ValueError:该栈帧已不存在(程序此后继续运行过)。');
        return true;
      });
      // Why Evaluate did not run a loop, from evaluation_run.py.
      await assert.rejects(client.customRequest('trainloopEvaluateLoop', { line: 2 }), (error: Error) => {
        assert.equal(error.message, 'nan_zero_std.py 的第 2 行没有循环。');
        return true;
      });
    } finally {
      await finish(client);
    }
  });
}

test('in zh-cn, the runtime choice\'s reason and problem are Chinese; in English, as before', async () => {
  const zh = adapterText('zh-cn');
  const embedded = await chooseRuntime({ runtime: 'embedded' });
  assert.equal(embedded.kind, 'embedded');
  if (embedded.kind !== 'embedded') return;
  assert.equal(choiceText(embedded, englishText), 'the embedded runtime was chosen ("runtime": "embedded")');
  assert.equal(choiceText(embedded, zh), '选择了内置运行时("runtime": "embedded")');
  const unknown = await chooseRuntime({ runtime: 'gpu' });
  assert.equal(unknown.kind, 'problem');
  if (unknown.kind !== 'problem') return;
  assert.equal(unknown.message, 'Unknown runtime "gpu": use one of auto, python, embedded.');
  assert.equal(choiceText(unknown, zh), '未知的运行时 "gpu":请使用 auto, python, embedded 之一。');
});

test('every runtime template (the probe\'s problems, a run\'s failure lines) has a Chinese translation', () => {
  const bundle = chinese as Record<string, string>;
  assert.deepEqual(Object.values(RUNTIME_TEXT_TEMPLATES).filter((template) => !(template in bundle)), []);
});

test('in zh-cn, an interpreter\'s problem and its advice are Chinese; in English, as before', async () => {
  const zh = adapterText('zh-cn');
  const missing = await chooseRuntime({ runtime: 'python', python: '/nonexistent/python3' });
  assert.equal(missing.kind, 'problem');
  if (missing.kind !== 'problem') return;
  assert.equal(missing.message, 'No Python interpreter at `/nonexistent/python3`: set trainloop.python or the launch\'s "python".');
  assert.equal(choiceText(missing, englishText), missing.message);
  assert.equal(choiceText(missing, zh), '`/nonexistent/python3` 处没有 Python 解释器:请设置 trainloop.python 或启动配置的 "python"。');
  // A folder, a file that is not executable, and the command line's advice (the CLI prints the English).
  const folder = await probePython(__dirname);
  assert.equal(folder.problem, `\`${__dirname}\` is a folder, not a Python interpreter: set trainloop.python or the launch's "python".`);
  assert.equal(renderRuntimeText(folder.problemText!, zh), `\`${__dirname}\` 是文件夹,不是 Python 解释器:请设置 trainloop.python 或启动配置的 "python"。`);
  const notExecutable = await probePython(__filename, CLI_ADVICE);
  assert.equal(notExecutable.problem, `\`${__filename}\` is not a runnable Python interpreter: it is not executable.`);
  assert.equal(notExecutable.detail, 'it is not executable');
  assert.equal(renderRuntimeText(notExecutable.problemText!, zh), `\`${__filename}\` 不是可运行的 Python 解释器:它没有可执行权限。`);
  const none = await probePython('', CLI_ADVICE);
  assert.equal(none.problem, 'No Python interpreter was given: pass --python PATH.');
  assert.equal(renderRuntimeText(none.problemText!, zh), '没有指定 Python 解释器:请传入 --python PATH。');
  // Advice the caller wrote itself is shown as it was given.
  const custom = await probePython('', { howToChoose: 'ask the admin' });
  assert.equal(renderRuntimeText(custom.problemText!, zh), '没有指定 Python 解释器:ask the admin。');
});

test('a runtime\'s failure line carries its parts: English for the CLI, Chinese in a zh-cn adapter', async () => {
  const zh = adapterText('zh-cn');
  const line = runtimeText('run.cannotStartInterpreter', { python: '/x/python3', why: runtimeText('run.noSuchFile') });
  assert.equal(englishRuntimeText(line), 'trainloop: cannot start the Python interpreter /x/python3: no such file\n');
  assert.equal(outputText(englishRuntimeText(line), line, zh), 'trainloop:无法启动 Python 解释器 /x/python3:没有该文件\n');
  assert.equal(outputText('print from the script\n', undefined, zh), 'print from the script\n');
  // The native runtime's own line when its interpreter is gone: English text, with the parts beside it.
  const runtime = createRuntime('python');
  const lines: Array<[string, unknown]> = [];
  runtime.on('output', (_stream, text, parts) => lines.push([text, parts]));
  const code = await runtime.start({ program: __filename, args: [], distDir: dirname(ADAPTER), python: '/nonexistent/python3' });
  assert.equal(code, 127);
  assert.deepEqual(lines, [['trainloop: cannot start the Python interpreter /nonexistent/python3: no such file\n', { id: 'run.cannotStartInterpreter', values: { python: '/nonexistent/python3', why: { id: 'run.noSuchFile', values: {} } } }]]);
});

test('a zh-cn launch whose "python" is missing fails with a Chinese message', { timeout: 60_000, skip: noAdapter }, async () => {
  const client = await startClient(EMBEDDED);
  try {
    await client.initializeRequest({ adapterID: 'trainloop', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true, locale: 'zh-cn' });
    await assert.rejects(
      client.launchRequest({ program: BUSY, runtime: 'python', python: '/nonexistent/python3' } as DebugProtocol.LaunchRequestArguments),
      (error: Error) => {
        assert.equal(error.message, '`/nonexistent/python3` 处没有 Python 解释器:请设置 trainloop.python 或启动配置的 "python"。');
        return true;
      },
    );
  } finally {
    await finish(client);
  }
});
