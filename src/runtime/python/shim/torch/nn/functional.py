"""torch.nn.functional: the stateless form of every layer, activation and loss (the modules call these)."""
from ._activation_functions import *  # noqa: F401,F403
from ._layer_functions import *  # noqa: F401,F403
from ._pooling_functions import *  # noqa: F401,F403
from ._normalization_functions import *  # noqa: F401,F403
from ._loss_functions import *  # noqa: F401,F403
from ._attention_functions import *  # noqa: F401,F403
from . import (_activation_functions, _layer_functions, _pooling_functions, _normalization_functions, _loss_functions,
               _attention_functions)

__all__ = (_activation_functions.__all__ + _layer_functions.__all__ + _pooling_functions.__all__
           + _normalization_functions.__all__ + _loss_functions.__all__ + _attention_functions.__all__)
