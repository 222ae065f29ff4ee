// The tensor table behind Python's torch.Tensor: tfjs tensors by integer handle, grad mode, and PyTorch-style autograd.
//
// Python holds only integer handles; every op runs here, on tfjs. When an op's inputs require grad, the op runs with
// tfjs's tape switched on and the tape nodes it recorded (tfjs's own per-kernel gradients) become one graph node of
// ours, the op's `grad_fn`. `backward()` walks those nodes and adds into `.grad` of leaves until Python clears it.
import * as tf from '@tensorflow/tfjs-core';
// tfjs's per-kernel gradients, which our backward() reuses.
import '@tensorflow/tfjs-core/dist/register_all_gradients';

export type TorchDtype = 'float32' | 'int64' | 'bool';

/** One kernel call recorded by tfjs's tape (the fields of tfjs's internal TapeNode that we read). */
interface TapeNode {
  kernelName: string;
  inputs: Record<string, tf.Tensor | null>;
  outputs: tf.Tensor[];
  saved: tf.Tensor[];
  gradient?: (dys: tf.Tensor[]) => Record<string, () => tf.Tensor>;
  needed?: boolean;
}

/** What one input of an op was when the op ran: the graph node that produced it, or the leaf it is. */
interface InputEdge {
  tfId: number;
  fn: OpNode | null;
  leaf: Var | null;
}

/** A `grad_fn`: the tape of one Python-level op, with edges to the ops (or leaves) its inputs came from. */
class OpNode {
  refs = 0;
  freed = false;
  /** Whether backward needs tensors saved in the forward pass (only such nodes refuse a second backward). */
  readonly savesTensors: boolean;
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
    for (const node of this.tape) for (const t of node.saved) t.dispose();
    for (const node of this.tape) node.saved.length = 0;
  }
}

/** Storage shared by a tensor and its detached aliases (`.data`, `detach()`); in-place ops replace `t`. */
interface Box {
  t: tf.Tensor;
  refs: number;
}

/** What a Python handle points at. */
interface Var {
  box: Box;
  requiresGrad: boolean;
  fn: OpNode | null;
  grad: tf.Tensor | null;
  freed: boolean;
}

const FREED_GRAPH_MESSAGE =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have already been ' +
  'freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify ' +
  'retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors ' +
  'after calling backward.';

/** A Python-facing error: `pyType` names the Python exception class the shim raises. */
export class TorchError extends Error {
  constructor(
    readonly pyType: 'RuntimeError' | 'ValueError' | 'IndexError' | 'TypeError',
    message: string,
  ) {
    super(message);
  }
}

interface EngineInternals {
  startTape(): void;
  endTape(): void;
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
}

export class TensorEngine {
  private readonly vars = new Map<number, Var>();
  private nextHandle = 1;
  gradEnabled = true;

  // ---- handles ----------------------------------------------------------------------------------------------------

  /** Wraps a fresh tfjs tensor (owned by the new handle) as a leaf. */
  adopt(t: tf.Tensor, requiresGrad = false, fn: OpNode | null = null): number {
    const handle = this.nextHandle++;
    if (fn) fn.refs++;
    this.vars.set(handle, { box: { t, refs: 1 }, requiresGrad, fn, grad: null, freed: false });
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

  /** A new handle on the same storage, outside the graph (`detach()`, `.data`). */
  alias(handle: number): number {
    const v = this.get(handle);
    const aliasHandle = this.nextHandle++;
    v.box.refs++;
    this.vars.set(aliasHandle, { box: v.box, requiresGrad: false, fn: null, grad: null, freed: false });
    return aliasHandle;
  }

  free(handle: number): void {
    const v = this.vars.get(handle);
    if (!v) return;
    this.vars.delete(handle);
    v.freed = true;
    if (--v.box.refs === 0) v.box.t.dispose();
    v.grad?.dispose();
    v.grad = null;
    if (v.fn) this.releaseNode(v.fn);
  }

  get liveHandles(): number {
    return this.vars.size;
  }

  // ---- running ops ------------------------------------------------------------------------------------------------

  /** Runs `compute` on the inputs' tensors; records a `gradName` node when grad mode is on and an input requires grad. */
  run(gradName: string, inputs: number[], compute: (...ts: tf.Tensor[]) => tf.Tensor): number {
    const vars = inputs.map((h) => this.get(h));
    const tensors = vars.map((v) => v.box.t);
    const record = this.gradEnabled && vars.some((v) => v.requiresGrad);
    if (!record) return this.adopt(tf.tidy(() => compute(...tensors)));
    const { output, node } = this.recordOp(gradName, vars, () => compute(...tensors));
    if (output.dtype === 'float32') return this.adopt(output, true, node);
    node.releaseSaved();
    return this.adopt(output);
  }

  /** Like `run`, but replaces the first input's value (PyTorch's in-place ops: `add_`, `mul_`, `copy_`...). */
  runInPlace(gradName: string, inputs: number[], compute: (...ts: tf.Tensor[]) => tf.Tensor): void {
    const vars = inputs.map((h) => this.get(h));
    const target = vars[0];
    const record = this.gradEnabled && vars.some((v) => v.requiresGrad);
    if (record && target.requiresGrad && !target.fn) {
      throw new TorchError('RuntimeError', 'a leaf Variable that requires grad is being used in an in-place operation.');
    }
    const tensors = vars.map((v) => v.box.t);
    let output: tf.Tensor;
    if (record) {
      const recorded = this.recordOp(gradName, vars, () => compute(...tensors));
      output = recorded.output;
      recorded.node.refs++;
      if (target.fn) this.releaseNode(target.fn);
      target.fn = recorded.node;
      target.requiresGrad = true;
    } else {
      output = tf.tidy(() => compute(...tensors));
    }
    if (output.dtype !== target.box.t.dtype) {
      const cast = tf.cast(output, target.box.t.dtype);
      output.dispose();
      output = cast;
    }
    target.box.t.dispose();
    target.box.t = output;
  }

  private recordOp(gradName: string, vars: Var[], compute: () => tf.Tensor): { output: tf.Tensor; node: OpNode } {
    const engine = tf.engine() as unknown as EngineInternals;
    engine.startTape();
    let output: tf.Tensor;
    let tape: TapeNode[];
    try {
      output = tf.tidy(compute);
    } finally {
      tape = engine.state.activeTape ?? [];
      engine.endTape();
      if (engine.state.gradientDepth === 0) engine.state.activeTape = null;
    }
    const needed = new Set<number>();
    const edges: InputEdge[] = [];
    for (const v of vars) {
      if (!v.requiresGrad || needed.has(v.box.t.id)) continue;
      needed.add(v.box.t.id);
      edges.push({ tfId: v.box.t.id, fn: v.fn, leaf: v.fn ? null : v });
    }
    const kept: TapeNode[] = [];
    for (const node of tape) {
      node.needed = Object.values(node.inputs).some((t) => t != null && needed.has(t.id));
      if (node.needed) {
        for (const out of node.outputs) needed.add(out.id);
        kept.push(node);
      } else {
        for (const t of node.saved) t.dispose();
      }
    }
    return { output, node: new OpNode(gradName, kept, edges, output.id, needed) };
  }

  private releaseNode(start: OpNode): void {
    const stack = [start];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (--node.refs > 0) continue;
      node.releaseSaved();
      node.freed = true;
      for (const edge of node.inputs) if (edge.fn) stack.push(edge.fn);
    }
  }

  // ---- autograd ---------------------------------------------------------------------------------------------------

  setRequiresGrad(handle: number, requiresGrad: boolean): void {
    const v = this.get(handle);
    if (!requiresGrad && v.fn) {
      throw new TorchError(
        'RuntimeError',
        'you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a ' +
          'subgraph that doesn\'t require differentiation use var_no_grad = var.detach().',
      );
    }
    if (requiresGrad && v.box.t.dtype !== 'float32') {
      throw new TorchError('RuntimeError', 'only Tensors of floating point dtype can require gradients');
    }
    v.requiresGrad = requiresGrad;
  }

  requiresGrad(handle: number): boolean {
    return this.get(handle).requiresGrad;
  }

  gradFnName(handle: number): string | null {
    return this.get(handle).fn?.name ?? null;
  }

  /** Names the tensor's grad_fn as PyTorch would (ops composed of several steps end in the name of the whole). */
  renameGradFn(handle: number, name: string): void {
    const fn = this.get(handle).fn;
    if (fn) fn.name = name;
  }

  /** Replaces the storage's value with a copy of `source` (`tensor.data = other`), shape and all. */
  setData(handle: number, source: number): void {
    const box = this.get(handle).box;
    const copy = tf.clone(this.tensor(source));
    box.t.dispose();
    box.t = copy;
  }

  /** A new handle on the leaf's `.grad` (a copy of the reference, not the data), or 0 when it is None. */
  grad(handle: number): number {
    const g = this.get(handle).grad;
    return g ? this.adopt(tf.clone(g)) : 0;
  }

  /** Sets `.grad` to the value of `gradHandle`, or to None when it is 0. */
  setGrad(handle: number, gradHandle: number): void {
    const v = this.get(handle);
    v.grad?.dispose();
    v.grad = gradHandle ? tf.clone(this.tensor(gradHandle)) : null;
  }

  /** The identity of the tensor stored in `.grad` (changes whenever `.grad` does), or 0 for None. */
  gradVersion(handle: number): number {
    return this.get(handle).grad?.id ?? 0;
  }

  backward(rootHandle: number, gradHandle: number, retainGraph: boolean): void {
    const root = this.get(rootHandle);
    if (!root.requiresGrad) {
      throw new TorchError('RuntimeError', 'element 0 of tensors does not require grad and does not have a grad_fn');
    }
    if (!gradHandle && root.box.t.size !== 1) {
      throw new TorchError('RuntimeError', 'grad can be implicitly created only for scalar outputs');
    }
    const seed = gradHandle ? this.tensor(gradHandle) : null;
    if (!root.fn) {
      this.accumulate(root, seed ? tf.clone(seed) : tf.onesLike(root.box.t));
      return;
    }
    const order = topologicalOrder(root.fn);
    if (order.some((node) => node.freed && node.savesTensors)) throw new TorchError('RuntimeError', FREED_GRAPH_MESSAGE);
    const leafGrads = new Map<Var, tf.Tensor>();
    tf.tidy(() => {
      const outputGrads = new Map<OpNode, tf.Tensor>();
      outputGrads.set(root.fn!, seed ? tf.clone(seed) : tf.onesLike(root.box.t));
      for (const node of order) {
        const dy = outputGrads.get(node);
        if (!dy) continue;
        const inputGrads = backpropagateThroughTape(node, dy);
        for (const edge of node.inputs) {
          const g = inputGrads.get(edge.tfId);
          if (!g) continue;
          if (edge.fn) {
            const previous = outputGrads.get(edge.fn);
            outputGrads.set(edge.fn, previous ? tf.add(previous, g) : g);
          } else if (edge.leaf && !edge.leaf.freed) {
            const previous = leafGrads.get(edge.leaf);
            leafGrads.set(edge.leaf, previous ? tf.add(previous, g) : g);
          }
        }
        if (!retainGraph && node.savesTensors) {
          node.releaseSaved();
          node.freed = true;
        }
      }
      for (const g of leafGrads.values()) tf.keep(g);
    });
    for (const [leaf, g] of leafGrads) this.accumulate(leaf, g);
  }

  private accumulate(leaf: Var, g: tf.Tensor): void {
    const shaped = sameShape(g.shape, leaf.box.t.shape) ? g : tf.tidy(() => tf.reshape(g, leaf.box.t.shape));
    if (shaped !== g) g.dispose();
    if (!leaf.grad) {
      leaf.grad = shaped;
      return;
    }
    const sum = tf.add(leaf.grad, shaped);
    leaf.grad.dispose();
    shaped.dispose();
    leaf.grad = sum;
  }
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Nodes reachable from `root`, each after every node that consumes its output (root first). */
function topologicalOrder(root: OpNode): OpNode[] {
  const visited = new Set<OpNode>();
  const postorder: OpNode[] = [];
  const stack: Array<{ node: OpNode; next: number }> = [{ node: root, next: 0 }];
  visited.add(root);
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
  return postorder.reverse();
}

/** Runs tfjs's per-kernel gradients backwards through one op's tape; returns gradients by input tensor id. */
function backpropagateThroughTape(node: OpNode, dy: tf.Tensor): Map<number, tf.Tensor> {
  const grads = new Map<number, tf.Tensor>();
  grads.set(node.outputTfId, dy);
  for (let i = node.tape.length - 1; i >= 0; i--) {
    const tapeNode = node.tape[i];
    const dys = tapeNode.outputs.map((out) => grads.get(out.id) ?? null);
    if (dys.every((d) => d == null)) continue;
    if (!tapeNode.gradient) {
      throw new TorchError('RuntimeError', `no gradient is defined for kernel ${tapeNode.kernelName} (in ${node.name})`);
    }
    const inputGradFns = tapeNode.gradient(dys as tf.Tensor[]);
    for (const [name, input] of Object.entries(tapeNode.inputs)) {
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
