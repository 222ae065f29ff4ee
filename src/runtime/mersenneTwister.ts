// One random stream as a PyTorch CPU generator keeps it: MT19937 state plus the cached second normal sample.

const N = 624;
const M = 397;

/**
 * MT19937 seeded as PyTorch seeds its CPU generator (the low 32 bits of the seed). PyTorch's scalar normal draws make
 * two samples per Box–Muller pair and keep the second one in the generator for the next call, so the cache lives here
 * with the state and is cleared by `seed`, as `manual_seed` clears PyTorch's.
 */
export class MersenneTwister {
  private readonly state = new Uint32Array(N);
  private index = N;
  /** The spare sample of PyTorch's `normal_distribution<double>`, or null. */
  cachedNormal: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  seed(seed: number): void {
    const s = this.state;
    s[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const previous = s[i - 1] ^ (s[i - 1] >>> 30);
      // 1812433253 * previous + i, modulo 2^32, without losing bits to floating point.
      s[i] = (Math.imul(previous, 1812433253) + i) >>> 0;
    }
    this.index = N;
    this.cachedNormal = null;
  }

  /** One 32-bit draw (PyTorch's `generator->random()`). */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const s = this.state;
    for (let k = 0; k < N; k++) {
      const y = (s[k] & 0x80000000) | (s[(k + 1) % N] & 0x7fffffff);
      s[k] = s[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }
}
