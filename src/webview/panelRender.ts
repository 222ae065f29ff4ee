// Draws each part of the page from the snapshot: header and buttons, loss (with evaluation and earlier runs), series, histograms, images and warnings.
import type uPlot from 'uplot';
import * as l10n from '@vscode/l10n';
import { chooseParameter, imageBytes, imagePixels, lossOf, seriesColumns, seriesNames } from './chartData';
import { SHARE_SCALE, cssVar, faded, palette, pointsBelow } from './charts';
import { heatMapOf } from './histogramHeatMap';
import { lossColumns } from './lossChartData';
import { formatNumber } from './numberFormat';
import { element, type PanelElements } from './panelLayout';
import type { PanelDiagnostic, PanelInputs, PanelSnapshot } from './panelProtocol';
import type { SavedState } from './pageState';

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

export function renderHeader(ui: PanelElements, snapshot: PanelSnapshot): void {
  const session = snapshot.session;
  ui.headerTitle.textContent = session ? session.name : l10n.t('Training');
  const parts = [stateLabel(snapshot)];
  if (session?.backend) parts.push(l10n.t('backend {backend}', { backend: session.backend }));
  // The batch as the adapter and the status bar name it (the one being trained, or bound at a stop: as many as
  // have been trained), and the last batch's loss.
  const last = snapshot.points[snapshot.points.length - 1];
  const batch = session?.batch ?? last?.batch;
  if (batch !== undefined) {
    parts.push(l10n.t('batch {batch}', { batch }));
    const loss = typeof session?.loss === 'number' ? session.loss : last ? lossOf(last) : null;
    if (loss !== null) parts.push(l10n.t('loss {loss}', { loss: formatNumber(loss) }));
  }
  ui.headerStatus.textContent = parts.join(' · ');
  const live = session !== null && session.state !== 'ended';
  ui.buttons.continue.disabled = !live || session?.state !== 'paused';
  ui.buttons.stop.disabled = !live;
  ui.buttons.trainOneBatch.disabled = live && session?.state === 'running';
  ui.buttons.trainBatches.disabled = live && session?.state === 'running';
  ui.buttons.exportCsv.disabled = snapshot.points.length === 0;
  ui.header.hidden = session === null && snapshot.points.length === 0;
  ui.empty.hidden = !ui.header.hidden;
}

export function renderLoss(ui: PanelElements, snapshot: PanelSnapshot, state: SavedState): void {
  const points = snapshot.points;
  const evalPoints = snapshot.evalPoints ?? [];
  const runs = state.showRuns === false ? [] : (snapshot.runs ?? []).filter((r) => r.id !== snapshot.session?.id && r.batches.length > 0);
  const columns = lossColumns(points, state.smoothing, evalPoints, runs);
  const notes: string[] = [];
  if (points.length === 0 && snapshot.session) notes.push(l10n.t('Waiting for the first batch…'));
  if (points.some((p) => { const l = lossOf(p); return l !== null && !Number.isFinite(l); })) notes.push(l10n.t('The loss became NaN or infinite: see the warnings.'));
  const lastEval = evalPoints[evalPoints.length - 1];
  if (lastEval) {
    const loss = typeof lastEval.loss === 'number' ? formatNumber(lastEval.loss) : String(lastEval.loss);
    notes.push(typeof lastEval.accuracy === 'number'
      ? l10n.t('Last evaluation: loss {loss}, accuracy {accuracy}% ({samples} samples).', { loss, accuracy: (lastEval.accuracy * 100).toFixed(1), samples: lastEval.samples })
      : l10n.t('Last evaluation: loss {loss} ({samples} samples).', { loss, samples: lastEval.samples }));
  }
  ui.loss.note.textContent = notes.join(' ');
  ui.runsToggle.parentElement!.hidden = (snapshot.runs ?? []).length === 0;
  if (points.length === 0) {
    ui.lossChart.hide();
    return;
  }
  const colors = palette();
  const muted = cssVar('--vscode-descriptionForeground', '#888888');
  const series: uPlot.Series[] = [];
  const data: Array<Array<number | null>> = [columns.x];
  // Earlier runs first, thin and faded, so that this run's lines are drawn over them.
  columns.runs.forEach(({ run, values }, i) => {
    series.push({ label: l10n.t('run {name}', { name: `${i + 1}: ${new Date(run.startedAt).toLocaleTimeString()}` }), stroke: faded(i % 2 ? muted : colors[(i + 2) % colors.length], '88'), width: 1, spanGaps: true, points: { show: false } });
    data.push(values);
  });
  series.push(
    { label: l10n.t('loss'), stroke: faded(colors[0]), width: 1, spanGaps: true, points: { show: pointsBelow(50) } },
    // The first batches' losses are dots until there is a line to draw.
    { label: l10n.t('smoothed'), stroke: colors[0], width: 2.5, spanGaps: true, points: { show: pointsBelow(3), size: 8, fill: colors[0] } },
  );
  data.push(columns.loss, columns.smoothed);
  if (columns.hasEval) {
    series.push({ label: l10n.t('eval loss'), stroke: colors[1], width: 2, spanGaps: true, points: { show: true, size: 7, fill: colors[1] } });
    data.push(columns.evalLoss);
  }
  if (columns.hasAccuracy) {
    series.push({ label: l10n.t('eval accuracy'), stroke: colors[2], width: 2, dash: [5, 3], spanGaps: true, scale: SHARE_SCALE, points: { show: true, size: 7, fill: colors[2] } });
    data.push(columns.evalAccuracy);
  }
  ui.lossChart.update(series, data as uPlot.AlignedData);
}

export function renderSeries(ui: PanelElements, snapshot: PanelSnapshot, key: 'gradNorms' | 'updateRatios'): void {
  const chart = key === 'gradNorms' ? ui.gradChart : ui.ratioChart;
  const target = key === 'gradNorms' ? ui.grads : ui.ratios;
  const names = seriesNames(snapshot.points, key);
  if (names.length === 0) {
    chart.hide();
    const emptyText = key === 'gradNorms' ? l10n.t('The runtime has not reported gradient norms yet.') : l10n.t('The runtime has not reported update ratios yet.');
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

export function renderHistograms(ui: PanelElements, snapshot: PanelSnapshot, state: SavedState): void {
  const byParameter = snapshot.histograms?.byParameter ?? {};
  const names = Object.keys(byParameter);
  const chosen = chooseParameter(names, state.selectedParameter);
  const options = Array.from(ui.parameterSelect.options, (o) => o.value);
  if (options.join('\n') !== names.join('\n')) {
    ui.parameterSelect.replaceChildren(...names.map((name) => {
      const option = element('option', undefined, name);
      option.value = name;
      return option;
    }));
  }
  if (chosen !== undefined) ui.parameterSelect.value = chosen;
  ui.parameterSelect.disabled = names.length === 0;
  const overTime = ui.histograms.body.querySelector<HTMLElement>('.over-time');
  if (chosen === undefined) {
    ui.histograms.note.textContent = snapshot.points.length > 0 ? l10n.t('The runtime has not reported histograms yet.') : '';
    for (const chart of [ui.weightsHistogram, ui.gradsHistogram]) chart.hide();
    ui.weightsHeatMap.update(null, '', '');
    ui.gradsHeatMap.update(null, '', '');
    if (overTime) overTime.hidden = true;
    return;
  }
  ui.histograms.note.textContent = l10n.t('Batch {batch}.', { batch: snapshot.histograms?.batch ?? 0 });
  ui.weightsHistogram.update(byParameter[chosen].weights);
  ui.gradsHistogram.update(byParameter[chosen].grads);
  const samples = snapshot.histogramHistory ?? [];
  const colors = palette();
  const foreground = cssVar('--vscode-foreground', '#cccccc');
  const weights = samples.length > 1 ? heatMapOf(samples, chosen, 'weights') : null;
  const grads = samples.length > 1 ? heatMapOf(samples, chosen, 'grads') : null;
  ui.weightsHeatMap.update(weights, colors[0], foreground);
  ui.gradsHeatMap.update(grads, colors[1], foreground);
  if (overTime) overTime.hidden = !weights && !grads;
}

/** A class's name when the dataset had `classes`, else its number. */
function className(inputs: PanelInputs, value: number): string {
  return inputs.classes?.[value] ?? String(value);
}

/** The key of the images drawn last (the next batch's images are drawn only when they differ). */
export function inputsKey(inputs: PanelInputs | null): string {
  return inputs ? `${inputs.batch}:${inputs.shape.join('x')}:${inputs.bytes.length}:${inputs.bytes.slice(0, 64)}` : '';
}

export function renderInputs(ui: PanelElements, snapshot: PanelSnapshot): void {
  const inputs = snapshot.inputs;
  const bytes = inputs ? imageBytes(inputs) : null;
  if (!inputs || !bytes) {
    // Hidden, not emptied: the next run's images are likely as many and as large, and redraw these canvases.
    ui.inputsGrid.hidden = true;
    ui.inputs.note.textContent = snapshot.points.length > 0 ? l10n.t('The current batch\'s inputs are not images (N×1×H×W or N×3×H×W), or the runtime did not send them.') : '';
    return;
  }
  ui.inputsGrid.hidden = false;
  const [n, , height, width] = inputs.shape;
  ui.inputs.note.textContent = l10n.t('Batch {batch}: the first {count} images.', { batch: inputs.batch, count: n });
  // The next batches' images are as many and as large: their canvases are drawn again rather than made anew.
  const canvases = Array.from(ui.inputsGrid.querySelectorAll('canvas'));
  const reuse = canvases.length === n && canvases.every((c) => c.width === width && c.height === height);
  const figures = reuse ? Array.from(ui.inputsGrid.children) : [];
  for (let i = 0; i < n; i++) {
    const canvas = reuse ? canvases[i] : element('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    if (context) context.putImageData(new ImageData(imagePixels(inputs, bytes, i), width, height), 0, 0);
    const label = inputs.labels?.[i];
    const prediction = inputs.predictions?.[i];
    const caption = element('figcaption');
    if (label !== undefined) caption.append(element('span', 'label', l10n.t('label {label}', { label: className(inputs, label) })));
    if (prediction !== undefined) {
      const wrong = label !== undefined && label !== prediction;
      caption.append(element('span', wrong ? 'prediction wrong' : 'prediction', l10n.t('pred {prediction}', { prediction: className(inputs, prediction) })));
    }
    const figure = reuse ? figures[i] : element('figure');
    figure.replaceChildren(canvas, ...(caption.childElementCount > 0 ? [caption] : []));
    if (!reuse) figures.push(figure);
  }
  if (!reuse) ui.inputsGrid.replaceChildren(...figures);
}

export function renderWarnings(ui: PanelElements, diagnostics: readonly PanelDiagnostic[], open: (path: string, line: number, col: number) => void): void {
  const items = diagnostics.map((d) => {
    const item = element('li', `warning ${d.origin}`);
    const head = element('div', 'warning-head');
    head.append(element('span', 'code', d.code), element('span', 'title', d.title));
    if (d.path !== undefined && d.line !== undefined) {
      const link = element('a', 'location', l10n.t('line {line}', { line: d.line + 1 }));
      link.href = '#';
      link.title = d.path;
      const { path, line } = d;
      const col = d.col ?? 0;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        open(path, line, col);
      });
      head.append(link);
    }
    if (d.batch !== undefined) head.append(element('span', 'batch', l10n.t('batch {batch}', { batch: d.batch })));
    item.append(head, element('p', 'message', d.message));
    return item;
  });
  ui.warningsList.replaceChildren(...items);
  ui.warnings.note.textContent = items.length === 0 ? l10n.t('No warnings.') : '';
}
