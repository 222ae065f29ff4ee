"""Breakpoint hooks compiled into code objects, for CPython 3.10 and 3.11 (no sys.monitoring there).

A trace function puts CPython 3.10/3.11 on its slow path for every instruction of the thread, library code included
(about 3x on pure-Python code). A hook costs nothing until its line runs: `with_line_hooks(code, hooks)` returns a copy
of `code` that calls `hooks[line]()` (a callable without arguments) whenever the interpreter enters one of those lines
as a 'line' trace event would: falling into it from another line, jumping to it from another line, or jumping back to
it. Each hook is `hook()` followed by POP_TOP, stack-neutral, inside the same exception handlers as the line it calls
for, with the line's own location (a traceback through it points at that line).

Only the code object's own lines get hooks: nested functions, classes and comprehensions are code objects of their
own. Anything this rewriter does not know for sure (another Python version, an instruction pair that must stay
adjacent) gives None, and the caller traces that code with sys.settrace instead.
"""
import dis
import opcode
import sys

__all__ = ["SUPPORTED", "constants_loaded_after", "own_lines", "with_line_hooks"]

VERSION = sys.version_info[:2]
SUPPORTED = VERSION in ((3, 10), (3, 11))

_OP = dis.opmap
_EXTENDED_ARG = dis.EXTENDED_ARG
_CACHES = list(getattr(opcode, "_inline_cache_entries", ())) or [0] * 256
_RELATIVE = frozenset(dis.hasjrel)
_ABSOLUTE = frozenset(dis.hasjabs)
_BACKWARD = frozenset(op for op in _RELATIVE if "BACKWARD" in dis.opname[op])
# 3.11: PRECALL's specialized forms run the call and skip the CALL right after it, and KW_NAMES hands its names to the
# next PRECALL/CALL: a hook (a call itself) must never come between them.
_KEEP_NEXT = frozenset(_OP[name] for name in ("KW_NAMES", "PRECALL") if name in _OP)
# Instructions after which the next one is not run (nothing falls into it from them).
_NO_FALL_THROUGH = frozenset(_OP[name] for name in (
    "RETURN_VALUE", "RAISE_VARARGS", "RERAISE", "JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT",
    "JUMP_ABSOLUTE") if name in _OP)
# 3.11: `yield from` and `await` loop back to SEND on their own line, which is no new line event.
_SEND = _OP.get("SEND", -1)
# 3.10: these "jump" to their block's handler, which an exception enters from any line of the block.
_SETUP_HANDLER = frozenset(_OP[name] for name in ("SETUP_FINALLY", "SETUP_WITH", "SETUP_ASYNC_WITH") if name in _OP)
# A function's prologue (3.11: COPY_FREE_VARS, MAKE_CELL, RETURN_GENERATOR, POP_TOP, up to RESUME; 3.10: GEN_START)
# carries the `def` line and sends no line event: no hook there.
_PROLOGUE_END = frozenset(_OP[name] for name in ("RESUME", "GEN_START") if name in _OP)


class Unsupported(Exception):
    """The code can't be rewritten safely: the caller traces it instead."""


class _Instruction:
    __slots__ = ("op", "arg", "caches", "start", "op_offset", "line", "position", "target", "hook", "same_line_jump",
                 "ext", "offset")

    def __init__(self, op, arg, caches, start, op_offset):
        self.op, self.arg, self.caches, self.start, self.op_offset = op, arg, caches, start, op_offset
        self.line = self.position = self.target = self.hook = None
        self.same_line_jump = False
        self.ext = _extended_args(arg)
        self.offset = 0

    @property
    def is_jump(self):
        return self.op in _RELATIVE or self.op in _ABSOLUTE


def own_lines(code):
    """The lines of `code`'s own instructions (not those of the code objects nested in it)."""
    return frozenset(line for _, _, line in code.co_lines() if line is not None)


def with_line_hooks(code, hooks):
    """A copy of `code` calling `hooks[line]()` as each of those lines is entered, or None (see the module's text)."""
    if not SUPPORTED:
        return None
    try:
        return _rewrite(code, hooks)
    except Unsupported:
        return None


def _rewrite(code, hooks):
    instructions, by_offset = _parse(code)
    _read_locations(code, instructions, by_offset)
    for instruction in instructions:
        if instruction.is_jump:
            instruction.target = by_offset.get(_jump_target(instruction))
            if instruction.target is None:
                raise Unsupported("a jump into the middle of an instruction")
    handlers = _parse_exception_table(code, by_offset)

    first_hookable = 0
    for index, instruction in enumerate(instructions):
        if instruction.op in _PROLOGUE_END:
            first_hookable = index + 1
            break
    incoming, handler_targets = {}, {id(handler) for _, _, handler, _ in handlers}
    for instruction in instructions:
        if instruction.op in _SETUP_HANDLER:
            handler_targets.add(id(instruction.target))  # 3.10: entered by an exception from anywhere in the block
        elif instruction.target is not None:
            incoming.setdefault(id(instruction.target), []).append(instruction)

    hooked_constants, constant_index, stream = [], {}, []
    for index, instruction in enumerate(instructions):
        hook = hooks.get(instruction.line) if index >= first_hookable else None
        if hook is not None:
            # The line events this instruction would see: from the instruction before it (falling in), from jumps
            # (from another line, or back), from an exception handled here.
            before = instructions[index - 1] if index > first_hookable else None
            falls_in = before is None or (before.op not in _NO_FALL_THROUGH and before.line != instruction.line)
            jumps_in = [jump for jump in incoming.get(id(instruction), ())
                        if jump.line != instruction.line or (jump.start >= instruction.start
                                                             and instruction.op != _SEND)]
            handled_here = id(instruction) in handler_targets
            if not (falls_in or jumps_in or handled_here):
                hook = None
        if hook is not None:
            if index > 0 and instructions[index - 1].op in _KEEP_NEXT:
                raise Unsupported("a line starts between two instructions that must stay together")
            if id(hook) not in constant_index:
                constant_index[id(hook)] = len(code.co_consts) + len(hooked_constants)
                hooked_constants.append(hook)
            instruction.hook = _hook_instructions(constant_index[id(hook)], instruction)
            for jump in incoming.get(id(instruction), ()):
                if jump not in jumps_in:
                    jump.same_line_jump = True  # lands past the hook, as it sends no line event
            if before is not None and before.op not in _NO_FALL_THROUGH and not falls_in:
                stream.append(_skip_over_hook(before, instruction))
            stream.extend(instruction.hook)
        stream.append(instruction)
    if not hooked_constants:
        return code
    _place(stream)

    code_bytes = _encode_code(stream)
    replace = {"co_code": code_bytes, "co_consts": code.co_consts + tuple(hooked_constants),
               "co_stacksize": code.co_stacksize + 2, "co_linetable": _encode_lines(code, stream)}
    if VERSION >= (3, 11):
        replace["co_exceptiontable"] = _encode_exception_table(handlers, code_bytes)
    rewritten = code.replace(**replace)
    _check(code, rewritten, instructions, handlers)
    return rewritten


# ---- reading -------------------------------------------------------------------------------------------------------
def _parse(code):
    raw = code.co_code
    instructions, by_offset = [], {}
    extended, start, offset = 0, None, 0
    while offset < len(raw):
        op, arg = raw[offset], raw[offset + 1]
        if start is None:
            start = offset
        if op == _EXTENDED_ARG:
            extended = (extended | arg) << 8
            offset += 2
            continue
        instruction = _Instruction(op, extended | arg, _CACHES[op], start, offset)
        instructions.append(instruction)
        by_offset[start] = by_offset[offset] = instruction
        extended, start = 0, None
        offset += 2 + 2 * instruction.caches
    if start is not None:
        raise Unsupported("the code ends in EXTENDED_ARG")
    return instructions, by_offset


def _jump_target(instruction):
    end = instruction.op_offset + 2 + 2 * instruction.caches
    if instruction.op in _ABSOLUTE:
        return instruction.arg * 2
    if instruction.op in _BACKWARD:
        return end - instruction.arg * 2
    return end + instruction.arg * 2


def _read_locations(code, instructions, by_offset):
    if VERSION >= (3, 11):
        positions = list(code.co_positions())
        for instruction in instructions:
            instruction.position = positions[instruction.op_offset // 2]
            instruction.line = instruction.position[0]
        return
    for start, end, line in code.co_lines():
        for offset in range(start, end, 2):
            instruction = by_offset.get(offset)
            if instruction is not None and instruction.start == offset:
                instruction.line = line


def _parse_exception_table(code, by_offset):
    if VERSION < (3, 11):
        return []
    table, handlers, position = code.co_exceptiontable, [], 0

    def varint():
        nonlocal position
        byte = table[position]
        position += 1
        value = byte & 63
        while byte & 64:
            byte = table[position]
            position += 1
            value = (value << 6) | (byte & 63)
        return value

    while position < len(table):
        start = varint() * 2
        end = start + varint() * 2
        target = varint() * 2
        depth_lasti = varint()
        first, handler = by_offset.get(start), by_offset.get(target)
        last = by_offset.get(end) if end < len(code.co_code) else None
        if first is None or handler is None or (last is None and end < len(code.co_code)):
            raise Unsupported("an exception table entry off instruction boundaries")
        handlers.append((first, last, handler, depth_lasti))
    return handlers


# ---- writing -------------------------------------------------------------------------------------------------------
def _hook_instructions(constant, before):
    """`hook()` then POP_TOP, with the location of the instruction it comes before."""
    if VERSION >= (3, 11):
        ops = [("PUSH_NULL", 0), ("LOAD_CONST", constant), ("PRECALL", 0), ("CALL", 0), ("POP_TOP", 0)]
    else:
        ops = [("LOAD_CONST", constant), ("CALL_FUNCTION", 0), ("POP_TOP", 0)]
    hook = []
    for name, arg in ops:
        op = _OP[name]
        instruction = _Instruction(op, arg, _CACHES[op], -1, -1)
        instruction.line, instruction.position = before.line, before.position
        hook.append(instruction)
    return hook


def _skip_over_hook(before, instruction):
    """A jump over the hook for the instruction before it, which falls into the same line: no line event there."""
    op = _OP["JUMP_FORWARD"]
    skip = _Instruction(op, 0, _CACHES[op], -1, -1)
    skip.line, skip.position = before.line, before.position
    skip.target, skip.same_line_jump = instruction, True
    return skip


def _entry(instruction):
    """Where control enters an instruction: its hook if it has one."""
    return instruction.hook[0] if instruction.hook is not None else instruction


def _place(stream):
    """Offsets and EXTENDED_ARG counts, grown until every jump's argument fits."""
    while True:
        offset = 0
        for instruction in stream:
            instruction.offset = offset
            offset += 2 * (instruction.ext + 1 + instruction.caches)
        grown = False
        for instruction in stream:
            if instruction.target is None:
                continue
            instruction.arg = _jump_argument(instruction)
            needed = _extended_args(instruction.arg)
            if needed > instruction.ext:
                instruction.ext = needed
                grown = True
        if not grown:
            return


def _jump_argument(instruction):
    target = instruction.target if instruction.same_line_jump else _entry(instruction.target)
    end = instruction.offset + 2 * (instruction.ext + 1 + instruction.caches)
    if instruction.op in _ABSOLUTE:
        value = target.offset // 2
    elif instruction.op in _BACKWARD:
        value = (end - target.offset) // 2
    else:
        value = (target.offset - end) // 2
    if value < 0:
        raise Unsupported("a jump changed direction")
    return value


def _extended_args(arg):
    return 0 if arg < 1 << 8 else 1 if arg < 1 << 16 else 2 if arg < 1 << 24 else 3


def _encode_code(stream):
    out = bytearray()
    for instruction in stream:
        for shift in range(instruction.ext, 0, -1):
            out += bytes((_EXTENDED_ARG, (instruction.arg >> (8 * shift)) & 0xFF))
        out += bytes((instruction.op, instruction.arg & 0xFF))
        out += b"\0\0" * instruction.caches
    return bytes(out)


def _encode_lines(code, stream):
    if VERSION >= (3, 11):
        return _encode_locations_311(code, stream)
    return _encode_lines_310(code, stream)


def _encode_lines_310(code, stream):
    """3.10's co_linetable: (bytes, line delta) pairs; -128 is "no line", which leaves the running line as it is."""
    runs = []  # [length in bytes, line]
    for instruction in stream:
        size = 2 * (instruction.ext + 1)
        if runs and runs[-1][1] == instruction.line:
            runs[-1][0] += size
        else:
            runs.append([size, instruction.line])
    out, current = bytearray(), code.co_firstlineno
    for length, line in runs:
        if line is None:
            delta = -128
        else:
            delta, current = line - current, line
            while delta > 127:
                out += bytes((0, 127))
                delta -= 127
            while delta < -127:
                out += bytes((0, (-127) & 0xFF))
                delta += 127
        while length > 254:
            out += bytes((254, delta & 0xFF))
            length -= 254
            delta = -128 if line is None else 0
        out += bytes((length, delta & 0xFF))
    return bytes(out)


def _encode_locations_311(code, stream):
    """3.11's location table (PEP 657): every instruction in the long form, which keeps its columns."""
    out, current = bytearray(), code.co_firstlineno
    for instruction in stream:
        units = instruction.ext + 1 + instruction.caches
        line, end_line, column, end_column = instruction.position
        while units > 0:
            length = min(units, 8)
            units -= length
            if line is None:
                out.append(0x80 | (15 << 3) | (length - 1))
                continue
            out.append(0x80 | (14 << 3) | (length - 1))
            _signed_varint(out, line - current)
            current = line
            _varint(out, (end_line if end_line is not None else line) - line)
            _varint(out, column + 1 if column is not None else 0)
            _varint(out, end_column + 1 if end_column is not None else 0)
    return bytes(out)


def _varint(out, value):
    while value >= 64:
        out.append(64 | (value & 63))
        value >>= 6
    out.append(value)


def _signed_varint(out, value):
    _varint(out, (-value << 1) | 1 if value < 0 else value << 1)


def _encode_exception_table(handlers, code_bytes):
    """3.11's exception table: (start, length, target, depth and lasti) in code units, each a varint of 6-bit
    chunks, most significant first; the first byte of an entry has bit 7 set. A range keeps the hooks of its lines."""
    out = bytearray()
    for first, last, handler, depth_lasti in handlers:
        start = _entry(first).offset // 2
        end = (_entry(last).offset if last is not None else len(code_bytes)) // 2
        for value, first_byte in ((start, 0x80), (end - start, 0), (_entry(handler).offset // 2, 0),
                                  (depth_lasti, 0)):
            _exception_varint(out, value, first_byte)
    return bytes(out)


def _exception_varint(out, value, first_byte):
    chunks = [value & 63]
    value >>= 6
    while value:
        chunks.append(value & 63)
        value >>= 6
    chunks.reverse()
    for index, chunk in enumerate(chunks):
        out.append(chunk | (64 if index < len(chunks) - 1 else 0) | (first_byte if index == 0 else 0))


def _check(original, rewritten, instructions, handlers):
    """The rewritten code reads back as written: every original instruction with its line (and, on 3.11, its
    columns), and the handlers in the same places. A mismatch means a bug here: the caller traces instead."""
    _, by_offset = _parse(rewritten)
    if VERSION >= (3, 11):
        positions = list(rewritten.co_positions())
        for instruction in instructions:
            if positions[instruction.offset // 2 + instruction.ext] != instruction.position:
                raise Unsupported("locations did not survive the rewrite")
    else:
        lines = {}
        for start, end, line in rewritten.co_lines():
            for offset in range(start, end, 2):
                lines[offset] = line
        for instruction in instructions:
            if lines.get(instruction.offset) != instruction.line:
                raise Unsupported("lines did not survive the rewrite")
    for instruction in instructions:
        written = by_offset.get(instruction.offset)
        if written is None or written.op != instruction.op:
            raise Unsupported("instructions did not survive the rewrite")
        if instruction.target is not None:
            target = instruction.target if instruction.same_line_jump else _entry(instruction.target)
            if _jump_target(written) != target.offset:
                raise Unsupported("a jump did not survive the rewrite")
        elif written.arg != instruction.arg:
            raise Unsupported("an argument did not survive the rewrite")
    if VERSION >= (3, 11):
        expected = [(_entry(first).offset, _entry(last).offset if last is not None else len(rewritten.co_code),
                     _entry(handler).offset, depth_lasti) for first, last, handler, depth_lasti in handlers]
        written_handlers = _parse_exception_table(rewritten, by_offset)
        found = [(first.start, last.start if last is not None else len(rewritten.co_code), handler.start, depth_lasti)
                 for first, last, handler, depth_lasti in written_handlers]
        if found != expected:
            raise Unsupported("the exception table did not survive the rewrite")


def constants_loaded_after(code, offset):
    """The indices into co_consts that a frame of `code` now at instruction `offset` (f_lasti) may still load: what
    it can reach by falling through, jumping, or an exception handler. More rather than fewer, never missing one."""
    if not SUPPORTED:
        return frozenset(range(len(code.co_consts)))
    try:
        instructions, by_offset = _parse(code)
        handlers = _parse_exception_table(code, by_offset)
    except (Unsupported, IndexError):
        return frozenset(range(len(code.co_consts)))
    index_of = {id(instruction): index for index, instruction in enumerate(instructions)}
    current = by_offset.get(offset)
    if current is None:
        return frozenset(range(len(code.co_consts)))
    position = index_of[id(current)]
    # 3.10 keeps its handler blocks on a runtime stack: any SETUP_* before here may be active, after here reached.
    pending = [position] + [index_of[id(by_offset[_jump_target(instruction)])] for instruction in instructions[:position]
                            if instruction.op in _SETUP_HANDLER and _jump_target(instruction) in by_offset]
    seen, loaded = set(), set()
    load_const = _OP["LOAD_CONST"]
    while pending:
        index = pending.pop()
        if index in seen or index >= len(instructions):
            continue
        seen.add(index)
        instruction = instructions[index]
        if instruction.op == load_const:
            loaded.add(instruction.arg)
        if instruction.op in _RELATIVE or instruction.op in _ABSOLUTE:
            target = by_offset.get(_jump_target(instruction))
            if target is not None:
                pending.append(index_of[id(target)])
        if instruction.op not in _NO_FALL_THROUGH:
            pending.append(index + 1)
        for first, last, handler, _ in handlers:
            end = index_of[id(last)] if last is not None else len(instructions)
            if index_of[id(first)] <= index < end:
                pending.append(index_of[id(handler)])
    return frozenset(loaded)
