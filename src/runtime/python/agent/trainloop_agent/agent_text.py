"""The agent's own words for the user (stop messages, the non-finite locator's sentences), as a template id plus values.

A text is built once, here, as an `AgentText`: `str()` gives today's English sentence (for the CLI, the events file and
older readers), `wire()` gives `{"id", "values"}` for the debugger's messages, and the editor renders that through its
l10n (src/runtime/agentTextTemplates.ts holds the same TEMPLATES: test/debug/agentText.test.ts compares them), so that
a zh-cn window shows the sentence in Chinese. A value is a plain string or number (names, code, counts: shown as they
are) or another AgentText (a part of the sentence that is words too).
"""

import re

__all__ = ["AgentError", "AgentText", "TEMPLATES", "wire_text"]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")

TEMPLATES = {
    # The non-finite locator's stop at the line that made NaN/Inf (non_finite_locator.py, non_finite_source.py).
    "nonFinite.value.cause": "{cause}, so {op} made {count} {when}.",
    "nonFinite.value.finiteInputs": "{op} made {count} from finite inputs {when}.",
    "nonFinite.value.thisLine": "this line",
    "nonFinite.gradient": "The backward of `{expression}` (line {line}, {node}) made {count} from finite gradients {when}.",
    "nonFinite.count.nan": "{nan} NaN",
    "nonFinite.count.inf": "{inf} Inf",
    "nonFinite.count.both": "{nan} NaN and {inf} Inf",
    "nonFinite.count.none": "non-finite values",
    "nonFinite.cause.zeroDivisor": "the divisor is 0",
    "nonFinite.cause.zeros": "`{operand}` {zeros}",
    "nonFinite.cause.negative.one": "`{operand}` has {count} negative value",
    "nonFinite.cause.negative.many": "`{operand}` has {count} negative values",
    "nonFinite.zeros.scalar": "is 0",
    "nonFinite.zeros.column": "is 0 in column {column}",
    "nonFinite.zeros.columns": "is 0 in columns {columns}",
    "nonFinite.zeros.manyColumns": "is 0 in {count} columns (the first is column {column})",
    "nonFinite.zeros.at": "is 0 at {index}",
    "nonFinite.zeros.many": "has {count} zeros (the first at {index})",
    # Where in training it happened.
    "when.batch": "at batch {batch}",
    "when.beforeFirstBatch": "before the first training batch",
    "when.outsideLoop": "outside a training loop",
    # The training watch's stops at backward() (training_watch.py).
    "nonFinite.loss": "The loss is {value} {when}.",
    "nonFinite.gradientNorm": "The gradient of {parameter} is not finite (norm {norm}) {when}.",
    # Why a breakpoint is not set, and a condition that failed while running (breakpoints.py).
    "breakpoint.noCode": "Line {line} has no code (blank, a comment or the inside of a statement): put the breakpoint "
                         "on a line with code.",
    "breakpoint.pastEnd": "Line {line} is past the end of {file} ({count} lines).",
    "breakpoint.badCondition": "The condition is not a Python expression: {error}",
    "breakpoint.badHitCount": "Hit count `{hit}` is not understood: use a number (`5`), a comparison (`>= 5`) or a "
                              "period (`% 5`).",
    "breakpoint.missingFile": "{path} does not exist.",
    "breakpoint.notUserFile": "Breakpoints stop in your own files only, not in the runtime or the library.",
    "breakpoint.syntaxError": "{file} has a syntax error at line {line}: {error}",
    "breakpoint.unreadable": "Cannot read {path}: {error}",
    "breakpoint.conditionFailed": "Breakpoint condition `{condition}` failed at line {line}: {error} (stopping here)",
    # The values of the "Non-finite value" scope's rows (non_finite_locator.py; the adapter translates the row names).
    "nonFinite.row.values.one": "{count} of {size} value",
    "nonFinite.row.values.many": "{count} of {size} values",
    "nonFinite.row.notReadAgain": "(not read again: {error})",
    # The debugger's answers to a request it cannot carry out (paused_answers.py, inspector.py); an error raised as
    # AgentError is answered as `{type}: {message}`, as any other exception is.
    "reply.raised": "{type}: {message}",
    "reply.raisedQuoted": "{type}: '{message}'",
    "reply.running": "The program is running: pause it first.",
    "reply.runningEvaluate": "The program is running: pause it to evaluate.",
    "reply.frameGone": "That stack frame is gone (the program ran since).",
    "reply.notAssignable": "{target} cannot be assigned to",
    "reply.noException": "The program did not stop for an exception.",
    "reply.unknownCommand": "Unknown command {name}",
    "reply.hoverOnly": "hover shows names, attributes and subscripts only, not {node}",
    "reply.noReference": "no value with reference {ref} (the program ran since it was shown)",
    # Why the program cannot start (debugger.py's ready message).
    "ready.cannotOpen": "Cannot open {program}: {error}",
    # Why Evaluate did not run an evaluation loop (evaluation_run.py).
    "evaluate.cannotRead": "Cannot read {file}: {error}",
    "evaluate.noLoop": "There is no loop on line {line} of {file}.",
    "evaluate.loopTrains": "The loop on line {line} trains (it calls backward()): Evaluate runs evaluation loops, "
                           "those under torch.no_grad().",
    "evaluate.neverCalled": "The script never calls {function}(), so Evaluate does not know its arguments: call it "
                            "in the script (e.g. after training).",
    "evaluate.callerNotRunning": "{function}() is called from {callers}, which is not running now: Evaluate runs the "
                                 "script's own call with its arguments, so pause inside {callers} first.",
    "evaluate.functionTrains": "The loop is in {function}(), which also trains, so Evaluate cannot call it: it runs "
                               "the loop alone while {function}() is paused (Train one batch first).",
    "evaluate.noGlobals": "The script's globals are not reachable from here.",
    "evaluate.notDefinedYet": "NameError: {error}. The script has not defined it yet where it is paused: Evaluate "
                              "again once it has (after a few batches, or at a later breakpoint).",
}


class AgentText:
    """A sentence as a template id and its values; `str()` is its English."""

    __slots__ = ("id", "values")

    def __init__(self, id_, **values):
        if id_ not in TEMPLATES:
            raise KeyError(f"no agent text {id_!r}")
        self.id = id_
        self.values = values

    def __str__(self):
        values = self.values
        # One pass: a value's own braces (code such as `d[{k}]`) are never filled in turn.
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0),
                                TEMPLATES[self.id])

    def __repr__(self):
        return f"AgentText({self.id!r}, {self.values!r})"

    def wire(self):
        """`{"id", "values"}` as JSON holds it: the values' own texts nested, whole numbers as they are, the rest as
        text (a float as Python writes it, so that every language shows the same digits)."""
        return {"id": self.id, "values": {name: _wire_value(value) for name, value in self.values.items()}}


class AgentError(ValueError):
    """A ValueError whose message is an AgentText: the debugger answers it in parts, so that the editor shows it in
    the user's language; `str()` is the English."""

    def __init__(self, text, type_name="ValueError", quoted=False):
        super().__init__(str(text))
        self.text = text
        self.type_name = type_name  # the exception the answer names (`KeyError: '…'` as a KeyError's str() quotes)
        self.quoted = quoted

    def answer(self):
        """The answer's text: `{type}: {message}`, as the debugger writes any exception."""
        return AgentText("reply.raisedQuoted" if self.quoted else "reply.raised", type=self.type_name,
                         message=self.text)


def _wire_value(value):
    if isinstance(value, AgentText):
        return value.wire()
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return str(value)


def wire_text(message):
    """The structured form of a message for the debugger's messages, or None when it is plain text."""
    return message.wire() if isinstance(message, AgentText) else None
