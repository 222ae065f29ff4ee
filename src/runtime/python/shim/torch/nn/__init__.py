"""torch.nn: Module, Parameter, the layers and losses, and the functional, init and utils submodules."""
from .parameter import Parameter, UninitializedParameter
from .modules import *  # noqa: F401,F403
from .modules import Module
from .parallel import DataParallel
from . import functional, init, utils, modules, parameter, parallel


def __getattr__(name):
    """Names of PyTorch's torch.nn the runtime lacks raise NotImplementedError, others AttributeError."""
    if name in _KNOWN_MISSING:
        from .._tensor import unsupported

        raise unsupported(f"torch.nn.{name}")
    raise AttributeError(f"module 'torch.nn' has no attribute '{name}'")


_KNOWN_MISSING = {"LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose2d", "ReflectionPad3d",
                  "ReplicationPad3d", "ConstantPad3d", "ZeroPad3d", "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d",
                  "AdaptiveMaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "FractionalMaxPool2d", "LPPool1d",
                  "LPPool2d", "Hardshrink", "Softshrink", "RReLU", "ChannelShuffle",
                  "Container", "LazyInstanceNorm2d", "LazyBatchNorm3d", "CrossMapLRN2d", "UninitializedBuffer"}
