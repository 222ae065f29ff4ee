// Counts what a stretch of the embedded run costs: each Python→engine call and each tfjs kernel, with their times.
//
// Behind `torch.profiler.profile()` in the shim (as the Pyodide module `_trainloop_profile`) and `trainloop run
// --profile`. While no profile is open the engine runs untouched: the kernel hook is swapped into tfjs's engine only
// for the profiled stretch, and a wrapped engine call costs one flag test.
import * as tf from '@tensorflow/tfjs-core';

/** How often one name ran in the profiled stretch, and for how long. */
export interface ProfileRow {
  name: string;
  count: number;
  ms: number;
}

/** What `stop()` hands back: the engine calls Python made and the kernels they ran, busiest first. */
export interface ProfileReport {
  backend: string;
  wallMs: number;
  calls: ProfileRow[];
  kernels: ProfileRow[];
}

interface KernelParams {
  kernelName?: string;
}

interface EngineWithKernels {
  runKernelFunc(params: KernelParams): unknown;
}

type Tally = Map<string, { count: number; ms: number }>;

function add(tally: Tally, name: string, ms: number): void {
  const row = tally.get(name);
  if (row) {
    row.count++;
    row.ms += ms;
  } else {
    tally.set(name, { count: 1, ms });
  }
}

function rows(tally: Tally): ProfileRow[] {
  return [...tally].map(([name, { count, ms }]) => ({ name, count, ms })).sort((a, b) => b.ms - a.ms || b.count - a.count);
}

export class OpProfile {
  private active = false;
  private startedAt = 0;
  private readonly calls: Tally = new Map();
  private readonly kernels: Tally = new Map();
  /** How many kernels ran inside each open kernel (a kernel with none inside is a leaf, and counted). */
  private readonly nestedKernels: number[] = [];
  private callDepth = 0;
  private originalRunKernelFunc: EngineWithKernels['runKernelFunc'] | null = null;

  get profiling(): boolean {
    return this.active;
  }

  /**
   * The same functions as `ops`, each counting its calls while a profile is open. `prefix` names the module in the
   * report (`engine.binary`, `data.gather`). Values that are not functions are copied as they are.
   */
  wrap<T extends object>(ops: T, prefix: string): T {
    const wrapped: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(ops)) {
      if (typeof value !== 'function') {
        wrapped[key] = value;
        continue;
      }
      const fn = value as (...args: unknown[]) => unknown;
      const name = `${prefix}.${key}`;
      wrapped[key] = (...args: unknown[]) => {
        // Only the outermost call is counted: an engine function that calls another is one call from Python.
        if (!this.active || this.callDepth > 0) return fn(...args);
        this.callDepth++;
        const started = performance.now();
        try {
          return fn(...args);
        } finally {
          this.callDepth--;
          if (this.active) add(this.calls, name, performance.now() - started);
        }
      };
    }
    return wrapped as T;
  }

  /** Opens a profile (a second start while one is open starts it again). */
  start(): void {
    this.calls.clear();
    this.kernels.clear();
    this.startedAt = performance.now();
    if (this.active) return;
    this.active = true;
    const engine = tf.engine() as unknown as EngineWithKernels;
    const original = engine.runKernelFunc;
    this.originalRunKernelFunc = original;
    const { nestedKernels, kernels } = this;
    engine.runKernelFunc = function (this: EngineWithKernels, params: KernelParams) {
      // customGrad scopes run kernels inside: only registered kernels are counted. A kernel made of other kernels
      // (tfjs-node's _FusedMatMul is a product, an add and an activation) is counted as those, not once more; the
      // clones (Identity) a kernel makes of its tensors for autograd don't make it one of those.
      if (!params.kernelName) return original.call(this, params);
      if (nestedKernels.length && params.kernelName !== 'Identity') nestedKernels[nestedKernels.length - 1]++;
      nestedKernels.push(0);
      const started = performance.now();
      try {
        return original.call(this, params);
      } finally {
        const elapsed = performance.now() - started;
        if (nestedKernels.pop() === 0) add(kernels, params.kernelName, elapsed);
      }
    };
  }

  /** Closes the profile and returns what it counted (an empty report when none was open). */
  stop(): ProfileReport {
    const report: ProfileReport = {
      backend: tf.getBackend(),
      wallMs: this.active ? performance.now() - this.startedAt : 0,
      calls: rows(this.calls),
      kernels: rows(this.kernels),
    };
    if (this.active) {
      this.active = false;
      if (this.originalRunKernelFunc) (tf.engine() as unknown as EngineWithKernels).runKernelFunc = this.originalRunKernelFunc;
      this.originalRunKernelFunc = null;
      this.nestedKernels.length = 0;
    }
    return report;
  }

  /** The Pyodide module: Python gets the report as JSON (one string, no proxies to free). */
  pythonModule(): { start(): void; stop(): string } {
    return { start: () => this.start(), stop: () => JSON.stringify(this.stop()) };
  }
}

/** The report as a text table: totals, then each kernel and each engine call, busiest first. */
export function formatProfile(report: ProfileReport, steps = 1, limit = 40): string {
  const per = (n: number) => n / steps;
  const kernelCount = report.kernels.reduce((n, r) => n + r.count, 0);
  const kernelMs = report.kernels.reduce((n, r) => n + r.ms, 0);
  const callCount = report.calls.reduce((n, r) => n + r.count, 0);
  const callMs = report.calls.reduce((n, r) => n + r.ms, 0);
  const unit = steps === 1 ? '' : ' per step';
  const lines = [
    `trainloop profile (${report.backend}${steps === 1 ? '' : `, mean of ${steps} steps`}): ` +
      `${per(kernelCount).toFixed(1)} kernels in ${per(kernelMs).toFixed(2)} ms, ` +
      `${per(callCount).toFixed(1)} engine calls in ${per(callMs).toFixed(2)} ms, ` +
      `${per(report.wallMs).toFixed(2)} ms wall${unit}`,
  ];
  const table = (title: string, list: ProfileRow[]) => {
    lines.push(`  ${title.padEnd(36)} ${'count'.padStart(8)} ${'ms'.padStart(9)} ${'µs each'.padStart(9)}`);
    for (const row of list.slice(0, limit)) {
      lines.push(
        `  ${row.name.padEnd(36)} ${per(row.count).toFixed(1).padStart(8)} ${per(row.ms).toFixed(3).padStart(9)} ` +
          `${((row.ms / row.count) * 1000).toFixed(1).padStart(9)}`,
      );
    }
    if (list.length > limit) lines.push(`  … ${list.length - limit} more`);
  };
  table('kernel', report.kernels);
  table('engine call (Python → engine)', report.calls);
  return lines.join('\n');
}
