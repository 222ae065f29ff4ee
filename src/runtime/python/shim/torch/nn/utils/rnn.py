"""torch.nn.utils.rnn: pad_sequence (packed sequences are not supported yet)."""
from ..._tensor import unsupported

__all__ = ["pad_sequence", "pack_padded_sequence", "pad_packed_sequence", "pack_sequence", "PackedSequence"]


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stacks tensors of shape (L_i, *) into (max L, B, *) (or (B, max L, *)), filling with padding_value."""
    from ... import stack, cat, full

    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for sequence in sequences:
        missing = longest - sequence.shape[0]
        if missing:
            filler = full((missing,) + tuple(sequence.shape[1:]), padding_value, dtype=sequence.dtype)
            sequence = cat([sequence, filler] if padding_side == "right" else [filler, sequence], 0)
        padded.append(sequence)
    return stack(padded, 0 if batch_first else 1)


def _unsupported(name):
    def raiser(*args, **kwargs):
        raise unsupported(f"torch.nn.utils.rnn.{name}")

    raiser.__name__ = name
    return raiser


pack_padded_sequence = _unsupported("pack_padded_sequence")
pad_packed_sequence = _unsupported("pad_packed_sequence")
pack_sequence = _unsupported("pack_sequence")


class PackedSequence:
    def __init__(self, *args, **kwargs):
        raise unsupported("torch.nn.utils.rnn.PackedSequence")
