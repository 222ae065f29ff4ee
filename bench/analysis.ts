// `node --import tsx bench/analysis.ts`: times the static analysis (analyzeScript and findTrainingLoops) on a 2,000-line training script; prints medians.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyzeScript } from '../src/analysis/analyzeScript';
import { findTrainingLoops } from '../src/analysis/trainingLoops';

const LINES = 2000;
const RUNS = Number(process.env.BENCH_RUNS ?? 41);
const BUGS = join(__dirname, '..', 'examples', 'bugs');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The example scripts one after another (each copy's classes and functions renamed) until LINES lines. */
function bigScript(): string {
  const scripts = readdirSync(BUGS)
    .filter((name) => name.endsWith('.py'))
    .sort()
    .map((name) => readFileSync(join(BUGS, name), 'utf8'));
  const lines: string[] = [];
  for (let copy = 0; lines.length < LINES; copy++) {
    let script = scripts[copy % scripts.length];
    for (const name of ['Classifier', 'SmallNet', 'train_one_epoch', 'predict', 'def train(', ' train(dataloader']) {
      script = script.split(name).join(name.replace('(', `_${copy}(`).replace(/^([A-Za-z_]+)$/, `$1_${copy}`));
    }
    lines.push(...script.split('\n'));
  }
  return lines.slice(0, LINES).join('\n');
}

function time(label: string, work: () => unknown): void {
  for (let i = 0; i < 5; i++) work();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    work();
    samples.push(performance.now() - start);
  }
  console.log(`${label}: median ${median(samples).toFixed(2)} ms (min ${Math.min(...samples).toFixed(2)}, max ${Math.max(...samples).toFixed(2)}, ${RUNS} runs)`);
}

const source = bigScript();
const lineCount = source.split('\n').length;
console.log(`script: ${lineCount} lines, ${analyzeScript(source, 'big.py').length} diagnostics, ${findTrainingLoops(source).length} loop ranges`);
time(`analyzeScript, ${lineCount} lines`, () => analyzeScript(source, 'big.py'));
time(`findTrainingLoops, ${lineCount} lines`, () => findTrainingLoops(source));
// An unclosed `print(` before a top-level statement every ~200 lines: each swallows code up to the next line at column 0.
const brokenLines: string[] = [];
let errors = 0;
for (const [i, line] of source.split('\n').entries()) {
  const topLevel = line.length > 0 && line[0] !== ' ' && line[0] !== '#';
  if (topLevel && i >= (errors + 0.5) * 200) {
    brokenLines.push('print("unclosed"');
    errors++;
  }
  brokenLines.push(line);
}
const broken = brokenLines.join('\n');
console.log(`broken script: ${errors} syntax errors, ${analyzeScript(broken, 'broken.py').length} diagnostics`);
time(`analyzeScript, ${brokenLines.length} lines with ${errors} syntax errors`, () => analyzeScript(broken, 'broken.py'));
