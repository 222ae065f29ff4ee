"""parameters_to_vector and vector_to_parameters: all parameters as one flat vector, and back."""
from ..._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    from ... import cat

    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    from ... import no_grad

    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    offset = 0
    with no_grad():
        for param in parameters:
            count = param.numel()
            param.data = vec[offset:offset + count].reshape(param.shape)
            offset += count
