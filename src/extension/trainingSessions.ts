// Follows every `trainloop` debug session through a DebugAdapterTracker (state, batches, losses, runtime warnings, output) and runs the editor's training actions through those sessions.
import * as vscode from 'vscode';
import { type BatchReport, type RuntimeDiagnostic, parseTrainloopEvent } from './adapterEvents';
import { EVALUATED_EVENT, EVALUATE_LOOP_REQUEST, type EvaluateLoopArguments, type EvaluatedEventBody, type LaunchProblemEventBody, type RuntimeEventBody } from '../debug/debugContract';
import { evaluationMessage } from './evaluationMessage';
import { translate } from './staticDiagnostics';
import { RUN_TO_LINE_REQUEST, STEP_BATCH_REQUEST, type RunToLineArguments } from './batchSteppingAdapter';
import { DEBUG_TYPE, type TrainloopLaunchConfiguration, launchConfigurationFor, showUntrustedMessage } from './debugConfiguration';
import { firstBodyLine } from './pythonExpressions';
import { type HistoryChange, TrainingHistory } from './panelUpdates';
import type { LastMeasurements } from './trainingStepCalls';
import { lensTargets } from './trainingLoopLenses';
import { findTrainingLoops } from '../analysis/trainingLoops';
import type { PanelSession } from '../webview/panelProtocol';

export type SessionRunState = PanelSession['state'];

/** One `trainloop` debug session as the editor knows it. */
export class TrainingSession {
  state: SessionRunState = 'starting';
  /** The embedded runtime's TensorFlow.js backend: the launch's choice, then the one the runtime started with. */
  backend: string | undefined;
  /** The runtime that runs the script (its `trainloopRuntime` event), once it has started. */
  runtime: RuntimeEventBody | undefined;
  lastReport: BatchReport | undefined;
  /** The last gradient norms and update ratios (a report carries them only at the batch they were measured in). */
  measured: LastMeasurements = {};
  history = new TrainingHistory();
  runtimeDiagnostics: RuntimeDiagnostic[] = [];
  /**
   * The batch the run is at, numbered from 0 as the adapter numbers them: the one being trained, or about to be
   * when the session stops at a loop body ("batch 10"), which is also how many batches have been trained.
   * Undefined before the first batch.
   */
  batch: number | undefined;
  /** The loss of the last batch trained (null when it had none), undefined before the first. */
  loss: number | null | undefined;
  /** Batches to train at the next stop (set when a session is started on entry or paused for "Train N batches"). */
  pendingBatches: number | undefined;
  /** The evaluation loop to run at the next stop (set when a running session is paused for "Evaluate"). */
  pendingEvaluation: EvaluateLoopArguments | undefined;
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

  /** Records a report: every batch it covers is one more trained batch. */
  addReport(report: BatchReport): HistoryChange {
    this.lastReport = report;
    if (Object.keys(report.gradNorms).length > 0) this.measured.gradNorms = { batch: report.batch, values: report.gradNorms };
    if (Object.keys(report.updateRatios).length > 0) this.measured.updateRatios = { batch: report.batch, values: report.updateRatios };
    const changes = this.history.add(report);
    if (report.batch > 0) this.batch = report.batch; // the batch being trained or just ended, from 1, as the stop names it
    if (changes.points.length > 0) {
      this.loss = report.losses ? report.losses[report.losses.length - 1] : report.loss;
    }
    return changes;
  }

  /**
   * The adapter's stop says which batch it stopped at (`batch: 10` beside the description "batch 10", which is in the
   * user's language): that is the batch shown.
   */
  stoppedAt(description: unknown, batch?: unknown): void {
    if (typeof batch === 'number' && Number.isInteger(batch)) {
      this.batch = batch;
      return;
    }
    const match = typeof description === 'string' ? /^batch (\d+)$/.exec(description.trim()) : null;
    if (match) this.batch = Number(match[1]);
  }

  /** A restarted session trains from batch 0 again. */
  restart(): void {
    this.history = new TrainingHistory();
    this.runtimeDiagnostics = [];
    this.lastReport = undefined;
    this.measured = {};
    this.batch = undefined;
    this.loss = undefined;
  }

  toPanelSession(): PanelSession {
    const panel: PanelSession = { id: this.session.id, name: this.session.name, program: this.program, state: this.state };
    if (this.backend) panel.backend = this.backend;
    if (this.batch !== undefined) panel.batch = this.batch;
    if (this.loss !== undefined) panel.loss = this.loss;
    return panel;
  }
}

export interface LaunchProblemReported {
  session: TrainingSession;
  problem: LaunchProblemEventBody;
}

export interface BatchReported {
  session: TrainingSession;
  report: BatchReport;
  changes: HistoryChange;
}

/** Requests after which the program runs until the adapter says `stopped`. */
const RESUMING_REQUESTS: ReadonlySet<string> = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'goto', STEP_BATCH_REQUEST, RUN_TO_LINE_REQUEST, 'restart']);

function samePath(a: string, b: string): boolean {
  return process.platform === 'win32' || process.platform === 'darwin' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function errorText(error: unknown): string {
  return String((error as Error)?.message ?? error);
}

export class TrainingSessions implements vscode.Disposable {
  private readonly sessions = new Map<string, TrainingSession>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<TrainingSession | undefined>();
  private readonly started = new vscode.EventEmitter<TrainingSession>();
  private readonly reported = new vscode.EventEmitter<BatchReported>();
  private readonly diagnosed = new vscode.EventEmitter<TrainingSession>();
  private readonly launchFailed = new vscode.EventEmitter<LaunchProblemReported>();
  /** Programs whose launch said why it failed (the generic "could not start" message is then left out). */
  private readonly launchProblemPrograms = new Set<string>();

  /** A session started, ended, paused, resumed, or reported a batch (for the status bar and CodeLens). */
  readonly onDidChange = this.changed.event;
  /** A session started (or restarted): its run begins from batch 0. */
  readonly onDidStart = this.started.event;
  readonly onDidReportBatch = this.reported.event;
  readonly onDidChangeRuntimeDiagnostics = this.diagnosed.event;
  /** A launch failed and said why (a syntax error, a missing program, an interpreter that cannot run). */
  readonly onDidReportLaunchProblem = this.launchFailed.event;

  constructor(private readonly output: vscode.OutputChannel) {
    this.disposables.push(
      this.changed,
      this.started,
      this.reported,
      this.diagnosed,
      this.launchFailed,
      vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, { createDebugAdapterTracker: (session) => this.track(session) }),
      vscode.debug.onDidTerminateDebugSession((session) => this.ended(session)),
      vscode.debug.onDidChangeActiveDebugSession(() => this.changed.fire(this.current())),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
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
        if (message.type !== 'request' || !message.command) return;
        if (message.command === 'restart') {
          training.restart();
          this.started.fire(training);
        }
        if (RESUMING_REQUESTS.has(message.command)) this.setState(training, 'running');
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
        training.stoppedAt(fields.description, fields.batch);
        if (training.state === 'paused') this.changed.fire(training);
        this.setState(training, 'paused');
        this.afterStop(training, typeof fields.reason === 'string' ? fields.reason : '');
        return;
      case 'continued':
        this.setState(training, 'running');
        return;
      case 'initialized':
        return;
      case EVALUATED_EVENT: {
        const shown = evaluationMessage(body as EvaluatedEventBody, translate);
        if (shown.kind === 'error') void vscode.window.showErrorMessage(shown.text);
        else void vscode.window.showInformationMessage(shown.text);
        return;
      }
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
        training.runtime = parsed.runtime;
        if (parsed.runtime.backend) training.backend = parsed.runtime.backend;
        if (training.state === 'starting') training.state = 'running';
        this.changed.fire(training);
        return;
      case 'diagnostic':
        this.addRuntimeDiagnostic(training, parsed.diagnostic);
        return;
      case 'launchProblem':
        this.launchProblemPrograms.add(training.program);
        this.launchFailed.fire({ session: training, problem: parsed.problem });
        return;
      case 'batch': {
        if (training.state === 'starting') training.state = 'running';
        const changes = training.addReport(parsed.report);
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

  /** Trains the batches an editor action asked for once the session stopped on entry or for the pause it asked for. */
  private afterStop(training: TrainingSession, reason: string): void {
    const count = training.pendingBatches;
    const evaluation = training.pendingEvaluation;
    training.pendingBatches = undefined;
    training.pendingEvaluation = undefined;
    // A stop the user asked for (a breakpoint before the first batch) wins over the pending batches.
    if (reason !== 'entry' && reason !== 'pause') return;
    if (evaluation) void this.evaluateIn(training, evaluation);
    else if (count !== undefined) void this.stepBatches(training, count);
  }

  /** The first body line (0-based) of the training loop at `loopLine`, or of the file's first training loop. */
  private async trainingLoopBodyLine(program: vscode.Uri, loopLine: number | undefined): Promise<number | null> {
    const source = await this.sourceOf(program);
    if (source === null) return null;
    if (loopLine !== undefined) return firstBodyLine(source, loopLine);
    const loop = lensTargets(findTrainingLoops(source)).find((range) => range.kind === 'training');
    return loop ? firstBodyLine(source, loop.startLine) : null;
  }

  /** The program's text: the open document (saved by VS Code before a launch) or the file. */
  private async sourceOf(program: vscode.Uri): Promise<string | null> {
    const open = vscode.workspace.textDocuments.find((d) => samePath(d.uri.fsPath, program.fsPath));
    if (open) return open.getText();
    try {
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(program));
    } catch {
      return null;
    }
  }

  private async stepBatches(training: TrainingSession, count: number): Promise<void> {
    this.setState(training, 'running');
    try {
      await training.session.customRequest(STEP_BATCH_REQUEST, { count });
    } catch (error) {
      this.setState(training, 'paused');
      void vscode.window.showErrorMessage(vscode.l10n.t('Trainloop could not train the next batches: {error}', { error: errorText(error) }));
    }
  }

  private ended(session: vscode.DebugSession): void {
    const training = this.sessions.get(session.id);
    if (!training || training.state === 'ended') return;
    training.state = 'ended';
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
   * "Train N batches": steps the file's session, or starts one. A new session runs to the first
   * body line of the loop (the CodeLens's, else the file's first training loop), trains N batches
   * from there and stops at the end of the last one, as `stepBatch {N}` does in a paused
   * session: after "Train one batch", batch 1 has trained (its step() too) and its variables are still bound.
   */
  async trainBatches(program: vscode.Uri, count: number, loopLine?: number): Promise<void> {
    if (!this.canRun(program)) return;
    const training = this.forProgram(program);
    if (!training) {
      const bodyLine = await this.trainingLoopBodyLine(program, loopLine);
      if (bodyLine !== null) await this.start(program, { stopOnEntry: false, __trainloopRun: { line: bodyLine + 1, batches: count } });
      else await this.start(program, { stopOnEntry: true, __trainloopAfterEntry: { stepBatches: count } });
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

  /**
   * "Evaluate" over the evaluation loop at `loopLine` (0-based): runs it with the current weights and trains nothing.
   * A paused session runs it at once, in place (the agent calls the script's own call of the loop's function); a
   * running one is paused first. Without a session, one is started that runs to the first body line of the file's
   * first training loop — the model and data exist there, no batch has trained — evaluates there and stays paused.
   * A file without a training loop has nothing to skip: the session runs to the evaluation loop and stops in it.
   */
  async evaluate(program: vscode.Uri, loopLine: number): Promise<void> {
    if (!this.canRun(program)) return;
    const evaluation: EvaluateLoopArguments = { path: program.fsPath, line: loopLine + 1 };
    const training = this.forProgram(program);
    if (!training) {
      const trainingLine = await this.trainingLoopBodyLine(program, undefined);
      if (trainingLine === null) return this.runToLine(program, loopLine);
      await this.start(program, { stopOnEntry: false, __trainloopRun: { line: trainingLine + 1, batches: 0, evaluate: { line: evaluation.line } } });
      return;
    }
    switch (training.state) {
      case 'paused':
        await this.evaluateIn(training, evaluation);
        return;
      case 'starting':
        training.pendingEvaluation = evaluation;
        return;
      case 'running':
        training.pendingEvaluation = evaluation;
        try {
          await training.session.customRequest('pause', { threadId: training.threadId });
        } catch {
          training.pendingEvaluation = undefined;
        }
        return;
    }
  }

  /** Runs the evaluation in the paused session; the adapter's `trainloopEvaluated` event tells the outcome either way. */
  private async evaluateIn(training: TrainingSession, evaluation: EvaluateLoopArguments): Promise<void> {
    try {
      await training.session.customRequest(EVALUATE_LOOP_REQUEST, evaluation);
    } catch {
      // shown from the event
    }
  }

  /** Runs to the first body line of the evaluation loop at `loopLine` and stops there (starting a session if needed). */
  async runToLine(program: vscode.Uri, loopLine: number): Promise<void> {
    if (!this.canRun(program)) return;
    const source = await this.sourceOf(program);
    const line = (source === null ? null : firstBodyLine(source, loopLine)) ?? loopLine;
    const run: RunToLineArguments = { line: line + 1, batches: 0 };
    const training = this.forProgram(program);
    if (!training) {
      await this.start(program, { stopOnEntry: false, __trainloopRun: run });
      return;
    }
    try {
      await training.session.customRequest(RUN_TO_LINE_REQUEST, run);
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Trainloop could not run to line {line}: {error}', { line: line + 1, error: errorText(error) }));
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
    this.launchProblemPrograms.delete(program.fsPath);
    const ok = await vscode.debug.startDebugging(folder, config);
    // A launch that said why it failed was shown where it belongs (Debug Console, Problems); this is for the others.
    if (!ok && !this.launchProblemPrograms.delete(program.fsPath)) void vscode.window.showErrorMessage(vscode.l10n.t('Trainloop could not start a debug session for {file}.', { file: program.fsPath }));
  }
}
