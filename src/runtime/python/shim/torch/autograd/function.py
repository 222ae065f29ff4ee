"""torch.autograd.Function: custom forward/backward pairs (ctx.save_for_backward, saved_tensors, needs_input_grad,
apply, once_differentiable; forward may return several tensors), built on tensor hooks since the engine has no
Python backward nodes.

`apply` runs `forward` without recording, then joins its output to each input that requires grad through a masked-out
element (which adds exactly 0, whatever the values). A hook on the output catches its gradient and calls `backward`;
a hook on each input's stand-in swaps the zero gradient the slice sends back for what `backward` returned. Several
outputs travel flattened in one such tensor, so its hook gets every output's gradient at once.
"""
import functools

from .grad_mode import no_grad

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """The `ctx` a Function's forward and backward share."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self._saved = ()
        self.materialize_grads = True
        self._non_differentiable = set()

    def save_for_backward(self, *tensors):
        self._saved = tensors

    @property
    def saved_tensors(self):
        return self._saved

    def mark_dirty(self, *tensors):
        pass

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = {id(t) for t in tensors}

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


def once_differentiable(fn):
    """Marks a backward as not differentiable twice (the runtime never differentiates a backward)."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            return fn(ctx, *args)

    return wrapper


def _exact_zero(t):
    """A 0 that depends on t in the graph (its gradient is zeros), whatever t holds (inf and NaN too)."""
    from .. import ones, bool as bool_

    first = t.reshape(-1)[:1]
    return first.masked_fill(ones(first.shape, dtype=bool_), 0.0).sum()


class Function:
    """Subclass with static `forward(ctx, *args)` and `backward(ctx, *grad_outputs)`, call with `.apply(*args)`."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use new-style "
                           "autograd function with static forward method. (Example: "
                           "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        from .. import Tensor, is_grad_enabled
        from .._tensor import unsupported

        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx = FunctionCtx(needs)
        with no_grad():
            output = cls.forward(ctx, *args, **kwargs)
        if not any(needs) or not is_grad_enabled():
            return output
        several = isinstance(output, tuple)
        outputs = output if several else (output,)
        if not several and not isinstance(output, Tensor):
            raise unsupported(f"torch.autograd.Function whose forward returns a {type(output).__name__}")
        # The outputs gradients flow to: float tensors not marked non-differentiable. With several, they travel
        # flattened in one tensor, so that backward runs once, given every output's gradient (zeros where an output
        # was not used, as PyTorch materializes them).
        flowing = [i for i, o in enumerate(outputs) if isinstance(o, Tensor) and o.is_floating_point()
                   and id(o) not in ctx._non_differentiable]
        if not flowing:
            return output
        if several:
            from .. import cat

            carrier = cat([outputs[i].detach().reshape(-1) for i in flowing])
        else:
            carrier = output.detach()
        stand_ins = {i: args[i].view_as(args[i]) for i, need in enumerate(needs) if need}
        joined = carrier
        for stand_in in stand_ins.values():
            joined = joined - _exact_zero(stand_in)  # x - 0.0 keeps -0.0 (x + 0.0 would not)
        pieces = {}
        offset = 0
        for i in flowing:
            pieces[i] = (offset, outputs[i].numel(), tuple(outputs[i].shape))
            offset += outputs[i].numel()
        grads = {}

        def per_output(flat, otherwise):
            """Each output's piece of a flattened carrier, in its shape; `otherwise(output)` for the others."""
            pieces_of = []
            for i, o in enumerate(outputs):
                if i in pieces:
                    start, count, shape = pieces[i]
                    pieces_of.append(flat[start:start + count].reshape(shape))
                else:
                    pieces_of.append(otherwise(o))
            return pieces_of

        def output_grads(grad_carrier):
            if not several:
                return (grad_carrier,)
            from .. import zeros_like

            return per_output(
                grad_carrier, lambda o: zeros_like(o) if isinstance(o, Tensor) and ctx.materialize_grads else None)

        def run_backward(grad_carrier):
            result = cls.backward(ctx, *output_grads(grad_carrier))
            result = result if isinstance(result, tuple) else (result,)
            if len(result) != len(args):
                raise RuntimeError(f"function {cls.__name__}Backward returned an incorrect number of gradients "
                                   f"(expected {len(args)}, got {len(result)})")
            grads.update(enumerate(result))

        def swap_in(index):
            def hook(zero_grad):
                grad = grads.get(index)
                return zero_grad if grad is None else grad.reshape(zero_grad.shape).to(zero_grad.dtype)
            return hook

        joined.register_hook(run_backward)
        for index, stand_in in stand_ins.items():
            stand_in.register_hook(swap_in(index))
        if not several:
            return joined
        return tuple(per_output(joined, lambda o: o.detach() if isinstance(o, Tensor) else o))
