"""Evaluate, in a paused session: runs an evaluation loop of the script now, with the model's current weights, and
trains nothing.

The editor names the loop by its file and line. When the loop is in a function (the quickstart's `test()`), the
script's own call of that function is run again (`test(test_dataloader, model, loss_fn)`, its text from the source),
in the namespace it is written in: the script's globals for a call at module level, the frame of the calling
function when that function is on the paused stack. A loop at module level runs as the `with torch.no_grad():`
statement around it, in the script's globals; so does a loop in a function that also trains (a `main()` with both
loops: calling it would train), in that function's paused frame. It runs under `torch.no_grad()` with the debugger busy (no breakpoint
stops in it, no batch counted), and leaves the run as it found it: the modules' train/eval modes, the training batch
in progress (a DataLoader pass ending inside would otherwise close it) and, under real PyTorch, the CPU random state.
The evaluation pass is measured as any other (eval_metrics.py) and goes to the panel in a `batch` message.
"""
import ast
import os
import sys
import time

import torch

from .agent_text import AgentError, AgentText
from .inspector import is_module, reachable_modules

__all__ = ["evaluate_loop", "EvaluationNotPossible"]

_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class EvaluationNotPossible(AgentError):
    """The loop cannot be run here; the message (an AgentText) says why, in the user's terms."""

    def __init__(self, id_, **values):
        super().__init__(AgentText(id_, **values))


def evaluate_loop(session, frames, args):
    """Runs the evaluation loop at `args["line"]` of `args["path"]` (the script by default); returns what it measured:
    {"code": the text run, "seconds", "evaluations": [{"loss", "accuracy", "samples", ...}], "trainedBatches"}, or
    {"problem": why it did not run, or what the script's code raised (its traceback goes to stderr)}."""
    try:
        return _evaluate_loop(session, frames, args)
    except EvaluationNotPossible as problem:
        return _problem(problem.text)
    except NameError as error:  # most often: paused before the script defines what the call uses
        return _problem(AgentText("evaluate.notDefinedYet", error=error))
    except Exception as error:  # the script's own code failed: reported as Python would, the session stays paused
        import traceback

        sys.stderr.write("".join(traceback.format_exception(type(error), error, error.__traceback__)))
        text = str(error)
        return {"problem": f"{type(error).__name__}: {text}" if text else type(error).__name__}


def _problem(text):
    """Why the evaluation did not run: English, and in parts for the editor's language."""
    return {"problem": str(text), "problemText": text.wire()}


def _evaluate_loop(session, frames, args):
    path = os.path.abspath(args.get("path") or session.program)
    line = int(args.get("line") or 0)
    try:
        with open(path, encoding="utf-8") as source_file:
            source = source_file.read()
        tree = ast.parse(source, path)
    except (OSError, SyntaxError, ValueError) as error:
        raise EvaluationNotPossible("evaluate.cannotRead", file=os.path.basename(path), error=error) from None
    chain = _chain_to_loop(tree, line)
    if chain is None:
        raise EvaluationNotPossible("evaluate.noLoop", line=line, file=os.path.basename(path))
    if _trains(chain[-1]):
        raise EvaluationNotPossible("evaluate.loopTrains", line=line)
    function = next((node for node in reversed(chain) if isinstance(node, _FUNCTIONS)), None)
    if function is None:
        code_text, code, namespace = _statement(chain, source, None)
    elif _trains(function):
        # Calling it again would train: the loop runs alone, in the function's paused frame.
        code_text, code, namespace = _statement(chain, source, _paused_frame(function, path, frames))
    else:
        code_text, code, namespace = _call_of(tree, source, function, path, frames)
    return _run(session, frames, code_text, code, namespace)


def _chain_to_loop(tree, line):
    """The nodes from the module down to the loop that starts on `line` (innermost last), or None."""
    def walk(node, chain):
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.stmt):
                continue
            if isinstance(child, _LOOPS) and child.lineno == line:
                return chain + [child]
            end = getattr(child, "end_lineno", child.lineno)
            if child.lineno <= line <= end:
                found = walk(child, chain + [child])
                if found is not None:
                    return found
        return None

    return walk(tree, [tree])


def _call_of(tree, source, function, path, frames):
    """The script's own call of `function` that can run now: at module level, or in a function on the paused stack."""
    calls = []  # (the function the call is in, or None at module level; the call)

    def walk(node, owner):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id == function.name:
                calls.append((owner, child))
            walk(child, child if isinstance(child, _FUNCTIONS) else owner)

    walk(tree, None)
    if not calls:
        raise EvaluationNotPossible("evaluate.neverCalled", function=function.name)
    module_globals = _script_globals(frames, path)
    for owner, call in calls:
        if owner is None and module_globals is not None:
            return _compiled_call(source, call, module_globals, None)
    for owner, call in calls:
        for frame, _ in frames:
            if owner is not None and frame.f_code.co_name == owner.name and frame.f_code.co_filename == path:
                return _compiled_call(source, call, frame.f_globals, frame.f_locals)
    callers = ", ".join(sorted({f"{owner.name}()" for owner, _ in calls if owner is not None}))
    raise EvaluationNotPossible("evaluate.callerNotRunning", function=function.name, callers=callers)


def _compiled_call(source, call, globals_, locals_):
    text = ast.get_source_segment(source, call) or ""
    code = compile(ast.Expression(body=call), "<trainloop evaluate>", "eval")
    return " ".join(text.split()), code, (globals_, locals_)


def _trains(node):
    return any(isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr == "backward"
               for inner in ast.walk(node))


def _paused_frame(function, path, frames):
    for frame, _ in frames:
        if frame.f_code.co_name == function.name and frame.f_code.co_filename == path:
            return frame
    raise EvaluationNotPossible("evaluate.functionTrains", function=function.name)


def _statement(chain, source, frame):
    """The loop as statements of their own: the outermost `with` around it in its function (its `torch.no_grad()`),
    or the loop itself, with the harmless statements next to it in its block (the setup before it, `correct = 0`,
    `model.eval()`; the results after it, `correct /= size`, `print(...)`); run in `frame`'s namespace (its locals
    read, not written back), or the script's globals."""
    function_at = max((i for i, node in enumerate(chain) if isinstance(node, _FUNCTIONS)), default=0)
    at = next((i for i in range(function_at + 1, len(chain)) if isinstance(chain[i], (ast.With, ast.AsyncWith))),
              len(chain) - 1)
    block = _block_of(chain[at - 1], chain[at])
    index = block.index(chain[at])
    first = index
    while first > 0 and _harmless(block[first - 1]):
        first -= 1
    last = index
    while last + 1 < len(block) and _harmless(block[last + 1]):
        last += 1
    statements = block[first:last + 1]
    module = ast.Module(body=statements, type_ignores=[])
    end = getattr(statements[-1], "end_lineno", statements[-1].lineno)
    text = (ast.get_source_segment(source, chain[at]) or "").splitlines()[0].strip()
    if len(statements) > 1:
        text = f"lines {statements[0].lineno}-{end}"
    namespace = None if frame is None else (frame.f_globals, dict(frame.f_locals))
    return text, compile(module, "<trainloop evaluate>", "exec"), namespace


def _block_of(parent, statement):
    """The statement list of `parent` that holds `statement`."""
    for _, value in ast.iter_fields(parent):
        if isinstance(value, list) and any(item is statement for item in value):
            return value
    return [statement]


_HARMLESS_CALLS = {"len", "float", "int", "round", "max", "min", "sum", "abs", "str", "print"}
_HARMLESS_METHODS = {"item", "eval", "format"}


def _harmless(statement):
    """Setup or reporting next to an evaluation loop: assignments and prints whose only calls are builtins like
    len() or `.item()`, and `model.eval()`; never a step(), a save or anything else that changes the run."""
    if not isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)):
        return False
    if isinstance(statement, ast.Expr) and not isinstance(statement.value, ast.Call):
        return False
    for node in ast.walk(statement):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            method = node.func.attr if isinstance(node.func, ast.Attribute) else None
            if name not in _HARMLESS_CALLS and method not in _HARMLESS_METHODS:
                return False
    return True


def _script_globals(frames, path):
    for frame, _ in reversed(frames):
        if frame.f_code.co_name == "<module>" and frame.f_code.co_filename == path:
            return frame.f_globals
    main = sys.modules.get("__main__")
    return getattr(main, "__dict__", None) if main is not None and getattr(main, "__file__", None) == path else None


def _run(session, frames, text, code, namespace):
    if namespace is None:
        globals_ = _script_globals(frames, session.program)
        if globals_ is None:
            raise EvaluationNotPossible("evaluate.noGlobals")
        namespace = (globals_, None)
    globals_, locals_ = namespace
    modes = _module_modes(frames)
    tracker = session.training.tracker
    batch_open = tracker.open if tracker is not None else False
    completed = tracker.completed if tracker is not None else 0
    random_state = _random_state()
    evaluation = session.training._evaluation  # the watch's measurer of evaluation passes (eval_metrics.py)
    already = len(evaluation.finished)
    started = time.monotonic()
    try:
        if tracker is not None:
            tracker.open = False  # the pass's end must not close the paused training batch
        with torch.no_grad():
            eval(code, globals_, globals_ if locals_ is None else locals_)
    finally:
        seconds = time.monotonic() - started
        if tracker is not None:
            tracker.open = batch_open
        for module, training in modes:
            module.training = training
        _restore_random_state(random_state)
    evaluations = list(evaluation.finished[already:])
    session.training.flush()  # the pass's point goes to the panel now
    return {"code": text, "seconds": round(seconds, 3), "evaluations": evaluations,
            "trainedBatches": (tracker.completed if tracker is not None else 0) - completed}


def _module_modes(frames):
    """(module, training) for every module of the models the paused frames reach: test() calls model.eval()."""
    modes, seen = [], set()
    for frame, _ in frames:
        for _, model in reachable_modules(frame):
            for module in model.modules():
                if id(module) not in seen and is_module(module):
                    seen.add(id(module))
                    modes.append((module, module.training))
    return modes


def _random_state():
    try:
        return torch.get_rng_state()
    except Exception:  # the embedded torch has no generator state to read
        return None


def _restore_random_state(state):
    if state is not None:
        try:
            torch.set_rng_state(state)
        except Exception:
            pass
