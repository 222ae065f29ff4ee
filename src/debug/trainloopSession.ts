// The Trainloop debug adapter: translates the Debug Adapter Protocol into the runtime's debug commands and the
// runtime's reports into DAP events. No vscode import: the extension wraps it inline, debugAdapter.ts runs it on stdio.
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import {
  Breakpoint,
  Event,
  ExitedEvent,
  InitializedEvent,
  LoggingDebugSession,
  OutputEvent,
  Scope,
  Source,
  StackFrame,
  TerminatedEvent,
  Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Runtime } from '../runtime/runtime';
import { createRuntime } from '../runtime/runtimeFactory';
import { chooseRuntime } from '../runtime/runtimeChoice';
import type { DebuggerMessage } from '../runtime/debugChannel';
import type { RuntimeEvent } from '../runtime/protocol';
import type { OutputMessage, ReadyMessage, StoppedMessage } from '../runtime/agentMessages';
import { renderedOr } from '../runtime/agentTextTemplates';
import {
  BATCH_EVENT,
  DIAGNOSTIC_EVENT,
  EVALUATE_LOOP_REQUEST,
  EVALUATED_EVENT,
  LAUNCH_PROBLEM_EVENT,
  type LaunchProblemEventBody,
  RUNTIME_EVENT,
  type RuntimeEventBody,
  STEP_BATCH_REQUEST,
  TRAINING_PROBLEM_STOPS_REQUEST,
  type TrainingProblemStopsArguments,
  exceptionFilters,
  launchProblem,
  runtimeExceptionFilters,
  type StepBatchArguments,
  type TrainloopLaunchArguments,
} from './debugContract';
import { type AdapterText, adapterText, diagnosticLine, englishText, scopeName } from './adapterText';
import { exceptionInfoBody, stoppedEvent } from './stopEvents';
import { type ExceptionInfo, type RuntimeBreakpoint, type RuntimeFrame, type RuntimeVariable } from './runtimeValues';
import { choiceText, errorReplyText, outputText, readyProblem, variableRow } from './agentReplies';
import { evaluateLoopRequest } from './evaluateLoopRequest';

const THREAD_ID = 1;

/** Error ids of our error responses (DAP `Message.id`). */
const enum ErrorId {
  Launch = 1001,
  Runtime = 1002,
  Evaluate = 1003,
}

export interface TrainloopSessionOptions {
  /** The folder holding runtimeWorker.js, pyodide/, tfjs/ and python/ (defaults to the bundle's folder). */
  distDir?: string;
  /** Embedded: a mirror URL or folder of Pyodide's packages (the setting trainloop.packageIndex). */
  packageIndex?: string;
  /** Embedded: where fetched packages are kept (the extension's storage). */
  packageCache?: string;
}

export class TrainloopSession extends LoggingDebugSession {
  private runtime: Runtime | null = null;
  private launchArgs: TrainloopLaunchArguments | null = null;
  private readonly sourceBreakpoints = new Map<string, DebugProtocol.SourceBreakpoint[]>();
  /** What the client set in the Breakpoints view (the default filters until it says), and the training problems chosen. */
  private clientFilters: { filters: string[]; options?: DebugProtocol.ExceptionFilterOptions[] } = {
    filters: exceptionFilters().filter((f) => f.default).map((f) => f.filter),
  };
  private trainingProblemStops: string[] = [];
  /** User-visible words in the client's language (`initialize`'s locale). */
  private t: AdapterText = englishText;
  private readonly options: TrainloopSessionOptions;
  private ended = false;

  /** Standalone adapters are constructed with the library's obsolete positional flags; inline hosts pass options. */
  constructor(options?: TrainloopSessionOptions | boolean) {
    super();
    this.options = typeof options === 'object' ? options : {};
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.t = adapterText(args?.locale);
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsClipboardContext: true,
      supportsCompletionsRequest: true,
      supportsSetExpression: true,
      completionTriggerCharacters: ['.'],
      supportsExceptionInfoRequest: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportTerminateDebuggee: true,
      supportsDelayedStackTraceLoading: false,
      exceptionBreakpointFilters: exceptionFilters(this.t),
      supportsExceptionFilterOptions: true,
    };
    this.sendResponse(response);
  }

  // ---- starting and ending ---------------------------------------------------------------------------------------
  protected override async launchRequest(response: DebugProtocol.LaunchResponse, raw: DebugProtocol.LaunchRequestArguments) {
    const args = { ...(raw as TrainloopLaunchArguments) };
    if (typeof args.program === 'string' && !isAbsolute(args.program)) args.program = resolve(args.cwd ?? '.', args.program);
    this.trainingProblemStops = Array.isArray(args.stopOnTrainingProblems) ? args.stopOnTrainingProblems : [];
    const problem = launchProblem(args, existsSync, this.t);
    if (problem) {
      this.failLaunch(response, problem, args);
      return;
    }
    this.launchArgs = args;
    const programProblem = await this.startRuntime(args);
    if (programProblem) {
      this.failLaunch(response, programProblem, args);
      await this.runtime?.stop();
      return;
    }
    // The runtime starts with the filters a client gets by default, until it sends its own; none without debugging.
    const filters = args.noDebug ? [] : this.exceptionFilters();
    await this.runtime?.debugRequest('setExceptionFilters', { filters }).catch(() => undefined);
    this.sendResponse(response);
    if (args.noDebug) {
      await this.runtime?.debugRequest('start', {}).catch(() => undefined);
      return;
    }
    this.sendEvent(new InitializedEvent());
  }

  protected override async configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): Promise<void> {
    await this.command(response, 'start', { stopOnEntry: this.launchArgs?.stopOnEntry === true });
  }

  /** The runtime's filter ids for what the client set (see runtimeExceptionFilters). */
  private exceptionFilters(): string[] {
    return runtimeExceptionFilters(this.clientFilters.filters, this.clientFilters.options, this.trainingProblemStops);
  }

  /**
   * A launch that cannot start answers with an error the client does not show (`showUser: false`: VS Code opens no
   * modal "Open launch.json" dialog for it) after saying why in the Debug Console and, for the editor's diagnostic,
   * in a `trainloopLaunchProblem` event with the place of a syntax error.
   */
  private failLaunch(response: DebugProtocol.Response, message: string, args: Partial<TrainloopLaunchArguments>): void {
    const body: LaunchProblemEventBody = { message };
    // The debugger compiles the program before it starts: `SyntaxError: invalid syntax (train.py, line 3)`.
    const at = /\(([^()]+), line (\d+)\)\s*$/.exec(message);
    if (at && typeof args.program === 'string' && basename(args.program) === at[1]) {
      body.path = args.program;
      body.line = Number(at[2]);
    }
    const output: DebugProtocol.OutputEvent = new OutputEvent(`${message}\n`, 'stderr');
    if (body.path && body.line) {
      output.body.source = new Source(basename(body.path), this.convertDebuggerPathToClient(body.path));
      output.body.line = this.convertDebuggerLineToClient(body.line);
    }
    this.sendEvent(output);
    this.sendEvent(new Event(LAUNCH_PROBLEM_EVENT, body));
    this.sendErrorResponse(response, { id: ErrorId.Launch, format: message, showUser: false, variables: {} });
  }

  /** Starts a runtime for the script and waits until its debugger takes commands; resolves to a problem or null. */
  private async startRuntime(args: TrainloopLaunchArguments): Promise<string | null> {
    const decision = await chooseRuntime({ runtime: args.runtime ?? 'auto', python: args.python, cwd: args.cwd ?? dirname(args.program) });
    if (decision.kind === 'problem') return choiceText(decision, this.t);
    const runtime = createRuntime(decision.kind);
    this.runtime = runtime;
    const mine = () => this.runtime === runtime;
    let earlyErrors = '';
    const ready = new Promise<string | null>((resolveReady) => {
      runtime.on('debug', (message) => {
        if (message.kind === 'ready') resolveReady(readyProblem(message as ReadyMessage, this.t));
        else if (mine()) this.onDebuggerMessage(message);
      });
      runtime.on('exit', (code) => {
        const why = earlyErrors.trim().split('\n').slice(-3).join('\n');
        resolveReady(
          why
            ? this.t('The runtime ended before the script started (exit status {code}): {why}', { code: String(code), why })
            : this.t('The runtime ended before the script started (exit status {code}).', { code: String(code) }),
        );
        if (!mine()) return;
        this.runtime = null;
        this.sendEvent(new ExitedEvent(code));
        this.endSession();
      });
    });
    runtime.on('ready', (info) => {
      if (!mine()) return;
      const reason = choiceText(decision, this.t); // the status bar's tooltip shows it too
      const body: RuntimeEventBody = { ...info, reason };
      this.sendEvent(new Event(RUNTIME_EVENT, body));
      this.sendEvent(new OutputEvent(`Trainloop: ${info.label}${reason ? ` (${reason})` : ''}\n`, 'console'));
    });
    runtime.on('output', (stream, english, parts) => {
      if (stream === 'stderr' && earlyErrors.length < 4000) earlyErrors += outputText(english, parts, this.t);
      if (mine()) this.sendEvent(new OutputEvent(outputText(english, parts, this.t), stream)); // a runtime's line translated
    });
    runtime.on('event', (event) => {
      if (mine()) this.onRuntimeEvent(event);
    });
    void runtime.start({
      program: args.program,
      args: args.args ?? [],
      cwd: args.cwd,
      backend: args.backend,
      maxBatches: args.maxBatches ?? 0,
      disabledDetectors: args.disabledDetectors ?? [],
      distDir: this.options.distDir,
      python: decision.kind === 'python' ? decision.python : undefined,
      packageIndex: this.options.packageIndex,
      packageCache: this.options.packageCache,
      debug: true,
    });
    return ready;
  }

  private endSession(): void {
    if (this.ended) return;
    this.ended = true;
    this.sendEvent(new TerminatedEvent());
  }

  protected override async restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments) {
    const launch = { ...(this.launchArgs ?? {}), ...((args?.arguments as TrainloopLaunchArguments | undefined) ?? {}) };
    const old = this.runtime;
    this.runtime = null;
    await old?.stop();
    const problem = launchProblem(launch, existsSync, this.t) ?? (await this.startRuntime(launch as TrainloopLaunchArguments));
    if (problem) {
      this.failLaunch(response, problem, launch);
      this.endSession();
      return;
    }
    this.launchArgs = launch as TrainloopLaunchArguments;
    try {
      await this.runtime!.debugRequest('setExceptionFilters', { filters: this.exceptionFilters() });
      for (const [path, breakpoints] of this.sourceBreakpoints) {
        const reply = await this.runtime!.debugRequest<{ breakpoints: RuntimeBreakpoint[] }>('setBreakpoints', {
          path,
          breakpoints: this.toRuntimeBreakpoints(breakpoints),
        });
        for (const breakpoint of this.toBreakpoints(path, reply.breakpoints)) {
          this.sendEvent(new Event('breakpoint', { reason: 'changed', breakpoint }));
        }
      }
      await this.runtime!.debugRequest('start', { stopOnEntry: this.launchArgs.stopOnEntry === true });
      this.sendResponse(response);
    } catch (error) {
      this.fail(response, error);
    }
  }

  protected override async terminateRequest(response: DebugProtocol.TerminateResponse): Promise<void> {
    await this.runtime?.stop();
    this.sendResponse(response);
    this.endSession();
  }

  protected override async disconnectRequest(
    response: DebugProtocol.DisconnectResponse,
    args: DebugProtocol.DisconnectArguments,
    request?: DebugProtocol.Request,
  ): Promise<void> {
    await this.runtime?.stop();
    super.disconnectRequest(response, args, request);
  }

  // ---- breakpoints ----------------------------------------------------------------------------------------------
  protected override async setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): Promise<void> {
    const clientPath = args.source.path;
    if (!clientPath) {
      response.body = { breakpoints: (args.breakpoints ?? []).map(() => ({ verified: false, message: this.t('Only files on disk can have breakpoints.') })) };
      this.sendResponse(response);
      return;
    }
    const path = this.convertClientPathToDebugger(clientPath);
    const breakpoints = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    this.sourceBreakpoints.set(path, breakpoints);
    if (!this.runtime) {
      response.body = { breakpoints: breakpoints.map((b) => ({ verified: false, line: b.line, message: this.t('The program is not running.') })) };
      this.sendResponse(response);
      return;
    }
    try {
      const reply = await this.runtime.debugRequest<{ breakpoints: RuntimeBreakpoint[] }>('setBreakpoints', {
        path,
        breakpoints: this.toRuntimeBreakpoints(breakpoints),
      });
      response.body = { breakpoints: this.toBreakpoints(path, reply.breakpoints) };
      this.sendResponse(response);
    } catch (error) {
      this.fail(response, error);
    }
  }

  private toRuntimeBreakpoints(breakpoints: DebugProtocol.SourceBreakpoint[]) {
    return breakpoints.map((b) => ({
      line: this.convertClientLineToDebugger(b.line),
      condition: b.condition,
      hitCondition: b.hitCondition,
      logMessage: b.logMessage,
    }));
  }

  private toBreakpoints(path: string, answers: RuntimeBreakpoint[]): DebugProtocol.Breakpoint[] {
    return answers.map((answer) => {
      const breakpoint: DebugProtocol.Breakpoint = new Breakpoint(
        answer.verified,
        this.convertDebuggerLineToClient(answer.line),
        undefined,
        new Source(basename(path), this.convertDebuggerPathToClient(path)),
      );
      if (answer.id !== undefined) breakpoint.id = answer.id;
      if (answer.message) breakpoint.message = renderedOr(answer.text, answer.message, this.t);
      return breakpoint;
    });
  }

  protected override async setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): Promise<void> {
    this.clientFilters = { filters: args.filters ?? [], options: args.filterOptions };
    await this.command(response, 'setExceptionFilters', { filters: this.exceptionFilters() });
  }

  // ---- running ----------------------------------------------------------------------------------------------------
  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, 'main')] };
    this.sendResponse(response);
  }

  protected override async continueRequest(response: DebugProtocol.ContinueResponse): Promise<void> {
    response.body = { allThreadsContinued: true };
    await this.command(response, 'continue');
  }

  protected override async nextRequest(response: DebugProtocol.NextResponse): Promise<void> {
    await this.command(response, 'next');
  }

  protected override async stepInRequest(response: DebugProtocol.StepInResponse): Promise<void> {
    await this.command(response, 'stepIn');
  }

  protected override async stepOutRequest(response: DebugProtocol.StepOutResponse): Promise<void> {
    await this.command(response, 'stepOut');
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    if (!this.runtime) {
      this.sendErrorResponse(response, { id: ErrorId.Runtime, format: this.t('The program is not running.'), showUser: false, variables: {} });
      return;
    }
    // Acknowledged at once: the worker hears it at its next Python instruction (after a long tensor kernel, if it is
    // in one), and the `stopped` event tells when it has paused.
    void this.runtime.debugRequest('pause').catch(() => undefined);
    this.sendResponse(response);
  }

  protected override async customRequest(command: string, response: DebugProtocol.Response, args: unknown): Promise<void> {
    if (command === STEP_BATCH_REQUEST) {
      const count = Math.max(1, Math.floor(Number((args as StepBatchArguments | undefined)?.count ?? 1)) || 1);
      await this.command(response, 'stepBatch', { count });
      return;
    }
    if (command === EVALUATE_LOOP_REQUEST) {
      const announce = (body: unknown) => this.sendEvent(new Event(EVALUATED_EVENT, body));
      try {
        response.body = await evaluateLoopRequest(this.runtime, args, this.launchArgs?.program, this.t, announce);
        this.sendResponse(response);
      } catch (error) {
        this.fail(response, error);
      }
      return;
    }
    if (command === TRAINING_PROBLEM_STOPS_REQUEST) {
      const codes = (args as Partial<TrainingProblemStopsArguments> | undefined)?.codes;
      this.trainingProblemStops = Array.isArray(codes) ? codes.filter((code): code is string => typeof code === 'string') : [];
      if (this.runtime) await this.command(response, 'setExceptionFilters', { filters: this.exceptionFilters() });
      else this.sendResponse(response);
      return;
    }
    super.customRequest(command, response, args);
  }

  // ---- looking inside -------------------------------------------------------------------------------------------
  protected override async stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): Promise<void> {
    await this.ask(response, 'stackTrace', {}, (body: { frames: RuntimeFrame[] }) => {
      const start = args.startFrame ?? 0;
      const levels = args.levels || body.frames.length;
      const frames = body.frames.slice(start, start + levels).map((frame) => {
        const source = new Source(basename(frame.path), this.convertDebuggerPathToClient(frame.path));
        return new StackFrame(frame.id, frame.name, source, this.convertDebuggerLineToClient(frame.line), 1);
      });
      return { stackFrames: frames, totalFrames: body.frames.length };
    });
  }

  protected override async scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments) {
    await this.ask(response, 'scopes', { frameId: args.frameId }, (body: { scopes: { name: string; ref: number; hint?: string }[] }) => ({
      scopes: body.scopes.map((scope) => {
        const dapScope: DebugProtocol.Scope = new Scope(scopeName(scope.hint, scope.name, this.t), scope.ref, false);
        if (scope.hint === 'locals' || scope.hint === 'globals') dapScope.presentationHint = scope.hint;
        return dapScope;
      }),
    }));
  }

  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments) {
    await this.ask(
      response,
      'variables',
      { ref: args.variablesReference, filter: args.filter, start: args.start, count: args.count },
      (body: { variables: RuntimeVariable[] }) => ({ variables: body.variables.map((variable) => variableRow(variable, this.t)) }),
    );
  }

  protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments) {
    if (!this.runtime) {
      this.sendErrorResponse(response, { id: ErrorId.Evaluate, format: this.t('The program is not running.'), showUser: false, variables: {} });
      return;
    }
    try {
      const value = await this.runtime.debugRequest<RuntimeVariable>('evaluate', {
        expression: args.expression,
        frameId: args.frameId,
        context: args.context ?? 'repl',
      });
      response.body = {
        result: value.value,
        type: value.type,
        variablesReference: value.ref,
        indexedVariables: value.indexed,
        namedVariables: value.named,
      };
      this.sendResponse(response);
    } catch (error) {
      this.sendErrorResponse(response, { id: ErrorId.Evaluate, format: errorReplyText(error, this.t), showUser: false, variables: {} });
    }
  }

  protected override async setExpressionRequest(
    response: DebugProtocol.SetExpressionResponse,
    args: DebugProtocol.SetExpressionArguments,
  ): Promise<void> {
    await this.ask(response, 'setExpression', { expression: args.expression, value: args.value, frameId: args.frameId }, (value: RuntimeVariable) => ({
      value: value.value,
      type: value.type,
      variablesReference: value.ref,
      indexedVariables: value.indexed,
      namedVariables: value.named,
    }));
  }

  protected override async completionsRequest(
    response: DebugProtocol.CompletionsResponse,
    args: DebugProtocol.CompletionsArguments,
  ): Promise<void> {
    await this.ask(
      response,
      'completions',
      { frameId: args.frameId, text: args.text, column: args.column },
      (body: { targets: { label: string; type: string }[] }) => ({
        targets: body.targets.map((target) => ({ label: target.label, type: target.type as DebugProtocol.CompletionItemType })),
      }),
    );
  }

  protected override async exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): Promise<void> {
    await this.ask(response, 'exceptionInfo', {}, (body: ExceptionInfo) => exceptionInfoBody(body, this.t));
  }

  // ---- what the runtime says ------------------------------------------------------------------------------------
  private onDebuggerMessage(message: DebuggerMessage): void {
    switch (message.kind) {
      case 'stopped': {
        this.sendEvent(stoppedEvent(message as StoppedMessage, THREAD_ID, this.t));
        break;
      }
      case 'output': {
        const output = message as OutputMessage;
        const event: DebugProtocol.OutputEvent = new OutputEvent(output.message ? `${renderedOr(output.message, output.text.trimEnd(), this.t)}\n` : output.text, output.category);
        if (output.path) {
          event.body.source = new Source(basename(output.path), this.convertDebuggerPathToClient(output.path));
          if (output.line) event.body.line = this.convertDebuggerLineToClient(output.line);
        }
        this.sendEvent(event);
        break;
      }
      case 'batch': {
        const { kind: _kind, ...body } = message;
        this.sendEvent(new Event(BATCH_EVENT, body));
        break;
      }
    }
  }

  private onRuntimeEvent(event: RuntimeEvent): void {
    if (event.event !== 'diagnostic') return;
    this.sendEvent(new Event(DIAGNOSTIC_EVENT, event));
    this.sendEvent(new OutputEvent(diagnosticLine(event, this.t), 'stderr'));
  }

  // ---- helpers ------------------------------------------------------------------------------------------------------
  /** Sends a runtime command whose reply needs no translation. */
  private async command(response: DebugProtocol.Response, command: string, args: Record<string, unknown> = {}) {
    if (!this.runtime) {
      this.sendErrorResponse(response, { id: ErrorId.Runtime, format: this.t('The program is not running.'), showUser: false, variables: {} });
      return;
    }
    try {
      await this.runtime.debugRequest(command, args);
      this.sendResponse(response);
    } catch (error) {
      this.fail(response, error);
    }
  }

  /** Sends a runtime command and turns its reply into the response body. */
  private async ask<T>(
    response: DebugProtocol.Response,
    command: string,
    args: Record<string, unknown>,
    toBody: (reply: T) => unknown,
  ): Promise<void> {
    if (!this.runtime) {
      this.sendErrorResponse(response, { id: ErrorId.Runtime, format: this.t('The program is not running.'), showUser: false, variables: {} });
      return;
    }
    try {
      response.body = toBody(await this.runtime.debugRequest<T>(command, args));
      this.sendResponse(response);
    } catch (error) {
      this.fail(response, error);
    }
  }

  private fail(response: DebugProtocol.Response, error: unknown): void {
    this.sendErrorResponse(response, { id: ErrorId.Runtime, format: errorReplyText(error, this.t), showUser: false, variables: {} });
  }
}
