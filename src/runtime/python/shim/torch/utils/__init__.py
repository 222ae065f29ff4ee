"""torch.utils: the data-loading utilities (torch.utils.data) of the Trainloop runtime."""
from . import data

__all__ = ["data"]
