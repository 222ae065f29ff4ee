// The page's one view object: its state, its elements, and which parts to redraw when a message comes (only what changed and can be seen).
import * as l10n from '@vscode/l10n';
import { applyMessage } from './chartData';
import { curvesCsv } from './curvesCsv';
import { type ChartName, type PanelElements, buildLayout } from './panelLayout';
import type { HostToPanelMessage, PanelSnapshot } from './panelProtocol';
import { inputsKey, renderHeader, renderHistograms, renderInputs, renderLoss, renderSeries, renderWarnings } from './panelRender';
import { PageState } from './pageState';

/** What a render redraws besides the header: only what changed since the last one (a run sends many messages). */
type Part = 'loss' | 'grads' | 'ratios' | 'histograms' | 'inputs' | 'warnings';
const ALL_PARTS: readonly Part[] = ['loss', 'grads', 'ratios', 'histograms', 'inputs', 'warnings'];

function changedBy(message: HostToPanelMessage, snapshot: PanelSnapshot): readonly Part[] {
  switch (message.type) {
    case 'update': {
      // Gradient norms and update ratios come with some batches only; the run's first points change the notes.
      const measured = message.points.some((p) => Object.keys(p.gradNorms).length > 0 || Object.keys(p.updateRatios).length > 0);
      const first = snapshot.points.length === message.points.length;
      return [
        'loss',
        ...(measured || first ? (['grads', 'ratios'] as const) : []),
        ...(message.histograms || first ? (['histograms'] as const) : []),
        ...(message.inputs || first ? (['inputs'] as const) : []),
      ];
    }
    case 'session':
      // The loss chart's note says "waiting for the first batch" while a session has none.
      return snapshot.points.length === 0 ? ['loss'] : [];
    case 'diagnostics':
      return ['warnings'];
    default:
      return ALL_PARTS;
  }
}

export class PanelView {
  private readonly page = new PageState();
  private ui!: PanelElements;
  /** Parts changed since they were last drawn: a chart scrolled out of view, or in a hidden panel, waits until it shows. */
  private readonly dirty = new Set<Part>();
  private renderQueued = false;
  private chartsShown: boolean | undefined;
  private drawnInputs = '';
  /** Sections on screen, as the IntersectionObserver last said (one it has not reported on yet counts as on screen). */
  private readonly onScreen = new Map<Element, boolean>();
  private readonly visibility = new IntersectionObserver((entries) => {
    for (const entry of entries) this.onScreen.set(entry.target, entry.isIntersecting);
    if (entries.some((e) => e.isIntersecting) && this.dirty.size > 0) this.scheduleRender([]);
  });

  constructor(private readonly app: HTMLElement) {
    if (this.page.state.l10nBundle) l10n.config({ contents: this.page.state.l10nBundle });
    this.build();
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && this.dirty.size > 0) this.scheduleRender([]);
    });
    new ResizeObserver(() => {
      for (const chart of this.charts()) chart.resize();
    }).observe(app);
    this.render();
  }

  private get state() {
    return this.page.state;
  }

  /** Says `ready`: the host sends nothing until the page is listening. */
  start(): void {
    window.addEventListener('message', (event: MessageEvent<HostToPanelMessage>) => this.onMessage(event.data));
    this.page.post({ type: 'ready' });
  }

  private charts() {
    return [this.ui.lossChart, this.ui.gradChart, this.ui.ratioChart, this.ui.weightsHistogram, this.ui.gradsHistogram];
  }

  /** The sections that hold charts or images (hidden while the page shows how to start a run). */
  private chartSections() {
    return [this.ui.loss, this.ui.grads, this.ui.ratios, this.ui.histograms, this.ui.inputs];
  }

  private build(): void {
    const state = this.state;
    this.ui = buildLayout(this.app, { batchCount: state.batchCount ?? 10, smoothing: state.smoothing, showRuns: state.showRuns !== false }, {
      run: (action) => this.page.post({ type: 'run', action }),
      smoothing: (value) => {
        state.smoothing = value;
        this.page.saveSoon();
        this.scheduleRender(['loss']);
      },
      parameter: (name) => {
        state.selectedParameter = name;
        this.page.saveSoon();
        this.scheduleRender(['histograms']);
      },
      showRuns: (shown) => {
        state.showRuns = shown;
        this.page.saveSoon();
        this.scheduleRender(['loss']);
      },
      exportCsv: () => this.page.post({ type: 'exportCsv', text: curvesCsv(state.snapshot.points, state.snapshot.evalPoints ?? []) }),
      exportPng: (chart) => this.exportPng(chart),
    });
    this.onScreen.clear();
    this.visibility.disconnect();
    for (const s of this.chartSections()) this.visibility.observe(s.root);
    this.chartsShown = undefined;
    this.drawnInputs = '';
  }

  private exportPng(chart: ChartName): void {
    const ui = this.ui;
    const canvas = { loss: ui.lossChart, grads: ui.gradChart, ratios: ui.ratioChart, histograms: ui.weightsHistogram }[chart];
    const dataUrl = canvas.png();
    if (dataUrl) this.page.post({ type: 'exportPng', name: chart, dataUrl });
  }

  scheduleRender(parts: readonly Part[] = ALL_PARTS): void {
    for (const part of parts) this.dirty.add(part);
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  private shown(section: Element): boolean {
    return !document.hidden && this.onScreen.get(section) !== false;
  }

  private render(): void {
    const { ui, state, dirty } = this;
    const snapshot = state.snapshot;
    renderHeader(ui, snapshot);
    const showCharts = ui.empty.hidden;
    if (showCharts !== this.chartsShown) {
      this.chartsShown = showCharts;
      for (const s of this.chartSections()) s.root.hidden = !showCharts;
      for (const part of ALL_PARTS) dirty.add(part);
    }
    if (showCharts) {
      const draw = (part: Part, where: { root: HTMLElement }, drawPart: () => void) => {
        if (!dirty.has(part) || !this.shown(where.root)) return;
        drawPart();
        dirty.delete(part);
      };
      draw('loss', ui.loss, () => renderLoss(ui, snapshot, state));
      draw('grads', ui.grads, () => renderSeries(ui, snapshot, 'gradNorms'));
      draw('ratios', ui.ratios, () => renderSeries(ui, snapshot, 'updateRatios'));
      draw('histograms', ui.histograms, () => renderHistograms(ui, snapshot, state));
      draw('inputs', ui.inputs, () => {
        // The same images are not drawn again (a session change redraws every part).
        const key = inputsKey(snapshot.inputs);
        if (snapshot.inputs && key === this.drawnInputs) return;
        renderInputs(ui, snapshot);
        this.drawnInputs = key;
      });
    }
    if (dirty.has('warnings')) renderWarnings(ui, snapshot.diagnostics, (path, line, col) => this.page.post({ type: 'openLocation', path, line, col }));
    dirty.delete('warnings');
  }

  private onMessage(message: HostToPanelMessage): void {
    if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
    const state = this.state;
    if (message.type === 'init') {
      const bundleChanged = JSON.stringify(message.l10nBundle ?? null) !== JSON.stringify(state.l10nBundle ?? null) || message.batchCount !== state.batchCount;
      if (message.l10nBundle) {
        l10n.config({ contents: message.l10nBundle });
        state.l10nBundle = message.l10nBundle;
      } else {
        delete state.l10nBundle;
      }
      state.batchCount = message.batchCount;
      if (bundleChanged) {
        for (const chart of this.charts()) chart.clear();
        this.build();
      }
    }
    if (message.type === 'reset') this.drawnInputs = '';
    state.snapshot = applyMessage(state.snapshot, message);
    this.page.saveSoon();
    this.scheduleRender(changedBy(message, state.snapshot));
  }
}
