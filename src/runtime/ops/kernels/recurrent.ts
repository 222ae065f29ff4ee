// Recurrent layers as one op each: every time step of an LSTM, GRU or Elman RNN layer, with backpropagation through time.
//
// Run from Python step by step, an LSTM step was ~15 engine calls (index, matmul, chunk, activations...), each its own
// graph node, and its backward walked every one: ~300 ms per step of a 28-step, 128-unit LSTM on wasm where PyTorch
// takes ~18 ms. Here a layer is one engine call: the input projection of all steps is one product, a step is one
// product h·W_hhᵀ and a few elementwise kernels on the stacked gates (sliced after, as PyTorch's fused cell does), and
// the backward precomputes every step's gate factors at once, so the recurrence itself costs a product and ~5 kernels
// per step; the weight gradients are one product over all steps.
//
// The math is PyTorch's (torch/nn/modules/rnn.py's equations, gates in its order i, f, g, o and r, z, n), with its
// gradients: σ' = σ(1-σ), tanh' = 1-tanh², ReLU's gradient is dy wherever the output is not 0 (NaN passes dy).
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './customGrad';
import { matMulTransposed } from './backendPlans';

export type RecurrentMode = 'LSTM' | 'GRU' | 'RNN_TANH' | 'RNN_RELU';

/** How one recurrent layer runs, and which of its inputs anyone needs a gradient for. */
export interface RecurrentPlan {
  mode: RecurrentMode;
  /** Runs the steps last to first (the reverse direction of a bidirectional layer). */
  reverse: boolean;
  /** Whether the layer has b_ih and b_hh. */
  hasBias: boolean;
  /** Per input, in the order recurrentLayer takes them: whether its gradient is needed. */
  needs: boolean[];
}

/**
 * One layer in one direction. Inputs: x (L, N, I), h0 (N, H), for an LSTM c0 (N, H), W_ih (G·H, I), W_hh (G·H, H) and,
 * with bias, b_ih and b_hh (G·H). Returns the hidden state of every step in time order, (L, N, H); an LSTM appends its
 * final cell state as row L, (L+1, N, H).
 */
export function recurrentLayer(inputs: tf.Tensor[], plan: RecurrentPlan): tf.Tensor {
  return customOp(inputs, (xs, save) => {
    const layer = unpack(xs, plan);
    const recording = plan.needs.some(Boolean);
    const forward = plan.mode === 'LSTM' ? lstmForward : plan.mode === 'GRU' ? gruForward : rnnForward;
    const { value, kept, backward } = forward(layer, plan, recording);
    if (recording) save([...xs, ...kept]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const grads = backward(dy, unpack(saved, plan), saved.slice(xs.length));
        return xs.map((t, i) => (plan.needs[i] && grads[i] ? grads[i]! : tf.zerosLike(t)));
      },
    };
  });
}

/** A layer's tensors by name. */
interface Layer {
  x: tf.Tensor3D;
  h0: tf.Tensor2D;
  c0: tf.Tensor2D | null;
  wIh: tf.Tensor2D;
  wHh: tf.Tensor2D;
  bIh: tf.Tensor1D | null;
  bHh: tf.Tensor1D | null;
}

/** Gradients in the order of the layer's inputs (null where not computed). */
type Grads = Array<tf.Tensor | null>;

interface Forward {
  value: tf.Tensor;
  /** Tensors the backward reads besides the inputs (saved only when a gradient is wanted). */
  kept: tf.Tensor[];
  backward: (dy: tf.Tensor, layer: Layer, kept: tf.Tensor[]) => Grads;
}

function unpack(xs: tf.Tensor[], plan: RecurrentPlan): Layer {
  let next = 0;
  const x = xs[next++] as tf.Tensor3D;
  const h0 = xs[next++] as tf.Tensor2D;
  const c0 = plan.mode === 'LSTM' ? (xs[next++] as tf.Tensor2D) : null;
  const wIh = xs[next++] as tf.Tensor2D;
  const wHh = xs[next++] as tf.Tensor2D;
  const bIh = plan.hasBias ? (xs[next++] as tf.Tensor1D) : null;
  const bHh = plan.hasBias ? (xs[next++] as tf.Tensor1D) : null;
  return { x, h0, c0, wIh, wHh, bIh, bHh };
}

/** The time step processed at position p (0 first). */
function timeAt(p: number, length: number, reverse: boolean): number {
  return reverse ? length - 1 - p : p;
}

/** x·W_ihᵀ (+ bias) for every step at once, (L, N, G·H). */
function inputProjection(x: tf.Tensor3D, wIh: tf.Tensor2D, bias: tf.Tensor | null): tf.Tensor3D {
  const [length, batch, features] = x.shape;
  let projected = matMulTransposed(tf.reshape(x, [length * batch, features]), wIh, false, true);
  if (bias) projected = tf.add(projected, bias);
  return tf.reshape(projected, [length, batch, wIh.shape[0]]);
}

/**
 * h ↦ h·W_hhᵀ, with W_hhᵀ made once for all steps: a plain product is the fast one on every backend (tensorflow's
 * flagged product packs W_hh slowly when it has more rows than the batch: backendPlans.ts).
 */
function recurrentProduct(wHh: tf.Tensor2D): (h: tf.Tensor) => tf.Tensor {
  const transposed = tf.transpose(wHh);
  return (h) => tf.matMul(h, transposed);
}

/** The state each step started from, in time order: h0 for the first step processed, else the previous step's. */
function previousStates(states: tf.Tensor3D, initial: tf.Tensor2D, reverse: boolean): tf.Tensor3D {
  const [length, batch, hidden] = states.shape;
  const first = tf.reshape(initial, [1, batch, hidden]);
  if (length === 1) return first as tf.Tensor3D;
  return reverse
    ? (tf.concat([tf.slice(states, [1, 0, 0], [length - 1, batch, hidden]), first], 0) as tf.Tensor3D)
    : (tf.concat([first, tf.slice(states, [0, 0, 0], [length - 1, batch, hidden])], 0) as tf.Tensor3D);
}

/** σ'(z) from s = σ(z): s·(1-s). */
function sigmoidSlope(s: tf.Tensor): tf.Tensor {
  return tf.mul(s, tf.sub(1, s));
}

/** tanh'(z) from t = tanh(z): 1-t². */
function tanhSlope(t: tf.Tensor): tf.Tensor {
  return tf.sub(1, tf.square(t));
}

/**
 * The gradients every mode shares, from the gradient of the gate pre-activations of all steps: `dInput` (L, N, G·H),
 * that of x·W_ihᵀ + b_ih, and `dRecurrent`, that of h·W_hhᵀ + b_hh (the same tensor unless the mode keeps them apart).
 */
function weightGrads(layer: Layer, plan: RecurrentPlan, dInput: tf.Tensor, dRecurrent: tf.Tensor, hPrev: tf.Tensor3D,
  dh0: tf.Tensor | null, dc0: tf.Tensor | null): Grads {
  const [length, batch, features] = layer.x.shape;
  const gates = layer.wIh.shape[0];
  const hidden = layer.wHh.shape[1];
  const rows = length * batch;
  const dIn = tf.reshape(dInput, [rows, gates]);
  const dRec = dRecurrent === dInput ? dIn : tf.reshape(dRecurrent, [rows, gates]);
  const lstm = plan.mode === 'LSTM';
  const at = { wIh: lstm ? 3 : 2, wHh: lstm ? 4 : 3, bIh: lstm ? 5 : 4, bHh: lstm ? 6 : 5 };
  const grads: Grads = [
    plan.needs[0] ? tf.reshape(tf.matMul(dIn, layer.wIh), [length, batch, features]) : null,
    dh0,
  ];
  if (lstm) grads.push(dc0);
  grads.push(plan.needs[at.wIh] ? matMulTransposed(dIn, tf.reshape(layer.x, [rows, features]), true, false) : null);
  grads.push(plan.needs[at.wHh] ? matMulTransposed(dRec, tf.reshape(hPrev, [rows, hidden]), true, false) : null);
  if (plan.hasBias) {
    const dbIh = plan.needs[at.bIh] ? tf.sum(dIn, 0) : null;
    grads.push(dbIh, plan.needs[at.bHh] ? (dRec === dIn && dbIh ? dbIh : tf.sum(dRec, 0)) : null);
  }
  return grads;
}

/**
 * LSTM: pre = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh (the biases added once, to the input projection); i, f, o = σ, g = tanh
 * of its four chunks; c' = f·c + i·g; h' = o·tanh(c'). σ runs over all four chunks at once (one kernel; g's is unused).
 */
function lstmForward(layer: Layer, plan: RecurrentPlan, recording: boolean): Forward {
  const { x, h0, c0, wIh, wHh, bIh, bHh } = layer;
  const [length, batch] = x.shape;
  const hidden = wHh.shape[1];
  const steps = tf.unstack(inputProjection(x, wIh, bIh && bHh ? tf.add(bIh, bHh) : null));
  const product = recurrentProduct(wHh);
  const hs: tf.Tensor[] = new Array(length);
  const sigmoids: tf.Tensor[] = new Array(length);
  const cells: tf.Tensor[] = new Array(length);
  const cellTanhs: tf.Tensor[] = new Array(length);
  const candidates: tf.Tensor[] = new Array(length);
  let h: tf.Tensor = h0;
  let c: tf.Tensor = c0!;
  for (let p = 0; p < length; p++) {
    const t = timeAt(p, length, plan.reverse);
    const pre = tf.add(steps[t], product(h));
    const s = tf.sigmoid(pre);
    const [i, f, , o] = tf.split(s, 4, 1);
    const g = tf.tanh(tf.slice(pre, [0, 2 * hidden], [batch, hidden]));
    c = tf.add(tf.mul(f, c), tf.mul(i, g));
    const tc = tf.tanh(c);
    h = tf.mul(o, tc);
    hs[t] = h;
    sigmoids[t] = s;
    cells[t] = c;
    cellTanhs[t] = tc;
    candidates[t] = g;
  }
  const value = tf.stack([...hs, c]);
  const kept = recording ? [value, tf.stack(sigmoids), tf.stack(candidates), tf.stack(cells), tf.stack(cellTanhs)] : [];
  return { value, kept, backward: (dy, saved, [out, S, G, C, TC]) => lstmBackward(dy, saved, plan, out, S, G, C, TC) };
}

/**
 * dc = dh·o·tanh'(c) + dc_next; the pre-activations' gradient is [dc, dc, dc, dh] times the step's factors
 * [g·σ'(i), c_prev·σ'(f), i·tanh'(g), tanh(c)·σ'(o)], computed for all steps before the recurrence runs.
 */
function lstmBackward(dy: tf.Tensor, layer: Layer, plan: RecurrentPlan, out: tf.Tensor, S: tf.Tensor, G: tf.Tensor,
  C: tf.Tensor, TC: tf.Tensor): Grads {
  const { h0, c0, wHh } = layer;
  const [length, batch] = layer.x.shape;
  const hidden = wHh.shape[1];
  const hPrev = previousStates(tf.slice(out, [0, 0, 0], [length, batch, hidden]) as tf.Tensor3D, h0, plan.reverse);
  const cPrev = previousStates(C as tf.Tensor3D, c0!, plan.reverse);
  const [I, F, , O] = tf.split(S, 4, 2);
  const cellFactor = tf.unstack(tf.mul(O, tanhSlope(TC)));
  const gateFactor = tf.unstack(tf.concat([
    tf.mul(G, sigmoidSlope(I)), tf.mul(cPrev, sigmoidSlope(F)), tf.mul(I, tanhSlope(G)), tf.mul(TC, sigmoidSlope(O)),
  ], 2));
  const forgets = tf.unstack(F);
  const dys = tf.unstack(dy);
  const dPre: tf.Tensor[] = new Array(length);
  let dcNext = dys[length];
  let dhRec: tf.Tensor | null = null;
  for (let p = length - 1; p >= 0; p--) {
    const t = timeAt(p, length, plan.reverse);
    const dh: tf.Tensor = dhRec ? tf.add(dys[t], dhRec) : dys[t];
    const dc = tf.add(tf.mul(dh, cellFactor[t]), dcNext);
    dPre[t] = tf.mul(tf.concat([dc, dc, dc, dh], 1), gateFactor[t]);
    dhRec = tf.matMul(dPre[t], wHh);
    dcNext = tf.mul(dc, forgets[t]);
  }
  const dAll = tf.stack(dPre);
  return weightGrads(layer, plan, dAll, dAll, hPrev, dhRec, dcNext);
}

/**
 * GRU: r, z = σ(x_rz + b_irz + (h·W_hhᵀ + b_hh)_rz); n = tanh(x_n + b_in + r·(h·W_hnᵀ + b_hn)); h' = n + z·(h - n),
 * PyTorch's (1-z)·n + z·h.
 */
function gruForward(layer: Layer, plan: RecurrentPlan, recording: boolean): Forward {
  const { x, h0, wIh, wHh, bIh, bHh } = layer;
  const length = x.shape[0];
  const hidden = wHh.shape[1];
  const [inRZ, inN] = tf.split(inputProjection(x, wIh, bIh), [2 * hidden, hidden], 2);
  const stepsRZ = tf.unstack(inRZ);
  const stepsN = tf.unstack(inN);
  const product = recurrentProduct(wHh);
  const hs: tf.Tensor[] = new Array(length);
  const gates: tf.Tensor[] = new Array(length);
  const news: tf.Tensor[] = new Array(length);
  const recurrentNs: tf.Tensor[] = new Array(length);
  let h: tf.Tensor = h0;
  for (let p = 0; p < length; p++) {
    const t = timeAt(p, length, plan.reverse);
    let hh = product(h);
    if (bHh) hh = tf.add(hh, bHh);
    const [hRZ, hN] = tf.split(hh, [2 * hidden, hidden], 1);
    const rz = tf.sigmoid(tf.add(stepsRZ[t], hRZ));
    const [r, z] = tf.split(rz, 2, 1);
    const n = tf.tanh(tf.add(stepsN[t], tf.mul(r, hN)));
    h = tf.add(n, tf.mul(z, tf.sub(h, n)));
    hs[t] = h;
    gates[t] = rz;
    news[t] = n;
    recurrentNs[t] = hN;
  }
  const value = tf.stack(hs);
  const kept = recording ? [value, tf.stack(gates), tf.stack(news), tf.stack(recurrentNs)] : [];
  return { value, kept, backward: (dy, saved, [out, RZ, N, HN]) => gruBackward(dy, saved, plan, out, RZ, N, HN) };
}

/**
 * dn = dh·(1-z)·tanh'(n) (the gradient of n's pre-activation), dz = dh·(h_prev - n)·σ'(z), dr = dn·hn·σ'(r), and the
 * recurrent product's gradient [dr, dz, dn·r]; dh_prev = that·W_hh + dh·z.
 */
function gruBackward(dy: tf.Tensor, layer: Layer, plan: RecurrentPlan, out: tf.Tensor, RZ: tf.Tensor, N: tf.Tensor,
  HN: tf.Tensor): Grads {
  const { h0, wHh } = layer;
  const length = layer.x.shape[0];
  const hPrev = previousStates(out as tf.Tensor3D, h0, plan.reverse);
  const [R, Z] = tf.split(RZ, 2, 2);
  const newFactor = tf.unstack(tf.mul(tf.sub(1, Z), tanhSlope(N)));
  const updateFactor = tf.unstack(tf.mul(tf.sub(hPrev, N), sigmoidSlope(Z)));
  const resetFactor = tf.unstack(tf.mul(HN, sigmoidSlope(R)));
  const resets = tf.unstack(R);
  const updates = tf.unstack(Z);
  const dys = tf.unstack(dy);
  const dRec: tf.Tensor[] = new Array(length);
  const dNew: tf.Tensor[] = new Array(length);
  let dhRec: tf.Tensor | null = null;
  for (let p = length - 1; p >= 0; p--) {
    const t = timeAt(p, length, plan.reverse);
    const dh: tf.Tensor = dhRec ? tf.add(dys[t], dhRec) : dys[t];
    const dn = tf.mul(dh, newFactor[t]);
    const dz = tf.mul(dh, updateFactor[t]);
    const dr = tf.mul(dn, resetFactor[t]);
    dRec[t] = tf.concat([dr, dz, tf.mul(dn, resets[t])], 1);
    dNew[t] = dn;
    dhRec = tf.add(tf.matMul(dRec[t], wHh), tf.mul(dh, updates[t]));
  }
  const dRecurrent = tf.stack(dRec);
  const hidden = wHh.shape[1];
  const [dRZ] = tf.split(dRecurrent, [2 * hidden, hidden], 2);
  const dInput = tf.concat([dRZ, tf.stack(dNew)], 2);
  return weightGrads(layer, plan, dInput, dRecurrent, hPrev, dhRec, null);
}

/** Elman RNN: h' = tanh (or relu) of x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh. */
function rnnForward(layer: Layer, plan: RecurrentPlan, recording: boolean): Forward {
  const { x, h0, wIh, wHh, bIh, bHh } = layer;
  const length = x.shape[0];
  const steps = tf.unstack(inputProjection(x, wIh, bIh && bHh ? tf.add(bIh, bHh) : null));
  const product = recurrentProduct(wHh);
  const activation = plan.mode === 'RNN_RELU' ? tf.relu : tf.tanh;
  const hs: tf.Tensor[] = new Array(length);
  let h: tf.Tensor = h0;
  for (let p = 0; p < length; p++) {
    const t = timeAt(p, length, plan.reverse);
    h = activation(tf.add(steps[t], product(h)));
    hs[t] = h;
  }
  const value = tf.stack(hs);
  return { value, kept: recording ? [value] : [], backward: (dy, saved, [out]) => rnnBackward(dy, saved, plan, out) };
}

function rnnBackward(dy: tf.Tensor, layer: Layer, plan: RecurrentPlan, out: tf.Tensor): Grads {
  const { h0, wHh } = layer;
  const length = layer.x.shape[0];
  const hPrev = previousStates(out as tf.Tensor3D, h0, plan.reverse);
  // ReLU's gradient passes dy wherever the output is not 0 (so at NaN too), as PyTorch's threshold_backward does.
  const slope = plan.mode === 'RNN_RELU' ? tf.cast(tf.notEqual(out, 0), 'float32') : tanhSlope(out);
  const slopes = tf.unstack(slope);
  const dys = tf.unstack(dy);
  const dPre: tf.Tensor[] = new Array(length);
  let dhRec: tf.Tensor | null = null;
  for (let p = length - 1; p >= 0; p--) {
    const t = timeAt(p, length, plan.reverse);
    dPre[t] = tf.mul(dhRec ? tf.add(dys[t], dhRec) : dys[t], slopes[t]);
    dhRec = tf.matMul(dPre[t], wHh);
  }
  const dAll = tf.stack(dPre);
  return weightGrads(layer, plan, dAll, dAll, hPrev, dhRec, null);
}
