// What every op table is built from: the tensor engine, the seeded random stream, and shorthands over handles.
import type * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from '../seededRandom';
import type { TensorEngine } from '../tensorEngine';
import type { Operand, TorchDtype } from './dtypes';

export interface OpContext {
  readonly engine: TensorEngine;
  readonly random: SeededRandom;
  /** The tfjs tensor behind a handle. */
  readonly T: (h: number) => tf.Tensor;
  /** A handle's torch dtype. */
  readonly D: (h: number) => TorchDtype;
  /** `engine.run`: one recorded (or plain) op from handles to a new handle. */
  readonly run: TensorEngine['run'];
  /** A handle as an operand of torch.result_type. */
  readonly operand: (h: number) => Operand;
}

export function createOpContext(engine: TensorEngine, random: SeededRandom): OpContext {
  return {
    engine,
    random,
    T: (h) => engine.tensor(h),
    D: (h) => engine.dtypeOf(h),
    run: engine.run.bind(engine),
    operand: (h) => ({ dtype: engine.dtypeOf(h), rank: engine.tensor(h).rank, wrapped: false }),
  };
}
