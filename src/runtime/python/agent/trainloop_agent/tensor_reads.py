"""How the training panel's measurements read tensors: sums of squares (for norms) and copies to compare after the
optimizer's step (for ‖Δw‖). Under the Trainloop runtime the engine reads the values back and counts them in
JavaScript: no tensor ops, so measuring adds nothing to the run's tensors or the backend's memory. Under real PyTorch
(the tests check the agent there too) a few tensor ops per tensor and one read-back in all."""
import torch

try:
    from torch._engine import E as ENGINE  # the Trainloop runtime's engine
except ImportError:
    ENGINE = None

__all__ = ["ENGINE", "squared_sums", "value_copies", "squared_distances"]


def squared_sums(tensors):
    """[Σ v² of each tensor] as floats (NaN or inf when it holds a non-finite value)."""
    if not tensors:
        return []
    if ENGINE is not None:
        return ENGINE.squared_sums([t._h for t in tensors]).to_py()
    with torch.no_grad():
        return torch.stack([t.detach().float().pow(2).sum() for t in tensors]).tolist()


def value_copies(tensors):
    """Copies of the tensors' values, for `squared_distances` (under the runtime they live in JavaScript)."""
    if ENGINE is not None:
        return ENGINE.value_copies([t._h for t in tensors])
    with torch.no_grad():
        return [t.detach().clone() for t in tensors]


def squared_distances(tensors, copies):
    """([Σ (v − copy)² of each tensor] against its copy from `value_copies`, [Σ copy² of each copy]): the tensors are
    read back once, the copies not at all."""
    if not tensors:
        return [], []
    if ENGINE is not None:
        distances, sizes = ENGINE.squared_distances([t._h for t in tensors], copies).to_py()
        return distances, sizes
    with torch.no_grad():
        values = torch.stack([(t.detach() - c).float().pow(2).sum() for t, c in zip(tensors, copies)]
                             + [c.float().pow(2).sum() for c in copies]).tolist()
    return values[:len(tensors)], values[len(tensors):]
