"""torch.nn.parallel: DataParallel runs the wrapped module as is (the runtime has one device)."""
from .data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
