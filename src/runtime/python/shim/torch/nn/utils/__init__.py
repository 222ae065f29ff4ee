"""torch.nn.utils: gradient clipping, parameter/vector conversion and rnn.pad_sequence."""
from .clip_grad import clip_grad_norm_, clip_grad_norm, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters
from . import rnn


def __getattr__(name):
    if name in ("parametrizations", "parametrize", "prune", "spectral_norm", "weight_norm", "stateless",
                "fusion", "skip_init"):
        from ..._tensor import unsupported

        raise unsupported(f"torch.nn.utils.{name}")
    raise AttributeError(f"module 'torch.nn.utils' has no attribute '{name}'")
