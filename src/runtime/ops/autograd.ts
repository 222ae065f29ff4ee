// Engine state and autograd ops: handles, grad mode, requires_grad, .grad, hooks, backward, in-place assignment.
import * as tf from '@tensorflow/tfjs-core';
import type { TfDtype } from './dtypes';
import { sameShape, listText, broadcastShapes } from './shapeRules';
import { toNumbers } from './arguments';
import { TorchError } from '../torchError';
import type { GradientHook } from '../tensorEngine';
import type { OpContext } from './context';

export interface AutogradOps {
  free: (h: number) => void;
  alias: (h: number) => number;
  set_grad_enabled: (on: boolean) => boolean;
  is_grad_enabled: () => boolean;
  live_tensors: () => number;
  live_handles: () => number;
  backend_name: () => string;
  manual_seed: (seed: number) => void;
  set_requires_grad: (h: number, on: boolean) => void;
  requires_grad: (h: number) => boolean;
  grad_fn_name: (h: number) => string | undefined;
  /** The grad_fn node itself, for Python's `grad_fn.next_functions` to walk (its `name` and `inputs` edges). */
  grad_fn_node: (h: number) => unknown;
  is_leaf: (h: number) => boolean;
  detach_: (h: number) => void;
  /** `inputs`: the whole op's own input handles (0 for None), what its `next_functions` lists. */
  rename_grad_fn: (h: number, name: string, inputs?: ArrayLike<number>) => void;
  set_data: (h: number, source: number) => number;
  assign_: (h: number, source: number) => void;
  fill_: (h: number, value: number | boolean) => void;
  grad: (h: number) => number;
  set_grad: (h: number, g: number) => void;
  grad_version: (h: number) => number;
  retain_grad: (h: number) => void;
  register_hook: (h: number, hook: GradientHook) => void;
  remove_hook: (h: number, hook: GradientHook) => void;
  backward: (roots: unknown, grads: unknown, retain: boolean) => void;
  autograd_grad: (roots: unknown, grads: unknown, inputs: unknown, retain: boolean) => number[];
}

/** The engine-state and autograd entries of the op table. */
export function createAutogradOps(ctx: OpContext): AutogradOps {
  const { engine, random, T } = ctx;

  return {
    free: (h: number) => engine.free(h),
    alias: (h: number) => engine.alias(h),
    set_grad_enabled: (on: boolean) => {
      const previous = engine.gradEnabled;
      engine.gradEnabled = Boolean(on);
      return previous;
    },
    is_grad_enabled: () => engine.gradEnabled,
    live_tensors: () => tf.memory().numTensors,
    live_handles: () => engine.liveHandles,
    backend_name: () => tf.getBackend(),
    manual_seed: (seed: number) => random.seed(seed),

    set_requires_grad: (h: number, on: boolean) => engine.setRequiresGrad(h, Boolean(on)),
    requires_grad: (h: number) => engine.requiresGrad(h),
    grad_fn_name: (h: number) => engine.gradFnName(h),
    grad_fn_node: (h: number) => engine.get(h).fn,
    is_leaf: (h: number) => engine.isLeaf(h),
    detach_: (h: number) => engine.detachInPlace(h),
    rename_grad_fn: (h: number, name: string, inputs?: ArrayLike<number>) => engine.renameGradFn(h, name, inputs ?? undefined),
    set_data: (h: number, source: number) => engine.setData(h, source),
    /** In place, h = broadcast(source) (dtype kept): `copy_`, `fill_`, `zero_` and the core of composite in-place ops. */
    assign_: (h: number, source: number) => {
      const target = T(h);
      const src = T(source);
      const shape = broadcastShapes(target.shape, src.shape);
      if (!sameShape(shape, target.shape)) {
        throw new TorchError('RuntimeError', `output with shape ${listText(target.shape)} doesn't match the broadcast shape ${listText(shape)}`);
      }
      engine.runInPlace('CopyBackwards', [h, source], (x, s) => tf.broadcastTo(s.dtype === x.dtype ? s : tf.cast(s, x.dtype), x.shape));
    },
    /** In place, h = value (a Python number) everywhere. */
    fill_: (h: number, value: number | boolean) => {
      const numeric = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      engine.runInPlace('FillBackward0', [h], (x) => tf.fill(x.shape, numeric, x.dtype as TfDtype), true);
    },
    grad: (h: number) => engine.grad(h),
    set_grad: (h: number, g: number) => engine.setGrad(h, g),
    grad_version: (h: number) => engine.gradVersion(h),
    retain_grad: (h: number) => engine.retainGrad(h),
    /** `t.register_hook`: the hook is the shim's proxy of the user's function (see _tensor_hooks.py). */
    register_hook: (h: number, hook: GradientHook) => engine.registerHook(h, hook),
    remove_hook: (h: number, hook: GradientHook) => engine.removeHook(h, hook),
    backward: (roots: unknown, grads: unknown, retain: boolean) => engine.backward(toNumbers(roots), toNumbers(grads), Boolean(retain)),
    autograd_grad: (roots: unknown, grads: unknown, inputs: unknown, retain: boolean) =>
      engine.gradients(toNumbers(roots), toNumbers(grads), toNumbers(inputs), Boolean(retain)),
  };
}
