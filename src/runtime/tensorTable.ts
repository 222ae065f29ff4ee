// The tensor table behind Python's torch.Tensor: tfjs tensors by integer handle, and the ops that run on them.
//
// Python holds only integer handles; every op runs here, on tfjs. A handle also says the tensor's torch dtype (its low
// four bits), so Python knows `.dtype` without asking. When an op's inputs require grad, the op runs with tfjs's tape
// switched on and the tape nodes it recorded (tfjs's own per-kernel gradients, or an op's tf.customGrad) become one
// graph node of ours, the op's `grad_fn` (tensorEngine.ts walks them backwards). Views share their base's storage and
// in-place ops write into it (tensorViews.ts); what an op saved for backward is checked against later writes
// (savedVersions.ts).
//
// Memory: a tfjs tensor lives exactly as long as the handles on its storage (Python frees them from `__del__`); a
// graph node keeps its saved tensors until backward has run through it (unless retain_graph) or until nothing can
// reach it any more (reference counts, no cycles).
import * as tf from '@tensorflow/tfjs-core';
import { type TorchDtype, DTYPE_BY_CODE, isFloatDtype, storageOf, dtypeOfStorage, castStorage } from './ops/dtypes';
import { sameShape } from './ops/shapeRules';
import { TorchError } from './torchError';
import { type SavedVariable, savedByTape } from './savedVersions';
import {
  type Layout,
  type ViewStep,
  checkNoOverlap,
  copyView,
  isStale,
  layoutOf,
  recomputeView,
  releaseView,
  viewOf,
  storagePositions,
  writeBack,
} from './tensorViews';
import { isRowMajor, rowMajorStrides } from './viewStrides';
import { type Box, type InputEdge, type TapeNode, type Var, OpNode, destroyHooks } from './autogradGraph';

const CODE_OF_DTYPE = new Map<TorchDtype, number>(DTYPE_BY_CODE.map((d, i) => [d, i]));
const HANDLE_STRIDE = 16;

interface EngineInternals {
  startTape(): void;
  endTape(): void;
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
}

export class TensorTable {
  protected readonly vars = new Map<number, Var>();
  /** While a recorded op computes: which of its inputs require grad (ops skip gradients nobody needs). */
  private recordingNeeds: boolean[] | null = null;
  private nextSerial = 1;
  private nextBoxId = 1;
  /** While a gradient hook's Python code runs inside backward's tidy scope: new tensors are kept from that scope. */
  protected keepingAdopted = 0;
  gradEnabled = true;

  // ---- handles ----------------------------------------------------------------------------------------------------

  protected newHandle(dtype: TorchDtype): number {
    return this.nextSerial++ * HANDLE_STRIDE + CODE_OF_DTYPE.get(dtype)!;
  }

  protected newBox(t: tf.Tensor): Box {
    return { t, refs: 1, id: this.nextBoxId++, writes: 0, counter: { value: 0 } };
  }

  protected newVar(box: Box, dtype: TorchDtype, requiresGrad: boolean, fn: OpNode | null): Var {
    return { box, view: null, version: box.counter, dtype, requiresGrad, fn, grad: null, retainsGrad: false, freed: false };
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
    this.vars.set(handle, this.newVar(this.newBox(t), d, requiresGrad, fn));
    return handle;
  }

  get(handle: number): Var {
    const v = this.vars.get(handle);
    if (!v) throw new TorchError('RuntimeError', `internal: tensor handle ${handle} was already freed`);
    return v;
  }

  tensor(handle: number): tf.Tensor {
    return this.valueOf(this.get(handle));
  }

  /** A tensor's value: its storage's, or for a view what it sees of its root's now. */
  valueOf(v: Var): tf.Tensor {
    const view = v.view;
    if (!view) return v.box.t;
    if (isStale(view, v.box)) {
      view.cache?.dispose();
      view.cache = recomputeView(view, v.box.t);
      view.stamp = v.box.writes;
    }
    return view.cache!;
  }

  /**
   * Before a view is used with grad on: when its root's history changed since the view was made (a write through the
   * root or a sibling view), the view's grad_fn is made again from the root's, as PyTorch regenerates it.
   */
  private refreshViewHistory(v: Var): void {
    const view = v.view;
    if (!view) return;
    const root = view.root;
    if (root.fn === view.rootFn || root.freed || root.box !== v.box || !root.requiresGrad) return;
    view.rootFn = root.fn;
    const recorded = this.recordOp('AsStridedBackward0', [root], [root.box.t], view.fn, null);
    view.cache?.dispose();
    view.cache = tf.keep(recorded.output);
    view.stamp = v.box.writes;
    if (!recorded.node) return;
    recorded.node.refs++;
    if (v.fn) this.releaseNode(v.fn);
    v.fn = recorded.node;
    v.requiresGrad = true;
  }

  /** The tensor's `_version`. */
  version(handle: number): number {
    return this.get(handle).version.value;
  }

  /** Whether the tensor's elements are its storage's in row-major order (false for transposed and strided views). */
  isContiguous(handle: number): boolean {
    const v = this.get(handle);
    if (!v.view || v.view.contiguous) return true;
    const shape = this.valueOf(v).shape;
    return isRowMajor(shape, layoutOf(v.view, v.box.t, shape).strides);
  }

  /** PyTorch's stride() and storage_offset() of the tensor. */
  layout(handle: number): Layout {
    const v = this.get(handle);
    const shape = this.valueOf(v).shape;
    return v.view ? layoutOf(v.view, v.box.t, shape) : { strides: rowMajorStrides(shape), offset: 0 };
  }

  /** Where the tensor's elements sit in its storage (row-major, flat), or null when they are all of it, in order. */
  storagePositions(handle: number): { positions: Int32Array | null; storageSize: number } {
    const v = this.get(handle);
    return { positions: v.view ? storagePositions(v.view, v.box.t) : null, storageSize: v.box.t.size };
  }

  dtypeOf(handle: number): TorchDtype {
    return this.get(handle).dtype;
  }

  /**
   * A new handle on the same storage, outside the graph: `detach()` (sharing the version counter) or, with
   * `ownVersion`, `.data` (a counter of its own, as PyTorch's: writes through `.data` are not seen by autograd).
   */
  alias(handle: number, ownVersion = false): number {
    const v = this.get(handle);
    v.box.refs++;
    const aliasHandle = this.newHandle(v.dtype);
    const alias = this.newVar(v.box, v.dtype, false, null);
    alias.view = v.view ? copyView(v.view) : null;
    alias.version = ownVersion ? { value: 0 } : v.version;
    this.vars.set(aliasHandle, alias);
    return aliasHandle;
  }

  free(handle: number): void {
    const v = this.vars.get(handle);
    if (!v) return;
    this.vars.delete(handle);
    v.freed = true;
    if (v.view) releaseView(v.view);
    this.dropBox(v.box);
    if (v.grad) this.dropBox(v.grad);
    v.grad = null;
    if (v.fn) this.releaseNode(v.fn);
    v.fn = null;
    destroyHooks(v.hooks);
    v.hooks = null;
  }

  protected dropBox(box: Box): void {
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
    if (this.gradEnabled) for (const v of vars) if (v.view) this.refreshViewHistory(v);
    const tensors = vars.map((v) => this.valueOf(v));
    if (!record) {
      const output = tf.tidy(() => {
        const out = compute(...tensors);
        return tensors.includes(out) ? tf.clone(out) : out;
      });
      return this.adopt(output, false, null, dtype);
    }
    const d = dtype ?? null;
    const recorded = this.recordOp(gradName, vars, tensors, compute, d ? storageOf(d) : null);
    if (!recorded.node) return this.adopt(recorded.output, false, null, dtype);
    const handle = this.adopt(recorded.output, true, recorded.node, dtype);
    if (recorded.savesOutput) this.noteSavedOutput(recorded.node, this.get(handle));
    return handle;
  }

  /**
   * A view op (`step.fn` of the input's value): the result shares the input's storage and version counter, so writes
   * through either are seen by both (see tensorViews.ts).
   */
  runView(gradName: string, input: number, step: ViewStep): number {
    const base = this.get(input);
    const handle = this.run(gradName, [input], step.fn, base.dtype);
    const v = this.get(handle);
    const own = v.box;
    v.view = viewOf(base, step, own.t, this.valueOf(base).shape);
    v.box = base.box;
    base.box.refs++;
    v.version = base.version;
    return handle;
  }

  /** Several outputs from one computation (none differentiable): e.g. sort's indices, topk's. */
  runDetached(inputs: number[], compute: (...ts: tf.Tensor[]) => tf.Tensor[], dtypes?: TorchDtype[]): number[] {
    const tensors = inputs.map((h) => this.tensor(h));
    const outputs = tf.tidy(() => compute(...tensors).map((out) => (tensors.includes(out) ? tf.clone(out) : out)));
    return outputs.map((out, i) => this.adopt(out, false, null, dtypes?.[i]));
  }

  /**
   * Like `run`, but replaces the first input's value (PyTorch's in-place ops: `add_`, `mul_`, `copy_`...): in its
   * storage, through its view when it is one, and bumps its version. `writesConstant` (fills) may write one element of
   * an expanded view several times.
   */
  runInPlace(gradName: string, inputs: number[], compute: (...ts: tf.Tensor[]) => tf.Tensor, writesConstant = false): void {
    const vars = inputs.map((h) => this.get(h));
    const target = vars[0];
    if (!writesConstant) checkNoOverlap(target.view);
    let record = false;
    if (this.gradEnabled && gradName) for (const v of vars) if (v.requiresGrad) record = true;
    if (record && target.requiresGrad && !target.fn) {
      throw new TorchError('RuntimeError', 'a leaf Variable that requires grad is being used in an in-place operation.');
    }
    const root = target.view?.root;
    if (record && root && !root.fn && root.requiresGrad && root.box === target.box && !root.freed) {
      throw new TorchError('RuntimeError', 'a view of a leaf Variable that requires grad is being used in an in-place operation.');
    }
    if (this.gradEnabled) for (const v of vars) if (v.view) this.refreshViewHistory(v);
    const tensors = vars.map((v) => this.valueOf(v));
    const storage = tensors[0].dtype as 'float32' | 'int32' | 'bool';
    let output: tf.Tensor;
    let node: OpNode | null = null;
    let savesOutput = false;
    if (record) {
      const recorded = this.recordOp(gradName, vars, tensors, compute, storage);
      output = recorded.output;
      node = recorded.node;
      savesOutput = recorded.savesOutput;
    } else {
      output = tf.tidy(() => {
        let out = compute(...tensors);
        if (out.dtype !== storage) out = castStorage(out, storage);
        return tensors.includes(out) ? tf.clone(out) : out;
      });
    }
    if (!sameShape(output.shape, tensors[0].shape)) {
      const shape = output.shape;
      output.dispose();
      if (node) this.releaseNode(node);
      throw new TorchError(
        'RuntimeError',
        `output with shape [${tensors[0].shape.join(', ')}] doesn't match the broadcast shape [${shape.join(', ')}]`,
      );
    }
    if (node) {
      node.refs++;
      if (target.fn) this.releaseNode(target.fn);
      target.fn = node;
      target.requiresGrad = true;
    }
    this.write(target, output, node !== null);
    if (node) {
      // What the op saved of its target is the target as the op left it (PyTorch saves an in-place op's result).
      for (const s of node.savedVariables ?? []) if (s.counter === target.version) s.expected = target.version.value;
      if (savesOutput) this.noteSavedOutput(node, target);
    }
  }

  /**
   * Makes `value` the target's value: its storage's, or through its view the root's elements it sees. A write through
   * a view of a tensor with history records that on the root (CopySlices), so the root's gradient sees the write.
   */
  private write(target: Var, value: tf.Tensor, recorded: boolean): void {
    const box = target.box;
    const view = target.view;
    if (!view) {
      box.t.dispose();
      box.t = value;
    } else {
      const root = view.root;
      const previous = box.t;
      if (recorded && root.box === box && !root.freed) {
        const copied = this.recordOp('CopySlices', [root, target], [previous, value], (r, o) => writeBack(view, r, o), previous.dtype as 'float32');
        box.t = copied.output;
        if (copied.node) {
          copied.node.refs++;
          if (root.fn) this.releaseNode(root.fn);
          root.fn = copied.node;
          root.requiresGrad = true;
        }
        view.rootFn = root.fn;
      } else {
        box.t = tf.tidy(() => writeBack(view, previous, value));
      }
      previous.dispose();
      view.cache?.dispose();
      view.cache = value;
    }
    box.writes++;
    if (view) view.stamp = box.writes;
    target.version.value++;
  }

  private noteSavedOutput(node: OpNode, output: Var): void {
    const value = this.valueOf(output);
    (node.savedVariables ??= []).push({
      counter: output.version, expected: output.version.value, input: null, shape: value.shape, dtype: output.dtype,
    });
  }

  /** Runs `compute` with tfjs's tape on and turns what it recorded into one graph node (none for non-float results). */
  private recordOp(
    gradName: string,
    vars: Var[],
    inputs: tf.Tensor[],
    compute: (...ts: tf.Tensor[]) => tf.Tensor,
    storage: 'float32' | 'int32' | 'bool' | null,
  ): { output: tf.Tensor; node: OpNode | null; savesOutput: boolean } {
    // Two inputs may hold the same tfjs tensor (`x * x.detach()`): the tape tells inputs apart by tensor, so such a
    // second input gets its own tensor (a clone sharing the data).
    const tensors: tf.Tensor[] = [];
    const owner = new Map<number, Var>();
    const clones: tf.Tensor[] = [];
    vars.forEach((v, i) => {
      let t = inputs[i];
      const first = owner.get(t.id);
      if (first && first !== v) {
        t = tf.clone(t);
        clones.push(t);
      }
      owner.set(t.id, v);
      tensors.push(t);
    });
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
      return { output, node: null, savesOutput: false };
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
      return { output, node: null, savesOutput: false };
    }
    const node = new OpNode(gradName, kept, edges, output.id, needed);
    // next_functions lists every floating-point input, None for those that do not require grad (as PyTorch).
    node.shownInputs = vars.filter((v) => isFloatDtype(v.dtype)).map((v) => ({ fn: v.fn, accumulates: !v.fn && v.requiresGrad }));
    const saved = savedByTape(kept, tensors, output, needed);
    const savedInputs: SavedVariable[] = [];
    for (const i of saved.inputs) {
      const v = vars[i];
      savedInputs.push({ counter: v.version, expected: v.version.value, input: v, shape: tensors[i].shape, dtype: v.dtype });
    }
    if (savedInputs.length) node.savedVariables = savedInputs;
    return { output, node, savesOutput: saved.output };
  }

  /** Inside an op's compute: whether its i-th input requires grad (false when the op is not being recorded). */
  inputNeedsGrad(i: number): boolean {
    return this.recordingNeeds?.[i] ?? false;
  }

  protected releaseNode(start: OpNode): void {
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
}
