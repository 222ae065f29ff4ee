"""torch.autograd: grad mode and the Variable alias (backward itself is Tensor.backward)."""
from .grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled


def backward(tensors, grad_tensors=None, retain_graph=None):
    tensors = [tensors] if not isinstance(tensors, (list, tuple)) else tensors
    grads = grad_tensors if isinstance(grad_tensors, (list, tuple)) else [grad_tensors] * len(tensors)
    for t, g in zip(tensors, grads):
        t.backward(g, retain_graph=retain_graph)


def Variable(tensor, requires_grad=False):
    return tensor.requires_grad_(requires_grad) if requires_grad else tensor
