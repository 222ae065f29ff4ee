// The panel's uPlot charts: a line chart whose series can change, a histogram bar chart (y from 0), theme colours, axes, and PNG export of a chart's canvas.
import uPlot from 'uplot';
import * as l10n from '@vscode/l10n';
import { histogramBars } from './chartData';
import { formatNumber } from './numberFormat';
import type { ValueHistogram } from './panelProtocol';

export function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

/** A theme colour made see-through (for the raw loss under its smoothed line, and for past runs). */
export function faded(color: string, alpha = '55'): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}${alpha}` : color;
}

export function palette(): string[] {
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

/** The scale of series drawn against the right-hand axis, from 0 to 1 (evaluation accuracy). */
export const SHARE_SCALE = 'share';

const BATCH_INCREMENTS = [1, 2, 5].flatMap((step) => [1, 10, 100, 1e3, 1e4, 1e5, 1e6].map((scale) => step * scale)).sort((a, b) => a - b);

function axes(log: boolean, xIsBatch: boolean, withShare: boolean): uPlot.Axis[] {
  const foreground = cssVar('--vscode-foreground', '#ccc');
  const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)');
  const axis: uPlot.Axis = { stroke: foreground, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return [
    // Batches are whole numbers: so are the x axis's ticks.
    xIsBatch ? { ...axis, incrs: BATCH_INCREMENTS } : { ...axis },
    // uPlot leaves a null where a log scale's minor tick gets no label.
    { ...axis, size: 60, ...(log ? { values: (_u: uPlot, splits: Array<number | null>) => splits.map((v) => (v === null ? '' : formatNumber(v))) } : {}) },
    ...(withShare ? [{ ...axis, scale: SHARE_SCALE, side: 1, size: 50, grid: { show: false }, values: (_u: uPlot, splits: number[]) => splits.map((v) => `${Math.round(v * 100)}%`) }] : []),
  ];
}

/** What the chart kinds share: one uPlot, made at the first data; hidden and kept when there is none (a new run:
 * making it again costs more than the page's every later update); destroyed when the page is rebuilt. */
export abstract class Chart {
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

  /** The chart as a PNG data: URL (its canvas; the legend is HTML and not in it), or null before it has data. */
  png(): string | null {
    return this.plot && !this.plot.root.hidden ? this.plot.ctx.canvas.toDataURL('image/png') : null;
  }
}

/** A uPlot line chart whose series can change (parameters appear as the run goes). */
export class LineChart extends Chart {
  private key = '';

  constructor(
    host: HTMLElement,
    private readonly options: { log: boolean; height: number; xLabel: string },
  ) {
    super(host, 200, options.height);
  }

  update(series: uPlot.Series[], data: uPlot.AlignedData): void {
    const key = series.map((s) => `${String(s.label)}|${String(s.stroke)}|${s.scale ?? ''}`).join('\n');
    if (key !== this.key || !this.redraw(data)) {
      this.clear();
      this.key = key;
      const withShare = series.some((s) => s.scale === SHARE_SCALE);
      this.plot = new uPlot(
        {
          width: this.width(),
          height: this.height,
          series: [{ label: this.options.xLabel }, ...series],
          scales: { x: { time: false }, y: this.options.log ? { distr: 3 } : {}, ...(withShare ? { [SHARE_SCALE]: { range: [0, 1] as uPlot.Range.MinMax } } : {}) },
          axes: axes(this.options.log, true, withShare),
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
export function pointsBelow(count: number): uPlot.Series.Points.Show {
  return (plot) => plot.data[0].length < count;
}

/** A bar chart of one histogram; its y axis (counts) starts at 0, as a bar's height is its count. */
export class HistogramChart extends Chart {
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
    if (!this.redraw(data)) this.create(data);
  }

  private create(data: uPlot.AlignedData): void {
    this.plot = new uPlot(
      {
        width: this.width(),
        height: this.height,
        series: [{ label: l10n.t('value') }, { label: this.label, stroke: this.color, fill: this.color, paths: uPlot.paths.bars?.({ size: [0.9, Infinity] }), points: { show: false } }],
        // uPlot fits y to the data's own range; counts start at 0.
        scales: { x: { time: false }, y: { range: (_u: uPlot, _min: number, max: number) => [0, max > 0 ? max * 1.05 : 1] } },
        axes: axes(false, false, false),
        legend: { show: true, live: true },
        // The y scale's range, on the element, for whoever checks it starts at 0 (the page test).
        hooks: { setScale: [(u, key) => { if (key === 'y') this.host.dataset.yRange = `${u.scales.y.min},${u.scales.y.max}`; }] },
      },
      data,
      this.host,
    );
  }
}
