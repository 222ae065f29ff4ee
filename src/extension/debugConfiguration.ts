// The `trainloop` debugger's configurations: F5 on a Python file without launch.json, launch.json's initial and dynamic entries, the settings' defaults (runtime and interpreter included), and where the adapter runs.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { BatchSteppingAdapter, type LoopRun } from './batchSteppingAdapter';
import { resolveRuntimeAttributes } from './interpreterChoice';
import { runtimeInputs, showInterpreterProblem } from './pythonInterpreter';
import { disabledDetectors, readSettings } from './settings';
import { chooseRuntime } from '../runtime/runtimeChoice';

export const DEBUG_TYPE = 'trainloop';

/** What the editor does once the session first stops on entry (internal, not a launch attribute users write). */
export interface AfterEntry {
  /** Send `stepBatch {count}`: train this many batches, then stop. */
  stepBatches?: number;
}


export interface TrainloopLaunchConfiguration extends vscode.DebugConfiguration {
  program?: string;
  cwd?: string;
  args?: string[];
  stopOnEntry?: boolean;
  backend?: string;
  maxBatches?: number;
  disabledDetectors?: string[];
  /** `auto`, `python` or `embedded` (debugContract's RuntimeKind; the adapter checks the value). */
  runtime?: string;
  /** The python runtime's interpreter. */
  python?: string;
  /** The training problems the "Training Problems" exception filter stops on. */
  stopOnTrainingProblems?: string[];
  __trainloopAfterEntry?: AfterEntry;
  /** Run to a loop's first body line and train batches there before the first stop is shown (BatchSteppingAdapter). */
  __trainloopRun?: LoopRun;
}

/** The program as a file Uri, when it is a path already (not `${file}`). */
function programUri(program: unknown): vscode.Uri | undefined {
  return typeof program === 'string' && program !== '' && !program.includes('${') && isAbsolute(program) ? vscode.Uri.file(program) : undefined;
}

/** Where the script will run: its `cwd`, else its folder (the probe runs there too, as a pyenv shim would). */
function workingFolder(launch: TrainloopLaunchConfiguration): string | undefined {
  if (typeof launch.cwd === 'string' && launch.cwd !== '') return launch.cwd;
  return typeof launch.program === 'string' && isAbsolute(launch.program) ? dirname(launch.program) : undefined;
}

function isPython(document: vscode.TextDocument | undefined): document is vscode.TextDocument {
  return document !== undefined && document.languageId === 'python' && document.uri.scheme === 'file';
}

/** A launch configuration for one Python file, with the settings' backend and detectors. */
export function launchConfigurationFor(program: vscode.Uri, extra: Partial<TrainloopLaunchConfiguration> = {}): TrainloopLaunchConfiguration {
  const settings = readSettings(program);
  const name = vscode.l10n.t('Trainloop: {file}', { file: vscode.workspace.asRelativePath(program, false) });
  return {
    type: DEBUG_TYPE,
    request: 'launch',
    name,
    program: program.fsPath,
    backend: settings.backend,
    disabledDetectors: disabledDetectors(settings),
    ...extra,
  };
}

export function showUntrustedMessage(): void {
  const manage = vscode.l10n.t('Manage Workspace Trust');
  void vscode.window
    .showWarningMessage(vscode.l10n.t('Trainloop runs scripts only in a trusted workspace. Static diagnostics still work.'), manage)
    .then((choice) => {
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
    });
}

/** launch.json's first entry, F5 without launch.json, and the defaults every `trainloop` launch gets. */
export class TrainloopConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [
      {
        type: DEBUG_TYPE,
        request: 'launch',
        name: vscode.l10n.t('Trainloop: train the current file'),
        program: '${file}',
        stopOnEntry: false,
      },
    ];
  }

  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    const launch = config as TrainloopLaunchConfiguration;
    if (!launch.type && !launch.request && !launch.name) {
      // F5 with no launch.json: train the Python file in the editor.
      const document = vscode.window.activeTextEditor?.document;
      if (isPython(document)) Object.assign(launch, launchConfigurationFor(document.uri));
    }
    if (!launch.program) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Open a Python training script to start a Trainloop session.'));
      return undefined; // abort the launch
    }
    if (!vscode.workspace.isTrusted) {
      showUntrustedMessage();
      return undefined;
    }
    const settings = readSettings(vscode.window.activeTextEditor?.document.uri);
    launch.type = DEBUG_TYPE;
    launch.request ??= 'launch';
    launch.backend ??= settings.backend;
    launch.disabledDetectors ??= disabledDetectors(settings);
    launch.stopOnTrainingProblems ??= settings.stopOnTrainingProblems;
    // Filled before VS Code substitutes variables, so that a setting's `${workspaceFolder}/.venv/bin/python` works.
    const resource = programUri(launch.program) ?? vscode.window.activeTextEditor?.document.uri ?? folder?.uri;
    const chosen = await resolveRuntimeAttributes(launch, runtimeInputs(readSettings(resource), resource));
    launch.runtime = chosen.runtime as string;
    if (chosen.python !== undefined) launch.python = chosen.python as string;
    else delete launch.python;
    return launch;
  }

  async resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    const launch = config as TrainloopLaunchConfiguration;
    const program = launch.program;
    if (typeof program === 'string' && !program.includes('${') && !existsSync(program)) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Trainloop cannot find the program {program}.', { program }));
      return undefined;
    }
    if (typeof launch.python === 'string' && launch.python !== '') {
      // A relative interpreter (`.venv/bin/python`) is the workspace folder's, as the Python extension reads it.
      const base = folder?.uri.fsPath ?? (typeof program === 'string' ? dirname(program) : undefined);
      const python = launch.python.trim();
      if (base && !isAbsolute(python) && /[\\/]/.test(python) && !python.startsWith('~')) launch.python = resolve(base, python);
    }
    if (launch.runtime === 'python') {
      // Asked for by name: an interpreter that cannot run it is said here, with the ways out, not by a failed launch.
      const decision = await chooseRuntime({ runtime: 'python', python: launch.python, cwd: workingFolder(launch) });
      if (decision.kind === 'problem') {
        const probe = decision.probe ?? { path: String(launch.python), problem: decision.message };
        showInterpreterProblem(probe, folder, config);
        return undefined;
      }
    }
    return config;
  }
}

/** The "Run and Debug" dropdown's entries: train each open Python file. */
export class TrainloopDynamicConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    const seen = new Set<string>();
    const configurations: vscode.DebugConfiguration[] = [];
    const documents = [vscode.window.activeTextEditor?.document, ...vscode.window.visibleTextEditors.map((e) => e.document)];
    for (const document of documents) {
      if (!isPython(document) || seen.has(document.uri.fsPath)) continue;
      seen.add(document.uri.fsPath);
      configurations.push(launchConfigurationFor(document.uri));
    }
    return configurations;
  }
}

/**
 * The adapter runs inline in the extension host (the runtime itself runs in a worker thread),
 * behind a BatchSteppingAdapter that turns the editor's training actions into single stops;
 * `distDir` is where the extension's bundles and their run-time files (Pyodide, tfjs wasm) lie.
 * The adapter's module loads with the first session, not at activation: the bundler turns the
 * dynamic import into a lazily run module.
 */
export class TrainloopAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(
    private readonly distDir: string,
    private readonly log?: (message: string) => void,
    /** Where Pyodide's packages are kept once fetched (the extension's global storage). */
    private readonly packageCache?: string,
  ) {}

  async createDebugAdapterDescriptor(session: vscode.DebugSession): Promise<vscode.DebugAdapterDescriptor> {
    const { TrainloopSession } = await import('../debug/trainloopSession');
    const config = session.configuration as TrainloopLaunchConfiguration;
    // The adapter reads a relative program against `cwd`; the breakpoints VS Code sends name absolute paths.
    const program = typeof config.program === 'string' ? resolve(typeof config.cwd === 'string' ? config.cwd : '.', config.program) : '';
    const packageIndex = vscode.workspace.getConfiguration('trainloop', programUri(program)).get<string>('packageIndex') || undefined;
    const trainloopSession = new TrainloopSession({ distDir: this.distDir, packageIndex, packageCache: this.packageCache });
    const adapter = new BatchSteppingAdapter(trainloopSession, program, config.__trainloopRun, (error) =>
      this.log?.(`Trainloop: ${error instanceof Error ? error.stack ?? error.message : String(error)}`),
    );
    return new vscode.DebugAdapterInlineImplementation(adapter);
  }
}
