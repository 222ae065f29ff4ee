"""torch.optim: Optimizer and the optimizers (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, LBFGS), plus lr_scheduler."""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam
from .adamw import AdamW
from .rmsprop import RMSprop
from .adagrad import Adagrad
from .adadelta import Adadelta
from .adamax import Adamax
from .lbfgs import LBFGS
from . import lr_scheduler, optimizer

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "LBFGS", "lr_scheduler"]

_NOT_YET = {"ASGD", "NAdam", "RAdam", "Rprop", "SparseAdam", "swa_utils"}


def __getattr__(name):
    """PyTorch optimizers the runtime lacks raise NotImplementedError naming them."""
    if name in _NOT_YET:
        from .._tensor import unsupported

        raise unsupported(f"torch.optim.{name}")
    raise AttributeError(f"module 'torch.optim' has no attribute '{name}'")
