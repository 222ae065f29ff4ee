// The op table that Python's `torch` shim calls (as the Pyodide module `_trainloop_engine`): handles in, handles out.
//
// Each entry is one Python→JS call, so an op checks its arguments (with PyTorch's error messages), works out the
// result's dtype by PyTorch's promotion rules and runs on tfjs in that one call. Where tfjs's gradient differs from
// PyTorch's (abs at 0, ties in max/min, clamp bounds) or is missing (strided slices), the op's kernel uses
// tf.customGrad, so the engine's recorded tape carries PyTorch's gradient.
//
// The layers, as tfjs-core has them: ops/dtypes.ts (promotion) and ops/shapes.ts (shape rules), ops/kernels/ (tfjs
// kernels with PyTorch's gradients, and the tables that choose them), and one op table per family in ops/, each
// behind its interface; TorchOps is their union.
import type { SeededRandom } from './seededRandom';
import type { TensorEngine } from './tensorEngine';
import { createOpContext } from './ops/context';
import { type AutogradOps, createAutogradOps } from './ops/autograd';
import { type CreationOps, createCreationOps } from './ops/creation';
import { type RandomOps, createRandomOps } from './ops/random';
import { type ReadingOps, createReadingOps } from './ops/reading';
import { type ElementwiseOps, createElementwiseOps } from './ops/elementwise';
import { type ReductionOps, createReductionOps } from './ops/reductions';
import { type LinalgOps, createLinalgOps } from './ops/linalg';
import { type ShapeOps, createShapeOps } from './ops/shape';
import { type IndexingOps, createIndexingOps } from './ops/indexing';
import { type NnOps, createNnOps } from './ops/nn';
import { type OptimOps, createOptimOps } from './ops/optim';
import { type ViewOps, createViewOps } from './ops/views';

// Helpers other modules have always imported from here.
export { toNumbers } from './ops/arguments';
export { tfDtype, torchDtype, promoteTypes, resultType } from './ops/dtypes';
export { broadcastShapes, normDim } from './ops/shapeRules';

/** Everything `_trainloop_engine` offers Python: every entry takes and returns plain numbers, strings and arrays. */
export type TorchOps = AutogradOps &
  CreationOps &
  RandomOps &
  ReadingOps &
  ElementwiseOps &
  ReductionOps &
  LinalgOps &
  ShapeOps &
  IndexingOps &
  NnOps &
  OptimOps &
  ViewOps;

/** Builds the object exposed to Python, one table per family over one shared context. */
export function createTorchOps(engine: TensorEngine, random: SeededRandom): TorchOps {
  const ctx = createOpContext(engine, random);
  return {
    ...createAutogradOps(ctx),
    ...createCreationOps(ctx),
    ...createRandomOps(ctx),
    ...createReadingOps(ctx),
    ...createElementwiseOps(ctx),
    ...createReductionOps(ctx),
    ...createLinalgOps(ctx),
    ...createShapeOps(ctx),
    ...createIndexingOps(ctx),
    ...createNnOps(ctx),
    ...createOptimOps(ctx),
    ...createViewOps(ctx),
  };
}
