"""What the user's line says about an op that made NaN or Inf: the expression's own text, its operands, their values
and the cause (a zero divisor, a negative under a log or a square root), put into one sentence: an AgentText, whose
English is `str()` and which the editor shows in the user's language (agent_text.py).

The expression is the one the frame is executing: CPython 3.11+ keeps each instruction's source columns
(`co_positions`), so a line `x = (x - mean) / std` yields `(x - mean) / std` for the division and `x.std(dim=0)` for
the call. The operands' values are read again from the frame only when that cannot run the user's code or draw random
numbers: names, attributes, constants, subscripts and arithmetic on those (re-running `model(x)` could change the RNG
state and the model). Used at a stop only, never on the hot path; the same code on both runtimes gives the same text.
"""
import ast
import linecache

import torch

from .agent_text import AgentText

__all__ = ["OpSource", "op_source", "count_text", "cause_text"]

_DIVISIONS = {"div", "divide", "true_divide", "__truediv__", "reciprocal", "rsqrt"}
_NEEDS_POSITIVE = {"log", "log2", "log10", "sqrt", "rsqrt"}
_SAFE_NODES = (ast.Name, ast.Attribute, ast.Constant, ast.BinOp, ast.UnaryOp, ast.Subscript, ast.Slice, ast.Tuple,
               ast.Load, ast.operator, ast.unaryop, ast.keyword)
# Tensor methods and torch functions that only compute (no RNG, no in-place change, no user code): an operand such as
# `(x @ w).mean() - shift` may be read again.
_PURE_CALLS = {
    "mean", "sum", "std", "var", "abs", "sqrt", "rsqrt", "exp", "log", "log1p", "max", "min", "amax", "amin", "t",
    "float", "double", "reshape", "view", "flatten", "squeeze", "unsqueeze", "transpose", "permute", "clamp", "clip",
    "pow", "neg", "detach", "norm", "softmax", "log_softmax", "sigmoid", "tanh", "relu", "matmul", "mm", "square",
    "prod", "exp2", "reciprocal",
}


class OpSource:
    """The expression a frame is executing: `text`, its AST node (or None), and its operands as (text, node)."""

    def __init__(self, text, node, operands, line):
        self.text = text
        self.node = node
        self.operands = operands
        self.line = line

    @property
    def name(self):
        """The op's name as the source spells it: `div` for `/`, `log` for `torch.log(x)` or `x.log()`."""
        node = self.node
        if isinstance(node, ast.BinOp):
            return {ast.Div: "div", ast.Mult: "mul", ast.Pow: "pow", ast.Add: "add", ast.Sub: "sub",
                    ast.MatMult: "matmul", ast.FloorDiv: "floor_divide", ast.Mod: "remainder"}.get(type(node.op), "op")
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                return func.attr
            if isinstance(func, ast.Name):
                return func.id
        return None


def op_source(frame):
    """The expression at the frame's current instruction, with its operands; the line's text when the columns are
    unknown (Python 3.10) or the instruction spans several lines."""
    code = frame.f_code
    line = frame.f_lineno
    text_line = linecache.getline(code.co_filename, line)
    segment = None
    positions = getattr(code, "co_positions", None)
    if positions is not None and frame.f_lasti >= 0:
        try:
            start, end, column, end_column = list(positions())[frame.f_lasti // 2]
        except (IndexError, ValueError):
            start = None
        if start == line and end == line and column is not None and end_column is not None:
            segment = text_line.encode("utf-8")[column:end_column].decode("utf-8", "replace")
    if not segment:
        segment = _statement_value(text_line.strip())
    node = _parse(segment)
    return OpSource(segment, node, _operands(node, segment), line)


def _statement_value(text):
    """`x = (x - mean) / std` → `(x - mean) / std`; other statements as they are."""
    tree = _parse_statement(text)
    if isinstance(tree, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return)) and tree.value is not None:
        return ast.get_source_segment(text, tree.value) or text
    return text


def _parse_statement(text):
    try:
        body = ast.parse(text).body
    except SyntaxError:
        return None
    return body[0] if len(body) == 1 else None


def _parse(text):
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None


def _operands(node, text):
    """The op's inputs as the source writes them: both sides of `a / b`, the object and arguments of `x.log()` and of
    `torch.log(x)` (the function's arguments only)."""
    if node is None:
        return []
    source = text.strip()
    grouped = False  # whether the source may wrap an operand in parentheses of its own: `(x - mean) / std`
    if isinstance(node, ast.BinOp):
        parts, grouped = [node.left, node.right], True
    elif isinstance(node, ast.UnaryOp):
        parts, grouped = [node.operand], True
    elif isinstance(node, ast.Call):
        func = node.func
        parts = list(node.args)
        if isinstance(func, ast.Attribute) and not _is_module_path(func.value):
            parts.insert(0, func.value)
    else:
        parts = []
    return [(_segment(source, part, grouped), part) for part in parts]


def _segment(source, node, grouped):
    text = ast.get_source_segment(source, node, padded=False) or ast.unparse(node)
    if grouped and isinstance(node, ast.BinOp) and source.find("(" + text + ")") >= 0:
        return "(" + text + ")"  # as the user wrote it: `(x - mean)`
    return text


def _is_module_path(node):
    """`torch`, `torch.nn.functional`, `F`: a function's namespace, not a tensor the method is called on."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in ("torch", "F", "nn", "functional", "math")


def evaluate_operand(node, frame):
    """The operand's value, read again in the frame when that runs no user code and draws no random numbers; else
    raises ValueError."""
    if node is None or not all(_is_safe(part) for part in ast.walk(node)):
        raise ValueError("it may run code or draw random numbers")
    expression = ast.Expression(body=node)
    ast.fix_missing_locations(expression)
    return eval(compile(expression, "<non-finite operand>", "eval"), frame.f_globals, frame.f_locals)


def _is_safe(node):
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Attribute) and node.func.attr in _PURE_CALLS
    return isinstance(node, _SAFE_NODES)


def assigned_expression(frame, name):
    """The text of the last `name = <expression>` above the current line in the frame's function, or None: the source
    of a divisor written as a name (`std` ← `x.std(dim=0)`)."""
    code = frame.f_code
    lines = linecache.getlines(code.co_filename)
    first = code.co_firstlineno if code.co_name != "<module>" else 1
    found = None
    for number in range(first, min(frame.f_lineno, len(lines) + 1)):
        statement = _parse_statement(lines[number - 1].strip())
        if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name) and statement.targets[0].id == name):
            found = ast.get_source_segment(lines[number - 1].strip(), statement.value)
    return found


def count_text(nan, inf):
    """`512 NaN`, `3 Inf`, `2 NaN and 1 Inf` (an AgentText)."""
    if nan and inf:
        return AgentText("nonFinite.count.both", nan=nan, inf=inf)
    if nan:
        return AgentText("nonFinite.count.nan", nan=nan)
    if inf:
        return AgentText("nonFinite.count.inf", inf=inf)
    return AgentText("nonFinite.count.none")


def cause_text(source, values, frame):
    """Why the op's finite inputs gave NaN/Inf, from their values: "`x.std(dim=0)` is 0 in column 2" for a division by
    a tensor with zeros, "`x` has 3 negative values" under a log or a square root (an AgentText); None when no such
    reason shows."""
    name = source.name
    if not values:
        return None
    if name in _DIVISIONS:
        index = len(values) - 1 if name not in ("reciprocal", "rsqrt") or len(values) == 1 else 0
        label, value = values[index]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return AgentText("nonFinite.cause.zeroDivisor") if value == 0 else None
        zeros = _zero_places(value, _result_rank(values))
        if zeros:
            return AgentText("nonFinite.cause.zeros", operand=_origin_text(label, frame), zeros=zeros)
    if name in _NEEDS_POSITIVE or name == "pow":
        label, value = values[0]
        if isinstance(value, torch.Tensor) and value.is_floating_point() and value.numel():
            negative = int((value.detach() < 0).sum())
            if negative:
                which = "nonFinite.cause.negative.one" if negative == 1 else "nonFinite.cause.negative.many"
                return AgentText(which, operand=_origin_text(label, frame), count=negative)
            if name != "pow" and bool((value.detach() == 0).any()):
                zeros = _zero_places(value, value.dim())
                return AgentText("nonFinite.cause.zeros", operand=_origin_text(label, frame), zeros=zeros) if zeros \
                    else None
    return None


def _origin_text(label, frame):
    """A name's defining expression when it was assigned above in the same function (`std` → `x.std(dim=0)`)."""
    if label.isidentifier():
        return assigned_expression(frame, label) or label
    return label


def _result_rank(values):
    return max((value.dim() for _, value in values if isinstance(value, torch.Tensor)), default=0)


def _zero_places(value, result_rank):
    """"is 0", "is 0 in column 2", "is 0 in columns 1, 3", "is 0 at [0, 2]", "has 12 zeros (the first at [0, 2])" (an
    AgentText); None when the value has no zero."""
    if isinstance(value, (int, float)):
        return AgentText("nonFinite.zeros.scalar") if value == 0 else None
    if not isinstance(value, torch.Tensor) or value.numel() == 0:
        return None
    zero = value.detach() == 0
    count = int(zero.sum())
    if count == 0:
        return None
    if value.dim() == 0:
        return AgentText("nonFinite.zeros.scalar")
    places = [tuple(int(i) for i in row) for row in zero.nonzero().tolist()[:4]]
    if value.dim() == 1 and result_rank >= 2:  # broadcast along the last dimension: a column of the result
        if count == 1:
            return AgentText("nonFinite.zeros.column", column=places[0][0])
        if count <= 3:
            return AgentText("nonFinite.zeros.columns", columns=", ".join(str(p[0]) for p in places[:count]))
        return AgentText("nonFinite.zeros.manyColumns", count=count, column=places[0][0])
    where = "[" + ", ".join(str(i) for i in places[0]) + "]"
    if count == 1:
        return AgentText("nonFinite.zeros.at", index=where)
    return AgentText("nonFinite.zeros.many", count=count, index=where)
