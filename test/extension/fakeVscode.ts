// A recording test double of the part of the `vscode` API the extension uses, so the editor code runs in plain Node tests (the real workbench is covered by the end-to-end suite).
import { basename, dirname, join } from 'node:path';
import { fillPlaceholders } from '../../src/extension/localization';

type Listener<T> = (value: T) => unknown;

export class EventEmitter<T> {
  private listeners: Array<Listener<T>> = [];
  readonly event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Disposable {
  constructor(private readonly onDispose: () => void = () => undefined) {}
  dispose(): void {
    this.onDispose();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, join(base.path, ...parts));
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    if (typeof a === 'number') {
      this.start = new Position(a, b as number);
      this.end = new Position(c as number, d as number);
    } else {
      this.start = a;
      this.end = b as Position;
    }
  }
  isEqual(other: Range): boolean {
    return this.start.line === other.start.line && this.start.character === other.start.character && this.end.line === other.end.line && this.end.character === other.end.character;
  }
}

export class Location {
  readonly range: Range;
  constructor(
    readonly uri: Uri,
    at: Range | Position,
  ) {
    this.range = at instanceof Range ? at : new Range(at, at);
  }
}

export class SourceBreakpoint {
  constructor(
    readonly location: Location,
    readonly enabled = true,
  ) {}
}

export enum DiagnosticSeverity {
  Error = 0,
  Warning = 1,
  Information = 2,
  Hint = 3,
}

export class Diagnostic {
  source?: string;
  code?: string | number | { value: string | number; target: Uri };
  constructor(
    readonly range: Range,
    readonly message: string,
    readonly severity: DiagnosticSeverity = DiagnosticSeverity.Error,
  ) {}
}

export class CodeActionKind {
  static readonly QuickFix = new CodeActionKind('quickfix');
  constructor(readonly value: string) {}
}

export class WorkspaceEdit {
  readonly replacements: Array<{ uri: Uri; range: Range; newText: string }> = [];
  replace(uri: Uri, range: Range, newText: string): void {
    this.replacements.push({ uri, range, newText });
  }
}

export class CodeAction {
  edit?: WorkspaceEdit;
  diagnostics?: Diagnostic[];
  isPreferred?: boolean;
  constructor(
    readonly title: string,
    readonly kind?: CodeActionKind,
  ) {}
}

export class CodeLens {
  constructor(
    readonly range: Range,
    readonly command?: { title: string; command: string; tooltip?: string; arguments?: unknown[] },
  ) {}
}

export class MarkdownString {
  value = '';
  appendText(text: string): this {
    this.value += text;
    return this;
  }
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
  appendCodeblock(code: string, language = ''): this {
    this.value += `\n\`\`\`${language}\n${code}\n\`\`\`\n`;
    return this;
  }
}

export class Hover {
  constructor(
    readonly contents: MarkdownString,
    readonly range?: Range,
  ) {}
}

export class EvaluatableExpression {
  constructor(
    readonly range: Range,
    readonly expression?: string,
  ) {}
}

export class InlineValueText {
  constructor(
    readonly range: Range,
    readonly text: string,
  ) {}
}

export class InlineValueEvaluatableExpression {
  constructor(
    readonly range: Range,
    readonly expression?: string,
  ) {}
}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}

export enum ViewColumn {
  Active = -1,
  Beside = -2,
  One = 1,
}

export enum ConfigurationTarget {
  Global = 1,
  Workspace = 2,
  WorkspaceFolder = 3,
}

export interface QuickPickItemLike {
  label: string;
  description?: string;
  picked?: boolean;
}

/** What the next quick pick answers: the labels to pick (undefined: the user pressed Escape). */
export const quickPick = {
  answer: undefined as string[] | undefined,
  shown: [] as Array<{ items: QuickPickItemLike[]; options: unknown }>,
};

export enum DebugConfigurationProviderTriggerKind {
  Initial = 1,
  Dynamic = 2,
}

export class DebugAdapterInlineImplementation {
  constructor(readonly implementation: unknown) {}
}

// ---- documents and editors ----

export interface FakeDocument {
  uri: Uri;
  languageId: string;
  version: number;
  isClosed: boolean;
  text: string;
  getText(): string;
}

export function document(path: string, text: string, languageId = 'python'): FakeDocument {
  return {
    uri: Uri.file(path),
    languageId,
    version: 1,
    isClosed: false,
    text,
    getText() {
      return this.text;
    },
  };
}

// ---- the namespaces, with what the tests look at ----

export const recorded = {
  messages: [] as Array<{ level: 'info' | 'warning' | 'error'; text: string; modal?: boolean; actions?: string[] }>,
  executed: [] as Array<{ command: string; args: unknown[] }>,
  shown: [] as Array<{ uri: Uri; options: unknown }>,
  started: [] as Array<Record<string, unknown>>,
  stopped: [] as unknown[],
};

export const settings = new Map<string, unknown>();

/** The buttons the next notifications answer with, one per notification that has buttons (none: dismissed). */
export const messageAnswers: string[] = [];

function message(level: 'info' | 'warning' | 'error') {
  return async (text: string, ...rest: unknown[]) => {
    const modal = rest.some((item) => typeof item === 'object' && item !== null && (item as { modal?: boolean }).modal === true);
    const actions = rest.filter((item): item is string => typeof item === 'string');
    recorded.messages.push({ level, text, ...(modal ? { modal } : {}), ...(actions.length ? { actions } : {}) });
    const answer = actions.length ? messageAnswers.shift() : undefined;
    return answer !== undefined && actions.includes(answer) ? answer : undefined;
  };
}

export class FakeOutputChannel {
  text = '';
  constructor(
    readonly name: string,
    readonly languageId?: string,
  ) {}
  append(text: string): void {
    this.text += text;
  }
  appendLine(text: string): void {
    this.text += `${text}\n`;
  }
  dispose(): void {}
}

export class FakeStatusBarItem {
  text = '';
  tooltip: unknown;
  name = '';
  command: unknown;
  visible = false;
  constructor(readonly id: string) {}
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {}
}

export class FakeWebview {
  html = '';
  options: unknown;
  readonly cspSource = 'vscode-resource:';
  readonly posted: unknown[] = [];
  readonly fromPage = new EventEmitter<unknown>();
  readonly onDidReceiveMessage = this.fromPage.event;
  asWebviewUri(uri: Uri): string {
    return `https://webview.test${uri.path}`;
  }
  async postMessage(message: unknown): Promise<boolean> {
    this.posted.push(JSON.parse(JSON.stringify(message)));
    return true;
  }
}

export class FakeWebviewPanel {
  readonly webview = new FakeWebview();
  iconPath: unknown;
  private readonly disposed = new EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  revealed = 0;
  constructor(
    readonly viewType: string,
    readonly title: string,
  ) {}
  reveal(): void {
    this.revealed++;
  }
  dispose(): void {
    this.disposed.fire();
  }
}

export const panels: FakeWebviewPanel[] = [];
export const statusBarItems: FakeStatusBarItem[] = [];
export const outputChannels: FakeOutputChannel[] = [];

const activeEditorChanged = new EventEmitter<unknown>();
/** The user switches to another editor (or to none). */
export function changeActiveTextEditor(editor: typeof window.activeTextEditor): void {
  window.activeTextEditor = editor;
  activeEditorChanged.fire(editor);
}
export const window = {
  activeTextEditor: undefined as { document: FakeDocument; selection: { active: Position } } | undefined,
  visibleTextEditors: [] as Array<{ document: FakeDocument }>,
  onDidChangeActiveTextEditor: activeEditorChanged.event,
  createOutputChannel(name: string, languageId?: string) {
    const channel = new FakeOutputChannel(name, languageId);
    outputChannels.push(channel);
    return channel;
  },
  createStatusBarItem(id: string) {
    const item = new FakeStatusBarItem(id);
    statusBarItems.push(item);
    return item;
  },
  createWebviewPanel(viewType: string, title: string) {
    const panel = new FakeWebviewPanel(viewType, title);
    panels.push(panel);
    return panel;
  },
  registerWebviewPanelSerializer: () => new Disposable(),
  showInformationMessage: message('info'),
  showWarningMessage: message('warning'),
  showErrorMessage: message('error'),
  async showQuickPick(items: QuickPickItemLike[], options: unknown) {
    quickPick.shown.push({ items, options });
    const answer = quickPick.answer;
    return answer === undefined ? undefined : items.filter((item) => answer.includes(item.label));
  },
  async showTextDocument(uri: Uri, options: unknown) {
    recorded.shown.push({ uri, options });
    return undefined;
  },
};

export class FakeDiagnosticCollection {
  readonly entries = new Map<string, Diagnostic[]>();
  constructor(readonly name: string) {}
  set(uri: Uri, diagnostics: Diagnostic[]): void {
    this.entries.set(uri.toString(), diagnostics);
  }
  get(uri: Uri): Diagnostic[] | undefined {
    return this.entries.get(uri.toString());
  }
  delete(uri: Uri): void {
    this.entries.delete(uri.toString());
  }
  dispose(): void {}
}

export const diagnosticCollections: FakeDiagnosticCollection[] = [];
export const providers: Record<string, unknown[]> = {};

function registrar(kind: string) {
  return (_selector: unknown, provider: unknown) => {
    (providers[kind] ??= []).push(provider);
    return new Disposable();
  };
}

export const languages = {
  createDiagnosticCollection(name: string) {
    const collection = new FakeDiagnosticCollection(name);
    diagnosticCollections.push(collection);
    return collection;
  },
  registerCodeLensProvider: registrar('codeLens'),
  registerCodeActionsProvider: registrar('codeActions'),
  registerHoverProvider: registrar('hover'),
  registerEvaluatableExpressionProvider: registrar('evaluatableExpression'),
  registerInlineValuesProvider: registrar('inlineValues'),
};

/** Installed extensions by id (`ms-python.python`); none unless a test adds one. */
export const installedExtensions = new Map<string, { id: string; isActive: boolean; exports: unknown; activate(): Promise<unknown> }>();
export const extensions = {
  getExtension: (id: string) => installedExtensions.get(id),
};

export const documentOpened = new EventEmitter<FakeDocument>();
export const documentChanged = new EventEmitter<{ document: FakeDocument; contentChanges?: Array<{ text: string }> }>();
export const documentClosed = new EventEmitter<FakeDocument>();
export const configurationChanged = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();

export const workspace = {
  isTrusted: true,
  textDocuments: [] as FakeDocument[],
  workspaceFolders: [] as Array<{ uri: Uri }>,
  onDidOpenTextDocument: documentOpened.event,
  onDidChangeTextDocument: documentChanged.event,
  onDidCloseTextDocument: documentClosed.event,
  onDidChangeConfiguration: configurationChanged.event,
  getConfiguration(section: string) {
    return {
      get: (key: string, fallback: unknown) => (settings.has(`${section}.${key}`) ? settings.get(`${section}.${key}`) : fallback),
      // What the user set, as user settings; nothing when unset (defaults are the real extension's business).
      inspect: (key: string) => ({ key: `${section}.${key}`, globalValue: settings.get(`${section}.${key}`) }),
      // Every target is the one settings map here; a change is announced as VS Code does.
      update: async (key: string, value: unknown) => {
        settings.set(`${section}.${key}`, value);
        configurationChanged.fire({ affectsConfiguration: (name: string) => `${section}.${key}`.startsWith(name) });
      },
    };
  },
  getWorkspaceFolder: () => undefined,
  asRelativePath: (uri: Uri) => basename(uri.fsPath),
  fs: {
    createDirectory: async () => undefined,
    copy: async () => undefined,
    readFile: async (uri: Uri): Promise<Uint8Array> => {
      throw new Error(`no file ${uri.fsPath} in the test workspace`);
    },
  },
};

export interface FakeDebugSession {
  id: string;
  name: string;
  type: string;
  configuration: Record<string, unknown>;
  requests: Array<{ command: string; args: unknown }>;
  customRequest(command: string, args?: unknown): Promise<unknown>;
}

let sessionCount = 0;
export function debugSession(configuration: Record<string, unknown>, answer: (command: string, args: unknown) => unknown = () => ({})): FakeDebugSession {
  sessionCount++;
  const session: FakeDebugSession = {
    id: `session-${sessionCount}`,
    name: String(configuration.name ?? 'Trainloop'),
    type: 'trainloop',
    configuration,
    requests: [],
    async customRequest(command: string, args?: unknown) {
      session.requests.push({ command, args });
      return answer(command, args);
    },
  };
  return session;
}

export const debugRegistrations = {
  configurationProviders: [] as Array<{ type: string; provider: unknown; trigger?: number }>,
  adapterFactories: [] as Array<{ type: string; factory: unknown }>,
  trackerFactories: [] as Array<{ type: string; factory: { createDebugAdapterTracker(session: FakeDebugSession): unknown } }>,
};

export const sessionTerminated = new EventEmitter<FakeDebugSession>();
const activeSessionChanged = new EventEmitter<FakeDebugSession | undefined>();
export const debug = {
  activeDebugSession: undefined as FakeDebugSession | undefined,
  breakpoints: [] as SourceBreakpoint[],
  onDidTerminateDebugSession: sessionTerminated.event,
  onDidChangeActiveDebugSession: activeSessionChanged.event,
  registerDebugConfigurationProvider(type: string, provider: unknown, trigger?: number) {
    debugRegistrations.configurationProviders.push({ type, provider, trigger });
    return new Disposable();
  },
  registerDebugAdapterDescriptorFactory(type: string, factory: unknown) {
    debugRegistrations.adapterFactories.push({ type, factory });
    return new Disposable();
  },
  registerDebugAdapterTrackerFactory(type: string, factory: { createDebugAdapterTracker(session: FakeDebugSession): unknown }) {
    debugRegistrations.trackerFactories.push({ type, factory });
    return new Disposable();
  },
  addBreakpoints(breakpoints: SourceBreakpoint[]) {
    debug.breakpoints.push(...breakpoints);
  },
  removeBreakpoints(breakpoints: SourceBreakpoint[]) {
    debug.breakpoints = debug.breakpoints.filter((b) => !breakpoints.includes(b));
  },
  async startDebugging(_folder: unknown, configuration: Record<string, unknown>) {
    recorded.started.push(configuration);
    return true;
  },
  async stopDebugging(session: unknown) {
    recorded.stopped.push(session);
  },
};

export const registeredCommands = new Map<string, (...args: unknown[]) => unknown>();
export const commands = {
  registerCommand(id: string, callback: (...args: unknown[]) => unknown) {
    registeredCommands.set(id, callback);
    return new Disposable(() => registeredCommands.delete(id));
  },
  async executeCommand(command: string, ...args: unknown[]) {
    recorded.executed.push({ command, args });
    return registeredCommands.get(command)?.(...args);
  },
};

export const l10n = {
  bundle: undefined as Record<string, string> | undefined,
  t(message: string, ...args: unknown[]): string {
    const translated = l10n.bundle?.[message] ?? message;
    const first = args[0];
    if (typeof first === 'object' && first !== null) return fillPlaceholders(translated, first as Record<string, string | number>);
    return fillPlaceholders(translated, Object.fromEntries(args.map((a, i) => [String(i), a as string])));
  },
};

export const env = { language: 'en' };

/** An extension context whose subscriptions the test disposes. */
export function extensionContext(root: string) {
  return {
    subscriptions: [] as Array<{ dispose(): unknown }>,
    extensionUri: Uri.file(root),
    globalStorageUri: Uri.file(join(dirname(root), 'global-storage')),
    asAbsolutePath: (relative: string) => join(root, relative),
  };
}
