"""torch.optim.LBFGS: limited-memory BFGS over all parameters as one flat vector, with PyTorch's defaults, its
two-loop recursion, its stopping rules and its optional strong-Wolfe line search, so a seeded script takes the steps
PyTorch takes. `step(closure)` re-evaluates the model as often as the search needs (closure returns the loss after
backward)."""
import math

from .optimizer import Optimizer, _use_no_grad

__all__ = ["LBFGS"]


def _cubic_minimum(x1, f1, g1, x2, f2, g2, bounds=None):
    """Where the cubic through (x1, f1) and (x2, f2) with slopes g1, g2 has its minimum, kept within `bounds`
    (default: between x1 and x2); the middle of the bounds when the cubic has no minimum."""
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        minimum = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        minimum = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(minimum, low), high)


class _Trial:
    """One point of the line search: step length, loss, flat gradient and slope along the direction."""

    __slots__ = ("t", "loss", "grad", "slope")

    def __init__(self, t, loss, grad, slope):
        self.t, self.loss, self.grad, self.slope = t, loss, grad, slope


def _strong_wolfe(evaluate, t, direction, loss, grad, slope, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """A step length meeting the strong Wolfe conditions (sufficient decrease, small slope): first bracket one by
    growing the step (cubic extrapolation), then zoom into the bracket (cubic interpolation, guarded against steps
    too near its ends). Returns (loss, flat gradient, step length, evaluations)."""
    direction_size = float(direction.abs().max())
    start = _Trial(0.0, loss, grad.clone(), slope)
    new_loss, new_grad = evaluate(t, direction)
    evaluations = 1
    new = _Trial(t, new_loss, new_grad, float(new_grad.dot(direction)))
    previous = start
    bracket, done, iteration = None, False, 0
    while iteration < max_ls:
        if new.loss > loss + c1 * new.t * slope or (iteration > 1 and new.loss >= previous.loss):
            bracket = [previous, _Trial(new.t, new.loss, new.grad.clone(), new.slope)]
            break
        if abs(new.slope) <= -c2 * slope:
            bracket, done = [new], True
            break
        if new.slope >= 0:
            bracket = [previous, _Trial(new.t, new.loss, new.grad.clone(), new.slope)]
            break
        step = _cubic_minimum(previous.t, previous.loss, previous.slope, new.t, new.loss, new.slope,
                              bounds=(new.t + 0.01 * (new.t - previous.t), new.t * 10))
        previous = _Trial(new.t, new.loss, new.grad.clone(), new.slope)
        new_loss, new_grad = evaluate(step, direction)
        evaluations += 1
        new = _Trial(step, new_loss, new_grad, float(new_grad.dot(direction)))
        iteration += 1
    if iteration == max_ls:
        bracket = [_Trial(0.0, loss, grad, None), new]
    if done:
        return new.loss, new.grad, new.t, evaluations

    def ends():
        return (0, 1) if bracket[0].loss <= bracket[-1].loss else (1, 0)

    low, high = ends()
    too_close = False
    while not done and iteration < max_ls:
        lowest, highest = min(b.t for b in bracket), max(b.t for b in bracket)
        if abs(bracket[1].t - bracket[0].t) * direction_size < tolerance_change:
            break
        step = _cubic_minimum(bracket[0].t, bracket[0].loss, bracket[0].slope,
                              bracket[1].t, bracket[1].loss, bracket[1].slope)
        # A step too near an end of the bracket makes little progress: after twice, or outside it, move it inward.
        margin = 0.1 * (highest - lowest)
        if min(highest - step, step - lowest) < margin:
            if too_close or step >= highest or step <= lowest:
                step = highest - margin if abs(step - highest) < abs(step - lowest) else lowest + margin
                too_close = False
            else:
                too_close = True
        else:
            too_close = False
        new_loss, new_grad = evaluate(step, direction)
        evaluations += 1
        iteration += 1
        new = _Trial(step, new_loss, new_grad.clone(), float(new_grad.dot(direction)))
        if new.loss > loss + c1 * step * slope or new.loss >= bracket[low].loss:
            bracket[high] = new
            low, high = ends()
        else:
            if abs(new.slope) <= -c2 * slope:
                done = True
            elif new.slope * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = new
    best = bracket[low]
    return best.loss, best.grad, best.t, evaluations


class LBFGS(Optimizer):
    """L-BFGS as torch.optim.LBFGS: one parameter group; `step(closure)` runs up to `max_iter` iterations."""

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                        tolerance_change=tolerance_change, history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        if line_search_fn is not None and line_search_fn != "strong_wolfe":
            raise RuntimeError("only 'strong_wolfe' is supported")
        self._params = self.param_groups[0]["params"]

    def _flat_grad(self):
        from .. import cat, zeros

        return cat([zeros(p.numel(), dtype=p.dtype) if p.grad is None else p.grad.reshape(-1) for p in self._params])

    def _add_to_params(self, step_size, update):
        offset = 0
        for p in self._params:
            n = p.numel()
            p.add_(update[offset:offset + n].reshape(p.shape), alpha=step_size)
            offset += n

    def _evaluate_along(self, closure, start, step_size, direction):
        """Loss and flat gradient at start + step_size·direction; the parameters are put back to `start`."""
        self._add_to_params(step_size, direction)
        loss = float(self._run_closure(closure))
        grad = self._flat_grad()
        for p, value in zip(self._params, start):
            p.copy_(value)
        return loss, grad

    @_use_no_grad
    def step(self, closure):
        """Runs L-BFGS iterations, calling `closure` (which zeroes the gradients, computes the loss, calls backward
        and returns the loss) whenever the loss and gradient are needed; returns the first loss."""
        if closure is None:
            raise RuntimeError("LBFGS requires a closure: optimizer.step(closure), where closure() zeroes the "
                               "gradients, computes the loss, calls loss.backward() and returns the loss")
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size, line_search_fn = group["history_size"], group["line_search_fn"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        first_loss = self._run_closure(closure)
        loss = float(first_loss)
        evaluations = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if float(flat_grad.abs().max()) <= tolerance_grad:
            return first_loss

        direction, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        iteration = 0
        while iteration < max_iter:
            iteration += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                direction = -flat_grad
                old_dirs, old_stps, ro, h_diag = [], [], [], 1.0
            else:
                # Update the curvature pairs (when the curvature is positive), then the two-loop recursion.
                y = flat_grad - prev_flat_grad
                s = direction * t
                ys = float(y.dot(s))
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / float(y.dot(y))
                alphas = [0.0] * len(old_dirs)
                q = -flat_grad
                for i in range(len(old_dirs) - 1, -1, -1):
                    alphas[i] = float(old_stps[i].dot(q)) * ro[i]
                    q = q.add(old_dirs[i], alpha=-alphas[i])
                r = q * h_diag
                for i in range(len(old_dirs)):
                    beta = float(old_dirs[i].dot(r)) * ro[i]
                    r = r.add(old_stps[i], alpha=alphas[i] - beta)
                direction = r
            prev_flat_grad = flat_grad.clone()
            prev_loss = loss

            t = min(1.0, 1.0 / float(flat_grad.abs().sum())) * lr if state["n_iter"] == 1 else lr
            slope = float(flat_grad.dot(direction))
            if slope > -tolerance_change:  # not a descent direction
                break

            searched = 0
            if line_search_fn is not None:
                start = [p.clone() for p in self._params]
                loss, flat_grad, t, searched = _strong_wolfe(
                    lambda step, d: self._evaluate_along(closure, start, step, d), t, direction, loss, flat_grad, slope)
                self._add_to_params(t, direction)
                converged = float(flat_grad.abs().max()) <= tolerance_grad
            else:
                self._add_to_params(t, direction)
                converged = False
                if iteration != max_iter:
                    loss = float(self._run_closure(closure))
                    flat_grad = self._flat_grad()
                    converged = float(flat_grad.abs().max()) <= tolerance_grad
                    searched = 1
            evaluations += searched
            state["func_evals"] += searched

            if iteration == max_iter or evaluations >= max_eval or converged:
                break
            if float((direction * t).abs().max()) <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break

        state.update(d=direction, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return first_loss
