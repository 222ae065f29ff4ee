"""Weight and gradient histograms for the training panel: BINS equal bins over each tensor's range, counted on an
evenly spaced sample of at most SAMPLE values, with a few engine operations per tensor and two read-backs in all."""
import math

import torch

__all__ = ["parameter_histograms", "BINS", "SAMPLE"]

BINS = 30
SAMPLE = 20_000


def _sample(tensor):
    flat = tensor.detach().reshape(-1)
    step = -(-flat.numel() // SAMPLE)
    return (flat[::step] if step > 1 else flat).float()


def parameter_histograms(names, weights, grads):
    """{name: {"weights": {min, max, counts}, "grads": {min, max, counts}}}; a parameter whose weights or gradient
    hold a non-finite value is left out."""
    samples = [_sample(t) for t in [*weights, *grads]]
    with torch.no_grad():
        bounds = torch.stack([s.min() for s in samples] + [s.max() for s in samples]).tolist()
        lows, highs = bounds[:len(samples)], bounds[len(samples):]
        finite = [math.isfinite(lo) and math.isfinite(hi) for lo, hi in zip(lows, highs)]
        # Bin i of tensor k is slot k·BINS + i of one count vector: one scatter counts every tensor.
        slots = [((s - lo) * (BINS / (hi - lo) if hi > lo else 0.0)).long().clamp(0, BINS - 1) + k * BINS
                 for k, (s, lo, hi, ok) in enumerate(zip(samples, lows, highs, finite)) if ok]
        if not slots:
            return {}
        index = torch.cat(slots)
        counts = torch.zeros(len(samples) * BINS).scatter_add_(0, index, torch.ones(index.shape[0])).tolist()

    def histogram(k):
        return {"min": lows[k], "max": highs[k], "counts": [int(c) for c in counts[k * BINS:(k + 1) * BINS]]}

    count = len(names)
    return {name: {"weights": histogram(j), "grads": histogram(count + j)}
            for j, name in enumerate(names) if finite[j] and finite[count + j]}
