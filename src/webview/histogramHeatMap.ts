// The data of the histogram heat map: a parameter's last histogram samples re-binned over one common value range.
import type { PanelHistograms } from './panelProtocol';

/** A parameter's weights or gradients over time: one row per sample, oldest first. */
export interface HeatMap {
  batches: number[];
  min: number;
  max: number;
  /** rows[sample][bin]: the bin's count over the row's largest (0…1), so that every sample's shape shows. */
  rows: number[][];
}

/**
 * The samples of `parameter`'s `part` that have one, each spread over `bins` equal bins from the smallest minimum to
 * the largest maximum of them all (a source bin's count is shared among the target bins it overlaps), or null when
 * fewer than one sample has it.
 */
export function heatMapOf(samples: readonly PanelHistograms[], parameter: string, part: 'weights' | 'grads', bins = 40): HeatMap | null {
  const taken = samples.flatMap((sample) => {
    const histogram = sample.byParameter[parameter]?.[part];
    return histogram && histogram.counts.length > 0 && Number.isFinite(histogram.min) && Number.isFinite(histogram.max) ? [{ batch: sample.batch, histogram }] : [];
  });
  if (taken.length === 0) return null;
  let min = Math.min(...taken.map((t) => t.histogram.min));
  let max = Math.max(...taken.map((t) => t.histogram.max));
  if (!(max > min)) {
    min -= 0.5;
    max += 0.5;
  }
  const width = (max - min) / bins;
  const rows = taken.map(({ histogram }) => {
    const row = new Array<number>(bins).fill(0);
    const sourceWidth = (histogram.max - histogram.min) / histogram.counts.length;
    histogram.counts.forEach((count, i) => {
      if (count <= 0) return;
      if (!(sourceWidth > 0)) {
        // All values equal: one target bin holds them.
        row[Math.min(bins - 1, Math.max(0, Math.floor((histogram.min - min) / width)))] += count;
        return;
      }
      const low = histogram.min + i * sourceWidth;
      const high = low + sourceWidth;
      const first = Math.max(0, Math.floor((low - min) / width));
      const last = Math.min(bins - 1, Math.floor((high - min) / width - 1e-9));
      for (let b = first; b <= last; b++) {
        const overlap = Math.min(high, min + (b + 1) * width) - Math.max(low, min + b * width);
        if (overlap > 0) row[b] += (count * overlap) / sourceWidth;
      }
    });
    const largest = Math.max(...row);
    return largest > 0 ? row.map((v) => v / largest) : row;
  });
  return { batches: taken.map((t) => t.batch), min, max, rows };
}
