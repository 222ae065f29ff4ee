"""Transformer layers: not supported by the runtime yet (F.scaled_dot_product_attention is)."""
from ._unsupported import unsupported_module

__all__ = ["Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
           "TransformerDecoderLayer"]

for _name in __all__:
    globals()[_name] = unsupported_module(_name, __name__)
