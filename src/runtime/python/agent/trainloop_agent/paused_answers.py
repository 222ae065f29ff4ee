"""The debug session's answers to the host's requests: stepping commands, and while paused, the stack, scopes,
variables, evaluation, assignments, exception details and Debug Console completions.

`PausedAnswers` is a part of DebugSession (debugger.py): the session's command loops (configuring, reading its mail
while running, stopped) hand each command to `_answer`. It uses the session's `inspector`, `training`, `tracer`,
`exception`, `stop_frames`, `_reply`, `_resume` and the breakpoint part's `_set_breakpoints` and `_set_filters`.
"""
import traceback

from .agent_text import AgentError, AgentText
from .inspector import check_side_effect_free, clipboard_text, reachable_modules
from .stops import BATCH, RUN, STEP_IN, STEP_OUT, STEP_OVER, TrainingProblem, exception_line

__all__ = ["PausedAnswers"]


class PausedAnswers:
    """The answering part of DebugSession (see the module's docstring for what it uses of the session)."""

    def _answer(self, command, frames, paused):
        """Answers one command; returns True when the program should run again."""
        name, args = command["command"], command.get("args") or {}
        try:
            if name == "setBreakpoints":
                self._reply(command, self._set_breakpoints(args))
            elif name == "setExceptionFilters":
                self._reply(command, self._set_filters(args))
            elif name == "pause":
                self._reply(command)
            elif not paused:
                self._reply(command, error=AgentText("reply.running"))
            elif name in ("continue", "next", "stepIn", "stepOut", "stepBatch"):
                if self.exception is not None and self.exception[1] == "unhandled" and name != "continue":
                    mode = RUN  # nothing left to step through: the exception ends the script
                else:
                    mode = {"continue": RUN, "next": STEP_OVER, "stepIn": STEP_IN, "stepOut": STEP_OUT,
                            "stepBatch": BATCH}[name]
                self._resume(mode, frames, max(1, int(args.get("count") or 1)))
                self._reply(command)
                return True
            elif name == "stackTrace":
                self._reply(command, {"frames": [
                    {"id": index + 1, "name": frame.f_code.co_qualname, "path": frame.f_code.co_filename,
                     "line": line} for index, (frame, line) in enumerate(frames)]})
            elif name == "scopes":
                self._reply(command, {"scopes": self._scopes(self._frame(frames, args))})
            elif name == "variables":
                self._reply(command, {"variables": self.inspector.children(
                    int(args["ref"]), args.get("filter"), args.get("start"), args.get("count"))})
            elif name == "evaluate":
                self._reply(command, self._evaluate(args, frames))
            elif name == "evaluateLoop":
                from .evaluation_run import evaluate_loop

                self._reply(command, evaluate_loop(self, frames, args))
            elif name == "exceptionInfo":
                self._reply(command, self._exception_info())
            elif name == "setExpression":
                self._reply(command, self._set_expression(args, frames))
            elif name == "completions":
                self._reply(command, {"targets": _completions(self._frame(frames, args), args.get("text", ""),
                                                              int(args.get("column") or 0))})
            else:
                self._reply(command, error=AgentText("reply.unknownCommand", name=name))
        except AgentError as error:
            self._reply(command, error=error.answer())
        except Exception as error:
            self._reply(command, error=exception_line(error))
        return False

    @staticmethod
    def _frame(frames, args):
        index = int(args.get("frameId") or 1) - 1
        if not 0 <= index < len(frames):
            raise AgentError(AgentText("reply.frameGone"))
        return frames[index][0]

    def _scopes(self, frame):
        inspector = self.inspector
        scopes = []
        hidden = ("__builtins__", "__loader__", "__spec__", "__package__", "__cached__")
        module_level = frame.f_code.co_name == "<module>"
        scopes.append({"name": "Locals", "hint": "locals", "ref": inspector._ref(
            lambda f, s, c: inspector.mapping_children(frame.f_globals if module_level else frame.f_locals, hidden))})
        if not module_level:
            scopes.append({"name": "Globals", "hint": "globals", "ref": inspector._ref(
                lambda f, s, c: inspector.mapping_children(frame.f_globals, hidden))})
        models = reachable_modules(frame)
        if models:
            scopes.append({"name": "Model", "hint": "model", "ref": inspector._ref(
                lambda f, s, c: [dict(inspector.variable(name, model, name),
                                      ref=inspector._ref(lambda f2, s2, c2, m=model, n=name:
                                                         inspector.model_parameters(m, n)))
                                 for name, model in models])})
        scopes.append({"name": "Training", "hint": "training", "ref": inspector._ref(
            lambda f, s, c: self.training.scope(inspector, frame))})
        problem = self.exception[0] if self.exception is not None else None
        if isinstance(problem, TrainingProblem) and problem.inputs and frame is self.stop_frames[0][0]:
            scopes.insert(0, {"name": "Non-finite value", "hint": "nonfinite", "ref": inspector._ref(
                lambda f, s, c: inspector.mapping_children(problem.inputs))})
        return scopes

    def _evaluate(self, args, frames):
        expression = args.get("expression", "")
        context = args.get("context") or "repl"
        if not frames:
            raise AgentError(AgentText("reply.runningEvaluate"))
        frame = self._frame(frames, args)
        if context == "hover":
            check_side_effect_free(expression)
        try:
            code = compile(expression, "<debug console>", "eval")
        except SyntaxError:
            if context != "repl":
                raise
            code = compile(expression, "<debug console>", "exec")
            exec(code, frame.f_globals, frame.f_locals)
            return {"value": "", "type": "", "ref": 0}
        value = eval(code, frame.f_globals, frame.f_locals)
        if context == "clipboard":
            return {"value": clipboard_text(value), "type": type(value).__name__, "ref": 0}
        return self.inspector.variable("", value, expression)

    def _set_expression(self, args, frames):
        """Assigns a value (a Python expression) to a variable's expression (`lr`, `model.fc.weight[0, 0]`)."""
        import ast

        target, value = args.get("expression", ""), args.get("value", "")
        ast.parse(value, mode="eval")
        tree = ast.parse(target, mode="eval").body
        if not isinstance(tree, (ast.Name, ast.Attribute, ast.Subscript)):
            raise AgentError(AgentText("reply.notAssignable", target=target))
        frame = self._frame(frames, args)
        exec(compile(f"{target} = ({value})", "<debug console>", "exec"), frame.f_globals, frame.f_locals)
        self.inspector.forget_statistics()  # a tensor may have changed in place
        return self.inspector.variable("", eval(compile(target, "<debug console>", "eval"), frame.f_globals,
                                                 frame.f_locals), target)

    def _exception_info(self):
        if self.exception is None:
            raise AgentError(AgentText("reply.noException"))
        exception, mode = self.exception
        if isinstance(exception, TrainingProblem):
            record = exception.record or {}
            where = f"{record.get('path')}:{record.get('line')}" if record.get("path") else ""
            info = {"id": exception.kind, "description": exception.message, "breakMode": mode,
                    "details": {"typeName": exception.kind, "message": exception.message, "stackTrace": where,
                                "code": record.get("code"), "line": record.get("line"), "path": record.get("path")}}
            if exception.structured:
                info["message"] = exception.structured
            return info
        stack = _user_traceback_text(exception, self.tracer)
        return {"id": type(exception).__qualname__, "description": exception_line(exception), "breakMode": mode,
                "details": {"typeName": type(exception).__qualname__, "message": str(exception),
                            "stackTrace": stack}}


def _completions(frame, text, column):
    """Debug Console completions: names of the frame and builtins, attributes after a dot (no calls made)."""
    import re
    import rlcompleter

    before = text[: column - 1] if column > 0 else text
    match = re.search(r"[A-Za-z_][\w.]*$|$", before)
    token = match.group(0)
    namespace = dict(frame.f_globals)
    namespace.update(frame.f_locals)
    completer = rlcompleter.Completer(namespace)
    targets, seen = [], set()
    for state in range(200):
        try:
            found = completer.complete(token, state)
        except Exception:
            break
        if found is None:
            break
        label = found.rstrip("(")
        if label in seen:
            continue
        seen.add(label)
        # The client replaces the word being typed (after the last dot) with `label`.
        targets.append({"label": label.rsplit(".", 1)[-1], "type": "function" if found.endswith("(") else "variable"})
    return targets


def _user_traceback_text(exception, tracer):
    """The traceback as Python prints it, with the user's frames only."""
    entries = [entry for entry in traceback.extract_tb(exception.__traceback__)
               if tracer.is_user_file(entry.filename)]
    return ("Traceback (most recent call last):\n" + "".join(traceback.format_list(entries))
            + "".join(traceback.format_exception_only(type(exception), exception)))
