// The panel bench's extension host: the real extension, activated against the test double of the VS Code API, with its
// inline debug adapter, its session tracker and its training panel open; this file plays VS Code's part: it relays
// every DAP message serialized (as VS Code's RPC does) and hands each message the panel posts to its page to a callback.
import '../test/extension/installFakeVscode';
import * as vscode from '../test/extension/fakeVscode';
import { COMMANDS } from '../src/extension/trainingLoopLenses';
import type { MessageAdapter } from '../src/extension/batchSteppingAdapter';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const extension = require('../src/extension/extension') as typeof import('../src/extension/extension');

type Tracker = { onWillReceiveMessage?(message: unknown): void; onDidSendMessage?(message: unknown): void };
type AdapterFactory = { createDebugAdapterDescriptor(session: unknown): Promise<vscode.DebugAdapterInlineImplementation> };
type ProtocolMessage = { type: string; seq: number; command?: string; event?: string; request_seq?: number; success?: boolean; message?: string; body?: Record<string, unknown> };

export interface SessionRun {
  /** The script's standard output. */
  stdout: string;
  /** The adapter's `trainloopBatch` events. */
  batchEvents: number;
}

export interface SessionOptions {
  /** Launch attributes over the bench's defaults (`runtime`, `python`...). */
  launch?: Record<string, unknown>;
  /** Breakpoint lines in the script. */
  breakpoints?: number[];
  /** Exception filters (default: uncaught only). */
  filters?: string[];
}

export class PanelExtensionHost {
  private readonly context: ReturnType<typeof vscode.extensionContext>;
  private readonly panel: vscode.FakeWebviewPanel;

  /** `toPage` gets each message the panel posts, serialized; `rateHz` sets trainloop.panel.updateRateHz (else its default). */
  constructor(root: string, toPage: (json: string) => void, rateHz?: number) {
    if (rateHz !== undefined) vscode.settings.set('trainloop.panel.updateRateHz', rateHz);
    this.context = vscode.extensionContext(root);
    extension.activate(this.context as never);
    void vscode.commands.executeCommand(COMMANDS.showPanel);
    this.panel = vscode.panels[vscode.panels.length - 1];
    this.panel.webview.postMessage = async (message: unknown) => {
      toPage(JSON.stringify(message));
      return true;
    };
  }

  /** The page said `ready`: the panel sends its state, then live updates. */
  pageReady(): void {
    this.panel.webview.fromPage.fire({ type: 'ready' });
  }

  /**
   * Runs a `trainloop` debug session of the script to its end, as VS Code would start it: on the embedded wasm backend
   * unless `options.launch` says otherwise, with `options.breakpoints` (lines of the script) and exception filters.
   */
  async run(program: string, args: string[], disabledDetectors: string[], options: SessionOptions = {}): Promise<SessionRun> {
    const configuration = {
      type: 'trainloop',
      request: 'launch',
      name: 'panel bench',
      program,
      args,
      runtime: 'embedded',
      backend: 'wasm',
      disabledDetectors,
      ...options.launch,
    };
    const session = vscode.debugSession(configuration);
    const tracker = vscode.debugRegistrations.trackerFactories[0].factory.createDebugAdapterTracker(session) as Tracker;
    vscode.debug.activeDebugSession = session;
    const factory = vscode.debugRegistrations.adapterFactories[0].factory as AdapterFactory;
    const adapter = (await factory.createDebugAdapterDescriptor(session)).implementation as MessageAdapter;

    let seq = 1;
    const replies = new Map<number, (response: ProtocolMessage) => void>();
    const result: SessionRun = { stdout: '', batchEvents: 0 };
    let ended: () => void = () => undefined;
    const terminated = new Promise<void>((resolve) => (ended = resolve));
    const request = (command: string, args: unknown) =>
      new Promise<ProtocolMessage>((resolve) => {
        const message = { seq: seq++, type: 'request', command, arguments: args };
        replies.set(message.seq, resolve);
        tracker.onWillReceiveMessage?.(message);
        adapter.handleMessage(message as never);
      });
    const failed = (response: ProtocolMessage) => {
      if (!response.success) throw new Error(`${response.command} failed: ${response.message}`);
    };
    const subscription = adapter.onDidSendMessage((sent) => {
      const message = JSON.parse(JSON.stringify(sent)) as ProtocolMessage;
      tracker.onDidSendMessage?.(message);
      if (message.type === 'response') replies.get(message.request_seq ?? -1)?.(message);
      if (message.type !== 'event') return;
      if (message.event === 'trainloopBatch') result.batchEvents++;
      if (message.event === 'output' && message.body?.category === 'stdout') result.stdout += String(message.body.output);
      if (message.event === 'initialized') {
        const breakpoints = (options.breakpoints ?? []).map((line) => ({ line }));
        void request('setBreakpoints', { source: { path: program }, breakpoints })
          .then(() => request('setExceptionBreakpoints', { filters: options.filters ?? ['uncaught'] }))
          .then(() => request('configurationDone', {}))
          .then(failed);
      }
      if (message.event === 'terminated') ended();
    });
    failed(await request('initialize', { adapterID: 'trainloop', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' }));
    failed(await request('launch', configuration));
    await terminated;
    subscription.dispose();
    adapter.dispose();
    vscode.sessionTerminated.fire(session);
    return result;
  }

  dispose(): void {
    for (const d of this.context.subscriptions) d.dispose();
  }
}
