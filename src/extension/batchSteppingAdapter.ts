// Stands between VS Code and the Trainloop debug adapter (both inline in the extension host) so that each editor action
// is one step for the user: a new session started for "Train N batches" runs to the loop's first body line, trains the
// N batches there and only then shows a stop; a run to a line in a live session does the same; and the adapter's
// custom `stepBatch` request, which VS Code does not know resumes the program, is announced with a `continued` event;
// "Evaluate" in a new session runs to the start of training and evaluates there before the stop shows.
// No vscode import: the tests drive it with a scripted adapter and with the real one.
import { basename, isAbsolute, resolve } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { EVALUATE_LOOP_REQUEST } from '../debug/debugContract';

/** What this needs of a debug adapter: @vscode/debugadapter's sessions fit, as does vscode.DebugAdapter. */
export interface MessageAdapter {
  handleMessage(message: DebugProtocol.ProtocolMessage): void;
  onDidSendMessage(listener: (message: unknown) => void): { dispose(): unknown };
  dispose(): void;
}

/** Run to a line of the program, then train some batches from there (internal to the extension, not a launch attribute users write). */
export interface LoopRun {
  /** 1-based line of the loop's first body statement: where a batch's variables are bound. */
  line: number;
  /** Batches to train once there (`stepBatch {count}`: the stop is at the last one's end); 0 shows the stop at the line. */
  batches: number;
  /**
   * "Evaluate" in a new session: once at the line (before the first training batch), run the evaluation loop at this
   * 1-based line with the weights as they are, then show the stop there (instead of training `batches`).
   */
  evaluate?: { line: number };
}

/** Custom request the extension sends to a live session: run to `line` (then train `batches`), like a new session's run. */
export const RUN_TO_LINE_REQUEST = 'trainloopRunToLine';
export type RunToLineArguments = LoopRun;

/** The adapter's custom request: train to the end of the batch in progress (`count` - 1 more after it) and stop there. */
export const STEP_BATCH_REQUEST = 'stepBatch';

/** Our own requests to the adapter are numbered far above VS Code's, so their responses are told apart. */
const FIRST_OWN_SEQ = 1_000_000_000;

/** Requests after which the program runs until the adapter says `stopped`. */
const RESUMING: ReadonlySet<string> = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'restart', STEP_BATCH_REQUEST]);

type Listener = (message: DebugProtocol.ProtocolMessage) => unknown;

function samePath(a: string, b: string): boolean {
  const [x, y] = [resolve(a), resolve(b)];
  return process.platform === 'win32' || process.platform === 'darwin' ? x.toLowerCase() === y.toLowerCase() : x === y;
}

/** The user's breakpoints with the run's line among them: the list, the line's index, whether it was added. */
function withLine(breakpoints: DebugProtocol.SourceBreakpoint[], line: number): { breakpoints: DebugProtocol.SourceBreakpoint[]; index: number; added: boolean } {
  const index = breakpoints.findIndex((b) => b.line === line);
  if (index >= 0) return { breakpoints, index, added: false };
  return { breakpoints: [...breakpoints, { line }], index: breakpoints.length, added: true };
}

export class BatchSteppingAdapter {
  private readonly listeners = new Set<Listener>();
  private readonly subscription: { dispose(): unknown };
  private readonly program: string;
  private run: LoopRun | undefined;
  /** The adapter's id of the breakpoint on the run's line (the user's own, or the one added for the run). */
  private runBreakpointId: number | undefined;
  /** The breakpoints VS Code set in the program (what the adapter gets back once the run's line is no longer needed). */
  private programBreakpoints: DebugProtocol.SourceBreakpoint[] = [];
  private programBreakpointsSent = false;
  /** VS Code's setBreakpoints requests that got the run's line: request seq → where it is in the list. */
  private readonly withRunLine = new Map<number, { index: number; added: boolean }>();
  private readonly ownRequests = new Map<number, (response: DebugProtocol.Response) => void>();
  private nextSeq = FIRST_OWN_SEQ;
  /** VS Code's stepBatch requests awaiting their response. */
  private readonly steps = new Set<number>();
  /** Stops shown to VS Code so far (a `continued` must not follow a stop it did not cause). */
  private stopsShown = 0;
  private stopsWhenStepped = 0;
  private paused = false;
  private ended = false;
  private threadId = 1;
  /** Each direction's messages are handled in order, also when one waits for the adapter. */
  private fromClient: Promise<void> = Promise.resolve();
  private fromAdapter: Promise<void> = Promise.resolve();

  constructor(
    private readonly adapter: MessageAdapter,
    program: string,
    run?: LoopRun,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.program = isAbsolute(program) ? program : resolve(program);
    if (run && Number.isInteger(run.line) && run.line >= 1) {
      this.run = { line: run.line, batches: Math.max(0, Math.floor(run.batches) || 0) };
      if (run.evaluate && Number.isInteger(run.evaluate.line) && run.evaluate.line >= 1) this.run.evaluate = { line: run.evaluate.line };
    }
    this.subscription = adapter.onDidSendMessage((message) => this.receive(message as DebugProtocol.ProtocolMessage));
  }

  /** vscode.DebugAdapter's event: what goes to VS Code. */
  readonly onDidSendMessage = (listener: Listener, thisArgs?: unknown, disposables?: { dispose(): unknown }[]) => {
    const bound: Listener = thisArgs ? listener.bind(thisArgs) : listener;
    this.listeners.add(bound);
    const disposable = { dispose: () => this.listeners.delete(bound) };
    disposables?.push(disposable);
    return disposable;
  };

  /** A message from VS Code. */
  handleMessage(message: DebugProtocol.ProtocolMessage): void {
    this.fromClient = this.fromClient.then(() => this.clientMessage(message)).catch((error) => this.onError(error));
  }

  dispose(): void {
    this.ended = true;
    this.failOwnRequests('The debug adapter was disposed.');
    this.subscription.dispose();
    this.listeners.clear();
    this.adapter.dispose();
  }

  // ---- VS Code → adapter -------------------------------------------------------------------------------------------
  private async clientMessage(message: DebugProtocol.ProtocolMessage): Promise<void> {
    if (message.type !== 'request') {
      this.adapter.handleMessage(message);
      return;
    }
    const request = message as DebugProtocol.Request;
    if (RESUMING.has(request.command)) this.paused = false;
    switch (request.command) {
      case 'setBreakpoints':
        this.adapter.handleMessage(this.addRunLine(request));
        return;
      case 'configurationDone':
        // VS Code sends no breakpoints for a file that has none: the run's line goes in before the program starts.
        if (this.run && !this.programBreakpointsSent) await this.sendProgramBreakpoints();
        break;
      case STEP_BATCH_REQUEST:
        this.steps.add(request.seq);
        this.stopsWhenStepped = this.stopsShown;
        break;
      case RUN_TO_LINE_REQUEST:
        await this.runToLine(request);
        return;
    }
    this.adapter.handleMessage(request);
  }

  private addRunLine(request: DebugProtocol.Request): DebugProtocol.Request {
    const args = request.arguments as DebugProtocol.SetBreakpointsArguments | undefined;
    const path = args?.source?.path;
    if (!args || !path || !samePath(path, this.program)) return request;
    const { lines, ...rest } = args;
    this.programBreakpoints = args.breakpoints ?? (lines ?? []).map((line) => ({ line }));
    if (!this.run) return request;
    this.programBreakpointsSent = true;
    const { breakpoints, index, added } = withLine(this.programBreakpoints, this.run.line);
    this.withRunLine.set(request.seq, { index, added });
    return { ...request, arguments: { ...rest, breakpoints } };
  }

  /** Sets the program's breakpoints in the adapter: VS Code's, plus the run's line while there is a run. */
  private async sendProgramBreakpoints(): Promise<void> {
    const run = this.run;
    const { breakpoints, index } = run ? withLine(this.programBreakpoints, run.line) : { breakpoints: this.programBreakpoints, index: -1 };
    this.programBreakpointsSent = true;
    const response = await this.request('setBreakpoints', { source: { name: basename(this.program), path: this.program }, breakpoints });
    if (run && run === this.run) {
      const answer = (response.body as DebugProtocol.SetBreakpointsResponse['body'] | undefined)?.breakpoints?.[index];
      this.runBreakpointId = response.success && answer?.verified ? answer.id : undefined;
    }
  }

  private async runToLine(request: DebugProtocol.Request): Promise<void> {
    const args = (request.arguments ?? {}) as Partial<RunToLineArguments>;
    const line = Number(args.line);
    if (!Number.isInteger(line) || line < 1) return this.respond(request, `"line" must be a line number (from 1), not ${String(args.line)}.`);
    if (this.run) return this.respond(request, 'The session is already running to a line.');
    this.run = { line, batches: Math.max(0, Math.floor(Number(args.batches)) || 0) };
    await this.sendProgramBreakpoints();
    if (this.runBreakpointId === undefined) {
      this.run = undefined;
      await this.sendProgramBreakpoints();
      return this.respond(request, `The program cannot stop on line ${line}.`);
    }
    if (!this.paused) return this.respond(request);
    const stops = this.stopsShown;
    const response = await this.request('continue', { threadId: this.threadId });
    if (!response.success) {
      this.run = undefined;
      await this.sendProgramBreakpoints();
      return this.respond(request, response.message ?? 'The program could not continue.');
    }
    this.paused = false;
    this.respond(request);
    if (this.stopsShown === stops) this.announceContinued();
  }

  // ---- adapter → VS Code -------------------------------------------------------------------------------------------
  private receive(message: DebugProtocol.ProtocolMessage): void {
    if (message.type === 'response') {
      const response = message as DebugProtocol.Response;
      const own = this.ownRequests.get(response.request_seq);
      if (own) {
        this.ownRequests.delete(response.request_seq);
        own(response);
        return;
      }
    }
    this.fromAdapter = this.fromAdapter.then(() => this.adapterMessage(message)).catch((error) => this.onError(error));
  }

  private async adapterMessage(message: DebugProtocol.ProtocolMessage): Promise<void> {
    if (message.type === 'response') {
      const response = message as DebugProtocol.Response;
      const runLine = this.withRunLine.get(response.request_seq);
      if (runLine) {
        this.withRunLine.delete(response.request_seq);
        const list = (response.body as DebugProtocol.SetBreakpointsResponse['body'] | undefined)?.breakpoints;
        if (response.success && list) {
          const answer = list[runLine.index];
          if (this.run) this.runBreakpointId = answer?.verified ? answer.id : undefined;
          // VS Code gets one answer per breakpoint it sent.
          if (runLine.added) response.body = { ...response.body, breakpoints: list.filter((_, i) => i !== runLine.index) };
        }
      }
      this.send(response);
      if (this.steps.delete(response.request_seq) && response.success && this.stopsShown === this.stopsWhenStepped) this.announceContinued();
      return;
    }
    if (message.type === 'event') {
      const event = message as DebugProtocol.Event;
      switch (event.event) {
        case 'stopped': {
          const body = (event.body ?? {}) as DebugProtocol.StoppedEvent['body'];
          if (typeof body.threadId === 'number') this.threadId = body.threadId;
          if (this.run && (await this.trainFromRunLine(body))) return;
          this.paused = true;
          this.stopsShown++;
          break;
        }
        case 'continued':
          this.paused = false;
          break;
        case 'terminated':
        case 'exited':
          this.run = undefined;
          break;
      }
    }
    this.send(message);
  }

  /**
   * The first stop since a run began: the run is over either way (its line leaves the adapter's breakpoints). At the
   * run's line, with batches to train, they are trained and the stop stays hidden (true); with an evaluation, it runs
   * and then the stop shows; any other stop — the user's breakpoint, an exception, a training problem — is shown as it
   * is (false).
   */
  private async trainFromRunLine(stop: DebugProtocol.StoppedEvent['body']): Promise<boolean> {
    const run = this.run!;
    const atRunLine = this.runBreakpointId !== undefined && (stop.hitBreakpointIds ?? []).includes(this.runBreakpointId);
    this.run = undefined;
    this.runBreakpointId = undefined;
    await this.sendProgramBreakpoints();
    if (!atRunLine || this.ended) return false;
    if (run.evaluate) {
      // Its outcome reaches the editor as the adapter's `trainloopEvaluated` event, whether it ran or not.
      await this.request(EVALUATE_LOOP_REQUEST, { path: this.program, line: run.evaluate.line });
      return false;
    }
    if (run.batches === 0) return false;
    const response = await this.request(STEP_BATCH_REQUEST, { count: run.batches });
    return response.success;
  }

  // ---- helpers -----------------------------------------------------------------------------------------------------
  private request(command: string, args: unknown): Promise<DebugProtocol.Response> {
    const seq = this.nextSeq++;
    if (this.ended) return Promise.resolve({ seq: 0, type: 'response', request_seq: seq, command, success: false, message: 'The session ended.' });
    return new Promise((resolveResponse) => {
      this.ownRequests.set(seq, resolveResponse);
      this.adapter.handleMessage({ seq, type: 'request', command, arguments: args } as DebugProtocol.Request);
    });
  }

  private failOwnRequests(message: string): void {
    for (const [seq, resolveResponse] of this.ownRequests) resolveResponse({ seq: 0, type: 'response', request_seq: seq, command: '', success: false, message });
    this.ownRequests.clear();
  }

  private respond(request: DebugProtocol.Request, error?: string): void {
    const response: DebugProtocol.Response = { seq: 0, type: 'response', request_seq: request.seq, command: request.command, success: error === undefined };
    if (error !== undefined) response.message = error;
    this.send(response);
  }

  private announceContinued(): void {
    const event: DebugProtocol.ContinuedEvent = { seq: 0, type: 'event', event: 'continued', body: { threadId: this.threadId, allThreadsContinued: true } };
    this.send(event);
  }

  private send(message: DebugProtocol.ProtocolMessage): void {
    for (const listener of this.listeners) listener(message);
  }
}
