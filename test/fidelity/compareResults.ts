// Compares two fidelity dumps (dump_cases.py output) and describes every disagreement in plain words.

/** A float written by dump_cases.py: a number, or "nan" / "inf" / "-inf". */
export type DumpedValue = number | boolean | string;

export interface DumpedTensor {
  shape: number[];
  dtype: string;
  values: DumpedValue[];
}

/** A case that raised: {"error": "<type>: <message>"}. */
export interface DumpedError {
  error: string;
}

export type DumpedCase = DumpedError | Record<string, DumpedTensor>;

export type Dump = Record<string, DumpedCase>;

export interface Tolerance {
  /** Allowed difference relative to the expected value's magnitude. */
  rtol: number;
  /** Allowed absolute difference (matters for expected values near zero). */
  atol: number;
}

export const defaultTolerance: Tolerance = { rtol: 1e-4, atol: 1e-5 };

export function isDumpedError(result: unknown): result is DumpedError {
  return (
    typeof result === 'object' &&
    result !== null &&
    typeof (result as { error?: unknown }).error === 'string'
  );
}

/**
 * Every way `actual` disagrees with `reference`, one readable line each; empty when they agree.
 * Floats agree when |got - expected| <= atol + rtol * |expected| (NaN only equals NaN,
 * infinities only themselves); integers and booleans must be equal.
 */
export function compareResults(
  reference: Dump,
  actual: Dump,
  tolerance: Tolerance = defaultTolerance,
): string[] {
  const mismatches: string[] = [];
  for (const [caseName, expectedCase] of Object.entries(reference)) {
    if (isDumpedError(expectedCase)) {
      mismatches.push(`${caseName}: the reference itself failed (${expectedCase.error}); regenerate it`);
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(actual, caseName)) {
      mismatches.push(`${caseName}: missing from the results`);
      continue;
    }
    const actualCase = actual[caseName];
    if (isDumpedError(actualCase)) {
      mismatches.push(`${caseName}: raised ${actualCase.error}`);
      continue;
    }
    for (const [outputName, expected] of Object.entries(expectedCase)) {
      const label = `${caseName}/${outputName}`;
      if (!Object.prototype.hasOwnProperty.call(actualCase, outputName)) {
        mismatches.push(`${label}: missing from the results`);
        continue;
      }
      const problem = compareTensors(expected, actualCase[outputName], tolerance);
      if (problem !== undefined) {
        mismatches.push(`${label}: ${problem}`);
      }
    }
    for (const outputName of Object.keys(actualCase)) {
      if (!Object.prototype.hasOwnProperty.call(expectedCase, outputName)) {
        mismatches.push(`${caseName}/${outputName}: not in the reference (regenerate it with make_reference.sh)`);
      }
    }
  }
  for (const caseName of Object.keys(actual)) {
    if (!Object.prototype.hasOwnProperty.call(reference, caseName)) {
      mismatches.push(`${caseName}: not in the reference (regenerate it with make_reference.sh)`);
    }
  }
  return mismatches;
}

/** Why two dumped tensors disagree, or undefined when they agree. */
export function compareTensors(
  expected: DumpedTensor,
  got: DumpedTensor,
  tolerance: Tolerance = defaultTolerance,
): string | undefined {
  if (!isDumpedTensor(got)) {
    return `malformed result ${truncate(JSON.stringify(got))}`;
  }
  if (expected.dtype !== got.dtype) {
    return `dtype ${got.dtype}, expected ${expected.dtype}`;
  }
  if (!sameShape(expected.shape, got.shape)) {
    return `shape [${got.shape.join(', ')}], expected [${expected.shape.join(', ')}]`;
  }
  if (expected.values.length !== got.values.length) {
    return `${got.values.length} values for shape [${got.shape.join(', ')}], expected ${expected.values.length}`;
  }
  const exact = expected.dtype !== 'float32' && expected.dtype !== 'float64';
  let bad = 0;
  let worstIndex = -1;
  let worstExcess = -Infinity;
  for (let i = 0; i < expected.values.length; i++) {
    const excess = exact
      ? exactExcess(expected.values[i], got.values[i])
      : floatExcess(expected.values[i], got.values[i], tolerance);
    if (excess > 0) {
      bad++;
      if (excess > worstExcess) {
        worstExcess = excess;
        worstIndex = i;
      }
    }
  }
  if (bad === 0) {
    return undefined;
  }
  const where = formatIndex(unravelIndex(worstIndex, expected.shape));
  const expectedValue = formatValue(expected.values[worstIndex]);
  const gotValue = formatValue(got.values[worstIndex]);
  let detail = `${bad} of ${expected.values.length} elements differ; worst at ${where}: expected ${expectedValue}, got ${gotValue}`;
  const e = toNumber(expected.values[worstIndex]);
  const g = toNumber(got.values[worstIndex]);
  if (!exact && Number.isFinite(e) && Number.isFinite(g)) {
    const relative = e === 0 ? Infinity : Math.abs(g - e) / Math.abs(e);
    detail += ` (abs diff ${formatNumber(Math.abs(g - e))}, rel diff ${formatNumber(relative)})`;
  }
  return detail;
}

function isDumpedTensor(value: unknown): value is DumpedTensor {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const candidate = value as Partial<DumpedTensor>;
  return (
    Array.isArray(candidate.shape) &&
    typeof candidate.dtype === 'string' &&
    Array.isArray(candidate.values)
  );
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}

/** 0 when equal, 1 otherwise: integers and booleans have no tolerance. */
function exactExcess(expected: DumpedValue, got: DumpedValue): number {
  return expected === got ? 0 : 1;
}

/**
 * How far past the tolerance a float is: <= 0 within it, otherwise the ratio of
 * the difference to the allowed difference (so the worst element can be picked).
 */
function floatExcess(expected: DumpedValue, got: DumpedValue, tolerance: Tolerance): number {
  const e = toNumber(expected);
  const g = toNumber(got);
  if (Number.isNaN(e) || Number.isNaN(g)) {
    return Number.isNaN(e) && Number.isNaN(g) ? 0 : Infinity;
  }
  if (!Number.isFinite(e) || !Number.isFinite(g)) {
    return e === g ? 0 : Infinity;
  }
  const allowed = tolerance.atol + tolerance.rtol * Math.abs(e);
  const difference = Math.abs(g - e);
  if (difference <= allowed) {
    return 0;
  }
  return allowed > 0 ? difference / allowed : Infinity;
}

/** A dumped value as a number; anything unreadable becomes NaN (and then mismatches). */
function toNumber(value: DumpedValue | undefined): number {
  if (typeof value === 'number') {
    return value;
  }
  if (typeof value === 'boolean') {
    return value ? 1 : 0;
  }
  switch (value) {
    case 'inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    default:
      return NaN;
  }
}

/** Row-major flat index -> per-dimension index. */
export function unravelIndex(flat: number, shape: number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d];
    index[d] = size > 0 ? rest % size : 0;
    rest = size > 0 ? Math.floor(rest / size) : 0;
  }
  return index;
}

function formatIndex(index: number[]): string {
  return index.length === 0 ? '[] (scalar)' : `[${index.join(', ')}]`;
}

function formatValue(value: DumpedValue | undefined): string {
  if (value === undefined) {
    return 'nothing';
  }
  return typeof value === 'number' ? formatNumber(value) : String(value);
}

function formatNumber(value: number): string {
  // Nine significant digits tell float32 values apart without float64 noise.
  return Number.isFinite(value) ? String(Number(value.toPrecision(9))) : String(value);
}

function truncate(text: string, length = 120): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}
