// The autograd graph's pieces: tfjs tape nodes, the grad_fn nodes built from them, tensor storage, and the backward walk.
import * as tf from '@tensorflow/tfjs-core';
import type { TorchDtype } from './ops/dtypes';
import { TorchError } from './torchError';
import type { SavedVariable } from './savedVersions';
import type { VersionCounter, ViewOf } from './tensorViews';

/** One kernel call recorded by tfjs's tape (the fields of tfjs's internal TapeNode that we read). */
export interface TapeNode {
  kernelName: string;
  inputs: Record<string, tf.Tensor | null>;
  outputs: tf.Tensor[];
  saved: tf.Tensor[];
  gradient?: (dys: tf.Tensor[]) => Record<string, () => tf.Tensor>;
}

/**
 * A `Tensor.register_hook` hook, as the shim hands it over: called with a handle on the gradient (owned by the
 * caller), it returns 0 to keep the gradient, a handle whose tensor replaces it, or -1 when the hook raised (the shim
 * re-raises that exception when backward returns). `destroy` lets the Python callable go.
 */
export interface GradientHook {
  (gradHandle: number): number;
  destroy?(): void;
}

/** What one input of an op was when the op ran: the graph node that produced it, or the leaf it is. */
export interface InputEdge {
  tfId: number;
  fn: OpNode | null;
  leaf: Var | null;
}

/** One entry of `grad_fn.next_functions`: the input's grad_fn, AccumulateGrad (a leaf that requires grad), or None. */
export interface ShownEdge {
  fn: ShownNode | null;
  accumulates: boolean;
}

/** A node `next_functions` can show: an OpNode, or a stand-in for a step PyTorch has and we fold in (TBackward0). */
export interface ShownNode {
  name: string;
  inputs: InputEdge[];
  shownInputs: ShownEdge[] | null;
}

/** A `grad_fn`: the tape of one Python-level op, with edges to the ops (or leaves) its inputs came from. */
export class OpNode {
  /** How many handles and downstream nodes point here; at 0 the saved tensors go. */
  refs = 0;
  /** Set once backward (without retain_graph) or release has disposed the saved tensors. */
  freed = false;
  /** Whether backward needs tensors saved in the forward pass (only such nodes refuse a second backward). */
  readonly savesTensors: boolean;
  /** Non-leaf tensors made by this node that asked for `.retain_grad()`. */
  retainers: Var[] | null = null;
  /** Hooks on this node's output (they outlive its Python tensor, as in PyTorch: they belong to the graph). */
  hooks: GradientHook[] | null = null;
  /** The inputs and output its gradient reads, at their versions when saved (checked before backward runs it). */
  savedVariables: SavedVariable[] | null = null;
  /** What `next_functions` lists, one entry per input as PyTorch has them (null: walk `inputs`). */
  shownInputs: ShownEdge[] | null = null;
  constructor(
    public name: string,
    readonly tape: TapeNode[],
    readonly inputs: InputEdge[],
    readonly outputTfId: number,
    readonly neededIds: Set<number>,
  ) {
    for (const edge of inputs) if (edge.fn) edge.fn.refs++;
    this.savesTensors = tape.some((node) => node.saved.length > 0);
  }
  releaseSaved(): void {
    for (const node of this.tape) {
      for (const t of node.saved) t.dispose();
      node.saved.length = 0;
    }
  }
}

/**
 * Storage shared by a tensor, its views and its detached aliases (`.data`, `detach()`, `.grad`): the root tensor's
 * value; in-place ops replace `t` (see tensorViews.ts).
 */
export interface Box {
  t: tf.Tensor;
  refs: number;
  /** Tells storages apart (Python caches its `.grad` wrapper by this). */
  readonly id: number;
  /** How many times `t` was replaced by a write: views' caches older than this are stale. */
  writes: number;
  /** The version counter of the tensors made on this storage (views and detach() share it; `.data` has its own). */
  readonly counter: VersionCounter;
}

/** What a Python handle points at. */
export interface Var {
  box: Box;
  /** How this tensor sees its storage when it is a view of another tensor's (null: it is the storage's root). */
  view: ViewOf | null;
  /** `_version`: bumped by every in-place op on this tensor or one sharing its counter. */
  version: VersionCounter;
  dtype: TorchDtype;
  requiresGrad: boolean;
  fn: OpNode | null;
  /** `.grad` (leaves, and non-leaves that retain their grad): a storage Python handles can share. */
  grad: Box | null;
  retainsGrad: boolean;
  freed: boolean;
  /** A leaf's hooks, run on its gradient before it is added into `.grad`. */
  hooks?: GradientHook[] | null;
}

export function destroyHooks(hooks: GradientHook[] | null | undefined): void {
  if (hooks) for (const hook of hooks) hook.destroy?.();
}

/** Nodes reachable from the roots, each after every node that consumes its output (roots first). */
export function topologicalOrder(roots: OpNode[]): OpNode[] {
  const visited = new Set<OpNode>();
  const postorder: OpNode[] = [];
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    const stack: Array<{ node: OpNode; next: number }> = [{ node: root, next: 0 }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      if (frame.next < frame.node.inputs.length) {
        const child = frame.node.inputs[frame.next++].fn;
        if (child && !visited.has(child)) {
          visited.add(child);
          stack.push({ node: child, next: 0 });
        }
      } else {
        postorder.push(frame.node);
        stack.pop();
      }
    }
  }
  return postorder.reverse();
}

/** Runs tfjs's per-kernel gradients backwards through one op's tape; returns gradients by input tensor id. */
export function backpropagateThroughTape(node: OpNode, dy: tf.Tensor): Map<number, tf.Tensor> {
  const grads = new Map<number, tf.Tensor>();
  grads.set(node.outputTfId, dy);
  for (let i = node.tape.length - 1; i >= 0; i--) {
    const tapeNode = node.tape[i];
    let any = false;
    const dys = tapeNode.outputs.map((out) => {
      const g = grads.get(out.id) ?? null;
      if (g) any = true;
      return g;
    });
    if (!any) continue;
    if (!tapeNode.gradient) {
      throw new TorchError('RuntimeError', `no gradient is defined for kernel ${tapeNode.kernelName} (in ${node.name})`);
    }
    const inputGradFns = tapeNode.gradient(dys as tf.Tensor[]);
    for (const name in tapeNode.inputs) {
      const input = tapeNode.inputs[name];
      if (input == null || !node.neededIds.has(input.id)) continue;
      const gradFn = inputGradFns[name];
      if (!gradFn) throw new TorchError('RuntimeError', `kernel ${tapeNode.kernelName} has no gradient for input ${name}`);
      let g = gradFn();
      if (g.dtype !== 'float32') g = tf.cast(g, 'float32');
      const previous = grads.get(input.id);
      grads.set(input.id, previous ? tf.add(previous, g) : g);
    }
  }
  return grads;
}
