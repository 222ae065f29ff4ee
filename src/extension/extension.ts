// Trainloop's VS Code extension: registers the `trainloop` debugger's providers, the CodeLens, diagnostics, hovers, inline values, status bar, training panel and commands.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import {
  DEBUG_TYPE,
  TrainloopAdapterFactory,
  TrainloopConfigurationProvider,
  TrainloopDynamicConfigurationProvider,
} from './debugConfiguration';
import { LaunchProblems } from './launchProblems';
import { PythonEvaluatableExpressions, TensorInlineValues } from './pythonDebugProviders';
import { readSettings } from './settings';
import { RuntimeDiagnostics, StaticDiagnostics, TrainloopQuickFixes } from './staticDiagnostics';
import { COMMANDS, TrainingCodeLens } from './trainingCodeLens';
import { TRAINING_PANEL_VIEW_TYPE, TrainingPanel } from './trainingPanel';
import { exportCurvesCommand } from './panelExports';
import { TrainingSessions } from './trainingSessions';
import { TrainingStatusBar } from './trainingStatusBar';
import { TrainingStepHover } from './trainingStepHover';
import { chooseTrainingProblemStops, followTrainingProblemStops } from './trainingProblemStops';
import { announceRuntimeFinding } from './runtimeFindingNotice';

const PYTHON: vscode.DocumentSelector = [
  { language: 'python', scheme: 'file' },
  { language: 'python', scheme: 'untitled' },
];

/** The file a command acts on: its argument (from a CodeLens), else the Python file in the editor. */
function programOf(argument: unknown): vscode.Uri | undefined {
  if (argument instanceof vscode.Uri) return argument;
  const document = vscode.window.activeTextEditor?.document;
  if (document?.languageId === 'python') return document.uri;
  void vscode.window.showInformationMessage(vscode.l10n.t('Open a Python training script to start a Trainloop session.'));
  return undefined;
}

/**
 * The quickstart example to open: the workspace's own `examples/quickstart.py` if it has one,
 * else a copy of the bundled one in the extension's storage (the script writes `data/` and
 * `model.pth` beside itself, which must not land in the installed extension). An existing copy
 * is kept, with the user's edits.
 */
async function quickstartUri(context: vscode.ExtensionContext): Promise<vscode.Uri | undefined> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const candidate = vscode.Uri.joinPath(folder.uri, 'examples', 'quickstart.py');
    if (candidate.scheme === 'file' && existsSync(candidate.fsPath)) return candidate;
  }
  const bundled = vscode.Uri.joinPath(context.extensionUri, 'examples', 'quickstart.py');
  if (!existsSync(bundled.fsPath)) return undefined;
  const copy = vscode.Uri.joinPath(context.globalStorageUri, 'quickstart', 'quickstart.py');
  if (!existsSync(copy.fsPath)) {
    try {
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(copy, '..'));
      await vscode.workspace.fs.copy(bundled, copy);
    } catch {
      return bundled;
    }
  }
  return copy;
}

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Trainloop', 'trainlog');
  const sessions = new TrainingSessions(output);
  const runtimeDiagnostics = new RuntimeDiagnostics();
  const staticDiagnostics = new StaticDiagnostics(runtimeDiagnostics);
  const launchProblems = new LaunchProblems();
  const codeLens = new TrainingCodeLens(sessions, launchProblems);
  const showPanel = (program?: vscode.Uri) => TrainingPanel.show(context.extensionUri, sessions, staticDiagnostics, program);

  context.subscriptions.push(
    output,
    sessions,
    staticDiagnostics,
    runtimeDiagnostics,
    runtimeDiagnostics.onDidReport(({ findings, first }) => {
      if (first) void announceRuntimeFinding(findings[0]);
    }),
    launchProblems,
    codeLens,
    new TrainingStatusBar(sessions, COMMANDS.showPanel),
    { dispose: () => TrainingPanel.closeCurrent() },
    TrainingPanel.keepRuns(context.workspaceState, sessions),

    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new TrainloopConfigurationProvider()),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      new TrainloopDynamicConfigurationProvider(),
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
    vscode.debug.registerDebugAdapterDescriptorFactory(
      DEBUG_TYPE,
      // Pyodide's packages (numpy...) are kept in the extension's storage once fetched.
      new TrainloopAdapterFactory(context.asAbsolutePath('dist'), undefined, vscode.Uri.joinPath(context.globalStorageUri, 'packages').fsPath),
    ),

    vscode.languages.registerCodeLensProvider(PYTHON, codeLens),
    vscode.languages.registerCodeActionsProvider(PYTHON, new TrainloopQuickFixes(), TrainloopQuickFixes.metadata),
    vscode.languages.registerHoverProvider(PYTHON, new TrainingStepHover(sessions)),
    vscode.languages.registerEvaluatableExpressionProvider(PYTHON, new PythonEvaluatableExpressions()),
    vscode.languages.registerInlineValuesProvider(PYTHON, new TensorInlineValues()),

    vscode.window.registerWebviewPanelSerializer(TRAINING_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => {
        TrainingPanel.revive(panel, context.extensionUri, sessions, staticDiagnostics);
      },
    }),

    sessions.onDidStart((training) => {
      runtimeDiagnostics.clear(training.program);
      if (training.program) launchProblems.clear(vscode.Uri.file(training.program));
      output.appendLine(vscode.l10n.t('── Trainloop: {name} ──', { name: training.session.name }));
    }),
    sessions.onDidReportLaunchProblem(({ problem }) => launchProblems.show(problem)),
    followTrainingProblemStops(() => sessions.all().filter((s) => s.state !== 'ended').map((s) => s.session)),
    vscode.commands.registerCommand(COMMANDS.chooseTrainingProblems, () => chooseTrainingProblemStops()),
    vscode.commands.registerCommand(COMMANDS.exportCurves, () => exportCurvesCommand(sessions)),
    sessions.onDidChangeRuntimeDiagnostics((training) => runtimeDiagnostics.show(training.program, training.runtimeDiagnostics)),

    vscode.commands.registerCommand(COMMANDS.trainOneBatch, async (argument?: unknown, loopLine?: unknown) => {
      const program = programOf(argument);
      if (program) await sessions.trainBatches(program, 1, typeof loopLine === 'number' ? loopLine : undefined);
    }),
    vscode.commands.registerCommand(COMMANDS.trainBatches, async (argument?: unknown, loopLine?: unknown) => {
      const program = programOf(argument);
      if (program) await sessions.trainBatches(program, readSettings(program).codeLensBatchCount, typeof loopLine === 'number' ? loopLine : undefined);
    }),
    vscode.commands.registerCommand(COMMANDS.stop, async (argument?: unknown) => {
      await sessions.stop(argument instanceof vscode.Uri ? argument : undefined);
    }),
    vscode.commands.registerCommand(COMMANDS.showPanel, (argument?: unknown) => {
      showPanel(argument instanceof vscode.Uri ? argument : undefined);
    }),
    vscode.commands.registerCommand(COMMANDS.evaluate, async (argument?: unknown, line?: unknown) => {
      const program = programOf(argument);
      const at = typeof line === 'number' ? line : vscode.window.activeTextEditor?.selection.active.line;
      if (program && at !== undefined) await sessions.evaluate(program, at);
    }),
    vscode.commands.registerCommand(COMMANDS.stepBatch, async () => {
      // The debug toolbar's button: one batch in the session in front.
      const training = sessions.current();
      if (training?.program) await sessions.trainBatches(vscode.Uri.file(training.program), 1);
    }),
    vscode.commands.registerCommand(COMMANDS.openQuickstart, async () => {
      const uri = await quickstartUri(context);
      if (!uri) {
        void vscode.window.showErrorMessage(vscode.l10n.t('The quickstart example is missing from this installation.'));
        return;
      }
      await vscode.window.showTextDocument(uri, { preview: false });
    }),
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions; debug sessions end with the host.
}
