"""torch.return_types: the (values, indices) pairs that max, min, sort and topk return."""
import collections

__all__ = ["ValuesIndices"]


class ValuesIndices(collections.namedtuple("ValuesIndices", ["values", "indices"])):
    def __repr__(self):
        return f"torch.return_types.max(\nvalues={self.values!r},\nindices={self.indices!r})"
