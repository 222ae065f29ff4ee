// Draws a histogram heat map on a canvas: x the value, one row per sample (newest at the bottom), brighter where more values fall.
import type { HeatMap } from './histogramHeatMap';
import { formatNumber } from './numberFormat';

const ROW_HEIGHT = 8;
const LEFT = 56;
const BOTTOM = 18;

/** A canvas heat map of one parameter's weights or gradients over its last samples. */
export class HeatMapChart {
  readonly canvas: HTMLCanvasElement;

  constructor(
    host: HTMLElement,
    private readonly label: string,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'heat-map';
    this.canvas.setAttribute('role', 'img');
    this.canvas.hidden = true;
    host.append(this.canvas);
  }

  /** Draws `map` in `color` (a #rrggbb theme colour), or hides the canvas when there is none. */
  update(map: HeatMap | null, color: string, foreground: string): void {
    if (!map) {
      this.canvas.hidden = true;
      return;
    }
    this.canvas.hidden = false;
    const width = Math.max(this.canvas.parentElement?.clientWidth ?? 0, 160);
    const height = map.rows.length * ROW_HEIGHT + BOTTOM + 4;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.canvas.setAttribute('aria-label', `${this.label}: ${map.batches.length}`);
    this.canvas.dataset.samples = String(map.rows.length);
    this.canvas.dataset.batches = map.batches.join(',');
    const context = this.canvas.getContext('2d');
    if (!context) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    const plotWidth = width - LEFT - 4;
    const bins = map.rows[0]?.length ?? 0;
    const binWidth = bins > 0 ? plotWidth / bins : 0;
    const rgb = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(color);
    const [r, g, b] = rgb ? [1, 2, 3].map((i) => parseInt(rgb[i], 16)) : [55, 148, 255];
    map.rows.forEach((row, y) => {
      row.forEach((share, x) => {
        if (share <= 0) return;
        context.fillStyle = `rgba(${r},${g},${b},${(0.15 + 0.85 * share).toFixed(3)})`;
        context.fillRect(LEFT + x * binWidth, y * ROW_HEIGHT, Math.ceil(binWidth), ROW_HEIGHT - 1);
      });
    });
    context.fillStyle = foreground;
    context.font = '10px sans-serif';
    context.textBaseline = 'middle';
    const first = map.batches[0];
    const last = map.batches[map.batches.length - 1];
    context.fillText(String(first), 2, ROW_HEIGHT / 2);
    if (map.rows.length > 1) context.fillText(String(last), 2, (map.rows.length - 0.5) * ROW_HEIGHT);
    context.textBaseline = 'top';
    const axisY = map.rows.length * ROW_HEIGHT + 4;
    context.fillText(formatNumber(map.min), LEFT, axisY);
    const maxText = formatNumber(map.max);
    context.fillText(maxText, width - 4 - context.measureText(maxText).width, axisY);
  }

  png(): string | null {
    return this.canvas.hidden ? null : this.canvas.toDataURL('image/png');
  }
}
