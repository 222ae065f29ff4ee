"""Recurrent layers (RNN, LSTM, GRU and their cells): not supported by the runtime yet."""
from ._unsupported import unsupported_module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

for _name in __all__:
    globals()[_name] = unsupported_module(_name, __name__)
