// The tensor table behind Python's torch.Tensor: tfjs tensors by integer handle, grad mode, and PyTorch-style autograd.
//
// Python holds only integer handles; every op runs here, on tfjs. A handle also says the tensor's torch dtype (its low
// four bits), so Python knows `.dtype` without asking. When an op's inputs require grad, the op runs with tfjs's tape
// switched on and the tape nodes it recorded (tfjs's own per-kernel gradients, or an op's tf.customGrad) become one
// graph node of ours, the op's `grad_fn`. `backward()` walks those nodes and adds into `.grad` of leaves.
//
// Memory: a tfjs tensor lives exactly as long as the handles on its storage (Python frees them from `__del__`); a
// graph node keeps its saved tensors until backward has run through it (unless retain_graph) or until nothing can
// reach it any more (reference counts, no cycles).
import * as tf from '@tensorflow/tfjs-core';
// tfjs's per-kernel gradients (with our overrides), which our backward() reuses.
import './ops/kernels/gradients';
import { type TorchDtype, DTYPE_BY_CODE, isFloatDtype, storageOf, dtypeOfStorage, castStorage } from './ops/dtypes';
import { formatSize, sameShape } from './ops/shapeRules';
import { TorchError } from './torchError';
import {
  type Box,
  type GradientHook,
  type InputEdge,
  type TapeNode,
  type Var,
  OpNode,
  backpropagateThroughTape,
  destroyHooks,
  topologicalOrder,
} from './autogradGraph';

// The engine's public surface keeps the names it always had.
export { type TorchDtype, DTYPE_BY_CODE, isFloatDtype, storageOf, dtypeOfStorage, castStorage } from './ops/dtypes';
export { formatSize, sameShape } from './ops/shapeRules';
export { TorchError } from './torchError';
export type { GradientHook } from './autogradGraph';

const CODE_OF_DTYPE = new Map<TorchDtype, number>(DTYPE_BY_CODE.map((d, i) => [d, i]));
const HANDLE_STRIDE = 16;

const FREED_GRAPH_MESSAGE =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have already been ' +
  'freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify ' +
  'retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors ' +
  'after calling backward.';

interface EngineInternals {
  startTape(): void;
  endTape(): void;
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
}

export class TensorEngine {
  private readonly vars = new Map<number, Var>();
  /** While a recorded op computes: which of its inputs require grad (ops skip gradients nobody needs). */
  private recordingNeeds: boolean[] | null = null;
  private nextSerial = 1;
  private nextBoxId = 1;
  /** While a gradient hook's Python code runs inside backward's tidy scope: new tensors are kept from that scope. */
  private keepingAdopted = 0;
  gradEnabled = true;

  // ---- handles ----------------------------------------------------------------------------------------------------

  private newHandle(dtype: TorchDtype): number {
    return this.nextSerial++ * HANDLE_STRIDE + CODE_OF_DTYPE.get(dtype)!;
  }

  private newBox(t: tf.Tensor): Box {
    return { t, refs: 1, id: this.nextBoxId++ };
  }

  /** Wraps a fresh tfjs tensor (owned by the new handle); `dtype` defaults to what its storage stands for. */
  adopt(t: tf.Tensor, requiresGrad = false, fn: OpNode | null = null, dtype?: TorchDtype): number {
    const d = dtype ?? dtypeOfStorage(t);
    if (t.dtype !== storageOf(d)) {
      const cast = tf.tidy(() => castStorage(t, storageOf(d)));
      t.dispose();
      t = cast;
    }
    if (this.keepingAdopted) tf.keep(t);
    const handle = this.newHandle(d);
    if (fn) fn.refs++;
    this.vars.set(handle, { box: this.newBox(t), dtype: d, requiresGrad, fn, grad: null, retainsGrad: false, freed: false });
    return handle;
  }

  get(handle: number): Var {
    const v = this.vars.get(handle);
    if (!v) throw new TorchError('RuntimeError', `internal: tensor handle ${handle} was already freed`);
    return v;
  }

  tensor(handle: number): tf.Tensor {
    return this.get(handle).box.t;
  }

  dtypeOf(handle: number): TorchDtype {
    return this.get(handle).dtype;
  }

  /** A new handle on the same storage, outside the graph (`detach()`, `.data`). */
  alias(handle: number): number {
    const v = this.get(handle);
    v.box.refs++;
    const aliasHandle = this.newHandle(v.dtype);
    this.vars.set(aliasHandle, {
      box: v.box, dtype: v.dtype, requiresGrad: false, fn: null, grad: null, retainsGrad: false, freed: false,
    });
    return aliasHandle;
  }

  free(handle: number): void {
    const v = this.vars.get(handle);
    if (!v) return;
    this.vars.delete(handle);
    v.freed = true;
    this.dropBox(v.box);
    if (v.grad) this.dropBox(v.grad);
    v.grad = null;
    if (v.fn) this.releaseNode(v.fn);
    v.fn = null;
    destroyHooks(v.hooks);
    v.hooks = null;
  }

  private dropBox(box: Box): void {
    if (--box.refs === 0) box.t.dispose();
  }

  get liveHandles(): number {
    return this.vars.size;
  }

  // ---- running ops ------------------------------------------------------------------------------------------------

  /**
   * Runs `compute` on the inputs' tensors and returns a new handle; records a `gradName` node when grad mode is on,
   * the op is differentiable (`gradName` not empty) and an input requires grad. `dtype` is the result's torch dtype
   * (by default what the output's storage stands for); the output is cast to its storage if needed.
   */
  run(gradName: string, inputs: number[], compute: (...ts: tf.Tensor[]) => tf.Tensor, dtype?: TorchDtype): number {
    const vars = inputs.map((h) => this.get(h));
    let record = false;
    if (this.gradEnabled && gradName) for (const v of vars) if (v.requiresGrad) record = true;
    if (!record) {
      const tensors = vars.map((v) => v.box.t);
      const output = tf.tidy(() => {
        const out = compute(...tensors);
        return tensors.includes(out) ? tf.clone(out) : out;
      });
      return this.adopt(output, false, null, dtype);
    }
    const d = dtype ?? null;
    const recorded = this.recordOp(gradName, vars, compute, d ? storageOf(d) : null);
    if (!recorded.node) return this.adopt(recorded.output, false, null, dtype);
    return this.adopt(recorded.output, true, recorded.node, dtype);
  }

  /** Several outputs from one computation (none differentiable): e.g. sort's indices, topk's. */
  runDetached(inputs: number[], compute: (...ts: tf.Tensor[]) => tf.Tensor[], dtypes?: TorchDtype[]): number[] {
    const tensors = inputs.map((h) => this.get(h).box.t);
    const outputs = tf.tidy(() => compute(...tensors).map((out) => (tensors.includes(out) ? tf.clone(out) : out)));
    return outputs.map((out, i) => this.adopt(out, false, null, dtypes?.[i]));
  }

  /** Like `run`, but replaces the first input's value (PyTorch's in-place ops: `add_`, `mul_`, `copy_`...). */
  runInPlace(gradName: string, inputs: number[], compute: (...ts: tf.Tensor[]) => tf.Tensor): void {
    const vars = inputs.map((h) => this.get(h));
    const target = vars[0];
    let record = false;
    if (this.gradEnabled && gradName) for (const v of vars) if (v.requiresGrad) record = true;
    if (record && target.requiresGrad && !target.fn) {
      throw new TorchError('RuntimeError', 'a leaf Variable that requires grad is being used in an in-place operation.');
    }
    const storage = target.box.t.dtype as 'float32' | 'int32' | 'bool';
    let output: tf.Tensor;
    if (record) {
      const recorded = this.recordOp(gradName, vars, compute, storage);
      output = recorded.output;
      if (recorded.node) {
        recorded.node.refs++;
        if (target.fn) this.releaseNode(target.fn);
        target.fn = recorded.node;
        target.requiresGrad = true;
      }
    } else {
      const tensors = vars.map((v) => v.box.t);
      output = tf.tidy(() => {
        let out = compute(...tensors);
        if (out.dtype !== storage) out = castStorage(out, storage);
        return tensors.includes(out) ? tf.clone(out) : out;
      });
    }
    if (!sameShape(output.shape, target.box.t.shape)) {
      const shape = output.shape;
      output.dispose();
      throw new TorchError(
        'RuntimeError',
        `output with shape [${target.box.t.shape.join(', ')}] doesn't match the broadcast shape [${shape.join(', ')}]`,
      );
    }
    target.box.t.dispose();
    target.box.t = output;
  }

  /** Runs `compute` with tfjs's tape on and turns what it recorded into one graph node (none for non-float results). */
  private recordOp(
    gradName: string,
    vars: Var[],
    compute: (...ts: tf.Tensor[]) => tf.Tensor,
    storage: 'float32' | 'int32' | 'bool' | null,
  ): { output: tf.Tensor; node: OpNode | null } {
    // Two inputs may hold the same tfjs tensor (`x * x.detach()`): the tape tells inputs apart by tensor, so such a
    // second input gets its own tensor (a clone sharing the data).
    const tensors: tf.Tensor[] = [];
    const owner = new Map<number, Var>();
    const clones: tf.Tensor[] = [];
    for (const v of vars) {
      let t = v.box.t;
      const first = owner.get(t.id);
      if (first && first !== v) {
        t = tf.clone(t);
        clones.push(t);
      }
      owner.set(t.id, v);
      tensors.push(t);
    }
    const engine = tf.engine() as unknown as EngineInternals;
    engine.startTape();
    let output: tf.Tensor;
    let tape: TapeNode[];
    this.recordingNeeds = vars.map((v) => v.requiresGrad);
    try {
      output = tf.tidy(() => {
        let out = compute(...tensors);
        if (storage && out.dtype !== storage) out = castStorage(out, storage);
        return tensors.includes(out) ? tf.clone(out) : out;
      });
    } catch (error) {
      // The tensors the tape saved for backward would outlive the failed op.
      for (const node of engine.state.activeTape ?? []) for (const t of node.saved) t.dispose();
      throw error;
    } finally {
      this.recordingNeeds = null;
      tape = engine.state.activeTape ?? [];
      engine.endTape();
      if (engine.state.gradientDepth === 0) engine.state.activeTape = null;
      for (const t of clones) t.dispose();
    }
    if (output.dtype !== 'float32') {
      for (const node of tape) for (const t of node.saved) t.dispose();
      return { output, node: null };
    }
    const needed = new Set<number>();
    const edges: InputEdge[] = [];
    for (let i = 0; i < vars.length; i++) {
      const v = vars[i];
      const t = tensors[i];
      if (!v.requiresGrad || needed.has(t.id)) continue;
      needed.add(t.id);
      edges.push({ tfId: t.id, fn: v.fn, leaf: v.fn ? null : v });
    }
    const kept: TapeNode[] = [];
    for (const node of tape) {
      let isNeeded = false;
      for (const key in node.inputs) {
        const t = node.inputs[key];
        if (t != null && needed.has(t.id)) isNeeded = true;
      }
      if (isNeeded) {
        for (const out of node.outputs) if (out.dtype === 'float32') needed.add(out.id);
        kept.push(node);
      } else {
        for (const t of node.saved) t.dispose();
        node.saved.length = 0;
      }
    }
    if (!needed.has(output.id)) {
      // The output does not depend on any input that requires grad (e.g. zeros_like(x)).
      for (const node of kept) for (const t of node.saved) t.dispose();
      return { output, node: null };
    }
    return { output, node: new OpNode(gradName, kept, edges, output.id, needed) };
  }

  /** Inside an op's compute: whether its i-th input requires grad (false when the op is not being recorded). */
  inputNeedsGrad(i: number): boolean {
    return this.recordingNeeds?.[i] ?? false;
  }

  private releaseNode(start: OpNode): void {
    const stack = [start];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (--node.refs > 0) continue;
      node.releaseSaved();
      node.freed = true;
      node.retainers = null;
      destroyHooks(node.hooks);
      node.hooks = null;
      for (const edge of node.inputs) if (edge.fn) stack.push(edge.fn);
    }
  }

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

  /** Names the tensor's grad_fn as PyTorch would (ops composed of several steps end in the name of the whole). */
  renameGradFn(handle: number, name: string): void {
    const fn = this.get(handle).fn;
    if (fn) fn.name = name;
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
    v.box = src.box;
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
    this.vars.set(gradHandle, {
      box: v.grad, dtype: v.dtype, requiresGrad: false, fn: null, grad: null, retainsGrad: false, freed: false,
    });
    return gradHandle;
  }

  /** Sets `.grad` to the tensor `gradHandle` (sharing its storage, as `p.grad = t` does), or to None when it is 0. */
  setGrad(handle: number, gradHandle: number): void {
    const v = this.get(handle);
    if (gradHandle) {
      const g = this.get(gradHandle);
      if (!sameShape(g.box.t.shape, v.box.t.shape)) throw new TorchError('RuntimeError', 'assigned grad has data of a different size');
      if (!isFloatDtype(g.dtype)) throw new TorchError('RuntimeError', 'assigned grad expected to have a floating point dtype');
      g.box.refs++;
    }
    const previous = v.grad;
    v.grad = gradHandle ? this.get(gradHandle).box : null;
    if (previous) this.dropBox(previous);
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
        if (root.box.t.size !== 1) throw new TorchError('RuntimeError', 'grad can be implicitly created only for scalar outputs');
        return null;
      }
      const g = this.get(gh).box.t;
      if (!sameShape(g.shape, root.box.t.shape)) {
        throw new TorchError(
          'RuntimeError',
          `Mismatch in shape: grad_output[${i}] has a shape of ${formatSize(g.shape)} and output[${i}] has a shape of ${formatSize(root.box.t.shape)}.`,
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
        const g = seed ? (seed.dtype === 'float32' ? tf.clone(seed) : tf.cast(seed, 'float32')) : tf.onesLike(root.box.t);
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
      const replacement = this.get(returned).box.t;
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
    if (!sameShape(g.shape, target.box.t.shape)) {
      if (g.size !== target.box.t.size) {
        g.dispose();
        throw new TorchError('RuntimeError', `internal: gradient of shape [${g.shape}] for a tensor of shape [${target.box.t.shape}]`);
      }
      shaped = tf.reshape(g, target.box.t.shape);
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
