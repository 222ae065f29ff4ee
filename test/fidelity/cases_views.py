# Fidelity cases for views: writes through a view reach the base and the other views; _version; gradients after writes.
"""Registered into cases.CASES (imported at the end of cases.py).

Each case makes a base tensor, views of it by every view op PyTorch has
(view, reshape, slicing, select, narrow, t, transpose, permute, unsqueeze,
squeeze, flatten, expand, split, .data, detach), writes through one view in
place (``__setitem__`` with NaN and ±Inf, add_, mul_, copy_, fill_, zero_,
clamp_, relu_) and outputs the base and a sibling view, so a lost write shows
as a value (or a NaN position) that differs from PyTorch's.  Version counters
are output as int64 tensors.
"""

import torch

from cases import case, wave, weighted_sum

NAN = float("nan")
INF = float("inf")

# name -> how the view is made from a (3, 4) base
VIEWS = {
    "view": lambda x: x.view(-1),
    "view(2,6)": lambda x: x.view(2, 6),
    "reshape": lambda x: x.reshape(6, 2),
    "slice_rows": lambda x: x[1:],
    "slice_cols": lambda x: x[:, 1:3],
    "slice_step": lambda x: x[::2, ::3],
    "index_row": lambda x: x[1],
    "select": lambda x: x.select(1, 2),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "t": lambda x: x.t(),
    "transpose": lambda x: x.transpose(0, 1),
    "permute": lambda x: x.permute(1, 0),
    "unsqueeze": lambda x: x.unsqueeze(0),
    "squeeze": lambda x: x.unsqueeze(1).squeeze(1),
    "flatten": lambda x: x.flatten(),
    "view_of_t": lambda x: x.t()[1:3],
    "reshape_of_column": lambda x: x[:, 1].reshape(3, 1),
    "split": lambda x: x.split(2, dim=1)[1],
    "chunk": lambda x: x.chunk(3, dim=0)[2],
    "unbind": lambda x: x.unbind(1)[3],
    "data": lambda x: x.data,
    "detach": lambda x: x.detach(),
}


def base():
    return wave(3, 4, b=0.3)


def write(kind, v):
    """One in-place write through v (first element for __setitem__)."""
    if kind == "setitem_nan":
        v[(0,) * v.dim()] = NAN
    elif kind == "setitem_inf":
        v[(-1,) * v.dim()] = -INF
    elif kind == "add_":
        v.add_(10.0)
    elif kind == "mul_":
        v.mul_(-2.0)
    elif kind == "copy_":
        v.copy_(wave(*v.shape, a=0.9, offset=5.0))
    elif kind == "fill_":
        v.fill_(INF)
    elif kind == "zero_":
        v.zero_()
    elif kind == "clamp_":
        v.clamp_(-0.5, 0.25)
    elif kind == "relu_":
        v.relu_()


KINDS = ("setitem_nan", "setitem_inf", "add_", "mul_", "copy_", "fill_", "zero_", "clamp_", "relu_")


# Views that pick elements by position, and view() of non-contiguous tensors where PyTorch allows it (their own
# cases, so the cases above keep their outputs).
POSITIONAL_VIEWS = {
    "diagonal": lambda x: x.diagonal(),
    "diagonal(1)": lambda x: x.diagonal(1),
    "diagonal(-1)": lambda x: x.diagonal(-1),
    "diagonal_of_t": lambda x: x.t().diagonal(),
    "unfold": lambda x: x.unfold(1, 2, 2),
    "unfold_rows": lambda x: x.unfold(0, 1, 2),
    "as_strided": lambda x: x.as_strided((2, 3), (1, 4), 1),
    "t_view": lambda x: x.t().view(2, 2, 3),
    "strided_view": lambda x: x[:, ::2].view(-1),
    "permuted_view": lambda x: x.unsqueeze(0).permute(2, 0, 1).view(2, 2, 3),
}


def _views_case(kinds, views=VIEWS):
    def run():
        outputs = {}
        for name, make in views.items():
            for kind in kinds:
                x = base()
                v = make(x)
                sibling = x[:, 1:]
                write(kind, v)
                outputs["%s.%s" % (name, kind)] = x
                outputs["%s.%s.sibling" % (name, kind)] = sibling
                outputs["%s.%s.view" % (name, kind)] = v
        return outputs
    return run


# The writes split in three cases, so a failure names fewer outputs.
case_view_writes_setitem = _views_case(("setitem_nan", "setitem_inf"))
case_view_writes_setitem.__name__ = "view_writes_setitem"
case(case_view_writes_setitem)
case_view_writes_arith = _views_case(("add_", "mul_", "copy_"))
case_view_writes_arith.__name__ = "view_writes_arith"
case(case_view_writes_arith)
case_view_writes_fill = _views_case(("fill_", "zero_", "clamp_", "relu_"))
case_view_writes_fill.__name__ = "view_writes_fill"
case(case_view_writes_fill)
case_positional_view_writes = _views_case(("setitem_nan", "add_", "copy_", "fill_", "relu_"), POSITIONAL_VIEWS)
case_positional_view_writes.__name__ = "positional_view_writes"
case(case_positional_view_writes)


def with_gradients(outputs, w):
    """The outputs and, for each, the gradient of its weighted sum with respect to w (as "<name>.grad(w)")."""
    grads = {}
    for name, out in outputs.items():
        (grad,) = torch.autograd.grad(weighted_sum(out), [w], retain_graph=True)
        grads["%s.grad(w)" % name] = grad
    outputs.update(grads)
    return outputs


@case
def positional_views_see_base_writes():
    x = base()
    views = {name: make(x) for name, make in POSITIONAL_VIEWS.items()}
    x.mul_(-1.0)                     # a write to the base reaches every view
    x[1, 1] = NAN
    views["diagonal"].add_(100.0)    # and a write through one reaches the others
    outputs = dict(views)
    outputs["x"] = x
    outputs["versions"] = torch.tensor([x._version] + [v._version for v in views.values()])
    # Strides of dims longer than 1 (a dim of size 1 has no step; PyTorch's value for it varies by op).
    outputs["strides"] = torch.tensor([s for v in views.values() for s, n in zip(v.stride(), v.shape) if n > 1])
    outputs["offsets"] = torch.tensor([v.storage_offset() for v in views.values()])
    outputs["is_contiguous"] = torch.tensor([v.is_contiguous() for v in views.values()])
    return outputs


@case
def positional_view_writes_autograd():
    w = wave(3, 4, b=0.4).requires_grad_()
    a = w * 2.0
    a.diagonal().mul_(3.0)           # through a diagonal: a's grad_fn becomes CopySlices
    b = w * 1.0
    b.t().view(2, 2, 3)[1].clamp_(-0.2, 0.2)
    c = w * 1.0
    c.unfold(1, 2, 2)[..., 0] = 0.5
    d = w * 1.0
    d.as_strided((2, 3), (1, 4), 1).add_(1.0)
    outputs = {"a": a, "b": b, "c": c, "d": d, "diagonal": w.diagonal(1), "unfold": w.unfold(0, 2, 1),
               "strided_view": (w * 1.0)[:, ::2].view(-1)}
    return with_gradients(outputs, w)


@case
def view_writes_seen_by_views():
    x = base()
    row = x[1]
    col = x[:, 2]
    flat = x.view(-1)
    x.add_(1.0)                      # a write to the base reaches existing views
    flat[5] = NAN                    # a write through one view reaches the others
    col.mul_(-1.0)
    expanded_base = wave(3, 1, a=0.2)
    expanded = expanded_base.expand(3, 4)
    expanded.fill_(2.5)              # fill_ through an expanded view writes each base element once
    chained = x.t()[1:].unsqueeze(0)  # a view of a view of a view
    chained[0, 0, 2] = INF
    contiguous_copy = x.t().contiguous()
    contiguous_copy.zero_()          # a transposed view's contiguous() is a copy: the base keeps its values
    return {"x": x, "row": row, "col": col, "flat": flat, "expanded_base": expanded_base, "expanded": expanded,
            "chained": chained, "contiguous_copy": contiguous_copy,
            "is_contiguous": torch.tensor([x.is_contiguous(), x.t().is_contiguous(), x[1:].is_contiguous(),
                                           x[:, 1:].is_contiguous(), x.view(-1).is_contiguous()])}


@case
def view_versions():
    x = base()
    v = x.view(-1)
    counts = [x._version, v._version]
    v.add_(1.0)
    counts += [x._version, v._version]
    x[0] = 1.0
    counts += [x._version, v._version]
    x.data.mul_(2.0)                 # .data has a version counter of its own
    counts += [x._version]
    x.detach().zero_()               # detach() shares the counter
    counts += [x._version]
    x.t()[1].fill_(3.0)
    x.clamp_(0.0, 2.0)
    x += 1
    counts += [x._version, v._version, x.clone()._version]
    return {"versions": torch.tensor(counts), "x": x}


@case
def view_writes_autograd():
    w = wave(2, 3, b=0.7).requires_grad_()
    a = w * 1.5
    a[0].mul_(3.0)                   # through a select: the base's grad_fn becomes CopySlices
    b = w * 1.0
    b.view(-1).add_(2.0)             # through a view of the whole
    c = w * 2.0
    c[:, 1] = NAN                    # a NaN written through a view: its gradient to w is 0 there
    d = w * 2.0 + 1.0
    sibling = d.t()
    d[1].mul_(0.5)                   # the sibling view sees the write and its gradient follows it
    e = w * 1.0
    e.t()[2].clamp_(-0.1, 0.1)
    outputs = {"a": a, "b": b, "c": c, "d": d, "sibling": sibling, "e": e}
    return with_gradients(outputs, w)
