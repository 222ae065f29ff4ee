// The training panel's data shaping, free of the DOM: applying updates to the page's snapshot, loss smoothing, per-parameter series, histogram bars and image pixels.
import {
  type BatchImages,
  type BatchPoint,
  type HostToPanelMessage,
  type PanelHistograms,
  type PanelSnapshot,
  type ValueHistogram,
  decodeNumber,
} from './panelProtocol';

/** Points the page keeps (and saves with setState); older ones are thinned like the host does. */
export const MAX_PAGE_POINTS = 5_000;
/** Histogram samples kept for the heat map over time (the host keeps as many). */
export const HISTOGRAM_SAMPLES = 20;

export function emptySnapshot(): PanelSnapshot {
  return { session: null, points: [], histograms: null, histogramHistory: [], inputs: null, evalPoints: [], diagnostics: [], runs: [] };
}

/** The histogram samples with `latest` added: a sample of the same batch replaces the one before (a stop measures
 * again what the sampler measured); at most HISTOGRAM_SAMPLES, oldest first. */
export function withHistogramSample(history: readonly PanelHistograms[] | undefined, latest: PanelHistograms): PanelHistograms[] {
  const kept = (history ?? []).filter((h) => h.batch !== latest.batch);
  kept.push(latest);
  return kept.slice(-HISTOGRAM_SAMPLES);
}

function capPoints(points: BatchPoint[]): BatchPoint[] {
  if (points.length <= MAX_PAGE_POINTS) return points;
  // Keep the newest half as is and every other point of the rest, repeatedly, until it fits.
  let thinned = points;
  while (thinned.length > MAX_PAGE_POINTS) {
    const half = thinned.length >> 1;
    thinned = thinned.slice(0, half).filter((_, i) => i % 2 === 0).concat(thinned.slice(half));
  }
  return thinned;
}

/** The snapshot after a message from the host (messages without data return it unchanged). */
export function applyMessage(snapshot: PanelSnapshot, message: HostToPanelMessage): PanelSnapshot {
  switch (message.type) {
    case 'init':
      return {
        session: message.session,
        points: capPoints(message.points),
        histograms: message.histograms,
        histogramHistory: message.histogramHistory ?? (message.histograms ? [message.histograms] : []),
        inputs: message.inputs,
        evalPoints: message.evalPoints ?? [],
        diagnostics: message.diagnostics,
        runs: message.runs ?? [],
      };
    case 'reset':
      return { ...emptySnapshot(), session: message.session, diagnostics: snapshot.diagnostics, runs: message.runs ?? snapshot.runs ?? [] };
    case 'session':
      return { ...snapshot, session: message.session };
    case 'diagnostics':
      return { ...snapshot, diagnostics: message.diagnostics };
    case 'update': {
      // A batch index seen again (a restarted loop) replaces nothing: points are in arrival order.
      const next: PanelSnapshot = { ...snapshot, points: capPoints(snapshot.points.concat(message.points)) };
      if (message.histograms) {
        next.histograms = message.histograms;
        next.histogramHistory = withHistogramSample(snapshot.histogramHistory, message.histograms);
      }
      if (message.inputs) next.inputs = message.inputs;
      if (message.evalPoints && message.evalPoints.length > 0) next.evalPoints = (snapshot.evalPoints ?? []).concat(message.evalPoints);
      if (message.session) next.session = message.session;
      return next;
    }
  }
}

export function lossOf(point: BatchPoint): number | null {
  return decodeNumber(point.loss);
}

/**
 * Exponential moving average with TensorBoard's debiasing (early values are not pulled towards 0).
 * `weight` 0 gives the values back; gaps (null, NaN) stay gaps and do not disturb the average.
 */
export function smooth(values: ReadonlyArray<number | null>, weight: number): Array<number | null> {
  const w = Math.min(Math.max(weight, 0), 0.999);
  let last = 0;
  let count = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    last = last * w + (1 - w) * v;
    count++;
    const debias = w === 0 ? 1 : 1 - Math.pow(w, count);
    return last / debias;
  });
}

/** Parameter (or layer) names present in any point, in first-seen order. */
export function seriesNames(points: readonly BatchPoint[], key: 'gradNorms' | 'updateRatios'): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const point of points) {
    for (const name of Object.keys(point[key])) {
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
    }
  }
  return names;
}

/**
 * Columns for a chart with one line per name: x = the batches that have a value (the runtime measures gradient norms
 * at some batches only, so the others are left out rather than left as gaps that would break every line into lone
 * points), then each name's values; a value that a log scale cannot show (≤ 0, non-finite, missing) is a gap.
 */
export function seriesColumns(points: readonly BatchPoint[], key: 'gradNorms' | 'updateRatios', names: readonly string[]): Array<Array<number | null>> {
  const measured = points.filter((p) => names.some((name) => name in p[key]));
  const columns: Array<Array<number | null>> = [measured.map((p) => p.batch)];
  for (const name of names) {
    columns.push(
      measured.map((p) => {
        const v = p[key][name];
        return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
      }),
    );
  }
  return columns;
}

/** Bin centres and counts of a histogram, for a bar chart. */
export function histogramBars(histogram: ValueHistogram): { centres: number[]; counts: number[] } {
  const bins = histogram.counts.length;
  const span = histogram.max - histogram.min;
  const width = bins > 0 && span > 0 ? span / bins : 1;
  const centres = histogram.counts.map((_, i) => histogram.min + (i + 0.5) * width);
  return { centres, counts: histogram.counts.slice() };
}

/** The batch images' bytes (sent in base64), decoded once for all the images; null unless they are base64 of as many
 * bytes as the shape says (a page state saved by an older version held a list of values instead). */
export function imageBytes(images: BatchImages): Uint8Array | null {
  let text: string;
  try {
    text = atob(images.bytes);
  } catch {
    return null; // not base64, or not a string
  }
  if (text.length !== images.shape.reduce((a, b) => a * b, 1)) return null;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * RGBA pixels of image `index` of a batch (`bytes` from imageBytes), each image stretched over its own range (the
 * runtime scaled them over the range of them all). Grey images repeat their one channel.
 */
export function imagePixels(images: BatchImages, bytes: Uint8Array, index: number): Uint8ClampedArray<ArrayBuffer> {
  const [, channels, height, width] = images.shape;
  const plane = height * width;
  const offset = index * channels * plane;
  let min = 255;
  let max = 0;
  for (let i = offset; i < offset + channels * plane; i++) {
    if (bytes[i] < min) min = bytes[i];
    if (bytes[i] > max) max = bytes[i];
  }
  const scale = max > min ? 255 / (max - min) : 0;
  const rgba = new Uint8ClampedArray(plane * 4);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = (bytes[offset + (channels === 3 ? c : 0) * plane + p] - min) * scale;
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}

/** The parameter to show in the histogram: the chosen one if it still has data, else the first. */
export function chooseParameter(available: readonly string[], chosen: string | undefined): string | undefined {
  if (chosen !== undefined && available.includes(chosen)) return chosen;
  return available[0];
}
