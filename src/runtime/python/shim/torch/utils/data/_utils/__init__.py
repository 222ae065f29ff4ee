"""Helpers of the DataLoader: collating samples into batches and fetching them from a dataset."""
from . import collate, fetch

__all__ = ["collate", "fetch"]
