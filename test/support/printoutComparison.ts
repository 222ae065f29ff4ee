// Test support: compares what a script printed on the runtime with what it printed on real PyTorch, line by line,
// text exactly and numbers within a tolerance that can widen to the seed noise measured on PyTorch itself.

/** One printed line split into its text (numbers replaced by `#`, blanks collapsed) and its numbers. */
interface ParsedLine {
  raw: string;
  skeleton: string;
  numbers: PrintedNumber[];
}

interface PrintedNumber {
  value: number;
  /** Where it starts in the line. */
  column: number;
  /** One unit of the last printed digit (0.001 for `1.217`), 0 for an integer: the rounding a print adds. */
  unit: number;
}

/** A number that differed from PyTorch's, with the tolerance it was held to. */
export interface NumberDifference {
  line: number;
  text: string;
  /** Where the number starts in the runtime's line. */
  column: number;
  runtime: number;
  reference: number;
  difference: number;
  tolerance: number;
  /** Whether the tolerance was widened to PyTorch's own seed noise at this number. */
  withinNoise: boolean;
}

export interface Comparison {
  /** What does not match: empty when the printouts agree. */
  failures: string[];
  /** Every number's difference (also the exact ones), for the report. */
  differences: NumberDifference[];
  /** Lines whose text (a predicted class name, say) matched only one of PyTorch's perturbed runs. */
  textWithinNoise: number;
}

const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/gi;
/** The strict tolerance: losses (and every other printed number) agree to 1e-3, relative past 1. */
export const STRICT = 1e-3;
/** How many times PyTorch's own spread (under small changes of the initial weights) a number may differ by. */
export const NOISE_FACTOR = 2;

/** The lines of a printout: `0x…` addresses masked (grad_fn's repr names one), the last empty line dropped. */
export function printedLines(stdout: string): string[] {
  const lines = stdout.replace(/0x[0-9a-f]+/gi, '0x…').split('\n').map((line) => line.trimEnd());
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function parse(raw: string): ParsedLine {
  const numbers: PrintedNumber[] = [];
  const skeleton = raw
    .replace(NUMBER, (token: string, column: number) => {
      const [mantissa, exponent] = token.toLowerCase().split('e');
      const decimals = mantissa.includes('.') ? mantissa.length - mantissa.indexOf('.') - 1 : 0;
      const scale = exponent === undefined ? 1 : 10 ** Number(exponent);
      numbers.push({ value: Number(token), column, unit: decimals > 0 || exponent !== undefined ? 10 ** -decimals * scale : 0 });
      return '#';
    })
    .replace(/\s+/g, ' ');
  return { raw, skeleton, numbers };
}

/**
 * Compares `runtime` with `reference` (printed lines). `perturbed` are PyTorch's printouts with the initial weights
 * scaled by 1 + ε for a few small ε, when measured: a number may then differ by NOISE_FACTOR times PyTorch's own spread there, and a
 * line's text may be any of PyTorch's. `skip(line)` leaves out reference lines compared elsewhere.
 */
export function comparePrintouts(runtime: string[], reference: string[], perturbed: string[][] = [], skip: (line: string) => boolean = () => false): Comparison {
  const failures: string[] = [];
  const differences: NumberDifference[] = [];
  let textWithinNoise = 0;
  if (runtime.length !== reference.length) {
    failures.push(`${runtime.length} lines printed, PyTorch printed ${reference.length}`);
  }
  const count = Math.min(runtime.length, reference.length);
  for (let i = 0; i < count; i++) {
    if (skip(reference[i])) continue;
    if (runtime[i] === reference[i] && perturbed.every((lines) => lines[i] === reference[i])) {
      for (const n of parse(runtime[i]).numbers) differences.push({ line: i + 1, text: runtime[i], column: n.column, runtime: n.value, reference: n.value, difference: 0, tolerance: 0, withinNoise: false });
      continue;
    }
    const got = parse(runtime[i]);
    // The reference runs whose line reads as the runtime's, plain run first.
    const candidates = [reference[i], ...perturbed.map((lines) => lines[i] ?? '')].map(parse).filter((line) => line.skeleton === got.skeleton);
    if (candidates.length === 0) {
      failures.push(`line ${i + 1}: ${JSON.stringify(runtime[i])}, PyTorch printed ${JSON.stringify(reference[i])}`);
      continue;
    }
    const expected = candidates[0];
    if (expected.raw !== reference[i]) textWithinNoise++;
    got.numbers.forEach((n, j) => {
      const want = expected.numbers[j];
      const spread = Math.max(0, ...candidates.map((line) => Math.abs(line.numbers[j].value - want.value)));
      const strict = STRICT * Math.max(1, Math.abs(want.value)) + Math.max(n.unit, want.unit);
      const tolerance = strict + NOISE_FACTOR * spread;
      const difference = Math.abs(n.value - want.value);
      differences.push({ line: i + 1, text: runtime[i], column: n.column, runtime: n.value, reference: want.value, difference, tolerance, withinNoise: difference > strict });
      if (!(difference <= tolerance)) {
        const noise = spread > 0 ? ` (PyTorch's own spread there: ${spread.toPrecision(3)})` : '';
        failures.push(`line ${i + 1}: ${n.value} where PyTorch printed ${want.value}, off by ${difference.toPrecision(3)} > ${tolerance.toPrecision(3)}${noise}: ${JSON.stringify(runtime[i])}`);
      }
    });
  }
  return { failures, differences, textWithinNoise };
}
