// Follows every `trainloop` debug session through a DebugAdapterTracker (state, batches, losses, runtime warnings, output) and runs the editor's training actions through those sessions.
import * as vscode from 'vscode';
import { type BatchReport, type RuntimeDiagnostic, parseTrainloopEvent } from './adapterEvents';
import { DEBUG_TYPE, type RunTo, type TrainloopLaunchConfiguration, launchConfigurationFor, showUntrustedMessage } from './debugConfiguration';
import { firstBodyLine } from './pythonExpressions';
import { type HistoryChange, TrainingHistory } from './panelUpdates';
import type { PanelSession } from '../webview/panelProtocol';

export type SessionRunState = PanelSession['state'];

/** One `trainloop` debug session as the editor knows it. */
export class TrainingSession {
  state: SessionRunState = 'starting';
  backend: string | undefined;
  lastReport: BatchReport | undefined;
  readonly history = new TrainingHistory();
  readonly runtimeDiagnostics: RuntimeDiagnostic[] = [];
  /** Batches to train at the next stop (set when a session is started or paused for "Train N batches"). */
  pendingBatches: number | undefined;
  /** Where the session was started to run to (a loop's first body line), until its first stop. */
  runTo: RunTo | undefined;
  threadId = 1;

  constructor(readonly session: vscode.DebugSession) {
    const config = session.configuration as TrainloopLaunchConfiguration;
    this.pendingBatches = config.__trainloopAfterEntry?.stepBatches;
    this.runTo = config.__trainloopRunTo;
    if (typeof config.backend === 'string' && config.backend !== 'auto') this.backend = config.backend;
  }

  get program(): string {
    const program = (this.session.configuration as TrainloopLaunchConfiguration).program;
    return typeof program === 'string' ? program : '';
  }

  toPanelSession(): PanelSession {
    const panel: PanelSession = { id: this.session.id, name: this.session.name, program: this.program, state: this.state };
    if (this.backend) panel.backend = this.backend;
    if (this.lastReport) {
      panel.batch = this.lastReport.batch;
      panel.loss = this.lastReport.loss;
    }
    return panel;
  }
}

export interface BatchReported {
  session: TrainingSession;
  report: BatchReport;
  changes: HistoryChange;
}

/** Requests after which the program runs until the adapter says `stopped`. */
const RESUMING_REQUESTS: ReadonlySet<string> = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', 'stepBatch', 'restart']);

function samePath(a: string, b: string): boolean {
  return process.platform === 'win32' || process.platform === 'darwin' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

export class TrainingSessions implements vscode.Disposable {
  private readonly sessions = new Map<string, TrainingSession>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<TrainingSession | undefined>();
  private readonly started = new vscode.EventEmitter<TrainingSession>();
  private readonly reported = new vscode.EventEmitter<BatchReported>();
  private readonly diagnosed = new vscode.EventEmitter<TrainingSession>();
  /** Temporary breakpoints ("run to this loop"), by program path, removed at the session's next stop or end. */
  private readonly runToBreakpoints = new Map<string, vscode.SourceBreakpoint>();

  /** A session started, ended, paused, resumed, or reported a batch (for the status bar and CodeLens). */
  readonly onDidChange = this.changed.event;
  readonly onDidStart = this.started.event;
  readonly onDidReportBatch = this.reported.event;
  readonly onDidChangeRuntimeDiagnostics = this.diagnosed.event;

  constructor(private readonly output: vscode.OutputChannel) {
    this.disposables.push(
      this.changed,
      this.started,
      this.reported,
      this.diagnosed,
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, { createDebugAdapterTracker: (session) => this.track(session) }),
      vscode.debug.onDidTerminateDebugSession((session) => this.ended(session)),
      vscode.debug.onDidChangeActiveDebugSession(() => this.changed.fire(this.current())),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    for (const breakpoint of this.runToBreakpoints.values()) vscode.debug.removeBreakpoints([breakpoint]);
  }

  /** The session to show: the active `trainloop` session, else the one that started last. */
  current(): TrainingSession | undefined {
    const active = vscode.debug.activeDebugSession;
    if (active && this.sessions.has(active.id)) return this.sessions.get(active.id);
    let last: TrainingSession | undefined;
    for (const s of this.sessions.values()) if (s.state !== 'ended') last = s;
    return last;
  }

  /** The live session training this file, if any. */
  forProgram(uri: vscode.Uri): TrainingSession | undefined {
    const active = vscode.debug.activeDebugSession;
    const candidates = [...this.sessions.values()].filter((s) => s.state !== 'ended' && samePath(s.program, uri.fsPath));
    return candidates.find((s) => s.session === active) ?? candidates[candidates.length - 1];
  }

  all(): TrainingSession[] {
    return [...this.sessions.values()];
  }

  private track(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const training = new TrainingSession(session);
    this.sessions.set(session.id, training);
    this.started.fire(training);
    this.changed.fire(training);
    return {
      onWillReceiveMessage: (message: { type?: string; command?: string }) => {
        if (message.type === 'request' && message.command && RESUMING_REQUESTS.has(message.command)) this.setState(training, 'running');
      },
      onDidSendMessage: (message: { type?: string; event?: string; body?: unknown }) => {
        if (message.type === 'event' && typeof message.event === 'string') this.onAdapterEvent(training, message.event, message.body);
      },
      onExit: () => this.ended(session),
    };
  }

  private setState(training: TrainingSession, state: SessionRunState): void {
    if (training.state === state || training.state === 'ended') return;
    training.state = state;
    this.changed.fire(training);
  }

  private onAdapterEvent(training: TrainingSession, event: string, body: unknown): void {
    const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    switch (event) {
      case 'stopped':
        if (typeof fields.threadId === 'number') training.threadId = fields.threadId;
        this.setState(training, 'paused');
        this.afterStop(training, typeof fields.reason === 'string' ? fields.reason : '');
        return;
      case 'continued':
        this.setState(training, 'running');
        return;
      case 'initialized':
        return;
      case 'output':
        if ((fields.category === 'stdout' || fields.category === 'stderr') && typeof fields.output === 'string') this.output.append(fields.output);
        return;
      case 'terminated':
      case 'exited':
        this.ended(training.session);
        return;
    }
    const parsed = parseTrainloopEvent(event, body);
    if (!parsed) return;
    switch (parsed.kind) {
      case 'runtime':
        training.backend = parsed.backend;
        if (training.state === 'starting') training.state = 'running';
        this.changed.fire(training);
        return;
      case 'diagnostic':
        this.addRuntimeDiagnostic(training, parsed.diagnostic);
        return;
      case 'batch': {
        training.lastReport = parsed.report;
        if (training.state === 'starting') training.state = 'running';
        const changes = training.history.add(parsed.report);
        for (const diagnostic of parsed.report.diagnostics) this.addRuntimeDiagnostic(training, diagnostic);
        this.reported.fire({ session: training, report: parsed.report, changes });
        this.changed.fire(training);
        return;
      }
    }
  }

  private addRuntimeDiagnostic(training: TrainingSession, diagnostic: RuntimeDiagnostic): void {
    // The runtime reports each cause once; a repeat (same code, same line) adds nothing.
    const known = training.runtimeDiagnostics.some(
      (d) => d.code === diagnostic.code && d.line === diagnostic.line && (d.path ?? training.program) === (diagnostic.path ?? training.program),
    );
    if (known) return;
    training.runtimeDiagnostics.push(diagnostic);
    this.diagnosed.fire(training);
  }

  /** Runs what an editor action asked for once the session stopped (on entry, at the loop it ran to, or after a pause). */
  private afterStop(training: TrainingSession, reason: string): void {
    if (reason !== 'entry') this.removeTemporaryBreakpoint(training.program);
    const runTo = training.runTo;
    if (runTo && reason !== 'entry') {
      training.runTo = undefined;
      if (runTo.thenBatches > 0) void this.continueFromLoop(training, runTo);
      return;
    }
    const count = training.pendingBatches;
    if (count === undefined) return;
    training.pendingBatches = undefined;
    // A stop the user asked for (a breakpoint before the first batch) wins over the pending batches.
    if (reason !== 'entry' && reason !== 'pause') return;
    void this.stepBatches(training, count);
  }

  /** At the loop the session ran to: train the remaining batches, unless it stopped somewhere else (a user's breakpoint). */
  private async continueFromLoop(training: TrainingSession, runTo: RunTo): Promise<void> {
    try {
      const trace = (await training.session.customRequest('stackTrace', { threadId: training.threadId, startFrame: 0, levels: 1 })) as {
        stackFrames?: Array<{ line: number; source?: { path?: string } }>;
      };
      const top = trace.stackFrames?.[0];
      const path = top?.source?.path;
      if (!top || top.line - 1 !== runTo.line || (path !== undefined && !samePath(path, training.program))) return;
    } catch {
      return;
    }
    await this.stepBatches(training, runTo.thenBatches);
  }

  private removeTemporaryBreakpoint(program: string): void {
    const breakpoint = this.runToBreakpoints.get(program);
    if (!breakpoint) return;
    this.runToBreakpoints.delete(program);
    vscode.debug.removeBreakpoints([breakpoint]);
  }

  /** Adds a breakpoint for "run to this line" unless the user has one there. */
  private addTemporaryBreakpoint(program: vscode.Uri, line: number): void {
    this.removeTemporaryBreakpoint(program.fsPath);
    const alreadySet = vscode.debug.breakpoints.some(
      (b) => b instanceof vscode.SourceBreakpoint && b.enabled && samePath(b.location.uri.fsPath, program.fsPath) && b.location.range.start.line === line,
    );
    if (alreadySet) return;
    const breakpoint = new vscode.SourceBreakpoint(new vscode.Location(program, new vscode.Position(line, 0)), true);
    vscode.debug.addBreakpoints([breakpoint]);
    this.runToBreakpoints.set(program.fsPath, breakpoint);
  }

  /** The first body line of the loop on `loopLine`, from the open document or the file. */
  private async loopBodyLine(program: vscode.Uri, loopLine: number): Promise<number | null> {
    const open = vscode.workspace.textDocuments.find((d) => samePath(d.uri.fsPath, program.fsPath));
    let source: string;
    try {
      source = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(program));
    } catch {
      return null;
    }
    return firstBodyLine(source, loopLine);
  }

  private async stepBatches(training: TrainingSession, count: number): Promise<void> {
    this.setState(training, 'running');
    try {
      await training.session.customRequest('stepBatch', { count });
    } catch (error) {
      this.setState(training, 'paused');
      void vscode.window.showErrorMessage(vscode.l10n.t('Trainloop could not train the next batches: {error}', { error: String((error as Error)?.message ?? error) }));
    }
  }

  private ended(session: vscode.DebugSession): void {
    const training = this.sessions.get(session.id);
    if (!training || training.state === 'ended') return;
    training.state = 'ended';
    this.removeTemporaryBreakpoint(training.program);
    // Keep the last ended session per program (its charts and warnings stay until the next run).
    for (const [id, other] of this.sessions) if (other !== training && other.state === 'ended' && samePath(other.program, training.program)) this.sessions.delete(id);
    this.changed.fire(training);
  }

  /** Training runs only trusted code, from files on disk (not untitled or virtual documents). */
  private canRun(program: vscode.Uri): boolean {
    if (!vscode.workspace.isTrusted) {
      showUntrustedMessage();
      return false;
    }
    if (program.scheme !== 'file') {
      void vscode.window.showInformationMessage(vscode.l10n.t('Trainloop trains scripts saved on disk: save the file first.'));
      return false;
    }
    return true;
  }

  /**
   * "Train N batches": steps the file's session, or starts one. Started from a loop's CodeLens,
   * the session runs to the loop's first body line (the first batch bound, like `stepBatch`
   * stops) and then trains N - 1 more; without a loop it stops on entry and sends `stepBatch {N}`.
   */
  async trainBatches(program: vscode.Uri, count: number, loopLine?: number): Promise<void> {
    if (!this.canRun(program)) return;
    const training = this.forProgram(program);
    if (!training) {
      const bodyLine = loopLine === undefined ? null : await this.loopBodyLine(program, loopLine);
      if (bodyLine !== null) {
        this.addTemporaryBreakpoint(program, bodyLine);
        await this.start(program, { stopOnEntry: false, __trainloopRunTo: { line: bodyLine, thenBatches: count - 1 } });
      } else {
        await this.start(program, { stopOnEntry: true, __trainloopAfterEntry: { stepBatches: count } });
      }
      return;
    }
    switch (training.state) {
      case 'paused':
        await this.stepBatches(training, count);
        return;
      case 'starting':
        training.pendingBatches = count;
        return;
      case 'running':
        // Pause first; the batches run from where it stopped.
        training.pendingBatches = count;
        try {
          await training.session.customRequest('pause', { threadId: training.threadId });
        } catch {
          training.pendingBatches = undefined;
        }
        return;
    }
  }

  /** "Evaluate": runs to the first body line of the evaluation loop at `loopLine` and stops there (starting a session if needed). */
  async runToLine(program: vscode.Uri, loopLine: number): Promise<void> {
    if (!this.canRun(program)) return;
    const line = (await this.loopBodyLine(program, loopLine)) ?? loopLine;
    this.addTemporaryBreakpoint(program, line);
    const training = this.forProgram(program);
    if (!training) {
      await this.start(program, { stopOnEntry: false });
      return;
    }
    if (training.state === 'paused') {
      this.setState(training, 'running');
      if (vscode.debug.activeDebugSession === training.session) await vscode.commands.executeCommand('workbench.action.debug.continue');
      else await training.session.customRequest('continue', { threadId: training.threadId });
    }
  }

  async stop(program?: vscode.Uri): Promise<void> {
    const training = program ? this.forProgram(program) : this.current();
    if (!training || training.state === 'ended') {
      void vscode.window.showInformationMessage(vscode.l10n.t('No Trainloop session is running.'));
      return;
    }
    await vscode.debug.stopDebugging(training.session);
  }

  /** Continue the current session (the panel's button). */
  async continue(): Promise<void> {
    const training = this.current();
    if (!training || training.state !== 'paused') return;
    if (vscode.debug.activeDebugSession === training.session) await vscode.commands.executeCommand('workbench.action.debug.continue');
    else await training.session.customRequest('continue', { threadId: training.threadId });
  }

  private async start(program: vscode.Uri, extra: Partial<TrainloopLaunchConfiguration>): Promise<void> {
    const folder = vscode.workspace.getWorkspaceFolder(program);
    const config = launchConfigurationFor(program, extra);
    const ok = await vscode.debug.startDebugging(folder, config);
    if (!ok) void vscode.window.showErrorMessage(vscode.l10n.t('Trainloop could not start a debug session for {file}.', { file: program.fsPath }));
  }
}
