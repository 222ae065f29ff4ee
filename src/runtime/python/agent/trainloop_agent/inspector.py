"""Shows the paused program's values to the debugger: one line per value, children on demand, and evaluation.

A value is described by a plain dict (`name`, `value`, `type`, `ref`, `indexed`, `named`, `expression`); `ref` is a
number the host can ask children for while the program stays paused. Tensors read as one-line summaries and
open into shape, dtype, statistics, gradient and paged elements; other values read as Python's debugger shows them.
"""
import ast
import math

import torch

from .agent_text import AgentError, AgentText
from .tensor_summary import scalar_text, short_dtype, shape_text, summarize, tensor_stats, values_text

__all__ = ["Inspector", "is_module", "is_optimizer", "reachable_modules", "check_side_effect_free"]

_REPR_LIMIT = 240
_NAMED_LIMIT = 300
_PAGE = 100


def is_tensor(value):
    return isinstance(value, torch.Tensor)


def is_module(value):
    module = getattr(getattr(torch, "nn", None), "Module", None)
    return module is not None and isinstance(value, module)


def is_optimizer(value):
    optimizer = getattr(getattr(torch, "optim", None), "Optimizer", None)
    return optimizer is not None and isinstance(value, optimizer)


def parameter_count(module):
    return sum(p.numel() for p in module.parameters())


def reachable_modules(frame):
    """(name, module) for each model a frame can reach: its locals and globals holding an nn.Module with
    parameters, leaving out modules that are parts of another one found."""
    found, seen = [], set()
    for mapping in (frame.f_locals, frame.f_globals) if frame.f_locals is not frame.f_globals else (frame.f_globals,):
        for name, value in list(mapping.items()):
            if id(value) in seen or not is_module(value) or name.startswith("__"):
                continue
            seen.add(id(value))
            count = parameter_count(value)
            if count:
                found.append((name, value, count))
    found.sort(key=lambda item: -item[2])
    parts = set()
    models = []
    for name, module, _ in found:
        if id(module) in parts:
            continue
        models.append((name, module))
        parts.update(id(m) for m in module.modules())
    return models


def reachable_optimizers(frame):
    found, seen = [], set()
    for mapping in (frame.f_locals, frame.f_globals):
        for name, value in list(mapping.items()):
            if is_optimizer(value) and id(value) not in seen:
                seen.add(id(value))
                found.append((name, value))
    return found


_HOVER_NODES = (ast.Expression, ast.Name, ast.Attribute, ast.Subscript, ast.Constant, ast.Load, ast.Slice,
                ast.Tuple, ast.UnaryOp, ast.USub, ast.UAdd)


def check_side_effect_free(expression):
    """Hover evaluates names, attributes and subscripts only (no calls, no operators that run user code)."""
    tree = ast.parse(expression.strip(), mode="eval")
    for node in ast.walk(tree):
        if not isinstance(node, _HOVER_NODES):
            raise AgentError(AgentText("reply.hoverOnly", node=type(node).__name__))
    return tree


def type_name(value):
    kind = type(value)
    module = kind.__module__
    if module in ("builtins", "__main__") or module is None:
        return kind.__qualname__
    if is_tensor(value):
        return "torch.Tensor" if kind.__name__ == "Tensor" else f"torch.nn.{kind.__name__}" if kind.__name__ == "Parameter" else kind.__qualname__
    return f"{module}.{kind.__qualname__}"


def compact_repr(value, limit=_REPR_LIMIT, depth=0):
    """`repr` as a Python debugger shows it, with tensors and models reduced to a few words and long text cut."""
    if is_tensor(value):
        text = f"tensor{shape_text(value.shape) if value.dim() else ''} {short_dtype(value.dtype)}"
        if not value.dim():
            text += f" {scalar_text(value)}"
        return text
    if is_module(value):
        return f"{type(value).__name__}({parameter_count(value):,} parameters)"
    if isinstance(value, (list, tuple, set, frozenset, dict)) and depth < 3:
        if isinstance(value, dict):
            items = (f"{compact_repr(k, 40, depth + 1)}: {compact_repr(v, limit, depth + 1)}" for k, v in value.items())
            open_, close = "{", "}"
        else:
            items = (compact_repr(v, limit, depth + 1) for v in value)
            if isinstance(value, list):
                open_, close = "[", "]"
            elif isinstance(value, tuple):
                open_, close = "(", ",)" if len(value) == 1 else ")"
            else:
                if not value:
                    return f"{type(value).__name__}()"
                open_, close = "{", "}"
        parts, length = [], 0
        for item in items:
            if length + len(item) > limit:
                parts.append("…")
                break
            parts.append(item)
            length += len(item) + 2
        text = open_ + ", ".join(parts) + close
        if type(value) not in (list, tuple, dict, set, frozenset) and not hasattr(value, "_fields"):
            text = f"{type(value).__name__}({text})"
        return text
    try:
        text = repr(value)
    except Exception as error:  # a broken __repr__ must not break the Variables view
        text = f"<{type(value).__name__} object (repr failed: {type(error).__name__}: {error})>"
    if "\n" in text and (is_optimizer(value) or len(text) > limit):
        text = text.split("\n", 1)[0] + " …"
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _public_attributes(value):
    names = []
    mapping = getattr(value, "__dict__", None)
    if isinstance(mapping, dict):
        names.extend(name for name in mapping if not name.startswith("__"))
    for klass in type(value).__mro__:
        for slot in getattr(klass, "__slots__", ()) or ():
            if isinstance(slot, str) and not slot.startswith("__") and slot not in names:
                names.append(slot)
    return names


_SCALARS = (type(None), bool, int, float, complex, str, bytes)


class Inspector:
    """References to the paused program's values, and their descriptions; cleared whenever the program runs."""

    def __init__(self, training=None):
        self.training = training
        self.refs = {}
        self.next_ref = 1
        self._stats = {}

    def clear(self):
        self.refs.clear()
        self._stats.clear()

    def forget_statistics(self):
        self._stats.clear()

    def _ref(self, producer):
        ref = self.next_ref
        self.next_ref += 1
        self.refs[ref] = producer
        return ref

    def stats(self, tensor):
        """Statistics of a tensor, computed once per pause (a summary and an expansion share them)."""
        key = id(tensor)
        cached = self._stats.get(key)
        if cached is not None and cached[0] is tensor:
            return cached[1]
        stats = tensor_stats(tensor)
        self._stats[key] = (tensor, stats)
        return stats

    def summary(self, tensor):
        return summarize(tensor, self.stats)

    # ---- values -------------------------------------------------------------------------------------------------
    def variable(self, name, value, expression=None):
        """The description of one value, with a reference to its children when it has any."""
        var = {"name": name, "type": type_name(value), "ref": 0}
        if expression:
            var["expression"] = expression
        if is_tensor(value):
            var["value"] = self.summary(value)
            named = self._tensor_named(value, expression)
            count = value.shape[0] if value.dim() and _has_elements(value) else 0
            var["ref"] = self._ref(lambda f, s, c: self._tensor_children(value, expression, named, f, s, c))
            var["named"] = len(named)
            if count:
                var["indexed"] = count
            var["kind"] = "tensor"
            return var
        if isinstance(value, AgentText):  # the agent's own words (a Non-finite value row): English, and the parts
            var["value"], var["text"] = compact_repr(str(value)), value.wire()
            return var
        var["value"] = compact_repr(value)
        if isinstance(value, _SCALARS):
            return var
        if is_module(value):
            var["ref"] = self._ref(lambda f, s, c: self._module_children(value, expression))
            var["kind"] = "model"
        elif is_optimizer(value):
            var["ref"] = self._ref(lambda f, s, c: self._optimizer_children(value, expression))
        elif isinstance(value, (list, tuple)):
            if value:
                var["ref"] = self._ref(lambda f, s, c: self._sequence_children(value, expression, f, s, c))
                var["indexed"] = len(value)
        elif isinstance(value, dict):
            if value:
                var["ref"] = self._ref(lambda f, s, c: self._dict_children(value, expression))
                var["named"] = len(value)
        elif isinstance(value, (set, frozenset)):
            if value:
                var["ref"] = self._ref(lambda f, s, c: self._sequence_children(list(value), None, f, s, c))
                var["indexed"] = len(value)
        elif not callable(value) and _public_attributes(value):
            var["ref"] = self._ref(lambda f, s, c: self._attribute_children(value, expression))
        return var

    def children(self, ref, filter_=None, start=0, count=0):
        producer = self.refs.get(ref)
        if producer is None:
            raise AgentError(AgentText("reply.noReference", ref=ref), type_name="KeyError", quoted=True)
        return producer(filter_, start or 0, count or 0)

    def mapping_children(self, mapping, hide=()):
        out = []
        for name, value in list(mapping.items()):
            if name in hide or (name.startswith("__") and name.endswith("__") and name not in ("__name__", "__file__")):
                continue
            out.append(self.variable(str(name), value, str(name)))
            if len(out) >= _NAMED_LIMIT:
                break
        return out

    # ---- children -----------------------------------------------------------------------------------------------
    @staticmethod
    def _tensor_named(t, expression):
        """The names of a tensor's named children (shown on expansion, before its elements)."""
        names = ["shape", "dtype", "device", "requires_grad"]
        if t.grad_fn is not None:
            names.append("grad_fn")
        elif t.requires_grad:
            names.append("grad")
        return names + ["stats"]

    def _tensor_children(self, t, expression, named, filter_, start, count):
        out = []
        if filter_ != "indexed":
            out.extend(self._tensor_facts(t, expression))
        if filter_ != "named" and t.dim() and _has_elements(t):
            length = t.shape[0]
            stop = length if not count else min(length, start + count)
            if filter_ != "indexed":
                stop = min(stop, start + _PAGE)
            out.extend(self._tensor_elements(t, expression, start, stop))
        return out

    def _tensor_facts(self, t, expression):
        sub = (lambda suffix: f"{expression}{suffix}") if expression else (lambda suffix: None)
        facts = [
            self._fact("shape", repr(t.shape), "torch.Size", sub(".shape")),
            self._fact("dtype", str(t.dtype), "torch.dtype", sub(".dtype")),
            self._fact("device", str(t.device), "torch.device", sub(".device")),
            self._fact("requires_grad", repr(bool(t.requires_grad)), "bool", sub(".requires_grad")),
        ]
        if t.grad_fn is not None:
            grad_fn = t.grad_fn
            name = grad_fn.name() if callable(getattr(grad_fn, "name", None)) else type(grad_fn).__name__
            facts.append(self._fact("grad_fn", name, "grad_fn", sub(".grad_fn")))
        elif t.requires_grad:
            facts.append(self.variable("grad", t.grad, sub(".grad")))
        stats = self.stats(t)
        facts.append({"name": "stats", "value": self._stats_line(stats), "type": "statistics", "ref":
                      self._ref(lambda f, s, c: self._stats_children(stats)), "named": 0})
        return facts

    @staticmethod
    def _fact(name, value, kind, expression):
        fact = {"name": name, "value": value, "type": kind, "ref": 0}
        if expression:
            fact["expression"] = expression
        return fact

    @staticmethod
    def _stats_line(stats):
        return f"n={stats.n} " + values_text(stats) if stats.n else "n=0"

    def _stats_children(self, stats):
        rows = [("n", stats.n)]
        if stats.true is not None:
            rows.append(("true", stats.true))
        elif stats.min is not None:
            rows += [("min", stats.min), ("max", stats.max), ("mean", stats.mean), ("std", stats.std)]
        rows += [("nan", stats.nan), ("+inf", stats.pos_inf), ("-inf", stats.neg_inf)]
        return [self._fact(name, repr(value), type(value).__name__, None) for name, value in rows]

    def _tensor_elements(self, t, expression, start, stop):
        if start >= stop:
            return []
        name = lambda i: f"{expression}[{i}]" if expression else None  # noqa: E731
        if t.dim() == 1:
            values = t.detach()[start:stop].tolist()
            return [self._fact(str(start + k), format_element(v), type(v).__name__, name(start + k))
                    for k, v in enumerate(values)]
        values = t.detach()
        return [self.variable(str(i), values[i], name(i)) for i in range(start, stop)]

    def _module_children(self, module, expression):
        sub = (lambda suffix: f"{expression}.{suffix}") if expression else (lambda suffix: None)
        out = []
        for name, child in module.named_children():
            out.append(self.variable(name, child, sub(name) if name.isidentifier() else None))
        for name, parameter in module.named_parameters(recurse=False):
            out.append(self.variable(name, parameter, sub(name)))
        buffers = getattr(module, "named_buffers", None)
        if buffers is not None:
            for name, buffer in buffers(recurse=False):
                out.append(self.variable(name, buffer, sub(name)))
        out.append(self._fact("training", repr(bool(module.training)), "bool", sub("training")))
        return out

    def model_parameters(self, module, expression):
        """Every named parameter of a model, flat (`layers.0.weight`), for the Model scope."""
        out = []
        for name, parameter in module.named_parameters():
            out.append(self.variable(name, parameter, attribute_path(expression, name) if expression else None))
        out.append(self._fact("training", repr(bool(module.training)), "bool", f"{expression}.training"))
        return out

    def _optimizer_children(self, optimizer, expression):
        out = []
        for index, group in enumerate(optimizer.param_groups):
            settings = {k: v for k, v in group.items() if k != "params"}
            prefix = f"param_groups[{index}]"
            out.append({"name": prefix, "value": compact_repr(settings), "type": "dict",
                        "ref": self._ref(lambda f, s, c, g=settings, p=prefix: self._dict_children(
                            g, f"{expression}.{p}" if expression else None)), "named": len(settings)})
        return out

    def _sequence_children(self, sequence, expression, filter_, start, count):
        stop = len(sequence) if not count else min(len(sequence), start + count)
        if filter_ != "indexed":
            stop = min(stop, start + _NAMED_LIMIT)
        return [self.variable(str(i), sequence[i], f"{expression}[{i}]" if expression else None)
                for i in range(start, stop)]

    def _dict_children(self, mapping, expression):
        out = []
        for key, value in list(mapping.items())[:_NAMED_LIMIT]:
            label = compact_repr(key, 80)
            out.append(self.variable(label, value, f"{expression}[{label}]" if expression and
                                     isinstance(key, (str, int, float, bool)) else None))
        return out

    def _attribute_children(self, value, expression):
        out = []
        for name in _public_attributes(value)[:_NAMED_LIMIT]:
            try:
                child = getattr(value, name)
            except Exception as error:
                out.append(self._fact(name, f"<{type(error).__name__}: {error}>", "error", None))
                continue
            out.append(self.variable(name, child, f"{expression}.{name}" if expression else None))
        return out


def _has_elements(t):
    """Whether a tensor's elements can be listed by index: strided (not sparse), and with values (not on meta)."""
    sparse = getattr(t, "is_sparse", False) or str(getattr(t, "layout", "")).startswith("torch.sparse")
    return not sparse and getattr(t.device, "type", "cpu") != "meta"


def format_element(value):
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    return repr(value)


def clipboard_text(value):
    """What `Copy Value` puts on the clipboard: the full text for small values, the summary for large tensors."""
    if is_tensor(value) and value.numel() > 1000:
        return summarize(value)
    try:
        return repr(value)
    except Exception as error:
        return f"<repr failed: {error}>"


def attribute_path(expression, dotted):
    """`model` + `layers.0.weight` → `model.layers[0].weight` (how Python reaches a named parameter)."""
    for part in dotted.split("."):
        expression += f"[{part}]" if part.isdigit() else f".{part}"
    return expression
