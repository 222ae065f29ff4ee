// The training panel's page (runs in the webview): restores its state, says `ready`, then draws the run's loss, gradient norms, update ratios, histograms, input images and warnings with uPlot.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import * as l10n from '@vscode/l10n';
import { applyMessage, chooseParameter, emptySnapshot, histogramBars, imageBytes, imagePixels, lossOf, seriesColumns, seriesNames, smooth } from './chartData';
import type { HostToPanelMessage, PanelAction, PanelPageState, PanelSnapshot, PanelToHostMessage, ValueHistogram } from './panelProtocol';
import { formatNumber } from '../extension/numberFormat';

interface VsCodeApi {
  postMessage(message: PanelToHostMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

interface SavedState extends PanelPageState {
  l10nBundle?: Record<string, string>;
  batchCount?: number;
}

function restoreState(): SavedState {
  const saved = vscode.getState() as Partial<SavedState> | undefined;
  return {
    snapshot: saved?.snapshot ?? emptySnapshot(),
    smoothing: typeof saved?.smoothing === 'number' ? saved.smoothing : 0.6,
    ...(saved?.selectedParameter ? { selectedParameter: saved.selectedParameter } : {}),
    ...(saved?.l10nBundle ? { l10nBundle: saved.l10nBundle } : {}),
    ...(typeof saved?.batchCount === 'number' ? { batchCount: saved.batchCount } : {}),
  };
}

let state = restoreState();
if (state.l10nBundle) l10n.config({ contents: state.l10nBundle });

/** setState serializes everything: at most once a second. */
let saveTimer: ReturnType<typeof setTimeout> | undefined;
function saveSoon(): void {
  saveTimer ??= setTimeout(() => {
    saveTimer = undefined;
    vscode.setState(state);
  }, 1000);
}

// ---- DOM helpers ----

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

/** A theme colour made see-through (for the raw loss under its smoothed line). */
function faded(color: string): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}55` : color;
}

function palette(): string[] {
  return [
    cssVar('--vscode-charts-blue', '#3794ff'),
    cssVar('--vscode-charts-orange', '#d18616'),
    cssVar('--vscode-charts-green', '#89d185'),
    cssVar('--vscode-charts-purple', '#b180d7'),
    cssVar('--vscode-charts-red', '#f14c4c'),
    cssVar('--vscode-charts-yellow', '#cca700'),
    '#4ec9b0',
    '#c586c0',
    '#9cdcfe',
    '#ce9178',
  ];
}

const BATCH_INCREMENTS = [1, 2, 5].flatMap((step) => [1, 10, 100, 1e3, 1e4, 1e5, 1e6].map((scale) => step * scale)).sort((a, b) => a - b);

function axes(log: boolean, xIsBatch: boolean): uPlot.Axis[] {
  const foreground = cssVar('--vscode-foreground', '#ccc');
  const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)');
  const axis: uPlot.Axis = { stroke: foreground, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return [
    // Batches are whole numbers: so are the x axis's ticks.
    xIsBatch ? { ...axis, incrs: BATCH_INCREMENTS } : { ...axis },
    // uPlot leaves a null where a log scale's minor tick gets no label.
    { ...axis, size: 60, ...(log ? { values: (_u: uPlot, splits: Array<number | null>) => splits.map((v) => (v === null ? '' : formatNumber(v))) } : {}) },
  ];
}

/** What both chart kinds share: one uPlot, made at the first data; hidden and kept when there is none (a new run:
 * making it again costs more than the page's every later update); destroyed when the page is rebuilt. */
abstract class Chart {
  protected plot: uPlot | null = null;

  constructor(
    protected readonly host: HTMLElement,
    private readonly minWidth: number,
    protected readonly height: number,
  ) {}

  protected width(): number {
    return Math.max(this.host.clientWidth, this.minWidth);
  }

  /** Draws `data` in the chart there is; false when there is none yet. */
  protected redraw(data: uPlot.AlignedData): boolean {
    if (!this.plot) return false;
    this.plot.root.hidden = false;
    this.plot.setData(data);
    return true;
  }

  resize(): void {
    if (this.plot) this.plot.setSize({ width: this.width(), height: this.height });
  }

  hide(): void {
    if (this.plot) this.plot.root.hidden = true;
  }

  clear(): void {
    this.plot?.destroy();
    this.plot = null;
  }
}

/** A uPlot line chart whose series can change (parameters appear as the run goes). */
class LineChart extends Chart {
  private key = '';

  constructor(
    host: HTMLElement,
    private readonly options: { log: boolean; height: number; xLabel: string },
  ) {
    super(host, 200, options.height);
  }

  update(series: uPlot.Series[], data: uPlot.AlignedData): void {
    const key = series.map((s) => `${String(s.label)}|${String(s.stroke)}`).join('\n');
    if (key !== this.key || !this.redraw(data)) {
      this.clear();
      this.key = key;
      this.plot = new uPlot(
        {
          width: this.width(),
          height: this.height,
          series: [{ label: this.options.xLabel }, ...series],
          scales: { x: { time: false }, y: this.options.log ? { distr: 3 } : {} },
          axes: axes(this.options.log, true),
          legend: { show: true, live: true },
          cursor: { drag: { x: true, y: false } },
        },
        data,
        this.host,
      );
    }
    // One batch alone sits in the middle of a short axis (uPlot would stretch it over 0…100).
    const x = data[0];
    if (x.length === 1) this.plot?.setScale('x', { min: x[0] - 0.5, max: x[0] + 0.5 });
  }

  override clear(): void {
    super.clear();
    this.key = '';
  }
}

/** uPlot's `points.show` for a series whose points are drawn while the chart has fewer than `count` x values: a
 * function, so that the chart is not made anew when it passes that count. */
function pointsBelow(count: number): uPlot.Series.Points.Show {
  return (plot) => plot.data[0].length < count;
}

/** A bar chart of one histogram. */
class HistogramChart extends Chart {
  constructor(
    host: HTMLElement,
    private readonly label: string,
    private readonly color: string,
  ) {
    super(host, 160, 160);
  }

  update(histogram: ValueHistogram | undefined): void {
    if (!histogram || histogram.counts.length === 0) {
      this.hide();
      return;
    }
    const { centres, counts } = histogramBars(histogram);
    const data: uPlot.AlignedData = [centres, counts];
    if (this.redraw(data)) return;
    this.plot = new uPlot(
      {
        width: this.width(),
        height: this.height,
        series: [{ label: l10n.t('value') }, { label: this.label, stroke: this.color, fill: this.color, paths: uPlot.paths.bars?.({ size: [0.9, Infinity] }), points: { show: false } }],
        scales: { x: { time: false } },
        axes: axes(false, false),
        legend: { show: true, live: true },
      },
      data,
      this.host,
    );
  }
}

// ---- Layout ----

const app = document.getElementById('app') ?? document.body;

function section(title: string): { root: HTMLElement; heading: HTMLElement; body: HTMLElement; note: HTMLElement } {
  const root = element('section', 'panel-section');
  const heading = element('h2', undefined, title);
  const note = element('p', 'note');
  const body = element('div', 'section-body');
  root.append(heading, note, body);
  return { root, heading, body, note };
}

function button(label: string, action: PanelAction, primary = false): HTMLButtonElement {
  const b = element('button', primary ? 'primary' : 'secondary', label);
  b.type = 'button';
  b.addEventListener('click', () => vscode.postMessage({ type: 'run', action }));
  return b;
}

let header: HTMLElement;
let headerTitle: HTMLElement;
let headerStatus: HTMLElement;
let buttons: Record<'trainOneBatch' | 'trainBatches' | 'continue' | 'stop', HTMLButtonElement>;
let empty: HTMLElement;
let lossSection: ReturnType<typeof section>;
let smoothingInput: HTMLInputElement;
let smoothingValue: HTMLElement;
let gradSection: ReturnType<typeof section>;
let ratioSection: ReturnType<typeof section>;
let histogramSection: ReturnType<typeof section>;
let parameterSelect: HTMLSelectElement;
let inputsSection: ReturnType<typeof section>;
let inputsGrid: HTMLElement;
let warningsSection: ReturnType<typeof section>;
let warningsList: HTMLElement;
let lossChart: LineChart;
let gradChart: LineChart;
let ratioChart: LineChart;
let weightsHistogram: HistogramChart;
let gradsHistogram: HistogramChart;

/** The sections that hold charts or images (hidden while the page shows how to start a run). */
function chartSections(): Array<ReturnType<typeof section>> {
  return [lossSection, gradSection, ratioSection, histogramSection, inputsSection];
}

function charts(): Chart[] {
  return [lossChart, gradChart, ratioChart, weightsHistogram, gradsHistogram];
}

function build(): void {
  app.replaceChildren();
  header = element('header', 'session');
  headerTitle = element('h1');
  headerStatus = element('p', 'status');
  const toolbar = element('div', 'toolbar');
  buttons = {
    trainOneBatch: button(l10n.t('▶ Train one batch'), 'trainOneBatch', true),
    trainBatches: button(l10n.t('⏭ Train {count} batches', { count: state.batchCount ?? 10 }), 'trainBatches'),
    continue: button(l10n.t('Continue'), 'continue'),
    stop: button(l10n.t('■ Stop'), 'stop'),
  };
  toolbar.append(buttons.trainOneBatch, buttons.trainBatches, buttons.continue, buttons.stop);
  header.append(headerTitle, headerStatus, toolbar);

  empty = element('section', 'empty');
  empty.append(
    element('h2', undefined, l10n.t('No training run yet')),
    element('p', undefined, l10n.t('Open a Python training script and click "▶ Train one batch" above its training loop, or press F5 and choose Trainloop. The run stops after each batch you ask for, and this panel charts it.')),
  );
  const emptyActions = element('div', 'toolbar');
  emptyActions.append(button(l10n.t('Train one batch of the current file'), 'trainOneBatch', true), button(l10n.t('Open the quickstart example'), 'openQuickstart'));
  empty.append(emptyActions);

  lossSection = section(l10n.t('Loss per batch'));
  const smoothingRow = element('label', 'smoothing');
  smoothingRow.append(element('span', undefined, l10n.t('Smoothing')));
  smoothingInput = element('input');
  smoothingInput.type = 'range';
  smoothingInput.min = '0';
  smoothingInput.max = '0.99';
  smoothingInput.step = '0.01';
  smoothingInput.value = String(state.smoothing);
  smoothingValue = element('span', 'value', state.smoothing.toFixed(2));
  smoothingInput.addEventListener('input', () => {
    state.smoothing = Number(smoothingInput.value);
    smoothingValue.textContent = state.smoothing.toFixed(2);
    saveSoon();
    scheduleRender(['loss']);
  });
  smoothingRow.append(smoothingInput, smoothingValue);
  lossSection.root.insertBefore(smoothingRow, lossSection.body);

  gradSection = section(l10n.t('Gradient norm per parameter'));
  ratioSection = section(l10n.t('Update-to-weight ratio per layer'));
  ratioSection.note.textContent = l10n.t('‖ΔW‖/‖W‖: how far a step moved each parameter, measured at sampled batches; around 1e-3 is healthy, far above or below it suggests the learning rate is off.');

  histogramSection = section(l10n.t('Weights and gradients of a parameter'));
  const chooser = element('label', 'chooser');
  chooser.append(element('span', undefined, l10n.t('Parameter')));
  parameterSelect = element('select');
  parameterSelect.addEventListener('change', () => {
    state.selectedParameter = parameterSelect.value;
    saveSoon();
    scheduleRender(['histograms']);
  });
  chooser.append(parameterSelect);
  histogramSection.root.insertBefore(chooser, histogramSection.body);
  const weightsHost = element('div', 'histogram');
  const gradsHost = element('div', 'histogram');
  histogramSection.body.append(weightsHost, gradsHost);

  inputsSection = section(l10n.t('Inputs of the current batch'));
  inputsGrid = element('div', 'images');
  inputsSection.body.append(inputsGrid);

  warningsSection = section(l10n.t('Warnings'));
  warningsList = element('ul', 'warnings');
  warningsSection.body.append(warningsList);

  app.append(header, empty, lossSection.root, gradSection.root, ratioSection.root, histogramSection.root, inputsSection.root, warningsSection.root);
  onScreen.clear();
  visibility.disconnect();
  for (const s of chartSections()) visibility.observe(s.root);

  const batchLabel = l10n.t('batch');
  lossChart = new LineChart(lossSection.body, { log: false, height: 220, xLabel: batchLabel });
  gradChart = new LineChart(gradSection.body, { log: true, height: 200, xLabel: batchLabel });
  ratioChart = new LineChart(ratioSection.body, { log: true, height: 200, xLabel: batchLabel });
  const colors = palette();
  weightsHistogram = new HistogramChart(weightsHost, l10n.t('weights'), colors[0]);
  gradsHistogram = new HistogramChart(gradsHost, l10n.t('gradients'), colors[1]);
}

// ---- Rendering ----

/** What a render redraws besides the header: only what changed since the last one (a run sends many messages). */
type Part = 'loss' | 'grads' | 'ratios' | 'histograms' | 'inputs' | 'warnings';
const ALL_PARTS: readonly Part[] = ['loss', 'grads', 'ratios', 'histograms', 'inputs', 'warnings'];
/** Parts changed since they were last drawn: a chart scrolled out of view, or in a hidden panel, waits until it shows. */
const dirty = new Set<Part>();
let renderQueued = false;
function scheduleRender(parts: readonly Part[] = ALL_PARTS): void {
  for (const part of parts) dirty.add(part);
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

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

function stateLabel(snapshot: PanelSnapshot): string {
  const session = snapshot.session;
  if (!session) return l10n.t('No session');
  switch (session.state) {
    case 'starting':
      return l10n.t('Starting…');
    case 'running':
      return l10n.t('Training…');
    case 'paused':
      return l10n.t('Paused');
    case 'ended':
      return l10n.t('Ended');
  }
}

function renderHeader(snapshot: PanelSnapshot): void {
  const session = snapshot.session;
  headerTitle.textContent = session ? session.name : l10n.t('Training');
  const parts = [stateLabel(snapshot)];
  if (session?.backend) parts.push(l10n.t('backend {backend}', { backend: session.backend }));
  // The batch as the adapter and the status bar name it (the one being trained, or bound at a stop: as many as
  // have been trained), and the last batch's loss.
  const last = snapshot.points[snapshot.points.length - 1];
  const batch = session?.batch ?? (last ? last.batch + 1 : undefined);
  if (batch !== undefined) {
    parts.push(l10n.t('batch {batch}', { batch }));
    const loss = typeof session?.loss === 'number' ? session.loss : last ? lossOf(last) : null;
    if (loss !== null) parts.push(l10n.t('loss {loss}', { loss: formatNumber(loss) }));
  }
  headerStatus.textContent = parts.join(' · ');
  const live = session !== null && session.state !== 'ended';
  buttons.continue.disabled = !live || session?.state !== 'paused';
  buttons.stop.disabled = !live;
  buttons.trainOneBatch.disabled = live && session?.state === 'running';
  buttons.trainBatches.disabled = live && session?.state === 'running';
  header.hidden = session === null && snapshot.points.length === 0;
  empty.hidden = !header.hidden;
}

function renderLoss(snapshot: PanelSnapshot): void {
  const points = snapshot.points;
  const losses = points.map(lossOf);
  lossSection.note.textContent =
    points.length === 0 ? (snapshot.session ? l10n.t('Waiting for the first batch…') : '') : losses.some((l) => l !== null && !Number.isFinite(l)) ? l10n.t('The loss became NaN or infinite: see the warnings.') : '';
  if (points.length === 0) {
    lossChart.hide();
    return;
  }
  const colors = palette();
  lossChart.update(
    [
      { label: l10n.t('loss'), stroke: faded(colors[0]), width: 1, points: { show: pointsBelow(50) } },
      // The first batches' losses are dots until there is a line to draw.
      { label: l10n.t('smoothed'), stroke: colors[0], width: 2, points: { show: pointsBelow(3), size: 8, fill: colors[0] } },
    ],
    [points.map((p) => p.batch), losses.map((l) => (l !== null && Number.isFinite(l) ? l : null)), smooth(losses, state.smoothing)],
  );
}

function renderSeries(snapshot: PanelSnapshot, key: 'gradNorms' | 'updateRatios', chart: LineChart, target: ReturnType<typeof section>, emptyText: string): void {
  const names = seriesNames(snapshot.points, key);
  if (names.length === 0) {
    chart.hide();
    target.note.textContent = snapshot.points.length > 0 ? emptyText : '';
    return;
  }
  if (key === 'gradNorms') target.note.textContent = '';
  const colors = palette();
  const columns = seriesColumns(snapshot.points, key, names);
  // Lines bridge a parameter's missing value; with few measurements each one is drawn as a dot too.
  const series: uPlot.Series[] = names.map((name, i) => ({ label: name, stroke: colors[i % colors.length], width: 1.5, spanGaps: true, points: { show: pointsBelow(50) } }));
  if (key === 'updateRatios') {
    series.push({ label: '1e-3', stroke: cssVar('--vscode-descriptionForeground', '#888'), width: 1, dash: [4, 4], points: { show: false } });
    columns.push(columns[0].map(() => 1e-3));
  }
  chart.update(series, columns as uPlot.AlignedData);
}

function renderHistograms(snapshot: PanelSnapshot): void {
  const byParameter = snapshot.histograms?.byParameter ?? {};
  const names = Object.keys(byParameter);
  const chosen = chooseParameter(names, state.selectedParameter);
  const options = Array.from(parameterSelect.options, (o) => o.value);
  if (options.join('\n') !== names.join('\n')) {
    parameterSelect.replaceChildren(...names.map((name) => {
      const option = element('option', undefined, name);
      option.value = name;
      return option;
    }));
  }
  if (chosen !== undefined) parameterSelect.value = chosen;
  parameterSelect.disabled = names.length === 0;
  if (chosen === undefined) {
    histogramSection.note.textContent = snapshot.points.length > 0 ? l10n.t('The runtime has not reported histograms yet.') : '';
    weightsHistogram.hide();
    gradsHistogram.hide();
    return;
  }
  histogramSection.note.textContent = l10n.t('Batch {batch}.', { batch: snapshot.histograms?.batch ?? 0 });
  weightsHistogram.update(byParameter[chosen].weights);
  gradsHistogram.update(byParameter[chosen].grads);
}

let drawnInputsKey = '';
function renderInputs(snapshot: PanelSnapshot): void {
  const inputs = snapshot.inputs;
  const key = inputs ? `${inputs.batch}:${inputs.shape.join('x')}` : '';
  if (inputs && key === drawnInputsKey) return;
  const bytes = inputs ? imageBytes(inputs) : null;
  if (!inputs || !bytes) {
    // Hidden, not emptied: the next run's images are likely as many and as large, and redraw these canvases.
    inputsGrid.hidden = true;
    drawnInputsKey = '';
    inputsSection.note.textContent = snapshot.points.length > 0 ? l10n.t('The current batch\'s inputs are not images (N×1×H×W or N×3×H×W), or the runtime did not send them.') : '';
    return;
  }
  drawnInputsKey = key;
  inputsGrid.hidden = false;
  const [n, , height, width] = inputs.shape;
  inputsSection.note.textContent = l10n.t('Batch {batch}: the first {count} images.', { batch: inputs.batch, count: n });
  // The next batches' images are as many and as large: their canvases are drawn again rather than made anew.
  const canvases = Array.from(inputsGrid.querySelectorAll('canvas'));
  const reuse = canvases.length === n && canvases.every((c) => c.width === width && c.height === height);
  const figures = reuse ? Array.from(inputsGrid.children) : [];
  for (let i = 0; i < n; i++) {
    const canvas = reuse ? canvases[i] : element('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    if (context) context.putImageData(new ImageData(imagePixels(inputs, bytes, i), width, height), 0, 0);
    const label = inputs.labels?.[i];
    const prediction = inputs.predictions?.[i];
    const caption = element('figcaption');
    if (label !== undefined) caption.append(element('span', 'label', l10n.t('label {label}', { label: String(label) })));
    if (prediction !== undefined) {
      const wrong = label !== undefined && String(label) !== String(prediction);
      caption.append(element('span', wrong ? 'prediction wrong' : 'prediction', l10n.t('pred {prediction}', { prediction: String(prediction) })));
    }
    const figure = reuse ? figures[i] : element('figure');
    figure.replaceChildren(canvas, ...(caption.childElementCount > 0 ? [caption] : []));
    if (!reuse) figures.push(figure);
  }
  if (!reuse) inputsGrid.replaceChildren(...figures);
}

function renderWarnings(snapshot: PanelSnapshot): void {
  const items = snapshot.diagnostics.map((d) => {
    const item = element('li', `warning ${d.origin}`);
    const head = element('div', 'warning-head');
    head.append(element('span', 'code', d.code), element('span', 'title', d.title));
    if (d.path !== undefined && d.line !== undefined) {
      const link = element('a', 'location', l10n.t('line {line}', { line: d.line + 1 }));
      link.href = '#';
      link.title = d.path;
      const path = d.path;
      const line = d.line;
      const col = d.col ?? 0;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        vscode.postMessage({ type: 'openLocation', path, line, col });
      });
      head.append(link);
    }
    if (d.batch !== undefined) head.append(element('span', 'batch', l10n.t('batch {batch}', { batch: d.batch })));
    item.append(head, element('p', 'message', d.message));
    return item;
  });
  warningsList.replaceChildren(...items);
  warningsSection.note.textContent = items.length === 0 ? l10n.t('No warnings.') : '';
}

let chartsShown: boolean | undefined;
function render(): void {
  const snapshot = state.snapshot;
  renderHeader(snapshot);
  const showCharts = empty.hidden;
  if (showCharts !== chartsShown) {
    chartsShown = showCharts;
    for (const s of chartSections()) s.root.hidden = !showCharts;
    for (const part of ALL_PARTS) dirty.add(part);
  }
  if (showCharts) {
    const draw = (part: Part, where: { root: HTMLElement }, drawPart: () => void) => {
      if (!dirty.has(part) || !shown(where.root)) return;
      drawPart();
      dirty.delete(part);
    };
    draw('loss', lossSection, () => renderLoss(snapshot));
    draw('grads', gradSection, () => renderSeries(snapshot, 'gradNorms', gradChart, gradSection, l10n.t('The runtime has not reported gradient norms yet.')));
    draw('ratios', ratioSection, () => renderSeries(snapshot, 'updateRatios', ratioChart, ratioSection, l10n.t('The runtime has not reported update ratios yet.')));
    draw('histograms', histogramSection, () => renderHistograms(snapshot));
    draw('inputs', inputsSection, () => renderInputs(snapshot));
  }
  if (dirty.has('warnings')) renderWarnings(snapshot);
  dirty.delete('warnings');
}

// ---- Drawing only what can be seen ----

/** Sections on screen, as the IntersectionObserver last said (one it has not reported on yet counts as on screen). */
const onScreen = new Map<Element, boolean>();
const visibility = new IntersectionObserver((entries) => {
  for (const entry of entries) onScreen.set(entry.target, entry.isIntersecting);
  if (entries.some((e) => e.isIntersecting) && dirty.size > 0) scheduleRender([]);
});

function shown(section: Element): boolean {
  return !document.hidden && onScreen.get(section) !== false;
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && dirty.size > 0) scheduleRender([]);
});

window.addEventListener('message', (event: MessageEvent<HostToPanelMessage>) => {
  const message = event.data;
  if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
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
      for (const chart of charts()) chart.clear();
      build();
      chartsShown = undefined;
    }
  }
  if (message.type === 'reset') drawnInputsKey = '';
  state.snapshot = applyMessage(state.snapshot, message);
  saveSoon();
  scheduleRender(changedBy(message, state.snapshot));
});

new ResizeObserver(() => {
  for (const chart of charts()) chart.resize();
}).observe(app);

build();
render();
// The host sends nothing until the page is listening.
vscode.postMessage({ type: 'ready' });
