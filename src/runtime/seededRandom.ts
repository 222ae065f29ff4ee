// The runtime's random number generator: PyTorch's CPU stream (MT19937), so a seed gives PyTorch's torch.rand and inits.

const N = 624;
const M = 397;
const TWO_TO_24 = 16777216;

/**
 * MT19937 seeded as PyTorch seeds its CPU generator (the seed's low 32 bits), with PyTorch's float transform: a
 * uniform float is the low 24 bits of one 32-bit draw over 2^24. So `torch.manual_seed(s); torch.rand(n)` and
 * nn.Linear/Conv initialisation give PyTorch's values. Normal samples and permutations use the same stream but
 * not PyTorch's transforms.
 */
export class SeededRandom {
  private readonly state = new Uint32Array(N);
  private index = N;
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    this.seed(seed);
  }

  seed(seed: number): void {
    const s = this.state;
    s[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const previous = s[i - 1] ^ (s[i - 1] >>> 30);
      // 1812433253 * previous + i, modulo 2^32, without losing bits to floating point.
      s[i] = (((((previous & 0xffff0000) >>> 16) * 1812433253) << 16) + (previous & 0x0000ffff) * 1812433253 + i) >>> 0;
    }
    this.index = N;
    this.spareNormal = null;
  }

  /** One 32-bit draw. */
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

  /** Uniform in [0, 1), as PyTorch's torch.rand for float32. */
  next(): number {
    return (this.nextUint32() & 0xffffff) / TWO_TO_24;
  }

  /** A 64-bit draw (two 32-bit ones), as PyTorch's DataLoader takes for its base seed; returned as a float. */
  next64(): number {
    const high = this.nextUint32();
    const low = this.nextUint32();
    return high * 4294967296 + low;
  }

  uniformArray(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.next();
    return out;
  }

  /** Standard normal samples (Box–Muller). */
  normalArray(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal();
    return out;
  }

  normal(): number {
    if (this.spareNormal !== null) {
      const value = this.spareNormal;
      this.spareNormal = null;
      return value;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
    return out;
  }
}
