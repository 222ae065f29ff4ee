"""The debug session's breakpoints: where they can be set, their conditions, hit counts and logpoints.

`SessionBreakpoints` is a part of DebugSession (debugger.py): it answers `setBreakpoints` and `setExceptionFilters`,
and the session asks it on each breakpoint's line whether the breakpoint fires. It uses the session's `breakpoints`
({path: {line: Breakpoint}}), `breakpoint_lines` (read by the tracer on every line event), `filters`, `busy`, `tracer`,
`inspector`, `send` and `restart_events`.
"""
import os

from .agent_text import AgentText
from .stops import exception_line

__all__ = ["Breakpoint", "SessionBreakpoints"]


class Breakpoint:
    __slots__ = ("id", "line", "condition", "hit_condition", "log_message", "hits")

    def __init__(self, id_, line, condition=None, hit_condition=None, log_message=None):
        self.id = id_
        self.line = line
        self.condition = condition or None
        self.hit_condition = hit_condition or None
        self.log_message = log_message or None
        self.hits = 0


class SessionBreakpoints:
    """The breakpoint part of DebugSession (see the module's docstring for what it uses of the session)."""

    def _breakpoint_fires(self, breakpoint_, frame):
        if breakpoint_.condition:
            try:
                if not self._evaluate_quietly(breakpoint_.condition, frame):
                    return False
            except Exception as error:
                failed = AgentText("breakpoint.conditionFailed", condition=breakpoint_.condition,
                                   line=breakpoint_.line, error=exception_line(error))
                self.send("output", category="stderr", text=f"{failed}\n", message=failed.wire(),
                          path=frame.f_code.co_filename, line=breakpoint_.line)
                return True
        breakpoint_.hits += 1
        if breakpoint_.hit_condition and not _hit_condition_met(breakpoint_.hit_condition, breakpoint_.hits):
            return False
        if breakpoint_.log_message:
            self.send("output", category="console", text=self._interpolate(breakpoint_.log_message, frame) + "\n",
                      path=frame.f_code.co_filename, line=breakpoint_.line)
            return False
        return True

    def _evaluate_quietly(self, expression, frame):
        self.busy = True
        try:
            return eval(compile(expression, "<breakpoint condition>", "eval"), frame.f_globals, frame.f_locals)
        finally:
            self.busy = False

    def _interpolate(self, message, frame):
        out, i = [], 0
        while i < len(message):
            open_ = message.find("{", i)
            if open_ < 0:
                out.append(message[i:])
                break
            close = message.find("}", open_)
            if close < 0:
                out.append(message[i:])
                break
            out.append(message[i:open_])
            expression = message[open_ + 1:close]
            try:
                value = self._evaluate_quietly(expression, frame)
                out.append(self.inspector.summary(value) if _is_tensor(value) else str(value))
            except Exception as error:
                out.append(f"<{exception_line(error)}>")
            i = close + 1
        self.inspector.clear()
        return "".join(out)

    def _set_breakpoints(self, args):
        path = os.path.abspath(args["path"])
        lines, problem = self._lines_with_code(path)
        previous = self.breakpoints.get(path, {})
        table, answers = {}, []
        for spec in args.get("breakpoints", []):
            line = int(spec["line"])
            answer = {"line": line, "verified": False}
            if problem:
                _explain(answer, problem)
            elif line not in lines:
                count = self._line_count(path)
                _explain(answer, AgentText("breakpoint.noCode", line=line) if line <= count
                         else AgentText("breakpoint.pastEnd", line=line, file=os.path.basename(path), count=count))
            else:
                old = previous.get(line)
                breakpoint_ = Breakpoint(old.id if old else self.next_breakpoint_id, line, spec.get("condition"),
                                         spec.get("hitCondition"), spec.get("logMessage"))
                if old is None:
                    self.next_breakpoint_id += 1
                elif old.hit_condition == breakpoint_.hit_condition:
                    breakpoint_.hits = old.hits
                if breakpoint_.condition:
                    try:
                        compile(breakpoint_.condition, "<breakpoint condition>", "eval")
                    except SyntaxError as error:
                        _explain(answer, AgentText("breakpoint.badCondition", error=error.msg))
                        answers.append(answer)
                        continue
                if breakpoint_.hit_condition and _hit_condition_met(breakpoint_.hit_condition, 0) is None:
                    _explain(answer, AgentText("breakpoint.badHitCount", hit=breakpoint_.hit_condition))
                    answers.append(answer)
                    continue
                table[line] = breakpoint_
                answer.update(verified=True, id=breakpoint_.id)
            answers.append(answer)
        if table:
            self.breakpoints[path] = table
            self.breakpoint_lines[path] = frozenset(table)
        else:
            self.breakpoints.pop(path, None)
            self.breakpoint_lines.pop(path, None)
        self.restart_events()
        return {"breakpoints": answers}

    def _lines_with_code(self, path):
        """The lines a breakpoint can stop on: the line numbers of the file's compiled code."""
        try:
            stamp = os.stat(path).st_mtime_ns
        except OSError:
            return set(), AgentText("breakpoint.missingFile", path=path)
        cached = self._code_lines.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1], cached[2]
        lines, problem = set(), None
        if not self.tracer.is_user_file(path):
            problem = AgentText("breakpoint.notUserFile")
        else:
            try:
                with open(path, "rb") as source:
                    code = compile(source.read(), path, "exec")
                pending = [code]
                while pending:
                    current = pending.pop()
                    for _, _, line in current.co_lines():
                        if line is not None:
                            lines.add(line)
                    pending.extend(c for c in current.co_consts if hasattr(c, "co_lines"))
                lines.discard(0)
            except SyntaxError as error:
                problem = AgentText("breakpoint.syntaxError", file=os.path.basename(path), line=error.lineno,
                                    error=error.msg)
            except OSError as error:
                problem = AgentText("breakpoint.unreadable", path=path, error=error.strerror)
        self._code_lines[path] = (stamp, lines, problem)
        return lines, problem

    @staticmethod
    def _line_count(path):
        try:
            with open(path, "rb") as source:
                return source.read().count(b"\n") + 1
        except OSError:
            return 0

    def _set_filters(self, args):
        self.filters = set(args.get("filters", []))
        self.tracer.watch_raises("raised" in self.filters)
        return {}


def _explain(answer, text):
    """Why a breakpoint is not set: `message` in English, `text` in parts for the editor's language."""
    answer["message"] = str(text)
    answer["text"] = text.wire()


def _is_tensor(value):
    import torch

    return isinstance(value, torch.Tensor)


def _hit_condition_met(condition, hits):
    """`5` / `== 5`: the 5th hit; `>= 5`, `> 5`, `< 5`, `<= 5`; `% 5`: every 5th. None when not understood."""
    text = condition.strip()
    for op in (">=", "<=", "==", ">", "<", "%", "="):
        if text.startswith(op):
            text = text[len(op):].strip()
            break
    else:
        op = "=="
    try:
        number = int(text)
    except ValueError:
        return None
    if op in ("==", "="):
        return hits == number
    if op == ">=":
        return hits >= number
    if op == "<=":
        return hits <= number
    if op == ">":
        return hits > number
    if op == "<":
        return hits < number
    return number > 0 and hits % number == 0
