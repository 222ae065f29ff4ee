"""torch.einsum: an equation's operands contracted pair by pair with permutes, sums and batched matrix products."""
import builtins as _builtins

from ._tensor import unsupported as _unsupported


def einsum(equation, *operands):
    """torch.einsum by permutes, sums and batched matrix products (no repeated index within one operand)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    equation = equation.replace(" ", "")
    if "->" in equation:
        inputs, output = equation.split("->")
    else:
        inputs, output = equation, None
    terms = inputs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                           if len(operands) > len(terms) else
                           "einsum(): fewer operands were provided than specified in the equation")
    letters = ""
    if "..." in equation:
        covered = _builtins.max(t.dim() - (len(term) - 3) for term, t in zip(terms, operands) if "..." in term)
        letters = "".join([c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in equation][:covered])
        expanded = []
        for term, t in zip(terms, operands):
            if "..." in term:
                count = t.dim() - (len(term) - 3)
                term = term.replace("...", letters[len(letters) - count:])
            expanded.append(term)
        terms = expanded
        if output is not None:
            output = output.replace("...", letters)
    for term, t in zip(terms, operands):
        if len(term) != t.dim():
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(term)}) does not match the "
                               f"number of dimensions ({t.dim()}) for operand {terms.index(term)} and no ellipsis was given")
        if len(set(term)) != len(term):
            raise _unsupported("torch.einsum with a repeated index within one operand (diagonals)")
    if output is None:
        counts = {}
        for term in terms:
            for c in term:
                counts[c] = counts.get(c, 0) + 1
        output = letters + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in letters))
    current, current_term = operands[0], terms[0]
    for position in _builtins.range(1, len(operands)):
        later = "".join(terms[position + 1:]) + output
        current, current_term = _einsum_pair(current, current_term, operands[position], terms[position], later)
    # sum what the output does not keep, then order as asked
    drop = [i for i, c in enumerate(current_term) if c not in output]
    if drop:
        current = current.sum(tuple(drop))
        current_term = "".join(c for c in current_term if c in output)
    if current_term != output:
        current = current.permute([current_term.index(c) for c in output])
    return current


def _einsum_pair(a, ta, b, tb, later):
    """Contracts two einsum operands, keeping the indices `later` (the rest of the equation) still needs."""
    only_a = [c for c in ta if c not in tb and c not in later]
    only_b = [c for c in tb if c not in ta and c not in later]
    if only_a:
        a = a.sum(tuple(ta.index(c) for c in only_a))
        ta = "".join(c for c in ta if c not in only_a)
    if only_b:
        b = b.sum(tuple(tb.index(c) for c in only_b))
        tb = "".join(c for c in tb if c not in only_b)
    batch = [c for c in ta if c in tb and c in later]
    contracted = [c for c in ta if c in tb and c not in later]
    free_a = [c for c in ta if c not in tb]
    free_b = [c for c in tb if c not in ta]
    size = {}
    for term, t in ((ta, a), (tb, b)):
        for c, d in zip(term, t.shape):
            size[c] = _builtins.max(size.get(c, 1), d)
    def prod(cs):
        n = 1
        for c in cs:
            n *= size[c]
        return n
    a = a.permute([ta.index(c) for c in batch + free_a + contracted]).expand(
        [size[c] for c in batch] + [a.shape[ta.index(c)] for c in free_a] + [size[c] for c in contracted])
    b = b.permute([tb.index(c) for c in batch + contracted + free_b]).expand(
        [size[c] for c in batch] + [size[c] for c in contracted] + [b.shape[tb.index(c)] for c in free_b])
    a3 = a.reshape(prod(batch), prod(free_a), prod(contracted))
    b3 = b.reshape(prod(batch), prod(contracted), prod(free_b))
    out = (a3 @ b3).reshape([size[c] for c in batch + free_a + free_b])
    return out, "".join(batch + free_a + free_b)
