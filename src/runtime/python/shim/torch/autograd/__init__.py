"""torch.autograd: backward over several roots, autograd.grad, grad mode, and the Variable alias."""
from .._engine import E, call
from .._tensor_hooks import backward_call
from .grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled

__all__ = ["backward", "grad", "Variable", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "Function", "once_differentiable"]


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _gradient_handles(tensors, grad_tensors):
    grads = _as_list(grad_tensors)
    if grads and len(grads) != len(tensors):
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs")
    from .. import tensor

    handles = []
    for i, t in enumerate(tensors):
        g = grads[i] if grads else None
        if g is not None and not hasattr(g, "_h"):
            g = tensor(g)
        handles.append(0 if g is None else g._h)
    return handles, grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """Accumulates into the leaves' .grad the gradients of all `tensors` at once (shared graph parts run once)."""
    if create_graph:
        raise NotImplementedError("backward(create_graph=True) is not supported by the Trainloop runtime yet")
    tensors = _as_list(tensors)
    handles, keep = _gradient_handles(tensors, grad_tensors if grad_tensors is not None else grad_variables)
    backward_call(E.backward, [t._h for t in tensors], handles, bool(retain_graph))


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, returned (not accumulated into .grad)."""
    if create_graph:
        raise NotImplementedError("autograd.grad(create_graph=True) is not supported by the Trainloop runtime yet")
    from .._tensor import wrap
    from .. import zeros_like

    outputs = _as_list(outputs)
    single = not isinstance(inputs, (list, tuple))
    inputs = _as_list(inputs)
    handles, keep = _gradient_handles(outputs, grad_outputs)
    results = backward_call(E.autograd_grad, [t._h for t in outputs], handles, [t._h for t in inputs], bool(retain_graph)).to_py()
    grads = []
    for t, h in zip(inputs, results):
        if h:
            grads.append(wrap(h))
        elif materialize_grads:
            grads.append(zeros_like(t))
        elif not allow_unused:
            raise RuntimeError("One of the differentiated Tensors appears to not have been used in the graph. "
                               "Set allow_unused=True if this is the desired behavior.")
        else:
            grads.append(None)
    return tuple(grads)


from .function import Function, FunctionCtx, once_differentiable  # noqa: E402
from .variable import Variable  # noqa: E402
