// The tensor engine behind Python's torch.Tensor: the tensor table (tensorTable.ts) with PyTorch-style autograd on it.
//
// requires_grad, `.grad` and its storage, retain_grad, gradient hooks, and `backward()` / `torch.autograd.grad`, which
// walk the graph nodes the table's ops recorded and add into `.grad` of leaves.
import * as tf from '@tensorflow/tfjs-core';
// tfjs's per-kernel gradients (with our overrides), which our backward() reuses.
import './ops/kernels/gradients';
import { isFloatDtype } from './ops/dtypes';
import { formatSize, sameShape, sizeOfShape as sizeOf } from './ops/shapeRules';
import { TorchError } from './torchError';
import { checkSavedVersions } from './savedVersions';
import { type Box, type GradientHook, type ShownEdge, type Var, OpNode, backpropagateThroughTape, topologicalOrder } from './autogradGraph';
import { TensorTable } from './tensorTable';
import { copyView, releaseView } from './tensorViews';

// The engine's public surface keeps the names it always had.
export { type TorchDtype, DTYPE_BY_CODE, isFloatDtype, storageOf, dtypeOfStorage, castStorage } from './ops/dtypes';
export { formatSize, sameShape } from './ops/shapeRules';
export { TorchError } from './torchError';
export type { GradientHook } from './autogradGraph';
export type { ViewStep } from './tensorViews';

const FREED_GRAPH_MESSAGE =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have already been ' +
  'freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify ' +
  'retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors ' +
  'after calling backward.';

export class TensorEngine extends TensorTable {
  // ---- autograd ---------------------------------------------------------------------------------------------------

  setRequiresGrad(handle: number, requiresGrad: boolean): void {
    const v = this.get(handle);
    if (v.fn) {
      if (!requiresGrad) {
        throw new TorchError(
          'RuntimeError',
          'you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a ' +
            "subgraph that doesn't require differentiation use var_no_grad = var.detach().",
        );
      }
      return;
    }
    if (requiresGrad && !isFloatDtype(v.dtype)) {
      throw new TorchError('RuntimeError', 'only Tensors of floating point and complex dtype can require gradients');
    }
    v.requiresGrad = requiresGrad;
  }

  /** `t.detach_()`: the tensor leaves the graph and becomes a leaf that does not require grad. */
  detachInPlace(handle: number): void {
    const v = this.get(handle);
    if (v.fn) this.releaseNode(v.fn);
    v.fn = null;
    v.requiresGrad = false;
    v.retainsGrad = false;
  }

  requiresGrad(handle: number): boolean {
    return this.get(handle).requiresGrad;
  }

  /** The grad_fn's name, or undefined (Python None) for leaves. */
  gradFnName(handle: number): string | undefined {
    return this.get(handle).fn?.name;
  }

  isLeaf(handle: number): boolean {
    return this.get(handle).fn === null;
  }

  /**
   * Names the tensor's grad_fn as PyTorch would (ops composed of several steps end in the name of the whole); `inputs`,
   * the whole op's own inputs (0 for None), are what its `next_functions` then lists instead of its last step's.
   */
  renameGradFn(handle: number, name: string, inputs?: ArrayLike<number>): void {
    const fn = this.get(handle).fn;
    if (!fn) return;
    fn.name = name;
    if (inputs) fn.shownInputs = Array.from(inputs, (h) => this.shownEdge(h));
  }

  /** The `next_functions` entry for tensor `handle` as an input (0: None). */
  shownEdge(handle: number): ShownEdge {
    if (!handle) return { fn: null, accumulates: false };
    const v = this.get(handle);
    return { fn: v.fn, accumulates: !v.fn && v.requiresGrad };
  }

  /** A `next_functions` entry for a step PyTorch records and we fold into another (Linear's TBackward0 of the weight). */
  standInEdge(name: string, handle: number): ShownEdge {
    const edge = this.shownEdge(handle);
    return edge.fn || edge.accumulates ? { fn: { name, inputs: [], shownInputs: [edge] }, accumulates: false } : edge;
  }

  /**
   * `tensor.data = other`: the tensor now shares `other`'s storage (shape and dtype too). Returns the tensor's handle,
   * a new one when the dtype changed (the handle carries the dtype).
   */
  setData(handle: number, source: number): number {
    const v = this.get(handle);
    const src = this.get(source);
    src.box.refs++;
    this.dropBox(v.box);
    if (v.view) releaseView(v.view);
    v.box = src.box;
    v.view = src.view ? copyView(src.view) : null;
    if (v.dtype === src.dtype) return handle;
    v.dtype = src.dtype;
    this.vars.delete(handle);
    const renamed = this.newHandle(v.dtype);
    this.vars.set(renamed, v);
    return renamed;
  }

  /**
   * A handle on `.grad`'s storage (in-place ops through it change the grad, as in PyTorch); 0 when it is None, -1 when
   * the tensor is not a leaf and does not retain its grad (PyTorch warns then).
   */
  grad(handle: number): number {
    const v = this.get(handle);
    if (!v.grad) return v.fn && !v.retainsGrad ? -1 : 0;
    v.grad.refs++;
    const gradHandle = this.newHandle(v.dtype);
    this.vars.set(gradHandle, this.newVar(v.grad, v.dtype, false, null));
    return gradHandle;
  }

  /** Sets `.grad` to the tensor `gradHandle` (sharing its storage, as `p.grad = t` does), or to None when it is 0. */
  setGrad(handle: number, gradHandle: number): void {
    const v = this.get(handle);
    if (gradHandle) {
      const g = this.get(gradHandle);
      if (!sameShape(this.valueOf(g).shape, this.valueOf(v).shape)) throw new TorchError('RuntimeError', 'assigned grad has data of a different size');
      if (!isFloatDtype(g.dtype)) throw new TorchError('RuntimeError', 'assigned grad expected to have a floating point dtype');
    }
    const previous = v.grad;
    v.grad = gradHandle ? this.storageOfGrad(this.get(gradHandle)) : null;
    if (previous) this.dropBox(previous);
  }

  /** The storage `p.grad = g` shares: g's own, or a copy when g is a view (`.grad` is never a view here). */
  private storageOfGrad(g: Var): Box {
    if (g.view) return this.newBox(tf.clone(this.valueOf(g)));
    g.box.refs++;
    return g.box;
  }

  /** Which storage `.grad` is (changes whenever `.grad` is replaced), 0 for None, -1 for a non-leaf's None. */
  gradVersion(handle: number): number {
    const v = this.get(handle);
    if (v.grad) return v.grad.id;
    return v.fn && !v.retainsGrad ? -1 : 0;
  }

  retainGrad(handle: number): void {
    const v = this.get(handle);
    if (!v.requiresGrad) throw new TorchError('RuntimeError', "can't retain_grad on Tensor that has requires_grad=False");
    if (!v.fn || v.retainsGrad) return;
    v.retainsGrad = true;
    (v.fn.retainers ??= []).push(v);
  }

  /** `t.register_hook(hook)`: the hook sees (and may replace) t's gradient in every backward through it. */
  registerHook(handle: number, hook: GradientHook): void {
    const v = this.get(handle);
    if (!v.requiresGrad) throw new TorchError('RuntimeError', "cannot register a hook on a tensor that doesn't require gradient");
    if (v.fn) (v.fn.hooks ??= []).push(hook);
    else (v.hooks ??= []).push(hook);
  }

  /** The hook's handle.remove(): it runs no more, wherever it was registered. */
  removeHook(handle: number, hook: GradientHook): void {
    const v = this.vars.get(handle);
    for (const list of [v?.fn?.hooks, v?.hooks]) {
      const at = list?.indexOf(hook) ?? -1;
      if (list && at >= 0) list.splice(at, 1);
    }
    hook.destroy?.();
  }

  /** `loss.backward()` (one root) or `torch.autograd.backward([...])`: accumulates into leaves' `.grad`. */
  backward(rootHandles: number[], gradHandles: number[], retainGraph: boolean): void {
    const grads = this.propagate(rootHandles, gradHandles, retainGraph, null);
    for (const [leaf, g] of grads) this.accumulate(leaf, g);
  }

  /** `torch.autograd.grad`: the gradients of the roots with respect to `inputHandles` (0 where unused), no accumulation. */
  gradients(rootHandles: number[], gradHandles: number[], inputHandles: number[], retainGraph: boolean): number[] {
    const wanted = inputHandles.map((h) => {
      const v = this.get(h);
      if (!v.requiresGrad) throw new TorchError('RuntimeError', 'One of the differentiated Tensors does not require grad');
      return v;
    });
    const grads = this.propagate(rootHandles, gradHandles, retainGraph, wanted);
    const out = wanted.map((v) => {
      const g = grads.get(v);
      grads.delete(v);
      return g ? this.adopt(g, false, null, v.dtype) : 0;
    });
    for (const g of grads.values()) g.dispose();
    return out;
  }

  /**
   * Runs gradients from the roots back through the graph. Returns the gradient of every leaf reached (or, when `wanted`
   * is given, of those tensors only, leaves or not); the tensors returned belong to the caller.
   */
  private propagate(rootHandles: number[], gradHandles: number[], retainGraph: boolean, wanted: Var[] | null): Map<Var, tf.Tensor> {
    const roots = rootHandles.map((h) => this.get(h));
    const seeds: Array<tf.Tensor | null> = roots.map((root, i) => {
      const gh = gradHandles[i] ?? 0;
      if (!root.requiresGrad) {
        throw new TorchError('RuntimeError', `element ${i} of tensors does not require grad and does not have a grad_fn`);
      }
      if (!gh) {
        if (this.valueOf(root).size !== 1) throw new TorchError('RuntimeError', 'grad can be implicitly created only for scalar outputs');
        return null;
      }
      const g = this.tensor(gh);
      if (!sameShape(g.shape, this.valueOf(root).shape)) {
        throw new TorchError(
          'RuntimeError',
          `Mismatch in shape: grad_output[${i}] has a shape of ${formatSize(g.shape)} and output[${i}] has a shape of ${formatSize(this.valueOf(root).shape)}.`,
        );
      }
      return g;
    });
    const wantedByNode = new Map<OpNode, Var[]>();
    const wantedLeaves = new Set<Var>();
    if (wanted) {
      for (const v of wanted) {
        if (v.fn) {
          const list = wantedByNode.get(v.fn) ?? [];
          list.push(v);
          wantedByNode.set(v.fn, list);
        } else {
          wantedLeaves.add(v);
        }
      }
    }
    const order = topologicalOrder(roots.map((r) => r.fn).filter((fn): fn is OpNode => fn !== null));
    for (const node of order) if (node.freed && node.savesTensors) throw new TorchError('RuntimeError', FREED_GRAPH_MESSAGE);
    const results = new Map<Var, tf.Tensor>();
    const retained: Array<[Var, tf.Tensor]> = [];
    tf.tidy(() => {
      const outputGrads = new Map<OpNode, tf.Tensor>();
      const leafGrads = new Map<Var, tf.Tensor>();
      const addTo = <K>(map: Map<K, tf.Tensor>, key: K, g: tf.Tensor) => {
        const previous = map.get(key);
        map.set(key, previous ? tf.add(previous, g) : g);
      };
      roots.forEach((root, i) => {
        const seed = seeds[i];
        const g = seed ? (seed.dtype === 'float32' ? tf.clone(seed) : tf.cast(seed, 'float32')) : tf.onesLike(this.valueOf(root));
        if (root.fn) addTo(outputGrads, root.fn, g);
        else addTo(leafGrads, root, g);
      });
      for (const node of order) {
        let dy = outputGrads.get(node);
        if (!dy) continue;
        if (node.hooks?.length) dy = this.runHooks(node.hooks, dy);
        if (node.retainers) for (const v of node.retainers) if (!v.freed && v.fn === node) retained.push([v, tf.keep(tf.clone(dy))]);
        const forWanted = wantedByNode.get(node);
        if (forWanted) for (const v of forWanted) results.set(v, tf.keep(tf.clone(dy)));
        checkSavedVersions(node.savedVariables, node.name);
        const inputGrads = backpropagateThroughTape(node, dy);
        for (const edge of node.inputs) {
          const g = inputGrads.get(edge.tfId);
          if (!g) continue;
          if (edge.fn) addTo(outputGrads, edge.fn, g);
          else if (edge.leaf && !edge.leaf.freed) addTo(leafGrads, edge.leaf, g);
        }
        if (!retainGraph && node.savesTensors) {
          node.releaseSaved();
          node.freed = true;
        }
      }
      for (const [leaf, g] of leafGrads) {
        if (wanted && !wantedLeaves.has(leaf)) continue;
        results.set(leaf, tf.keep(leaf.hooks?.length ? this.runHooks(leaf.hooks, g) : g));
      }
    });
    for (const [v, g] of retained) this.accumulate(v, g);
    return results;
  }

  /**
   * Runs hooks on a gradient, inside backward's tidy scope: each gets its own copy, and what one returns replaces the
   * gradient for the next. The tensors the hooks' Python code makes belong to its handles, so while it runs they are
   * kept from the scope.
   */
  private runHooks(hooks: readonly GradientHook[], g: tf.Tensor): tf.Tensor {
    for (const hook of [...hooks]) {
      const given = this.adopt(tf.keep(tf.clone(g)), false, null, 'float32');
      this.keepingAdopted++;
      let returned: number;
      try {
        returned = hook(given);
      } finally {
        this.keepingAdopted--;
      }
      if (returned === -1) throw new TorchError('RuntimeError', 'a gradient hook raised an exception');
      if (!returned) continue;
      const replacement = this.tensor(returned);
      if (!sameShape(replacement.shape, g.shape)) {
        throw new TorchError('RuntimeError', `hook 'hook' has changed the size of value`);
      }
      g = replacement.dtype === 'float32' ? tf.clone(replacement) : tf.cast(replacement, 'float32');
    }
    return g;
  }

  /** Adds `g` (owned by this call) into the tensor's `.grad`, in place of its storage so `.grad` views see it. */
  private accumulate(target: Var, g: tf.Tensor): void {
    let shaped = g;
    const shape = this.valueOf(target).shape;
    if (!sameShape(g.shape, shape)) {
      if (g.size !== sizeOf(shape)) {
        g.dispose();
        throw new TorchError('RuntimeError', `internal: gradient of shape [${g.shape}] for a tensor of shape [${shape}]`);
      }
      shaped = tf.reshape(g, shape);
      g.dispose();
    }
    if (!target.grad) {
      target.grad = this.newBox(shaped);
      return;
    }
    const box = target.grad;
    const sum = tf.add(box.t, shaped);
    box.t.dispose();
    shaped.dispose();
    box.t = sum;
  }
}
