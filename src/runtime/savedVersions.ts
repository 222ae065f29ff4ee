// Which tensors an op saved for backward, at which `_version`, and PyTorch's error when one was modified in place since.
//
// tfjs's tape saves tensors per kernel, more than PyTorch's formulas need (Add saves both inputs only for their
// shapes; Mul saves both although x * y needs only y for x's gradient). PyTorch raises only for what its gradient
// formula reads, so a write-after-save error here must follow the formula, not the tape: per kernel, which saved
// inputs and outputs the gradient of each needed input reads. A wrong error would stop a correct script, so the table
// errs towards silence (tensors computed inside an op, rather than its inputs and output, are never checked).
import * as tf from '@tensorflow/tfjs-core';
import type { TapeNode, Var } from './autogradGraph';
import type { VersionCounter } from './tensorViews';
import { LEGACY_NAME, type TorchDtype } from './ops/dtypes';
import { TorchError } from './torchError';

/** A tensor an op saved: its version counter and version then, and what the message says of it. */
export interface SavedVariable {
  counter: VersionCounter;
  expected: number;
  /** The input the op saved (the message names its grad_fn as of backward), or null for the op's own output. */
  input: Var | null;
  shape: number[];
  dtype: TorchDtype;
}

/** Kernels whose gradient reads its saved tensors only for their shapes. */
const SHAPE_ONLY = new Set([
  'Add', 'Sub', 'AddN', 'Concat', 'Pack', 'Reshape', 'Slice', 'StridedSlice', 'Sum', 'Mean', 'Tile', 'ExpandDims',
  'PadV2', 'MirrorPad', 'GatherV2', 'Cumsum', 'AvgPool', 'AvgPool3D', 'OneHot', 'UnsortedSegmentSum', 'ArgMax',
  'ArgMin', 'Select', 'GreaterEqual', 'BroadcastTo', 'Transpose', 'Cast', 'Identity', 'Neg', 'Reverse',
]);

/** Kernels whose input's gradient reads only some saved inputs (by the kernel's input names). */
const READS: Record<string, Record<string, string[]>> = {
  Multiply: { a: ['b'], b: ['a'] },
  BatchMatMul: { a: ['b'], b: ['a'] },
  Conv2D: { x: ['filter'], filter: ['x'] },
  RealDiv: { a: ['b'], b: ['a', 'b'] },
};

/**
 * Indices of the op's inputs (`inputs`, the tensors it ran on) whose values its gradient reads, and whether it reads
 * the op's output. `needed` holds the tfjs ids whose gradients backward computes.
 */
export function savedByTape(
  tape: readonly TapeNode[],
  inputs: readonly tf.Tensor[],
  output: tf.Tensor,
  needed: ReadonlySet<number>,
): { inputs: Set<number>; output: boolean } {
  const found = { inputs: new Set<number>(), output: false };
  const note = (t: tf.Tensor, byData: boolean) => {
    const same = (u: tf.Tensor) => (byData ? u.dataId === t.dataId : u.id === t.id);
    inputs.forEach((u, i) => {
      if (same(u)) found.inputs.add(i);
    });
    if (same(output)) found.output = true;
  };
  for (const node of tape) {
    if (!node.saved.length || SHAPE_ONLY.has(node.kernelName)) continue;
    const config = tf.getGradient(node.kernelName);
    if (!config) {
      // A tf.customGrad op: its saved tensors are copies (same data) of what it chose to save.
      for (const t of node.saved) note(t, true);
      continue;
    }
    const names = Object.keys(node.inputs);
    const savedInputs = config.saveAllInputs ? names : config.inputsToSave ?? [];
    const reads = READS[node.kernelName];
    for (const name of names) {
      const t = node.inputs[name];
      if (!t || !needed.has(t.id)) continue;
      for (const savedName of reads?.[name] ?? savedInputs) {
        const savedInput = node.inputs[savedName];
        if (savedInput) note(savedInput, false);
      }
      if (!reads) {
        (config.outputsToSave ?? []).forEach((saves, j) => {
          if (saves && node.outputs[j]) note(node.outputs[j], false);
        });
      }
    }
  }
  return found;
}

/** PyTorch's error when a saved tensor's version moved on; `nodeName` is the grad_fn that saved it. */
export function checkSavedVersions(saved: readonly SavedVariable[] | null, nodeName: string): void {
  if (!saved) return;
  for (const s of saved) {
    if (s.counter.value === s.expected) continue;
    const fnName = s.input ? s.input.fn?.name : nodeName;
    const producer = fnName ? `, which is output 0 of ${fnName === 'CopySlices' ? 'torch::autograd::CopySlices' : fnName},` : '';
    throw new TorchError(
      'RuntimeError',
      'one of the variables needed for gradient computation has been modified by an inplace operation: ' +
        `[torch.${LEGACY_NAME[s.dtype]}Tensor [${s.shape.join(', ')}]]${producer} is at version ${s.counter.value}; ` +
        `expected version ${s.expected} instead. Hint: enable anomaly detection to find the operation that failed ` +
        'to compute its gradient, with torch.autograd.set_detect_anomaly(True).',
    );
  }
}
