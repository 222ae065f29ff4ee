"""What `tensor.grad_fn` shows: backward nodes by PyTorch's names, with `next_functions` walking the engine's graph."""

from ._engine import E


class _GradFn:
    """What `tensor.grad_fn` shows: the backward node PyTorch would have made, by name, with `next_functions` leading
    to the nodes (or AccumulateGrad for leaves) its inputs came from. The engine's node is fetched only when walked."""

    __slots__ = ("_name", "_owner", "_node")

    def __init__(self, name, owner=None, node=None):
        self._name = name
        self._owner = owner
        self._node = node

    def name(self):
        return self._name

    @property
    def next_functions(self):
        node = self._node if self._node is not None else E.grad_fn_node(self._owner._h)
        if node is None:
            return ()
        shown = node.shownInputs
        if _is_null(shown):  # an in-place op's node: its edges to inputs that require grad
            return tuple((_grad_fn_of(edge.fn), 0) for edge in node.inputs)
        edges = []
        for edge in shown:
            if not _is_null(edge.fn):
                edges.append((_grad_fn_of(edge.fn), 0))
            else:
                edges.append((AccumulateGrad() if edge.accumulates else None, 0))
        return tuple(edges)

    def __repr__(self):
        return f"<{self._name} object at {hex(id(self))}>"

    def __eq__(self, other):
        return isinstance(other, _GradFn) and other._name == self._name

    def __hash__(self):
        return hash(self._name)


def _is_null(value):
    return value is None or type(value).__name__ == "JsNull"


def _grad_fn_of(node):
    """The grad_fn for an engine node, AccumulateGrad for a leaf's edge (its node is null)."""
    return AccumulateGrad() if _is_null(node) else grad_fn_class(node.name)(node.name, node=node)


class AccumulateGrad:
    """The node that adds a leaf's gradient into its `.grad`, as `next_functions` shows it."""

    __slots__ = ()

    def name(self):
        return "torch::autograd::AccumulateGrad"

    @property
    def next_functions(self):
        return ()

    @property
    def variable(self):
        from ._tensor import unsupported

        raise unsupported("AccumulateGrad.variable")

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


_GRAD_FN_CLASSES = {}


def grad_fn_class(name):
    """A _GradFn subclass called `name` (MulBackward0, ...), so type(t.grad_fn).__name__ reads as in PyTorch."""
    cls = _GRAD_FN_CLASSES.get(name)
    if cls is None:
        cls = _GRAD_FN_CLASSES[name] = type(name, (_GradFn,), {"__slots__": (), "__module__": "torch.autograd"})
    return cls
