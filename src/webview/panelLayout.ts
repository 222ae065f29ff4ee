// Builds the page's elements (header, buttons, sections, charts) once per language; the view fills them in.
import * as l10n from '@vscode/l10n';
import { HistogramChart, LineChart, palette } from './charts';
import { HeatMapChart } from './heatMapChart';
import type { PanelAction } from './panelProtocol';

export interface Section {
  root: HTMLElement;
  heading: HTMLElement;
  body: HTMLElement;
  note: HTMLElement;
}

/** The charts a "Save PNG" button can save. */
export type ChartName = 'loss' | 'grads' | 'ratios' | 'histograms';

/** What the page's controls ask of the view. */
export interface LayoutHandlers {
  run(action: PanelAction): void;
  smoothing(value: number): void;
  parameter(name: string): void;
  showRuns(shown: boolean): void;
  exportCsv(): void;
  exportPng(chart: ChartName): void;
}

export interface PanelElements {
  header: HTMLElement;
  headerTitle: HTMLElement;
  headerStatus: HTMLElement;
  buttons: Record<'trainOneBatch' | 'trainBatches' | 'continue' | 'stop' | 'exportCsv', HTMLButtonElement>;
  empty: HTMLElement;
  loss: Section;
  smoothingInput: HTMLInputElement;
  smoothingValue: HTMLElement;
  runsToggle: HTMLInputElement;
  grads: Section;
  ratios: Section;
  histograms: Section;
  parameterSelect: HTMLSelectElement;
  inputs: Section;
  inputsGrid: HTMLElement;
  warnings: Section;
  warningsList: HTMLElement;
  lossChart: LineChart;
  gradChart: LineChart;
  ratioChart: LineChart;
  weightsHistogram: HistogramChart;
  gradsHistogram: HistogramChart;
  weightsHeatMap: HeatMapChart;
  gradsHeatMap: HeatMapChart;
}

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function section(title: string, onPng?: () => void): Section {
  const root = element('section', 'panel-section');
  const heading = element('h2', undefined, title);
  const note = element('p', 'note');
  const body = element('div', 'section-body');
  if (onPng) {
    const head = element('div', 'section-head');
    const save = element('button', 'secondary small save-png', l10n.t('Save PNG'));
    save.type = 'button';
    save.title = l10n.t('Save this chart as a PNG image');
    save.addEventListener('click', onPng);
    head.append(heading, save);
    root.append(head, note, body);
  } else {
    root.append(heading, note, body);
  }
  return { root, heading, body, note };
}

/** Replaces the page's content with the panel's elements, in `app`. */
export function buildLayout(app: HTMLElement, settings: { batchCount: number; smoothing: number; showRuns: boolean }, on: LayoutHandlers): PanelElements {
  app.replaceChildren();
  const button = (label: string, action: PanelAction, primary = false) => {
    const b = element('button', primary ? 'primary' : 'secondary', label);
    b.type = 'button';
    b.addEventListener('click', () => on.run(action));
    return b;
  };
  const header = element('header', 'session');
  const headerTitle = element('h1');
  const headerStatus = element('p', 'status');
  const toolbar = element('div', 'toolbar');
  const exportCsv = element('button', 'secondary', l10n.t('Export CSV'));
  exportCsv.type = 'button';
  exportCsv.title = l10n.t('Save the curves (loss, evaluation, gradient norms, update ratios) as a CSV file');
  exportCsv.addEventListener('click', () => on.exportCsv());
  const buttons = {
    trainOneBatch: button(l10n.t('▶ Train one batch'), 'trainOneBatch', true),
    trainBatches: button(l10n.t('▶▶ Train {count} batches', { count: settings.batchCount }), 'trainBatches'),
    continue: button(l10n.t('Continue'), 'continue'),
    stop: button(l10n.t('■ Stop'), 'stop'),
    exportCsv,
  };
  toolbar.append(buttons.trainOneBatch, buttons.trainBatches, buttons.continue, buttons.stop, buttons.exportCsv);
  header.append(headerTitle, headerStatus, toolbar);

  const empty = element('section', 'empty');
  empty.append(
    element('h2', undefined, l10n.t('No training run yet')),
    element('p', undefined, l10n.t('Open a Python training script and click "▶ Train one batch" above its training loop, or press F5 and choose Trainloop. The run stops after each batch you ask for, and this panel charts it.')),
  );
  const emptyActions = element('div', 'toolbar');
  emptyActions.append(button(l10n.t('Train one batch of the current file'), 'trainOneBatch', true), button(l10n.t('Open the quickstart example'), 'openQuickstart'));
  empty.append(emptyActions);

  const loss = section(l10n.t('Loss per batch'), () => on.exportPng('loss'));
  const controls = element('div', 'loss-controls');
  const smoothingRow = element('label', 'smoothing');
  smoothingRow.append(element('span', undefined, l10n.t('Smoothing')));
  const smoothingInput = element('input');
  smoothingInput.type = 'range';
  smoothingInput.min = '0';
  smoothingInput.max = '0.99';
  smoothingInput.step = '0.01';
  smoothingInput.value = String(settings.smoothing);
  const smoothingValue = element('span', 'value', settings.smoothing.toFixed(2));
  smoothingInput.addEventListener('input', () => {
    smoothingValue.textContent = Number(smoothingInput.value).toFixed(2);
    on.smoothing(Number(smoothingInput.value));
  });
  smoothingRow.append(smoothingInput, smoothingValue);
  const runsRow = element('label', 'runs-toggle');
  const runsToggle = element('input');
  runsToggle.type = 'checkbox';
  runsToggle.checked = settings.showRuns;
  runsToggle.addEventListener('change', () => on.showRuns(runsToggle.checked));
  runsRow.append(runsToggle, element('span', undefined, l10n.t('Earlier runs')));
  controls.append(smoothingRow, runsRow);
  loss.root.insertBefore(controls, loss.body);

  const grads = section(l10n.t('Gradient norm per parameter'), () => on.exportPng('grads'));
  const ratios = section(l10n.t('Update-to-weight ratio per layer'), () => on.exportPng('ratios'));
  ratios.note.textContent = l10n.t('‖ΔW‖/‖W‖: how far a step moved each parameter, measured at sampled batches; around 1e-3 is healthy, far above or below it suggests the learning rate is off.');

  const histograms = section(l10n.t('Weights and gradients of a parameter'), () => on.exportPng('histograms'));
  const chooser = element('label', 'chooser');
  chooser.append(element('span', undefined, l10n.t('Parameter')));
  const parameterSelect = element('select');
  parameterSelect.addEventListener('change', () => on.parameter(parameterSelect.value));
  chooser.append(parameterSelect);
  histograms.root.insertBefore(chooser, histograms.body);
  const weightsHost = element('div', 'histogram');
  const gradsHost = element('div', 'histogram');
  const overTime = element('h3', 'over-time', l10n.t('Over the last samples (one row per sample, newest at the bottom)'));
  const weightsMapHost = element('div', 'heat-map-host');
  const gradsMapHost = element('div', 'heat-map-host');
  histograms.body.append(weightsHost, gradsHost, overTime, weightsMapHost, gradsMapHost);

  const inputs = section(l10n.t('Inputs of the current batch'));
  const inputsGrid = element('div', 'images');
  inputs.body.append(inputsGrid);

  const warnings = section(l10n.t('Warnings'));
  const warningsList = element('ul', 'warnings');
  warnings.body.append(warningsList);

  app.append(header, empty, loss.root, grads.root, ratios.root, histograms.root, inputs.root, warnings.root);

  const batchLabel = l10n.t('batch');
  const colors = palette();
  return {
    header,
    headerTitle,
    headerStatus,
    buttons,
    empty,
    loss,
    smoothingInput,
    smoothingValue,
    runsToggle,
    grads,
    ratios,
    histograms,
    parameterSelect,
    inputs,
    inputsGrid,
    warnings,
    warningsList,
    lossChart: new LineChart(loss.body, { log: false, height: 220, xLabel: batchLabel }),
    gradChart: new LineChart(grads.body, { log: true, height: 200, xLabel: batchLabel }),
    ratioChart: new LineChart(ratios.body, { log: true, height: 200, xLabel: batchLabel }),
    weightsHistogram: new HistogramChart(weightsHost, l10n.t('weights'), colors[0]),
    gradsHistogram: new HistogramChart(gradsHost, l10n.t('gradients'), colors[1]),
    weightsHeatMap: new HeatMapChart(weightsMapHost, l10n.t('weights')),
    gradsHeatMap: new HeatMapChart(gradsMapHost, l10n.t('gradients')),
  };
}
