"""Weight and gradient histograms for the training panel: BINS equal bins over each tensor's range, counted on an
evenly spaced sample of at most SAMPLE values. Under the Trainloop runtime the engine counts them on the read-back
values (one call, no tensor ops: measuring adds nothing to the backend's memory); under real PyTorch (the tests check
this module there too) a few tensor ops per tensor and two read-backs in all."""
import json
import math

import torch

from .tensor_reads import ENGINE, as_float, read_floats

__all__ = ["parameter_histograms", "BINS", "SAMPLE"]

BINS = 30
SAMPLE = 20_000


def parameter_histograms(names, weights, grads):
    """{name: {"weights": {min, max, counts}, "grads": {min, max, counts}}}; a parameter whose weights or gradient
    hold a non-finite value is left out."""
    tensors = [*weights, *grads]
    if ENGINE is not None:
        found = json.loads(ENGINE.value_histograms([t._h for t in tensors], BINS, SAMPLE))
    else:
        found = _counted_by_torch(tensors)
    count = len(names)
    return {name: {"weights": found[j], "grads": found[count + j]}
            for j, name in enumerate(names) if found[j] is not None and found[count + j] is not None}


def _counted_by_torch(tensors):
    """[{min, max, counts} or None for each tensor]: one scatter counts every tensor."""
    samples = []
    device = tensors[0].device if tensors else None
    for tensor in tensors:
        flat = tensor.detach().reshape(-1)
        step = -(-flat.numel() // SAMPLE)
        samples.append(as_float(flat[::step] if step > 1 else flat).to(device=device, dtype=torch.float32))
    with torch.no_grad():
        bounds = read_floats([s.min() for s in samples] + [s.max() for s in samples])
        lows, highs = bounds[:len(samples)], bounds[len(samples):]
        finite = [math.isfinite(lo) and math.isfinite(hi) for lo, hi in zip(lows, highs)]
        # Bin i of tensor k is slot k·BINS + i of one count vector.
        slots = [((s - lo) * (BINS / (hi - lo) if hi > lo else 0.0)).long().clamp(0, BINS - 1) + k * BINS
                 for k, (s, lo, hi, ok) in enumerate(zip(samples, lows, highs, finite)) if ok]
        if not slots:
            return [None] * len(samples)
        index = torch.cat(slots)
        counts = torch.zeros(len(samples) * BINS, device=device).scatter_add_(
            0, index, torch.ones(index.shape[0], device=device)).tolist()
    return [{"min": lows[k], "max": highs[k], "counts": [int(c) for c in counts[k * BINS:(k + 1) * BINS]]}
            if finite[k] else None for k in range(len(samples))]
