// The runtime's random generators and PyTorch's CPU sampling algorithms over them, so a seed gives PyTorch's numbers.
import { MersenneTwister } from './mersenneTwister';

const TWO_TO_24 = 16777216;
const TWO_TO_32 = 4294967296;
const TWO_TO_53 = 9007199254740992;
const f32 = Math.fround;
const TWO_PI_F32 = Math.fround(2 * Math.PI);

/** The default generator's id: `torch.manual_seed` seeds it, and it serves every draw given no `generator=`. */
export const DEFAULT_GENERATOR = 0;

/**
 * PyTorch's CPU generators (MT19937) and the way PyTorch turns their 32-bit draws into samples, learnt from ATen's
 * CPU distribution kernels: a float uniform is the low 24 bits of one draw over 2^24, a double uniform the low 53 bits
 * of two draws (first one high) over 2^53; `randn` of 16 or more floats fills uniforms first and transforms them 16
 * at a time, smaller sizes take scalar Box–Muller pairs in double, keeping the spare; `randint` is `low + draw % range`;
 * `randperm` swaps position i with i + draw % (n - i); Bernoulli is `double uniform < p`; the exponential is
 * `-log(1 - double uniform) / λ`. Several generators can exist (`torch.Generator()`); draws go to the selected one.
 */
export class SeededRandom {
  private readonly generators = new Map<number, MersenneTwister>();
  private nextId = DEFAULT_GENERATOR + 1;
  private active: MersenneTwister;
  private activeId = DEFAULT_GENERATOR;

  constructor(seed = 0) {
    this.active = new MersenneTwister(seed);
    this.generators.set(DEFAULT_GENERATOR, this.active);
  }

  /** Seeds the default generator (`torch.manual_seed`); the seed's low 32 bits count, as in PyTorch. */
  seed(seed: number): void {
    this.generatorOf(DEFAULT_GENERATOR).seed(seed);
  }

  /** A new generator (`torch.Generator()`), seeded with PyTorch's default seed's low 32 bits; returns its id. */
  createGenerator(seed: number): number {
    const id = this.nextId++;
    this.generators.set(id, new MersenneTwister(seed));
    return id;
  }

  seedGenerator(id: number, seed: number): void {
    this.generatorOf(id).seed(seed);
  }

  releaseGenerator(id: number): void {
    if (id !== DEFAULT_GENERATOR && id !== this.activeId) this.generators.delete(id);
  }

  /** Sends the following draws to generator `id`; returns the id that was selected before, to restore it. */
  select(id: number): number {
    const previous = this.activeId;
    this.active = this.generatorOf(id);
    this.activeId = id;
    return previous;
  }

  private generatorOf(id: number): MersenneTwister {
    const generator = this.generators.get(id);
    if (!generator) throw new Error(`no random generator ${id}`);
    return generator;
  }

  /** One 32-bit draw. */
  nextUint32(): number {
    return this.active.nextUint32();
  }

  /** Uniform float in [0, 1), as PyTorch's `torch.rand` for float32. */
  next(): number {
    return (this.active.nextUint32() & 0xffffff) / TWO_TO_24;
  }

  /** Uniform double in [0, 1): PyTorch's `uniform_real_distribution<double>` (53 bits of a 64-bit draw). */
  nextDouble(): number {
    const high = this.active.nextUint32();
    const low = this.active.nextUint32();
    return ((high & 0x1fffff) * TWO_TO_32 + low) / TWO_TO_53;
  }

  /** A 64-bit draw (two 32-bit ones, first one high), returned as a float (DataLoader's base seed). */
  next64(): number {
    const high = this.active.nextUint32();
    const low = this.active.nextUint32();
    return high * TWO_TO_32 + low;
  }

  /** `n` double uniforms, as `torch.rand(..., dtype=torch.float64)` draws them (two 32-bit draws each). */
  uniformDoubleArray(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.nextDouble();
    return out;
  }

  uniformArray(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next();
    return out;
  }

  /** PyTorch's scalar normal sample (`normal_distribution<double>`): a Box–Muller pair, the sine half kept. */
  normal(): number {
    const cached = this.active.cachedNormal;
    if (cached !== null) {
      this.active.cachedNormal = null;
      return cached;
    }
    const u1 = this.nextDouble();
    const u2 = this.nextDouble();
    const radius = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = 2 * Math.PI * u1;
    this.active.cachedNormal = radius * Math.sin(theta);
    return radius * Math.cos(theta);
  }

  /** `n` float32 normal samples with PyTorch's `normal_` on a contiguous float tensor (randn, normal). */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    if (n < 16) {
      for (let i = 0; i < n; i++) out[i] = this.normal() * std + mean;
      return out;
    }
    for (let i = 0; i < n; i++) out[i] = this.next();
    for (let start = 0; start + 16 <= n; start += 16) boxMuller16(out, start, mean, std);
    if (n % 16 !== 0) {
      // PyTorch redraws the last 16 values and transforms them again, overwriting part of the last full block.
      const start = n - 16;
      for (let i = start; i < n; i++) out[i] = this.next();
      boxMuller16(out, start, mean, std);
    }
    return out;
  }

  /**
   * `n` double normal samples with PyTorch's `normal_` on a contiguous float64 tensor: scalar Box–Muller pairs below
   * 16 values, else double uniforms transformed 16 at a time in double (no vectorised float kernel for doubles).
   */
  normalDoubleArray(n: number, mean = 0, std = 1): Float64Array {
    const out = new Float64Array(n);
    if (n < 16) {
      for (let i = 0; i < n; i++) out[i] = this.normal() * std + mean;
      return out;
    }
    for (let i = 0; i < n; i++) out[i] = this.nextDouble();
    for (let start = 0; start + 16 <= n; start += 16) boxMuller16Double(out, start, mean, std);
    if (n % 16 !== 0) {
      const start = n - 16;
      for (let i = start; i < n; i++) out[i] = this.nextDouble();
      boxMuller16Double(out, start, mean, std);
    }
    return out;
  }

  /** `torch.randint(low, high)` draws: `low + draw % (high - low)`, 64-bit draws when the range needs them. */
  integers(low: number, high: number, n: number): number[] {
    const range = high - low;
    const out = new Array<number>(n);
    if (range < TWO_TO_32) {
      for (let i = 0; i < n; i++) out[i] = low + (this.active.nextUint32() % range);
      return out;
    }
    const bigRange = BigInt(range);
    for (let i = 0; i < n; i++) {
      const high32 = BigInt(this.active.nextUint32());
      const low32 = BigInt(this.active.nextUint32());
      out[i] = low + Number(((high32 << 32n) | low32) % bigRange);
    }
    return out;
  }

  /** `torch.randperm(n)` on the CPU: position i swaps with i + draw % (n - i). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = 0; i < n - 1; i++) {
      const j = i + (this.active.nextUint32() % (n - i));
      const kept = out[i];
      out[i] = out[j];
      out[j] = kept;
    }
    return out;
  }

  /** `bernoulli_(p)` on a float tensor: 1 where a double uniform is below p. */
  bernoulliArray(n: number, p: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.nextDouble() < p ? 1 : 0;
    return out;
  }

  /** `exponential_(λ)` on a float tensor: -log(1 - u) / λ in double, stored as float. */
  exponentialArray(n: number, lambda = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (-1 / lambda) * Math.log(1 - this.nextDouble());
    return out;
  }

  /**
   * `torch.multinomial` on float32 rows of non-negative weights. Without replacement (or for one sample) PyTorch
   * takes the top weights after dividing each by an exponential draw (the Gumbel trick), drawn for all rows first; with
   * replacement it binary-searches a double uniform in each row's normalised cumulative sums.
   */
  multinomial(rows: number[][], samples: number, replacement: boolean): number[][] {
    if (!replacement || samples === 1) {
      const width = rows.length ? rows[0].length : 0;
      const noise = this.exponentialArray(rows.length * width);
      return rows.map((row, r) => {
        const keys = row.map((w, c) => f32(f32(w) / noise[r * width + c]));
        const order = keys.map((_, c) => c).sort((a, b) => keys[b] - keys[a] || a - b);
        return order.slice(0, samples);
      });
    }
    return rows.map((row) => {
      const cumulative = new Float32Array(row.length);
      let sum = 0;
      for (let c = 0; c < row.length; c++) {
        sum = f32(sum + row[c]);
        cumulative[c] = sum;
      }
      if (sum > 0) for (let c = 0; c < row.length; c++) cumulative[c] = cumulative[c] / sum;
      cumulative[row.length - 1] = 1;
      const picked: number[] = [];
      for (let s = 0; s < samples; s++) {
        const u = this.nextDouble();
        let left = 0;
        let right = row.length;
        while (right - left > 0) {
          const mid = left + Math.floor((right - left) / 2);
          if (cumulative[mid] < u) left = mid + 1;
          else right = mid;
        }
        picked.push(left);
      }
      return picked;
    });
  }
}

/**
 * PyTorch's vectorised Box–Muller over 16 uniforms in float: values j and j+8 become the cosine and sine halves of
 * one pair, with radius from 1 - u[j] and angle from u[j+8]. Every step rounds to float as the AVX2 kernel that x86
 * machines run does; its angle is float(2π) · u in float, which moves results by up to ~1e-6 from a double angle.
 */
function boxMuller16(data: Float32Array, start: number, mean: number, std: number): void {
  for (let j = start; j < start + 8; j++) {
    const u1 = f32(1 - data[j]);
    const u2 = data[j + 8];
    const radius = f32(Math.sqrt(f32(-2 * f32(Math.log(u1)))));
    const theta = f32(TWO_PI_F32 * u2);
    data[j] = f32(f32(radius * f32(Math.cos(theta))) * std + mean);
    data[j + 8] = f32(f32(radius * f32(Math.sin(theta))) * std + mean);
  }
}

/** PyTorch's scalar `normal_fill_16` over doubles: as boxMuller16, every step in double. */
function boxMuller16Double(data: Float64Array, start: number, mean: number, std: number): void {
  for (let j = start; j < start + 8; j++) {
    const radius = Math.sqrt(-2 * Math.log(1 - data[j]));
    const theta = 2 * Math.PI * data[j + 8];
    data[j] = radius * Math.cos(theta) * std + mean;
    data[j + 8] = radius * Math.sin(theta) * std + mean;
  }
}
