// Short number formats shared by the page, the status bar and hovers (e.g. `0.532`, `1.1e-3`): the page imports nothing from src/extension.

/** Three significant digits; exponent form for very small or large values. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 1e4 || abs < 1e-3 ? value.toExponential(1) : Number(value.toPrecision(3)).toString();
}
