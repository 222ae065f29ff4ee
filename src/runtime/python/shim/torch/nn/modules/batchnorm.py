"""nn.BatchNorm1d/2d (and the InstanceNorm layers that share their base): per-channel normalization with running stats."""
from ..._tensor import unsupported
from ..parameter import Parameter
from .. import functional as F, init
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm", "InstanceNorm1d", "InstanceNorm2d",
           "InstanceNorm3d", "LazyBatchNorm1d", "LazyBatchNorm2d"]


class _NormBase(Module):
    """Parameters (weight=1, bias=0) and buffers (running_mean=0, running_var=1, num_batches_tracked=0)."""

    _version = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None):
        super().__init__()
        from ... import empty, zeros, ones, tensor, long

        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(empty(num_features))
            self.bias = Parameter(empty(num_features))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features))
            self.register_buffer("running_var", ones(num_features))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=long))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            from ... import no_grad

            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def _check_input_dim(self, input):
        raise NotImplementedError

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        version = local_metadata.get("version", None)
        if (version is None or version < 2) and self.track_running_stats:
            key = prefix + "num_batches_tracked"
            if key not in state_dict:
                from ... import tensor, long

                state_dict[key] = self.num_batches_tracked if self.num_batches_tracked is not None else tensor(0, dtype=long)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            factor = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        keep_running = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep_running else None,
                            self.running_var if keep_running else None, self.weight, self.bias, use_batch_stats,
                            factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) input."""

    def _check_input_dim(self, input):
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) input."""

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class BatchNorm3d(_BatchNorm):
    def _check_input_dim(self, input):
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


class SyncBatchNorm(Module):
    def __init__(self, *args, **kwargs):
        raise unsupported("torch.nn.SyncBatchNorm")


class LazyBatchNorm1d(Module):
    def __init__(self, *args, **kwargs):
        raise unsupported("torch.nn.LazyBatchNorm1d")


class LazyBatchNorm2d(Module):
    def __init__(self, *args, **kwargs):
        raise unsupported("torch.nn.LazyBatchNorm2d")


class _InstanceNorm(_NormBase):
    """Normalizes each channel of each sample over its own positions (no running statistics)."""

    _batched_rank = 0

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None):
        if track_running_stats:
            raise unsupported(f"torch.nn.{type(self).__name__}(track_running_stats=True)")
        super().__init__(num_features, eps, momentum, affine, track_running_stats)

    def forward(self, input):
        if input.dim() not in (self._batched_rank, self._batched_rank - 1):
            raise ValueError(f"expected {self._batched_rank - 1}D or {self._batched_rank}D input "
                             f"(got {input.dim()}D input)")
        if input.dim() == self._batched_rank - 1:
            return F.instance_norm(input.unsqueeze(0), None, None, self.weight, self.bias, eps=self.eps).squeeze(0)
        return F.instance_norm(input, None, None, self.weight, self.bias, eps=self.eps)


class InstanceNorm1d(_InstanceNorm):
    _batched_rank = 3


class InstanceNorm2d(_InstanceNorm):
    _batched_rank = 4


class InstanceNorm3d(_InstanceNorm):
    _batched_rank = 5
