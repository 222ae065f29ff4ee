// Follows every `trainloop` debug session through a DebugAdapterTracker (state, batches, losses, runtime warnings, output) and runs the editor's training actions through those sessions.
import * as vscode from 'vscode';
import { type BatchReport, type RuntimeDiagnostic, parseTrainloopEvent } from './adapterEvents';
import { DEBUG_TYPE, type TrainloopLaunchConfiguration, launchConfigurationFor, showUntrustedMessage } from './debugConfiguration';
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
  threadId = 1;

  constructor(readonly session: vscode.DebugSession) {
    const config = session.configuration as TrainloopLaunchConfiguration;
    this.pendingBatches = config.__trainloopAfterEntry?.stepBatches;
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
  /** Sessions that are about to start, by program path, with the temporary breakpoint of "Evaluate". */
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

  /** Runs what an editor action asked for once the session stopped (on entry, or after a pause). */
  private afterStop(training: TrainingSession, reason: string): void {
    const breakpoint = this.runToBreakpoints.get(training.program);
    if (breakpoint && reason !== 'entry') {
      this.runToBreakpoints.delete(training.program);
      vscode.debug.removeBreakpoints([breakpoint]);
    }
    const count = training.pendingBatches;
    if (count === undefined) return;
    training.pendingBatches = undefined;
    // A stop the user asked for (a breakpoint before the first batch) wins over the pending batches.
    if (reason !== 'entry' && reason !== 'pause') return;
    void this.stepBatches(training, count);
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
    const breakpoint = this.runToBreakpoints.get(training.program);
    if (breakpoint) {
      this.runToBreakpoints.delete(training.program);
      vscode.debug.removeBreakpoints([breakpoint]);
    }
    // Keep the last ended session per program (its charts and warnings stay until the next run).
    for (const [id, other] of this.sessions) if (other !== training && other.state === 'ended' && samePath(other.program, training.program)) this.sessions.delete(id);
    this.changed.fire(training);
  }

  private trusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    showUntrustedMessage();
    return false;
  }

  /** "Train N batches": steps the file's session, or starts one that stops after N batches. */
  async trainBatches(program: vscode.Uri, count: number): Promise<void> {
    if (!this.trusted()) return;
    const training = this.forProgram(program);
    if (!training) {
      await this.start(program, { stopOnEntry: true, __trainloopAfterEntry: { stepBatches: count } });
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

  /** "Evaluate": runs to the evaluation loop at `line` and stops there (starting a session if needed). */
  async runToLine(program: vscode.Uri, line: number): Promise<void> {
    if (!this.trusted()) return;
    const existing = this.runToBreakpoints.get(program.fsPath);
    if (existing) vscode.debug.removeBreakpoints([existing]);
    const breakpoint = new vscode.SourceBreakpoint(new vscode.Location(program, new vscode.Position(line, 0)), true);
    const alreadySet = vscode.debug.breakpoints.some(
      (b) => b instanceof vscode.SourceBreakpoint && b.enabled && samePath(b.location.uri.fsPath, program.fsPath) && b.location.range.start.line === line,
    );
    if (!alreadySet) {
      vscode.debug.addBreakpoints([breakpoint]);
      this.runToBreakpoints.set(program.fsPath, breakpoint);
    }
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
