// The training panel's host side: creates the webview (strict CSP with a nonce, asWebviewUri), waits for the page's `ready`, then sends the run's history and throttled live updates.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { localizeRuntimeFinding, localizedDiagnosticTitle } from './diagnosticText';
import { ThrottledPanelUpdates } from './panelUpdates';
import { RunHistory, pastRun } from './runHistory';
import { readSettings } from './settings';
import { translate, type StaticDiagnostics } from './staticDiagnostics';
import type { TrainingSession, TrainingSessions } from './trainingSessions';
import { COMMANDS } from './trainingCodeLens';
import type { HostToPanelMessage, PanelAction, PanelDiagnostic, PanelToHostMessage, PastRun } from '../webview/panelProtocol';
import { saveCurvesCsv, saveChartPng } from './panelExports';

export const TRAINING_PANEL_VIEW_TYPE = 'trainloop.trainingPanel';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

function codeOf(d: vscode.Diagnostic): string {
  const code = d.code;
  if (typeof code === 'string' || typeof code === 'number') return String(code);
  return code ? String(code.value) : '';
}

export class TrainingPanel implements vscode.Disposable {
  private static current: TrainingPanel | undefined;
  /** The last runs' curves (set at activation by keepRuns), and when each session started. */
  private static runHistory: RunHistory | undefined;
  private static readonly startedAt = new WeakMap<TrainingSession, number>();

  /** Keeps every run's loss curve in `memento` (the workspace state) as it ends, for the page's history overlay. */
  static keepRuns(memento: vscode.Memento, sessions: TrainingSessions): vscode.Disposable {
    const history = (TrainingPanel.runHistory = new RunHistory(memento ?? inMemoryState()));
    const record = (training: TrainingSession) =>
      history.record(
        pastRun(training.session.id, training.session.name, training.program, TrainingPanel.startedAt.get(training) ?? Date.now(), training.history.points),
      );
    const listeners = [
      sessions.onDidStart((training) => TrainingPanel.startedAt.set(training, Date.now())),
      sessions.onDidChange((training) => {
        if (training?.state === 'ended' && training.history.points.length > 0) record(training);
      }),
    ];
    return { dispose: () => listeners.forEach((listener) => listener.dispose()) };
  }

  /** The earlier runs of the script at `program` (not the run `shownId`), newest first: a run of another script
   * would be a curve of another model and data set on this run's loss chart. */
  private static runs(program: string | undefined, shownId: string | undefined): PastRun[] {
    return TrainingPanel.runHistory?.runsOf(program, shownId) ?? [];
  }
  private ready = false;
  private readonly throttle: ThrottledPanelUpdates;
  private readonly disposables: vscode.Disposable[] = [];
  /** The session whose run the page shows (the latest one, also after it ended). */
  private shown: TrainingSession | undefined;
  /** With no session: the Python file whose static warnings are listed. */
  private program: vscode.Uri | undefined;
  /** The session state the page was last sent (while it stays `running`, the throttled updates carry the session). */
  private postedState: string | undefined;

  static show(extensionUri: vscode.Uri, sessions: TrainingSessions, diagnostics: StaticDiagnostics, program?: vscode.Uri): TrainingPanel {
    if (TrainingPanel.current) {
      if (program) TrainingPanel.current.showProgram(program);
      TrainingPanel.current.panel.reveal(undefined, true);
      TrainingPanel.current.sendDiagnostics();
      return TrainingPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      TRAINING_PANEL_VIEW_TYPE,
      vscode.l10n.t('Training'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      webviewOptions(extensionUri),
    );
    TrainingPanel.current = new TrainingPanel(panel, extensionUri, sessions, diagnostics, program);
    return TrainingPanel.current;
  }

  /** Closes the panel (when the extension is deactivated). */
  static closeCurrent(): void {
    TrainingPanel.current?.dispose();
  }

  /** A panel VS Code restored after a reload (its page restores its own state first). */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, sessions: TrainingSessions, diagnostics: StaticDiagnostics): TrainingPanel {
    TrainingPanel.current?.dispose();
    panel.webview.options = webviewOptions(extensionUri);
    TrainingPanel.current = new TrainingPanel(panel, extensionUri, sessions, diagnostics, undefined);
    return TrainingPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly sessions: TrainingSessions,
    private readonly staticDiagnostics: StaticDiagnostics,
    program: vscode.Uri | undefined,
  ) {
    this.program = program ?? this.activePythonFile();
    this.shown = sessions.current();
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'trainloop.svg');
    this.throttle = new ThrottledPanelUpdates((message) => this.post(message), readSettings().panelUpdateRateHz);
    this.panel.webview.html = this.html();
    this.disposables.push(
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.webview.onDidReceiveMessage((message: PanelToHostMessage) => this.onMessage(message)),
      sessions.onDidStart((training) => {
        this.shown = training;
        this.throttle.clear();
        this.post({ type: 'reset', session: training.toPanelSession(), runs: TrainingPanel.runs(training.program, training.session.id) });
        this.sendDiagnostics();
      }),
      sessions.onDidReportBatch(({ session, changes }) => {
        if (session !== this.shown || !this.ready) return;
        this.throttle.add({ ...changes, session: session.toPanelSession() });
      }),
      sessions.onDidChange((training) => {
        if (!training || training !== this.shown || !this.ready) return;
        // A pause shows the exact last batch at once; a run going on needs no message per batch.
        if (training.state !== 'running') this.throttle.flush();
        else if (this.postedState === 'running') return;
        this.post({ type: 'session', session: training.toPanelSession() });
      }),
      sessions.onDidChangeRuntimeDiagnostics((training) => {
        if (training === this.shown) this.sendDiagnostics();
      }),
      staticDiagnostics.onDidChange((uri) => {
        if (uri.fsPath === this.programPath()) this.sendDiagnostics();
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (!this.shown && editor?.document.languageId === 'python') {
          this.showProgram(editor.document.uri);
          this.sendDiagnostics();
        }
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('trainloop.panel.updateRateHz')) this.throttle.setRate(readSettings().panelUpdateRateHz);
      }),
    );
  }

  dispose(): void {
    if (TrainingPanel.current === this) TrainingPanel.current = undefined;
    this.throttle.clear();
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
    this.panel.dispose();
  }

  private activePythonFile(): vscode.Uri | undefined {
    const document = vscode.window.activeTextEditor?.document;
    return document?.languageId === 'python' ? document.uri : undefined;
  }

  /** The Python file the panel is about when it shows no run; the page, empty then, gets that file's earlier runs. */
  private showProgram(program: vscode.Uri): void {
    const changed = this.program?.fsPath !== program.fsPath;
    this.program = program;
    if (changed && !this.shown) this.post({ type: 'reset', session: null, runs: TrainingPanel.runs(program.fsPath, undefined) });
  }

  private programPath(): string | undefined {
    return this.shown?.program || this.program?.fsPath;
  }

  private post(message: HostToPanelMessage): void {
    if (!this.ready) return;
    if ('session' in message && message.session) this.postedState = message.session.state;
    void this.panel.webview.postMessage(message);
  }

  private onMessage(message: PanelToHostMessage): void {
    switch (message.type) {
      case 'ready': {
        this.ready = true;
        const session = this.shown;
        const snapshot = session ? session.history.snapshot(session.toPanelSession()) : { session: null, points: [], histograms: null, inputs: null, diagnostics: [] };
        const init: HostToPanelMessage = {
          type: 'init',
          batchCount: readSettings().codeLensBatchCount,
          ...snapshot,
          diagnostics: this.panelDiagnostics(),
          runs: TrainingPanel.runs(this.programPath(), session?.session.id),
        };
        if (vscode.l10n.bundle) init.l10nBundle = vscode.l10n.bundle;
        void this.panel.webview.postMessage(init);
        return;
      }
      case 'openLocation': {
        const position = new vscode.Position(Math.max(0, message.line), Math.max(0, message.col));
        void vscode.window.showTextDocument(vscode.Uri.file(message.path), {
          selection: new vscode.Range(position, position),
          viewColumn: vscode.ViewColumn.One,
        });
        return;
      }
      case 'run':
        void this.run(message.action);
        return;
      case 'exportCsv':
        void saveCurvesCsv(message.text, this.exportFolder(), this.shown?.session.name);
        return;
      case 'exportPng':
        void saveChartPng(message.name, message.dataUrl, this.exportFolder());
        return;
    }
  }

  /** Where the save dialogs open: the program's folder. */
  private exportFolder(): vscode.Uri | undefined {
    const path = this.programPath();
    return path ? vscode.Uri.joinPath(vscode.Uri.file(path), '..') : undefined;
  }

  private async run(action: PanelAction): Promise<void> {
    const path = this.programPath();
    const program = path ? vscode.Uri.file(path) : undefined;
    switch (action) {
      case 'trainOneBatch':
      case 'trainBatches':
        if (!program) {
          void vscode.window.showInformationMessage(vscode.l10n.t('Open a Python training script to start a Trainloop session.'));
          return;
        }
        await vscode.commands.executeCommand(action === 'trainOneBatch' ? COMMANDS.trainOneBatch : COMMANDS.trainBatches, program);
        return;
      case 'continue':
        await this.sessions.continue();
        return;
      case 'stop':
        await this.sessions.stop(program);
        return;
      case 'openQuickstart':
        await vscode.commands.executeCommand(COMMANDS.openQuickstart);
        return;
    }
  }

  private panelDiagnostics(): PanelDiagnostic[] {
    const path = this.programPath();
    if (!path) return [];
    const list: PanelDiagnostic[] = [];
    const runtime = this.shown?.runtimeDiagnostics ?? [];
    for (const d of this.staticDiagnostics.get(vscode.Uri.file(path))) {
      const code = codeOf(d);
      // As in Problems: the run's finding of this code on this line is the one listed, with what it measured.
      if (runtime.some((r) => r.code === code && r.line === d.range.start.line && (r.path ?? path) === path)) continue;
      list.push({ code, title: localizedDiagnosticTitle(code, translate), message: d.message, origin: 'static', path, line: d.range.start.line, col: d.range.start.character });
    }
    if (this.shown) {
      for (const d of this.shown.runtimeDiagnostics) {
        const item: PanelDiagnostic = {
          code: d.code,
          title: localizedDiagnosticTitle(d.code, translate),
          message: localizeRuntimeFinding(d, translate),
          origin: 'runtime',
          path: d.path ?? path,
        };
        if (d.line !== undefined) item.line = d.line;
        if (d.col !== undefined) item.col = d.col;
        if (d.batch !== undefined) item.batch = d.batch;
        list.push(item);
      }
    }
    return list;
  }

  private sendDiagnostics(): void {
    this.post({ type: 'diagnostics', diagnostics: this.panelDiagnostics() });
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = randomBytes(16).toString('base64');
    const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...path)).toString();
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    const lang = vscode.env.language.replace(/[^A-Za-z-]/g, '');
    return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('dist', 'webview', 'trainingPanel.css')}">
<link rel="stylesheet" href="${asset('media', 'trainingPanel.css')}">
<title>${escapeHtml(vscode.l10n.t('Training'))}</title>
</head>
<body>
<main id="app"></main>
<script nonce="${nonce}" src="${asset('dist', 'webview', 'trainingPanel.js')}"></script>
</body>
</html>`;
  }
}

/** A workspace state that lasts as long as the extension (where the host gives none). */
function inMemoryState(): Pick<vscode.Memento, 'get' | 'update'> {
  const values = new Map<string, unknown>();
  return { get: <T>(key: string) => values.get(key) as T, update: async (key: string, value: unknown) => void values.set(key, value) };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
