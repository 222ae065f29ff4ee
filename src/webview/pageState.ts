// The page's state kept by VS Code through getState/setState (restored before the host answers `ready`), and the page's link to its host.
import { emptySnapshot } from './chartData';
import type { PanelPageState, PanelToHostMessage } from './panelProtocol';

interface VsCodeApi {
  postMessage(message: PanelToHostMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface SavedState extends PanelPageState {
  l10nBundle?: Record<string, string>;
  batchCount?: number;
  /** Whether the loss chart overlays the last runs' curves. */
  showRuns?: boolean;
}

/** The state and the host: what survives the page being hidden and shown again, saved at most once a second. */
export class PageState {
  readonly state: SavedState;
  private readonly api: VsCodeApi;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.api = acquireVsCodeApi();
    const saved = this.api.getState() as Partial<SavedState> | undefined;
    this.state = {
      snapshot: { ...emptySnapshot(), ...(saved?.snapshot ?? {}) },
      smoothing: typeof saved?.smoothing === 'number' ? saved.smoothing : 0.6,
      showRuns: saved?.showRuns !== false,
      ...(saved?.selectedParameter ? { selectedParameter: saved.selectedParameter } : {}),
      ...(saved?.l10nBundle ? { l10nBundle: saved.l10nBundle } : {}),
      ...(typeof saved?.batchCount === 'number' ? { batchCount: saved.batchCount } : {}),
    };
  }

  post(message: PanelToHostMessage): void {
    this.api.postMessage(message);
  }

  /** setState serializes everything: at most once a second. */
  saveSoon(): void {
    this.saveTimer ??= setTimeout(() => {
      this.saveTimer = undefined;
      this.api.setState(this.state);
    }, 1000);
  }
}
