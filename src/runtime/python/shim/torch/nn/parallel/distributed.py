"""nn.parallel.DistributedDataParallel: not supported (the runtime runs one process)."""
from ..modules._unsupported import unsupported_module

DistributedDataParallel = unsupported_module("DistributedDataParallel", __name__)
