"""F.multi_head_attention_forward: nn.MultiheadAttention's computation (projections, masks, heads, output projection)."""
import math

from .._tensor import unsupported

__all__ = ["multi_head_attention_forward"]


def _as_additive(mask):
    """A float mask to add to attention scores: boolean True (= not allowed) becomes -inf."""
    if mask is None:
        return None
    if mask.dtype.is_floating_point:
        return mask
    from .. import zeros, where, full, float32

    blank = zeros(*mask.shape, dtype=float32)
    return where(mask.bool(), full(tuple(mask.shape), float("-inf")), blank)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """Attention over (L, N, E) query and (S, N, E) key/value (or unbatched (L, E)); returns (output, weights)."""
    from ._layer_functions import linear, dropout

    if bias_k is not None or bias_v is not None or add_zero_attn or static_k is not None or static_v is not None:
        raise unsupported("torch.nn.MultiheadAttention with add_bias_kv, add_zero_attn or static keys")
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    unbatched = query.dim() == 2
    if unbatched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    target, batch, embed_dim = query.shape
    source = key.shape[0]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        biases = in_proj_bias.chunk(3) if in_proj_bias is not None else (None, None, None)
        q = linear(query, q_proj_weight, biases[0])
        k = linear(key, k_proj_weight, biases[1])
        v = linear(value, v_proj_weight, biases[2])
    else:
        weights = in_proj_weight.chunk(3)
        biases = in_proj_bias.chunk(3) if in_proj_bias is not None else (None, None, None)
        q = linear(query, weights[0], biases[0])
        k = linear(key, weights[1], biases[1])
        v = linear(value, weights[2], biases[2])
    # (L, N, E) -> (N * heads, L, head_dim)
    q = q.reshape(target, batch * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(source, batch * num_heads, head_dim).transpose(0, 1)
    v = v.reshape(source, batch * num_heads, head_dim).transpose(0, 1)
    scores = (q * (1.0 / math.sqrt(head_dim))).matmul(k.transpose(-2, -1))
    mask = _as_additive(attn_mask)
    if mask is not None:
        if mask.dim() == 2:
            mask = mask.unsqueeze(0)
        scores = scores + mask
    padding = _as_additive(key_padding_mask)
    if padding is not None:
        scores = (scores.reshape(batch, num_heads, target, source)
                  + padding.reshape(batch, 1, 1, source)).reshape(batch * num_heads, target, source)
    weights = scores.softmax(-1)
    if dropout_p > 0.0 and training:
        weights = dropout(weights, dropout_p, True)
    output = weights.matmul(v).transpose(0, 1).reshape(target * batch, embed_dim)
    output = linear(output, out_proj_weight, out_proj_bias).reshape(target, batch, embed_dim)
    if unbatched:
        output = output.squeeze(1)
    if not need_weights:
        return output, None
    weights = weights.reshape(batch, num_heads, target, source)
    if average_attn_weights:
        weights = weights.mean(1)
    if unbatched:
        weights = weights.squeeze(0)
    return output, weights
