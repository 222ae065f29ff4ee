// How fast a paused debug session answers, on either runtime: a line step, a step with the views VS Code asks for,
// one batch, a hover on a 10-million-element tensor (bench/fixtures/debugger_training.py, paused in its loop).
import { join } from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';

const dist = join(__dirname, '..', 'dist');
const script = join(__dirname, 'fixtures', 'debugger_training.py');
const LOOP_BODY_LINE = 22;

export interface PausedAnswers {
  next: number[];
  nextWithViews: number[];
  stepBatch: number[];
  hover: number[];
}

async function client(): Promise<DebugClient> {
  const dc = new DebugClient('node', join(dist, 'debugAdapter.js'), 'trainloop');
  dc.defaultTimeout = 120_000;
  await dc.start();
  return dc;
}

async function launch(dc: DebugClient, lines: number[], args: string[], attributes: Record<string, unknown>): Promise<void> {
  await Promise.all([
    dc.waitForEvent('initialized').then(async () => {
      await dc.setBreakpointsRequest({ source: { path: script }, breakpoints: lines.map((line) => ({ line })) });
      await dc.configurationDoneRequest();
    }),
    dc.launch({ program: script, args, ...attributes }),
  ]);
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Answers of a session paused in the training loop, launched with these attributes (`runtime`, `backend`...). */
export async function pausedAnswers(samples: number, attributes: Record<string, unknown>): Promise<PausedAnswers> {
  const dc = await client();
  const stop = () => dc.waitForEvent('stopped');
  const stopped = stop();
  await launch(dc, [LOOP_BODY_LINE], ['1000'], attributes);
  await stopped;
  const frameId = async () => (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].id;
  const next: number[] = [];
  const nextWithViews: number[] = [];
  const stepBatch: number[] = [];
  const hover: number[] = [];
  await dc.setBreakpointsRequest({ source: { path: script }, breakpoints: [] });
  for (let i = 0; i < samples; i++) {
    // One line: request → stopped event.
    next.push(await timed(async () => Promise.all([stop(), dc.nextRequest({ threadId: 1 })])));
    // One line as VS Code does it: step, then stack, scopes and locals of the top frame.
    nextWithViews.push(
      await timed(async () => {
        await Promise.all([stop(), dc.nextRequest({ threadId: 1 })]);
        const id = await frameId();
        const scopes = (await dc.scopesRequest({ frameId: id })).body.scopes;
        await dc.variablesRequest({ variablesReference: scopes[0].variablesReference });
      }),
    );
    stepBatch.push(await timed(async () => Promise.all([stop(), dc.customRequest('stepBatch', { count: 1 })])));
    const id = await frameId();
    hover.push(await timed(() => dc.evaluateRequest({ expression: 'big', frameId: id, context: 'hover' })));
  }
  await dc.stop();
  return { next, nextWithViews, stepBatch, hover };
}

