"""Breakpoints compiled into the user's code objects (line_hooks.py), for the settrace tracer on Python 3.10/3.11:
a script with breakpoints runs without any trace function until it stops.

Each user file the runner runs, or the import system loads (SourceFileLoader.get_code), is registered as it is
compiled: its tree of code objects (module, classes, functions, comprehensions). A code object that holds a
breakpoint line gets a hook on each of its own lines (the hook asks whether its line is a breakpoint now, so a
running frame of it sees later breakpoints too). The functions already made from it get the hooked code
(`__code__`, found through the garbage collector's referrers), and the code objects around it get it in their
constants, for the functions they make later. When its last breakpoint goes, it gets its plain code back.

What this can't reach, the tracer traces: a frame already running code without the hooks it now needs (code of a
running frame can't change), code of a file compiled some other way (exec, runpy), code line_hooks refuses.
"""
import gc
import importlib.machinery
import types

from .line_hooks import constants_loaded_after, own_lines, with_line_hooks

__all__ = ["BreakpointHooks"]


class _Node:
    """One code object of a registered file, with the versions of it handed out so far."""

    __slots__ = ("original", "own_lines", "children", "current", "hooked", "versions", "refused")

    def __init__(self, original):
        self.original = original
        self.own_lines = own_lines(original)
        self.children = []  # (index in co_consts, _Node)
        self.current = original
        self.hooked = False
        self.versions = [original]  # kept alive: versions are told apart by id()
        self.refused = False


class BreakpointHooks:
    def __init__(self, hook_for_line, is_user_file):
        """`hook_for_line(line)` gives the callable a hook on that line calls (the same object for the same line)."""
        self._hook_for_line = hook_for_line
        self._is_user_file = is_user_file
        self._roots = {}  # filename -> [root _Node] (one per compilation of the file)
        self._node_of = {}  # id(version) -> _Node
        self._hooked_versions = set()  # ids of versions that carry hooks
        self._applied = {}  # the breakpoint lines the versions were made for
        self._original_get_code = None

    # ---- registering the user's code -----------------------------------------------------------------------------
    def register(self, code, breakpoint_lines):
        """Registers a freshly compiled user file; returns the code to run (with hooks where breakpoints are)."""
        if not isinstance(code, types.CodeType) or not self._is_user_file(code.co_filename):
            return code
        root = self._tree(code)
        self._roots.setdefault(code.co_filename, []).append(root)
        wanted = breakpoint_lines.get(code.co_filename)
        if wanted:
            self._rebuild(root, wanted, [])  # no function is made from this code yet
        return root.current

    def _tree(self, code):
        node = _Node(code)
        self._node_of[id(code)] = node
        for index, constant in enumerate(code.co_consts):
            if isinstance(constant, types.CodeType):
                node.children.append((index, self._tree(constant)))
        return node

    def watch_imports(self, breakpoint_lines_of, registered):
        """Registers every user module the import system loads from source or its cache, from now on, and calls
        `registered(code)` after each."""
        if self._original_get_code is not None:
            return
        loader = importlib.machinery.SourceFileLoader
        original = self._original_get_code = loader.get_code
        hooks = self

        def get_code(self, fullname):
            code = original(self, fullname)
            try:
                code = hooks.register(code, breakpoint_lines_of())
                registered(code)
            except Exception:  # never break an import over a breakpoint
                pass
            return code

        get_code.__wrapped__ = original
        loader.get_code = get_code

    def stop_watching_imports(self):
        loader = importlib.machinery.SourceFileLoader
        if self._original_get_code is not None:
            if getattr(loader.get_code, "__wrapped__", None) is self._original_get_code:  # not if wrapped again since
                loader.get_code = self._original_get_code
            self._original_get_code = None

    # ---- what the tracer asks --------------------------------------------------------------------------------------
    def carries_hooks(self, code):
        return id(code) in self._hooked_versions

    def refuses(self, filename):
        """True when a code object of `filename` with a breakpoint could not get hooks (it must be traced). A file
        not compiled yet is taken to come through the runner or an import, which register it."""
        return any(node.refused for root in self._roots.get(filename, ()) for node in _walk(root))

    def update(self, breakpoint_lines):
        """Brings hooks in line with `breakpoint_lines`; returns the versions replaced, [(old code, new code)]."""
        if breakpoint_lines == self._applied:
            return []
        replaced = []
        for filename in set(breakpoint_lines) | set(self._applied):
            if breakpoint_lines.get(filename) == self._applied.get(filename):
                continue
            for root in self._roots.get(filename, ()):
                self._rebuild(root, breakpoint_lines.get(filename) or frozenset(), replaced)
        self._applied = dict(breakpoint_lines)
        if replaced:
            _swap_function_code(replaced)
        return replaced

    def stale_constants(self, code, offset):
        """True when a frame of `code` at `offset` may still make a function from a version that is no longer
        current (a closure defined inside a running loop): the code of those functions must be traced."""
        stale = {index for index, constant in enumerate(code.co_consts)
                 if isinstance(constant, types.CodeType) and self._is_stale(constant)}
        return bool(stale) and not stale.isdisjoint(constants_loaded_after(code, offset))

    def _is_stale(self, code):
        node = self._node_of.get(id(code))
        return node is not None and code is not node.current

    # ---- versions ------------------------------------------------------------------------------------------------
    def _rebuild(self, node, wanted_lines, replaced):
        """Makes `node`'s subtree match `wanted_lines`, children first, adding (old, new) to `replaced`."""
        for _, child in node.children:
            self._rebuild(child, wanted_lines, replaced)
        wants_hooks = not node.own_lines.isdisjoint(wanted_lines)
        if not wants_hooks:
            node.refused = False
        # Hooked versions only add constants at the end: a child keeps its index in every version.
        children_current = all(node.current.co_consts[index] is child.current for index, child in node.children)
        if children_current and (wants_hooks == node.hooked or (wants_hooks and node.refused)):
            return
        version = node.original
        if any(child.current is not child.original for _, child in node.children):
            constants = list(version.co_consts)
            for index, child in node.children:
                constants[index] = child.current
            version = version.replace(co_consts=tuple(constants))
        node.hooked = node.refused = False
        if wants_hooks:
            hooked = with_line_hooks(version, {line: self._hook_for_line(line) for line in node.own_lines})
            if hooked is None:
                node.refused = True
            else:
                version, node.hooked = hooked, True
                self._hooked_versions.add(id(version))
        if version is not node.current:
            replaced.append((node.current, version))
            node.current = version
            node.versions.append(version)
            self._node_of[id(version)] = node


def _walk(node):
    yield node
    for _, child in node.children:
        yield from _walk(child)


def _swap_function_code(replaced):
    """Functions made from an old version run the new one from their next call. (Code objects compare by value:
    versions are told apart by identity.)"""
    new_by_old = {id(old): new for old, new in replaced}
    for referrer in gc.get_referrers(*(old for old, _ in replaced)):
        if type(referrer) is types.FunctionType:
            new = new_by_old.get(id(referrer.__code__))
            if new is not None:
                referrer.__code__ = new
