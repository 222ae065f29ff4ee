// Random ops: seeded random tensors and draws, with PyTorch's CPU algorithms (seededRandom.ts), and torch.Generator.
import * as tf from '@tensorflow/tfjs-core';
import { type TorchDtype, isFloatDtype } from './dtypes';
import { sizeOfShape } from './shapeRules';
import { toNumbers } from './arguments';
import { TorchError } from '../torchError';
import type { OpContext } from './context';

export interface RandomOps {
  rand: (shape: unknown, dtype?: string) => number;
  randn: (shape: unknown, dtype?: string, mean?: number, std?: number) => number;
  randint: (low: number, high: number, shape: unknown, dtype?: string) => number;
  randperm: (n: number, dtype?: string) => number;
  bernoulli: (shape: unknown, p: number, dtype?: string) => number;
  exponential: (shape: unknown, lambda: number, dtype?: string) => number;
  multinomial: (h: number, samples: number, replacement: boolean) => number;
  permutation: (n: number) => number[];
  random_uniform: () => number;
  random_u32: () => number;
  draw_seed: () => number;
  generator_new: (seed: number) => number;
  generator_seed: (id: number, seed: number) => void;
  generator_select: (id: number) => number;
  generator_free: (id: number) => void;
}

/** The random entries of the op table; every draw goes to the generator selected last (the default one normally). */
export function createRandomOps(ctx: OpContext): RandomOps {
  const { engine, random, T } = ctx;

  /** A tensor of `values` whose storage follows the torch dtype (floats as float32, integers as int32). */
  const adopt = (values: ArrayLike<number>, dims: number[], dtype: TorchDtype) =>
    engine.adopt(tf.tensor(isFloatDtype(dtype) ? Float32Array.from(values) : Int32Array.from(values), dims,
      isFloatDtype(dtype) ? 'float32' : 'int32'), false, null, dtype);

  return {
    // float64 draws take PyTorch's double algorithms (so the stream moves on as PyTorch's does); the values are kept
    // in float32 storage, as every float64 tensor here, so they equal PyTorch's rounded to float32.
    rand: (shape: unknown, dtype?: string) => {
      const dims = toNumbers(shape);
      const n = sizeOfShape(dims);
      const values = dtype === 'float64' ? Float32Array.from(random.uniformDoubleArray(n)) : random.uniformArray(n);
      return engine.adopt(tf.tensor(values, dims, 'float32'), false, null, (dtype as TorchDtype) ?? 'float32');
    },
    randn: (shape: unknown, dtype?: string, mean = 0, std = 1) => {
      const dims = toNumbers(shape);
      const n = sizeOfShape(dims);
      const values = dtype === 'float64' ? Float32Array.from(random.normalDoubleArray(n, mean, std)) : random.normalArray(n, mean, std);
      return engine.adopt(tf.tensor(values, dims, 'float32'), false, null, (dtype as TorchDtype) ?? 'float32');
    },
    randint: (low: number, high: number, shape: unknown, dtype?: string) => {
      if (high <= low) throw new TorchError('RuntimeError', `random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
      const dims = toNumbers(shape);
      return adopt(random.integers(low, high, sizeOfShape(dims)), dims, (dtype as TorchDtype | undefined) ?? 'int64');
    },
    randperm: (n: number, dtype?: string) => {
      if (n < 0) throw new TorchError('RuntimeError', `n must be non-negative, got${n}`);
      return adopt(random.permutation(n), [n], (dtype as TorchDtype | undefined) ?? 'int64');
    },
    /** A tensor of 0/1 drawn as PyTorch's `bernoulli_(p)` draws them (dropout's noise). */
    bernoulli: (shape: unknown, p: number, dtype?: string) => {
      const dims = toNumbers(shape);
      return adopt(random.bernoulliArray(sizeOfShape(dims), p), dims, (dtype as TorchDtype | undefined) ?? 'float32');
    },
    /** Category indices drawn from the rows of a 1-D or 2-D tensor of weights (checked by the caller). */
    /** A tensor drawn as PyTorch's `exponential_(λ)` draws it. */
    exponential: (shape: unknown, lambda: number, dtype?: string) => {
      const dims = toNumbers(shape);
      return adopt(random.exponentialArray(sizeOfShape(dims), lambda), dims, (dtype as TorchDtype | undefined) ?? 'float32');
    },
    multinomial: (h: number, samples: number, replacement: boolean) => {
      const probs = T(h);
      const width = probs.shape[probs.rank - 1];
      const values = probs.dataSync();
      const rows: number[][] = [];
      for (let start = 0; start < values.length; start += width) rows.push(Array.from(values.subarray(start, start + width)));
      const picked = random.multinomial(rows, samples, Boolean(replacement)).flat();
      return adopt(picked, probs.rank === 1 ? [samples] : [rows.length, samples], 'int64');
    },
    /** Python-side draws (WeightedRandomSampler, random.shuffle-like uses) so they follow torch.manual_seed too. */
    permutation: (n: number) => Array.from(random.permutation(n)),
    random_uniform: () => random.nextDouble(),
    /** One 32-bit draw: Python builds PyTorch's 64-bit `random_()` from two (first one high). */
    random_u32: () => random.nextUint32(),
    /** Takes a 64-bit seed from the stream, as each PyTorch DataLoader iterator does when it starts. */
    draw_seed: () => random.next64(),
    generator_new: (seed: number) => random.createGenerator(seed),
    generator_seed: (id: number, seed: number) => random.seedGenerator(id, seed),
    generator_select: (id: number) => random.select(id),
    generator_free: (id: number) => random.releaseGenerator(id),
  };
}
