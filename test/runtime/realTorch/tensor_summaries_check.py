"""Checks the agent's tensor summaries (tensor_summary.py, inspector.py) under this interpreter's real PyTorch, with
asserts: every dtype, empty, 0-dim, non-contiguous, requires_grad, sparse, meta; the same on CUDA when there is a GPU;
one read-back per summary; and times a hover on a 10^7-element tensor. Prints `hover_ms <median> <max>` and `ok`.
usage: python tensor_summaries_check.py AGENT_FOLDER"""
import math
import re
import statistics
import sys
import time
import types

host = types.ModuleType("_trainloop_host")
host.emit = lambda text: None
sys.modules["_trainloop_host"] = host
sys.path.insert(0, sys.argv[1])

import torch  # noqa: E402

from trainloop_agent.inspector import Inspector  # noqa: E402
from trainloop_agent.tensor_summary import summarize, tensor_stats  # noqa: E402

NUMBER = r"-?\d[\d.e+-]*"


def check(tensor, pattern, label):
    text = summarize(tensor)
    assert re.fullmatch(pattern, text), f"{label}: {text!r} does not match {pattern!r}"
    assert "not implemented" not in text and "no statistics" not in text or "meta" in label, f"{label}: {text}"
    return text


def close(a, b, rel=1e-4):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-6)


def check_device(device):
    torch.manual_seed(0)
    grid = torch.linspace(-3, 3, 1000, device=device)
    # float16 / bfloat16: statistics in float32 — no "not implemented for 'Half'", and no overflow: the squares of
    # 60,000 sum far past float16's 65,504.
    for dtype, short, shown in ((torch.float16, "f16", r"6\.00e\+04"), (torch.bfloat16, "bf16", r"5\.99e\+04")):
        big = torch.full((3000,), 60000.0, device=device).to(dtype)  # bfloat16 holds 59,904
        text = check(big, rf"tensor\[3000\] {short} n=3000 x∈\[{shown}, {shown}\] μ={shown} σ=0\.0", short)
        stats = tensor_stats(grid.to(dtype))
        assert close(stats.mean, 0.0, 1) and abs(stats.mean) < 1e-2, (short, stats.mean)
        assert close(stats.std, grid.std().item(), 1e-2), (short, stats.std, text)
        assert stats.min == -3.0 and stats.max == 3.0, (short, stats.min, stats.max)
    for dtype, short in ((torch.float32, "f32"), (torch.float64, "f64")):
        stats = tensor_stats(grid.to(dtype))
        assert close(stats.std, 1.7338, 1e-3) and abs(stats.mean) < 1e-5, (short, stats.std, stats.mean)
    # integers: exact bounds as integers, mean and spread as floats
    for dtype, short in ((torch.int64, "i64"), (torch.int32, "i32"), (torch.int16, "i16"), (torch.int8, "i8"),
                         (torch.uint8, "u8")):
        check(torch.arange(100, device=device).to(dtype), rf"tensor\[100\] {short} n=100 x∈\[0, 99\] μ=49\.5 σ=29\.011", short)
    large = torch.tensor([2**40 + 1, 2**40 + 3] * 50, device=device)
    stats = tensor_stats(large)
    assert stats.min == 2**40 + 1 and stats.max == 2**40 + 3, (stats.min, stats.max)
    check(torch.arange(20, device=device) % 3 == 0, r"tensor\[20\] bool n=20 true=7", "bool")
    check(torch.tensor([True, False, True], device=device), r"tensor\[3\] bool n=3 true=2 x=\[True, False, True\]", "bool")
    # complex: described by their magnitudes
    waves = torch.polar(torch.full((50,), 2.0, device=device), torch.linspace(0, 6, 50, device=device))
    check(waves, rf"tensor\[50\] c64 n=50 \|x\|∈\[2\.0, 2\.0\] μ=2\.0 σ={NUMBER}", "complex64")
    check(torch.tensor([3 + 4j, 0j], device=device), r"tensor\[2\] c64 n=2 \|x\|∈\[0\.0, 5\.0\] μ=2\.5 σ=3\.536 "
          r"x=\[3\.0\+4\.0j, 0\.0\+0\.0j\]", "small complex")
    check(torch.tensor(1 - 2j, device=device), r"tensor c64 1\.0-2\.0j", "0-dim complex")
    # empty, 0-dim, non-contiguous, requires_grad, non-finite values
    check(torch.zeros(0, 3, device=device), r"tensor\[0, 3\] f32 n=0 empty", "empty")
    check(torch.zeros(0, device=device, dtype=torch.float16), r"tensor\[0\] f16 n=0 empty", "empty f16")
    check(torch.tensor(2.5, device=device), r"tensor f32 2\.5", "0-dim")
    check(torch.tensor(7, device=device), r"tensor i64 7", "0-dim int")
    check(torch.tensor(1.5, device=device, dtype=torch.bfloat16), r"tensor bf16 1\.5", "0-dim bf16")
    wide = torch.arange(200.0, device=device).reshape(10, 20)
    check(wide.t(), rf"tensor\[20, 10\] f32 n=200 x∈\[0\.0, 199\.0\] μ=99\.5 σ=57\.879", "transposed")
    check(wide[:, ::3], rf"tensor\[10, 7\] f32 n=70 x∈\[0\.0, 198\.0\] μ={NUMBER} σ={NUMBER}", "strided")
    weight = torch.ones(4, 5, device=device, requires_grad=True)
    check(weight, r"tensor\[4, 5\] f32 n=20 x∈\[1\.0, 1\.0\] μ=1\.0 σ=0\.0 grad=None", "leaf without grad")
    (weight * 2).sum().backward()
    check(weight, r"tensor\[4, 5\] f32 n=20 x∈\[1\.0, 1\.0\] μ=1\.0 σ=0\.0 grad x∈\[2\.0, 2\.0\] μ=2\.0 σ=0\.0", "grad")
    check((weight * 3).sum(), r"tensor f32 60\.0 grad_fn=SumBackward0", "0-dim with grad_fn")
    broken = grid.clone()
    broken[3], broken[10], broken[20] = float("nan"), float("inf"), -float("inf")
    text = check(broken, rf"tensor\[1000\] f32 n=1000 x∈\[-3\.0, 3\.0\] μ={NUMBER} σ={NUMBER} NaN! \+Inf! -Inf!", "nan")
    stats = tensor_stats(broken)
    assert (stats.nan, stats.pos_inf, stats.neg_inf) == (1, 1, 1), (stats.nan, stats.pos_inf, stats.neg_inf, text)
    half_broken = broken.half()
    check(half_broken, rf"tensor\[1000\] f16 n=1000 x∈\[-3\.0, 3\.0\] μ={NUMBER} σ={NUMBER} NaN! \+Inf! -Inf!", "f16 nan")
    check(torch.full((100,), float("nan"), device=device), r"tensor\[100\] f32 n=100 NaN!", "all nan")
    check(torch.zeros(30, device=device, dtype=torch.bfloat16), r"tensor\[30\] bf16 n=30 all_zeros", "zeros")


def check_layouts():
    indices = torch.tensor([[0, 1, 2], [2, 0, 1]])
    sparse = torch.sparse_coo_tensor(indices, torch.tensor([1.0, -2.0, 4.0]), (3, 3))
    check(sparse, r"tensor\[3, 3\] f32 n=9 sparse_coo nnz=3 \(statistics of the stored values\) x∈\[-2\.0, 4\.0\] "
          r"μ=1\.0 σ=3\.0", "sparse")
    variable = Inspector().variable("s", sparse, "s")
    assert variable.get("indexed", 0) == 0, variable
    if hasattr(sparse, "to_sparse_csr"):
        check(sparse.to_dense().to_sparse_csr(), r"tensor\[3, 3\] f32 n=9 sparse_csr nnz=3 .*", "csr")
    meta = torch.empty(4, 4, device="meta")
    text = summarize(meta)
    assert text.startswith("tensor[4, 4] f32 n=16 (no statistics: ") and "meta" in text, text
    assert "no value" in summarize(torch.empty((), device="meta")), summarize(torch.empty((), device="meta"))


def check_one_read_back():
    """A summary reads back once: count Tensor.tolist/item calls while summarizing."""
    reads = []
    tolist, item = torch.Tensor.tolist, torch.Tensor.item

    def counted(name, inner):
        def read(self, *args, **kwargs):
            reads.append(name)
            return inner(self, *args, **kwargs)
        return read

    torch.Tensor.tolist, torch.Tensor.item = counted("tolist", tolist), counted("item", item)
    try:
        for tensor in (torch.randn(1000), torch.randn(1000).half(), torch.arange(1000), torch.randn(5),
                       torch.randn(1000) > 0, torch.tensor(3.0)):
            reads.clear()
            summarize(tensor)
            assert len(reads) == 1, (tensor.dtype, tuple(tensor.shape), reads)
    finally:
        torch.Tensor.tolist, torch.Tensor.item = tolist, item


def check_accelerator_path():
    """The statistics an accelerator gets in its one transfer (counts, finite range, centred spread) agree with the
    CPU's reductions, over several chunks, in float32 and from float16."""
    from trainloop_agent import tensor_summary

    torch.manual_seed(1)
    flat = torch.randn(3_000_001) * 2 + 5
    for dtype in (torch.float32, torch.float16):
        values = flat.to(dtype)
        low, high, total, norm = torch.stack(tensor_summary._moments(values, torch.float32)).tolist()
        nan, pos_inf, kept, low2, high2, mean, variance = torch.stack(
            tensor_summary._finite_moments(values, torch.float32)).tolist()
        n = values.numel()
        assert (nan, pos_inf, kept) == (0, 0, n), (nan, pos_inf, kept)
        assert (low2, high2) == (low, high), (low, high, low2, high2)
        assert close(mean, total / n, 1e-5), (mean, total / n)
        reference = values.double().var().item()
        assert close(variance, reference, 1e-4), (variance, reference)
        assert close(variance, (norm * norm - n * mean * mean) / (n - 1), 1e-3), variance
    values[7] = float("nan")
    values[8] = -float("inf")
    counts = torch.stack(tensor_summary._finite_moments(values, torch.float32)).tolist()[:3]
    assert counts == [1, 0, values.numel() - 2], counts


def time_hover():
    """The debugger's hover: Inspector.variable on a 10^7-element float32 tensor (a fresh inspector each time, as
    after every step)."""
    torch.manual_seed(0)
    big = torch.randn(10_000_000)
    times = []
    for _ in range(7):
        started = time.perf_counter()
        value = Inspector().variable("", big, "big")["value"]
        times.append((time.perf_counter() - started) * 1000)
    assert re.fullmatch(rf"tensor\[10000000\] f32 n=10000000 x∈\[{NUMBER}, {NUMBER}\] μ={NUMBER} σ={NUMBER}", value), value
    stats = tensor_stats(big)
    assert abs(stats.mean) < 1e-3 and close(stats.std, 1.0, 1e-3), (stats.mean, stats.std)
    return statistics.median(times), max(times)


check_device("cpu")
if torch.cuda.is_available():
    check_device("cuda")
    print("cuda checked")
check_layouts()
check_one_read_back()
check_accelerator_path()
median, worst = time_hover()
print(f"hover_ms {median:.1f} {worst:.1f}")
print("ok")
