"""torch.nn.utils: gradient clipping and parameter/vector conversion."""
from .clip_grad import clip_grad_norm_, clip_grad_norm, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters


def __getattr__(name):
    if name in ("rnn", "parametrizations", "parametrize", "prune", "spectral_norm", "weight_norm", "stateless",
                "fusion", "skip_init"):
        from ..._tensor import unsupported

        raise unsupported(f"torch.nn.utils.{name}")
    raise AttributeError(f"module 'torch.nn.utils' has no attribute '{name}'")
