// The panel's curves as CSV (the page's "Export CSV" button and the host's export command share it): one row per batch.
import type { BatchPoint, EvalPoint } from './panelProtocol';
import { decodeNumber } from './panelProtocol';
import { seriesNames } from './chartData';

function cell(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const decoded = decodeNumber(value);
  if (decoded !== null) return String(decoded);
  // Parameter names come from the user's model: quote any that CSV would split.
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * `batch,epoch,loss,eval_loss,eval_accuracy,grad_norm:<name>…,update_ratio:<name>…`: every batch's loss, the gradient
 * norms and update ratios where they were measured, and each evaluation pass on the row of the batch it followed.
 */
export function curvesCsv(points: readonly BatchPoint[], evalPoints: readonly EvalPoint[] = []): string {
  const gradNames = seriesNames(points, 'gradNorms');
  const ratioNames = seriesNames(points, 'updateRatios');
  const header = ['batch', 'epoch', 'loss', 'eval_loss', 'eval_accuracy', ...gradNames.map((n) => `grad_norm:${n}`), ...ratioNames.map((n) => `update_ratio:${n}`)];
  const evalsAt = new Map<number, EvalPoint>();
  for (const e of evalPoints) evalsAt.set(e.batch, e);
  const rows: string[][] = [];
  const byBatch = new Map<number, BatchPoint>();
  for (const point of points) byBatch.set(point.batch, point);
  const batches = [...new Set([...points.map((p) => p.batch), ...evalPoints.map((e) => e.batch)])].sort((a, b) => a - b);
  for (const batch of batches) {
    const point = byBatch.get(batch);
    const evaluation = evalsAt.get(batch);
    rows.push([
      String(batch),
      cell(point?.epoch ?? evaluation?.epoch),
      cell(point?.loss),
      cell(evaluation?.loss),
      cell(evaluation?.accuracy),
      ...gradNames.map((n) => cell(point?.gradNorms[n])),
      ...ratioNames.map((n) => cell(point?.updateRatios[n])),
    ]);
  }
  return [header.map((h) => cell(h)), ...rows].map((row) => row.join(',')).join('\n') + '\n';
}
