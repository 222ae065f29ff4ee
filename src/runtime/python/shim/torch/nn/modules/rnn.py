"""Recurrent layers: RNN, LSTM, GRU (multi-layer, bidirectional, batch_first) and their cells.

Every time step of one layer in one direction runs as one engine op (`recurrent_layer`, see the engine's
ops/kernels/recurrent.ts): a step is one product with the stacked gate weights and a few elementwise kernels, and its
backward is written out, where a step written in Python cost about fifteen engine calls and graph nodes.
"""
import math

from ..._engine import E, call
from ..._tensor import unsupported, wrap
from ..parameter import Parameter
from .. import init
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _layer(mode, input, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse=False):
    """One layer in one direction over input (L, N, I): (hidden states (L, N, H), final h, final c or None)."""
    handle = call(E.recurrent_layer, mode, input._h, h0._h, 0 if c0 is None else c0._h, w_ih._h, w_hh._h,
                  0 if b_ih is None else b_ih._h, 0 if b_hh is None else b_hh._h, reverse)
    out = wrap(handle)
    length = input.shape[0]
    if mode != "LSTM":
        return out, out[0 if reverse else length - 1], None
    # An LSTM's op appends the final cell state as row L.
    states = out.narrow(0, 0, length)
    E.rename_grad_fn(states._h, "StackBackward0")
    return states, states[0 if reverse else length - 1], out[length]


class RNNBase(Module):
    """Shared by RNN, LSTM and GRU: the weights weight_ih_l{k}[_reverse], weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        from ... import empty

        if proj_size:
            raise unsupported(f"torch.nn.{type(self).__name__}(proj_size=...)")
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element "
                             "being zeroed")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than or equal to 1")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else hidden_size * directions
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = [("weight_ih", (gate_size, layer_input)), ("weight_hh", (gate_size, hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                for name, shape in shapes:
                    setattr(self, name + suffix, Parameter(empty(*shape)))
                    self._flat_weights_names.append(name + suffix)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    def flatten_parameters(self):
        pass

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if self.batch_first is not False:
            text += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            text += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            text += f", bidirectional={self.bidirectional}"
        return text

    def _weights(self, layer, direction):
        suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        get = lambda name: getattr(self, name + suffix) if self.bias or not name.startswith("bias") else None  # noqa
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")

    def _run(self, input, states):
        """input: (L, N, features); states: per (layer, direction) initial state. Returns output and final states."""
        from ... import cat
        from .. import functional as F

        directions = 2 if self.bidirectional else 1
        is_lstm = self.mode == "LSTM"
        finals = []
        layer_input = input
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, direction)
                state = states[layer * directions + direction]
                h0, c0 = state if is_lstm else (state, None)
                steps, h, c = _layer(self.mode, layer_input, h0, c0, w_ih, w_hh, b_ih, b_hh, direction == 1)
                outputs.append(steps)
                finals.append((h, c) if is_lstm else h)
            layer_input = outputs[0] if directions == 1 else cat(outputs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return layer_input, finals

    def _check_hidden_rank(self, hx, unbatched):
        """PyTorch's error for an initial state whose rank does not match the input's (2-D with unbatched input)."""
        states = hx if self.mode == "LSTM" else (hx,)
        rank = 2 if unbatched else 3
        if all(h.dim() == rank for h in states):
            return
        kind = "unbatched 2-D" if unbatched else "batched 3-D"
        if self.mode == "LSTM":
            got = ", ".join(f"{h.dim()}-D" for h in states)
            raise RuntimeError(f"For {kind} input, hx and cx should also be {rank}-D but got ({got}) tensors")
        raise RuntimeError(f"For {kind} input, hx should also be {rank}-D but got {hx.dim()}-D tensor")

    def _check_hidden_size(self, hx, batch):
        """PyTorch's error for an initial state of the wrong size (checked with unbatched states made batched)."""
        is_lstm = self.mode == "LSTM"
        expected = (self.num_layers * (2 if self.bidirectional else 1), batch, self.hidden_size)
        for k, h in enumerate(hx if is_lstm else (hx,)):
            if tuple(h.shape) != expected:
                name = f"hidden[{k}]" if is_lstm else "hidden"
                raise RuntimeError(f"Expected {name} size ({', '.join(map(str, expected))}), got {list(h.shape)}")

    def forward(self, input, hx=None):
        from ... import zeros, stack

        if type(input).__name__ == "PackedSequence":
            raise unsupported(f"torch.nn.{type(self).__name__} on a PackedSequence")
        if input.dim() not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.dim()}D instead")
        unbatched = input.dim() == 2
        if unbatched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")
        directions = 2 if self.bidirectional else 1
        batch = input.shape[1]
        layers = self.num_layers * directions
        is_lstm = self.mode == "LSTM"
        if hx is None:
            h0 = zeros(layers, batch, self.hidden_size)
            hx = (h0, zeros(layers, batch, self.hidden_size)) if is_lstm else h0
        else:
            self._check_hidden_rank(hx, unbatched)
            if unbatched:
                hx = tuple(h.unsqueeze(1) for h in hx) if is_lstm else hx.unsqueeze(1)
            self._check_hidden_size(hx, batch)
        if is_lstm:
            states = [(hx[0][k], hx[1][k]) for k in range(layers)]
        else:
            states = [hx[k] for k in range(layers)]
        output, finals = self._run(input, states)
        if is_lstm:
            final = (stack([h for h, _ in finals]), stack([c for _, c in finals]))
        else:
            final = stack(finals)
        if unbatched:
            output = output.squeeze(1)
            final = tuple(f.squeeze(1) for f in final) if is_lstm else final.squeeze(1)
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, final


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) (or relu)."""

    def __init__(self, *args, **kwargs):
        nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory; forward returns (output, (h_n, c_n))."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit; forward returns (output, h_n)."""

    def __init__(self, *args, **kwargs):
        super().__init__("GRU", *args, **kwargs)


class RNNCellBase(Module):
    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        from ... import empty

        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty(num_chunks * hidden_size, input_size))
        self.weight_hh = Parameter(empty(num_chunks * hidden_size, hidden_size))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text

    def _prepare(self, input, hx, pair):
        """Checks input and state as PyTorch does; returns them batched, and whether the input was unbatched."""
        from ... import zeros

        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} expected {self.input_size}")
        unbatched = input.dim() == 1
        if unbatched:
            input = input.unsqueeze(0)
        if hx is None:
            h = zeros(input.shape[0], self.hidden_size)
            hx = (h, zeros(input.shape[0], self.hidden_size)) if pair else h
        elif unbatched:
            hx = tuple(h.unsqueeze(0) for h in hx) if pair else hx.unsqueeze(0)
        for k, h in enumerate(hx if pair else (hx,)):
            if h.shape[0] != input.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{k} batch size {h.shape[0]}")
            if h.shape[-1] != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {h.shape[-1]}, expected "
                                   f"{self.hidden_size}")
        return input, hx, unbatched

    def _cell(self, mode, input, h, c=None):
        """One step as a one-step layer: (h', c') (c' None unless an LSTM)."""
        _, h, c = _layer(mode, input.unsqueeze(0), h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h, c


class RNNCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        input, hx, unbatched = self._prepare(input, hx, False)
        relu = self.nonlinearity == "relu"
        h, _ = self._cell("RNN_RELU" if relu else "RNN_TANH", input, hx)
        E.rename_grad_fn(h._h, "ReluBackward0" if relu else "TanhBackward0")
        return h.squeeze(0) if unbatched else h


class LSTMCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4)

    def forward(self, input, hx=None):
        input, hx, unbatched = self._prepare(input, hx, True)
        h, c = self._cell("LSTM", input, hx[0], hx[1])
        E.rename_grad_fn(h._h, "MulBackward0")
        E.rename_grad_fn(c._h, "AddBackward0")
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)


class GRUCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3)

    def forward(self, input, hx=None):
        input, hx, unbatched = self._prepare(input, hx, False)
        h, _ = self._cell("GRU", input, hx)
        E.rename_grad_fn(h._h, "AddBackward0")
        return h.squeeze(0) if unbatched else h
