// torch.Tensor in the embedded runtime against real PyTorch 1.13: printing (repr/str/print), dtype promotion,
// indexing, and PyTorch's error messages raised at the user's own line.
//
// Expected strings were printed by real PyTorch (Debian python3-torch); inputs are exact in float32 (`grid` uses only
// correctly rounded arithmetic), so both frameworks hold the same bits and every character must agree.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { runPython, runPythonAsync, type ScriptRun } from '../support/runtimeCli';

interface Case {
  label: string;
  code: string;
  expected: string;
}

/** How tensors print, from real PyTorch 1.13 (`code`: setup lines, then the expression printed with repr). */
const PRINT_CASES: Case[] = [
  { label: "mixed floats", code: "torch.tensor([0.1234, -1.2, 3.0])", expected: "tensor([ 0.1234, -1.2000,  3.0000])" },
  { label: "float matrix", code: "torch.tensor([[0.1234, -1.2], [3.0, 4.5]])", expected: "tensor([[ 0.1234, -1.2000],\n        [ 3.0000,  4.5000]])" },
  { label: "whole-number floats", code: "torch.tensor([1., 2., 3.])", expected: "tensor([1., 2., 3.])" },
  { label: "whole-number floats, negative", code: "torch.tensor([-1., 20., 300.])", expected: "tensor([ -1.,  20., 300.])" },
  { label: "zeros", code: "torch.zeros(2, 3)", expected: "tensor([[0., 0., 0.],\n        [0., 0., 0.]])" },
  { label: "int64 (no dtype suffix)", code: "torch.arange(10)", expected: "tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])" },
  { label: "bool (no dtype suffix)", code: "torch.tensor([True, False])", expected: "tensor([ True, False])" },
  { label: "bool matrix", code: "grid(3, 4) > 3", expected: "tensor([[False, False, False, False],\n        [False,  True, False, False],\n        [ True, False, False, False]])" },
  { label: "0-d float", code: "torch.tensor(2.3026)", expected: "tensor(2.3026)" },
  { label: "0-d int", code: "torch.tensor(7)", expected: "tensor(7)" },
  { label: "0-d bool", code: "torch.tensor(True)", expected: "tensor(True)" },
  { label: "0-d whole float", code: "torch.tensor(-3.)", expected: "tensor(-3.)" },
  { label: "0-d tiny", code: "torch.tensor(1e-5)", expected: "tensor(1.0000e-05)" },
  { label: "empty", code: "torch.tensor([])", expected: "tensor([])" },
  { label: "empty 2-D", code: "torch.zeros(0, 3)", expected: "tensor([], size=(0, 3))" },
  { label: "empty int64 (dtype shown)", code: "torch.zeros(0, dtype=torch.long)", expected: "tensor([], dtype=torch.int64)" },
  { label: "empty int32 3-D", code: "torch.zeros(2, 0, 3, dtype=torch.int32)", expected: "tensor([], size=(2, 0, 3), dtype=torch.int32)" },
  { label: "nan and inf", code: "torch.tensor([1.5, float('nan'), float('inf'), -float('inf')])", expected: "tensor([1.5000,    nan,    inf,   -inf])" },
  { label: "nan among whole numbers", code: "torch.tensor([1., float('nan'), 2.])", expected: "tensor([1., nan, 2.])" },
  { label: "only nan", code: "torch.tensor([float('nan'), float('nan')])", expected: "tensor([nan, nan])" },
  { label: "inf and zero", code: "torch.tensor([float('inf'), 0.])", expected: "tensor([inf, 0.])" },
  { label: "scientific: small value", code: "torch.tensor([1e-5, 1.0, 2.0])", expected: "tensor([1.0000e-05, 1.0000e+00, 2.0000e+00])" },
  { label: "scientific: wide ratio", code: "torch.tensor([0.001, 10.0, 2.0])", expected: "tensor([1.0000e-03, 1.0000e+01, 2.0000e+00])" },
  { label: "scientific: large value", code: "torch.tensor([1e9, 1.0])", expected: "tensor([1.0000e+09, 1.0000e+00])" },
  { label: "scientific: whole numbers with wide ratio", code: "torch.tensor([1., 5000.])", expected: "tensor([1.0000e+00, 5.0000e+03])" },
  { label: "zero among fractions", code: "torch.tensor([0., 1.5, -0.25])", expected: "tensor([ 0.0000,  1.5000, -0.2500])" },
  { label: "negative zero", code: "torch.tensor([-0., 1.])", expected: "tensor([-0., 1.])" },
  { label: "2-D alignment", code: "grid(4, 5)", expected: "tensor([[-3.0000, -0.1538,  2.6923, -2.2308,  0.6154],\n        [ 3.4615, -1.4615,  1.3846,  4.2308, -0.6923],\n        [ 2.1538, -2.7692,  0.0769,  2.9231, -2.0000],\n        [ 0.8462,  3.6923, -1.2308,  1.6154,  4.4615]])" },
  { label: "3-D", code: "grid(2, 3, 4)", expected: "tensor([[[-3.0000, -0.1538,  2.6923, -2.2308],\n         [ 0.6154,  3.4615, -1.4615,  1.3846],\n         [ 4.2308, -0.6923,  2.1538, -2.7692]],\n\n        [[ 0.0769,  2.9231, -2.0000,  0.8462],\n         [ 3.6923, -1.2308,  1.6154,  4.4615],\n         [-0.4615,  2.3846, -2.5385,  0.3077]]])" },
  { label: "4-D", code: "grid(2, 2, 2, 3)", expected: "tensor([[[[-3.0000, -0.1538,  2.6923],\n          [-2.2308,  0.6154,  3.4615]],\n\n         [[-1.4615,  1.3846,  4.2308],\n          [-0.6923,  2.1538, -2.7692]]],\n\n\n        [[[ 0.0769,  2.9231, -2.0000],\n          [ 0.8462,  3.6923, -1.2308]],\n\n         [[ 1.6154,  4.4615, -0.4615],\n          [ 2.3846, -2.5385,  0.3077]]]])" },
  { label: "row wrapping at 80 columns", code: "grid(30)", expected: "tensor([-3.0000, -0.1538,  2.6923, -2.2308,  0.6154,  3.4615, -1.4615,  1.3846,\n         4.2308, -0.6923,  2.1538, -2.7692,  0.0769,  2.9231, -2.0000,  0.8462,\n         3.6923, -1.2308,  1.6154,  4.4615, -0.4615,  2.3846, -2.5385,  0.3077,\n         3.1538, -1.7692,  1.0769,  3.9231, -1.0000,  1.8462])" },
  { label: "2-D row wrapping", code: "grid(2, 12, scale=10)", expected: "tensor([[-30.0000,  -1.5385,  26.9231, -22.3077,   6.1538,  34.6154, -14.6154,\n          13.8462,  42.3077,  -6.9231,  21.5385, -27.6923],\n        [  0.7692,  29.2308, -20.0000,   8.4615,  36.9231, -12.3077,  16.1538,\n          44.6154,  -4.6154,  23.8462, -25.3846,   3.0769]])" },
  { label: "long int row", code: "torch.arange(50)", expected: "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,\n        36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49])" },
  { label: "summarized 1-D", code: "grid(2000)", expected: "tensor([-3.0000, -0.1538,  2.6923,  ...,  1.4615,  4.3077, -0.6154])" },
  { label: "summarized 2-D", code: "grid(40, 50)", expected: "tensor([[-3.0000, -0.1538,  2.6923,  ..., -1.3077,  1.5385,  4.3846],\n        [-0.5385,  2.3077, -2.6154,  ...,  1.1538,  4.0000, -0.9231],\n        [ 1.9231, -3.0000, -0.1538,  ...,  3.6154, -1.3077,  1.5385],\n        ...,\n        [ 2.6154, -2.3077,  0.5385,  ...,  4.3077, -0.6154,  2.2308],\n        [-2.6923,  0.1538,  3.0000,  ..., -1.0000,  1.8462,  4.6923],\n        [-0.2308,  2.6154, -2.3077,  ...,  1.4615,  4.3077, -0.6154]])" },
  { label: "summarized tall 2-D", code: "grid(1001, 2)", expected: "tensor([[-3.0000, -0.1538],\n        [ 2.6923, -2.2308],\n        [ 0.6154,  3.4615],\n        ...,\n        [-1.3846,  1.4615],\n        [ 4.3077, -0.6154],\n        [ 2.2308, -2.6923]])" },
  { label: "summarized 3-D", code: "grid(10, 11, 12)", expected: "tensor([[[-3.0000, -0.1538,  2.6923,  ..., -0.6923,  2.1538, -2.7692],\n         [ 0.0769,  2.9231, -2.0000,  ...,  2.3846, -2.5385,  0.3077],\n         [ 3.1538, -1.7692,  1.0769,  ..., -2.3077,  0.5385,  3.3846],\n         ...,\n         [-1.6923,  1.1538,  4.0000,  ...,  0.6154,  3.4615, -1.4615],\n         [ 1.3846,  4.2308, -0.6923,  ...,  3.6923, -1.2308,  1.6154],\n         [ 4.4615, -0.4615,  2.3846,  ..., -1.0000,  1.8462,  4.6923]],\n\n        [[-0.2308,  2.6154, -2.3077,  ...,  2.0769, -2.8462,  0.0000],\n         [ 2.8462, -2.0769,  0.7692,  ..., -2.6154,  0.2308,  3.0769],\n         [-1.8462,  1.0000,  3.8462,  ...,  0.4615,  3.3077, -1.6154],\n         ...,\n         [ 1.0769,  3.9231, -1.0000,  ...,  3.3846, -1.5385,  1.3077],\n         [ 4.1538, -0.7692,  2.0769,  ..., -1.3077,  1.5385,  4.3846],\n         [-0.5385,  2.3077, -2.6154,  ...,  1.7692,  4.6154, -0.3077]],\n\n        [[ 2.5385, -2.3846,  0.4615,  ..., -2.9231, -0.0769,  2.7692],\n         [-2.1538,  0.6923,  3.5385,  ...,  0.1538,  3.0000, -1.9231],\n         [ 0.9231,  3.7692, -1.1538,  ...,  3.2308, -1.6923,  1.1538],\n         ...,\n         [ 3.8462, -1.0769,  1.7692,  ..., -1.6154,  1.2308,  4.0769],\n         [-0.8462,  2.0000, -2.9231,  ...,  1.4615,  4.3077, -0.6154],\n         [ 2.2308, -2.6923,  0.1538,  ...,  4.5385, -0.3846,  2.4615]],\n\n        ...,\n\n        [[ 0.8462,  3.6923, -1.2308,  ...,  3.1538, -1.7692,  1.0769],\n         [ 3.9231, -1.0000,  1.8462,  ..., -1.5385,  1.3077,  4.1538],\n         [-0.7692,  2.0769, -2.8462,  ...,  1.5385,  4.3846, -0.5385],\n         ...,\n         [ 2.1538, -2.7692,  0.0769,  ...,  4.4615, -0.4615,  2.3846],\n         [-2.5385,  0.3077,  3.1538,  ..., -0.2308,  2.6154, -2.3077],\n         [ 0.5385,  3.3846, -1.5385,  ...,  2.8462, -2.0769,  0.7692]],\n\n        [[ 3.6154, -1.3077,  1.5385,  ..., -1.8462,  1.0000,  3.8462],\n         [-1.0769,  1.7692,  4.6154,  ...,  1.2308,  4.0769, -0.8462],\n         [ 2.0000, -2.9231, -0.0769,  ...,  4.3077, -0.6154,  2.2308],\n         ...,\n         [-2.8462,  0.0000,  2.8462,  ..., -0.5385,  2.3077, -2.6154],\n         [ 0.2308,  3.0769, -1.8462,  ...,  2.5385, -2.3846,  0.4615],\n         [ 3.3077, -1.6154,  1.2308,  ..., -2.1538,  0.6923,  3.5385]],\n\n        [[-1.3846,  1.4615,  4.3077,  ...,  0.9231,  3.7692, -1.1538],\n         [ 1.6923,  4.5385, -0.3846,  ...,  4.0000, -0.9231,  1.9231],\n         [-3.0000, -0.1538,  2.6923,  ..., -0.6923,  2.1538, -2.7692],\n         ...,\n         [-0.0769,  2.7692, -2.1538,  ...,  2.2308, -2.6923,  0.1538],\n         [ 3.0000, -1.9231,  0.9231,  ..., -2.4615,  0.3846,  3.2308],\n         [-1.6923,  1.1538,  4.0000,  ...,  0.6154,  3.4615, -1.4615]]])" },
  { label: "summarized int64", code: "torch.arange(3000).reshape(30, 100)", expected: "tensor([[   0,    1,    2,  ...,   97,   98,   99],\n        [ 100,  101,  102,  ...,  197,  198,  199],\n        [ 200,  201,  202,  ...,  297,  298,  299],\n        ...,\n        [2700, 2701, 2702,  ..., 2797, 2798, 2799],\n        [2800, 2801, 2802,  ..., 2897, 2898, 2899],\n        [2900, 2901, 2902,  ..., 2997, 2998, 2999]])" },
  { label: "summarized bool", code: "grid(40, 30) > 3", expected: "tensor([[False, False, False,  ...,  True, False, False],\n        [ True, False, False,  ...,  True, False, False],\n        [ True, False, False,  ...,  True, False, False],\n        ...,\n        [False, False, False,  ..., False,  True, False],\n        [False,  True, False,  ..., False,  True, False],\n        [False,  True, False,  ..., False,  True, False]])" },
  { label: "exactly 1000 elements", code: "grid(1000)", expected: "tensor([-3.0000, -0.1538,  2.6923, -2.2308,  0.6154,  3.4615, -1.4615,  1.3846,\n         4.2308, -0.6923,  2.1538, -2.7692,  0.0769,  2.9231, -2.0000,  0.8462,\n         3.6923, -1.2308,  1.6154,  4.4615, -0.4615,  2.3846, -2.5385,  0.3077,\n         3.1538, -1.7692,  1.0769,  3.9231, -1.0000,  1.8462,  4.6923, -0.2308,\n         2.6154, -2.3077,  0.5385,  3.3846, -1.5385,  1.3077,  4.1538, -0.7692,\n         2.0769, -2.8462,  0.0000,  2.8462, -2.0769,  0.7692,  3.6154, -1.3077,\n         1.5385,  4.3846, -0.5385,  2.3077, -2.6154,  0.2308,  3.0769, -1.8462,\n         1.0000,  3.8462, -1.0769,  1.7692,  4.6154, -0.3077,  2.5385, -2.3846,\n         0.4615,  3.3077, -1.6154,  1.2308,  4.0769, -0.8462,  2.0000, -2.9231,\n        -0.0769,  2.7692, -2.1538,  0.6923,  3.5385, -1.3846,  1.4615,  4.3077,\n        -0.6154,  2.2308, -2.6923,  0.1538,  3.0000, -1.9231,  0.9231,  3.7692,\n        -1.1538,  1.6923,  4.5385, -0.3846,  2.4615, -2.4615,  0.3846,  3.2308,\n        -1.6923,  1.1538,  4.0000, -0.9231,  1.9231, -3.0000, -0.1538,  2.6923,\n        -2.2308,  0.6154,  3.4615, -1.4615,  1.3846,  4.2308, -0.6923,  2.1538,\n        -2.7692,  0.0769,  2.9231, -2.0000,  0.8462,  3.6923, -1.2308,  1.6154,\n         4.4615, -0.4615,  2.3846, -2.5385,  0.3077,  3.1538, -1.7692,  1.0769,\n         3.9231, -1.0000,  1.8462,  4.6923, -0.2308,  2.6154, -2.3077,  0.5385,\n         3.3846, -1.5385,  1.3077,  4.1538, -0.7692,  2.0769, -2.8462,  0.0000,\n         2.8462, -2.0769,  0.7692,  3.6154, -1.3077,  1.5385,  4.3846, -0.5385,\n         2.3077, -2.6154,  0.2308,  3.0769, -1.8462,  1.0000,  3.8462, -1.0769,\n         1.7692,  4.6154, -0.3077,  2.5385, -2.3846,  0.4615,  3.3077, -1.6154,\n         1.2308,  4.0769, -0.8462,  2.0000, -2.9231, -0.0769,  2.7692, -2.1538,\n         0.6923,  3.5385, -1.3846,  1.4615,  4.3077, -0.6154,  2.2308, -2.6923,\n         0.1538,  3.0000, -1.9231,  0.9231,  3.7692, -1.1538,  1.6923,  4.5385,\n        -0.3846,  2.4615, -2.4615,  0.3846,  3.2308, -1.6923,  1.1538,  4.0000,\n        -0.9231,  1.9231, -3.0000, -0.1538,  2.6923, -2.2308,  0.6154,  3.4615,\n        -1.4615,  1.3846,  4.2308, -0.6923,  2.1538, -2.7692,  0.0769,  2.9231,\n        -2.0000,  0.8462,  3.6923, -1.2308,  1.6154,  4.4615, -0.4615,  2.3846,\n        -2.5385,  0.3077,  3.1538, -1.7692,  1.0769,  3.9231, -1.0000,  1.8462,\n         4.6923, -0.2308,  2.6154, -2.3077,  0.5385,  3.3846, -1.5385,  1.3077,\n         4.1538, -0.7692,  2.0769, -2.8462,  0.0000,  2.8462, -2.0769,  0.7692,\n         3.6154, -1.3077,  1.5385,  4.3846, -0.5385,  2.3077, -2.6154,  0.2308,\n         3.0769, -1.8462,  1.0000,  3.8462, -1.0769,  1.7692,  4.6154, -0.3077,\n         2.5385, -2.3846,  0.4615,  3.3077, -1.6154,  1.2308,  4.0769, -0.8462,\n         2.0000, -2.9231, -0.0769,  2.7692, -2.1538,  0.6923,  3.5385, -1.3846,\n         1.4615,  4.3077, -0.6154,  2.2308, -2.6923,  0.1538,  3.0000, -1.9231,\n         0.9231,  3.7692, -1.1538,  1.6923,  4.5385, -0.3846,  2.4615, -2.4615,\n         0.3846,  3.2308, -1.6923,  1.1538,  4.0000, -0.9231,  1.9231, -3.0000,\n        -0.1538,  2.6923, -2.2308,  0.6154,  3.4615, -1.4615,  1.3846,  4.2308,\n        -0.6923,  2.1538, -2.7692,  0.0769,  2.9231, -2.0000,  0.8462,  3.6923,\n        -1.2308,  1.6154,  4.4615, -0.4615,  2.3846, -2.5385,  0.3077,  3.1538,\n        -1.7692,  1.0769,  3.9231, -1.0000,  1.8462,  4.6923, -0.2308,  2.6154,\n        -2.3077,  0.5385,  3.3846, -1.5385,  1.3077,  4.1538, -0.7692,  2.0769,\n        -2.8462,  0.0000,  2.8462, -2.0769,  0.7692,  3.6154, -1.3077,  1.5385,\n         4.3846, -0.5385,  2.3077, -2.6154,  0.2308,  3.0769, -1.8462,  1.0000,\n         3.8462, -1.0769,  1.7692,  4.6154, -0.3077,  2.5385, -2.3846,  0.4615,\n         3.3077, -1.6154,  1.2308,  4.0769, -0.8462,  2.0000, -2.9231, -0.0769,\n         2.7692, -2.1538,  0.6923,  3.5385, -1.3846,  1.4615,  4.3077, -0.6154,\n         2.2308, -2.6923,  0.1538,  3.0000, -1.9231,  0.9231,  3.7692, -1.1538,\n         1.6923,  4.5385, -0.3846,  2.4615, -2.4615,  0.3846,  3.2308, -1.6923,\n         1.1538,  4.0000, -0.9231,  1.9231, -3.0000, -0.1538,  2.6923, -2.2308,\n         0.6154,  3.4615, -1.4615,  1.3846,  4.2308, -0.6923,  2.1538, -2.7692,\n         0.0769,  2.9231, -2.0000,  0.8462,  3.6923, -1.2308,  1.6154,  4.4615,\n        -0.4615,  2.3846, -2.5385,  0.3077,  3.1538, -1.7692,  1.0769,  3.9231,\n        -1.0000,  1.8462,  4.6923, -0.2308,  2.6154, -2.3077,  0.5385,  3.3846,\n        -1.5385,  1.3077,  4.1538, -0.7692,  2.0769, -2.8462,  0.0000,  2.8462,\n        -2.0769,  0.7692,  3.6154, -1.3077,  1.5385,  4.3846, -0.5385,  2.3077,\n        -2.6154,  0.2308,  3.0769, -1.8462,  1.0000,  3.8462, -1.0769,  1.7692,\n         4.6154, -0.3077,  2.5385, -2.3846,  0.4615,  3.3077, -1.6154,  1.2308,\n         4.0769, -0.8462,  2.0000, -2.9231, -0.0769,  2.7692, -2.1538,  0.6923,\n         3.5385, -1.3846,  1.4615,  4.3077, -0.6154,  2.2308, -2.6923,  0.1538,\n         3.0000, -1.9231,  0.9231,  3.7692, -1.1538,  1.6923,  4.5385, -0.3846,\n         2.4615, -2.4615,  0.3846,  3.2308, -1.6923,  1.1538,  4.0000, -0.9231,\n         1.9231, -3.0000, -0.1538,  2.6923, -2.2308,  0.6154,  3.4615, -1.4615,\n         1.3846,  4.2308, -0.6923,  2.1538, -2.7692,  0.0769,  2.9231, -2.0000,\n         0.8462,  3.6923, -1.2308,  1.6154,  4.4615, -0.4615,  2.3846, -2.5385,\n         0.3077,  3.1538, -1.7692,  1.0769,  3.9231, -1.0000,  1.8462,  4.6923,\n        -0.2308,  2.6154, -2.3077,  0.5385,  3.3846, -1.5385,  1.3077,  4.1538,\n        -0.7692,  2.0769, -2.8462,  0.0000,  2.8462, -2.0769,  0.7692,  3.6154,\n        -1.3077,  1.5385,  4.3846, -0.5385,  2.3077, -2.6154,  0.2308,  3.0769,\n        -1.8462,  1.0000,  3.8462, -1.0769,  1.7692,  4.6154, -0.3077,  2.5385,\n        -2.3846,  0.4615,  3.3077, -1.6154,  1.2308,  4.0769, -0.8462,  2.0000,\n        -2.9231, -0.0769,  2.7692, -2.1538,  0.6923,  3.5385, -1.3846,  1.4615,\n         4.3077, -0.6154,  2.2308, -2.6923,  0.1538,  3.0000, -1.9231,  0.9231,\n         3.7692, -1.1538,  1.6923,  4.5385, -0.3846,  2.4615, -2.4615,  0.3846,\n         3.2308, -1.6923,  1.1538,  4.0000, -0.9231,  1.9231, -3.0000, -0.1538,\n         2.6923, -2.2308,  0.6154,  3.4615, -1.4615,  1.3846,  4.2308, -0.6923,\n         2.1538, -2.7692,  0.0769,  2.9231, -2.0000,  0.8462,  3.6923, -1.2308,\n         1.6154,  4.4615, -0.4615,  2.3846, -2.5385,  0.3077,  3.1538, -1.7692,\n         1.0769,  3.9231, -1.0000,  1.8462,  4.6923, -0.2308,  2.6154, -2.3077,\n         0.5385,  3.3846, -1.5385,  1.3077,  4.1538, -0.7692,  2.0769, -2.8462,\n         0.0000,  2.8462, -2.0769,  0.7692,  3.6154, -1.3077,  1.5385,  4.3846,\n        -0.5385,  2.3077, -2.6154,  0.2308,  3.0769, -1.8462,  1.0000,  3.8462,\n        -1.0769,  1.7692,  4.6154, -0.3077,  2.5385, -2.3846,  0.4615,  3.3077,\n        -1.6154,  1.2308,  4.0769, -0.8462,  2.0000, -2.9231, -0.0769,  2.7692,\n        -2.1538,  0.6923,  3.5385, -1.3846,  1.4615,  4.3077, -0.6154,  2.2308,\n        -2.6923,  0.1538,  3.0000, -1.9231,  0.9231,  3.7692, -1.1538,  1.6923,\n         4.5385, -0.3846,  2.4615, -2.4615,  0.3846,  3.2308, -1.6923,  1.1538,\n         4.0000, -0.9231,  1.9231, -3.0000, -0.1538,  2.6923, -2.2308,  0.6154,\n         3.4615, -1.4615,  1.3846,  4.2308, -0.6923,  2.1538, -2.7692,  0.0769,\n         2.9231, -2.0000,  0.8462,  3.6923, -1.2308,  1.6154,  4.4615, -0.4615,\n         2.3846, -2.5385,  0.3077,  3.1538, -1.7692,  1.0769,  3.9231, -1.0000,\n         1.8462,  4.6923, -0.2308,  2.6154, -2.3077,  0.5385,  3.3846, -1.5385,\n         1.3077,  4.1538, -0.7692,  2.0769, -2.8462,  0.0000,  2.8462, -2.0769,\n         0.7692,  3.6154, -1.3077,  1.5385,  4.3846, -0.5385,  2.3077, -2.6154,\n         0.2308,  3.0769, -1.8462,  1.0000,  3.8462, -1.0769,  1.7692,  4.6154,\n        -0.3077,  2.5385, -2.3846,  0.4615,  3.3077, -1.6154,  1.2308,  4.0769,\n        -0.8462,  2.0000, -2.9231, -0.0769,  2.7692, -2.1538,  0.6923,  3.5385,\n        -1.3846,  1.4615,  4.3077, -0.6154,  2.2308, -2.6923,  0.1538,  3.0000,\n        -1.9231,  0.9231,  3.7692, -1.1538,  1.6923,  4.5385, -0.3846,  2.4615,\n        -2.4615,  0.3846,  3.2308, -1.6923,  1.1538,  4.0000, -0.9231,  1.9231,\n        -3.0000, -0.1538,  2.6923, -2.2308,  0.6154,  3.4615, -1.4615,  1.3846,\n         4.2308, -0.6923,  2.1538, -2.7692,  0.0769,  2.9231, -2.0000,  0.8462,\n         3.6923, -1.2308,  1.6154,  4.4615, -0.4615,  2.3846, -2.5385,  0.3077,\n         3.1538, -1.7692,  1.0769,  3.9231, -1.0000,  1.8462,  4.6923, -0.2308,\n         2.6154, -2.3077,  0.5385,  3.3846, -1.5385,  1.3077,  4.1538, -0.7692,\n         2.0769, -2.8462,  0.0000,  2.8462, -2.0769,  0.7692,  3.6154, -1.3077,\n         1.5385,  4.3846, -0.5385,  2.3077, -2.6154,  0.2308,  3.0769, -1.8462,\n         1.0000,  3.8462, -1.0769,  1.7692,  4.6154, -0.3077,  2.5385, -2.3846,\n         0.4615,  3.3077, -1.6154,  1.2308,  4.0769, -0.8462,  2.0000, -2.9231,\n        -0.0769,  2.7692, -2.1538,  0.6923,  3.5385, -1.3846,  1.4615,  4.3077,\n        -0.6154,  2.2308, -2.6923,  0.1538,  3.0000, -1.9231,  0.9231,  3.7692,\n        -1.1538,  1.6923,  4.5385, -0.3846,  2.4615, -2.4615,  0.3846,  3.2308,\n        -1.6923,  1.1538,  4.0000, -0.9231,  1.9231, -3.0000, -0.1538,  2.6923,\n        -2.2308,  0.6154,  3.4615, -1.4615,  1.3846,  4.2308, -0.6923,  2.1538,\n        -2.7692,  0.0769,  2.9231, -2.0000,  0.8462,  3.6923, -1.2308,  1.6154,\n         4.4615, -0.4615,  2.3846, -2.5385,  0.3077,  3.1538, -1.7692,  1.0769,\n         3.9231, -1.0000,  1.8462,  4.6923, -0.2308,  2.6154, -2.3077,  0.5385,\n         3.3846, -1.5385,  1.3077,  4.1538, -0.7692,  2.0769, -2.8462,  0.0000,\n         2.8462, -2.0769,  0.7692,  3.6154, -1.3077,  1.5385,  4.3846, -0.5385,\n         2.3077, -2.6154,  0.2308,  3.0769, -1.8462,  1.0000,  3.8462, -1.0769,\n         1.7692,  4.6154, -0.3077,  2.5385, -2.3846,  0.4615,  3.3077, -1.6154,\n         1.2308,  4.0769, -0.8462,  2.0000, -2.9231, -0.0769,  2.7692, -2.1538,\n         0.6923,  3.5385, -1.3846,  1.4615,  4.3077, -0.6154,  2.2308, -2.6923,\n         0.1538,  3.0000, -1.9231,  0.9231,  3.7692, -1.1538,  1.6923,  4.5385])" },
  { label: "1001 elements", code: "grid(1001)", expected: "tensor([-3.0000, -0.1538,  2.6923,  ...,  1.6923,  4.5385, -0.3846])" },
  { label: "large magnitudes", code: "grid(3, 4, scale=1000)", expected: "tensor([[-3000.0000,  -153.8463,  2692.3074, -2230.7690],\n        [  615.3846,  3461.5383, -1461.5385,  1384.6155],\n        [ 4230.7690,  -692.3077,  2153.8462, -2769.2310]])" },
  { label: "scientific matrix", code: "grid(3, 4, scale=1e5)", expected: "tensor([[-300000.0000,  -15384.6260,  269230.7500, -223076.9219],\n        [  61538.4570,  346153.8438, -146153.8438,  138461.5469],\n        [ 423076.9062,  -69230.7734,  215384.6250, -276923.0938]])" },
  { label: "small magnitudes", code: "grid(3, 4, scale=1e-3)", expected: "tensor([[-0.0030, -0.0002,  0.0027, -0.0022],\n        [ 0.0006,  0.0035, -0.0015,  0.0014],\n        [ 0.0042, -0.0007,  0.0022, -0.0028]])" },
  { label: "int32 suffix", code: "torch.arange(4, dtype=torch.int32)", expected: "tensor([0, 1, 2, 3], dtype=torch.int32)" },
  { label: "uint8 suffix", code: "torch.arange(4, dtype=torch.uint8)", expected: "tensor([0, 1, 2, 3], dtype=torch.uint8)" },
  { label: "float64 suffix", code: "torch.tensor([1.5, 2.25], dtype=torch.float64)", expected: "tensor([1.5000, 2.2500], dtype=torch.float64)" },
  { label: "0-d float64", code: "torch.tensor(1.5, dtype=torch.float64)", expected: "tensor(1.5000, dtype=torch.float64)" },
  { label: "requires_grad", code: "torch.tensor([1.0, 2.0], requires_grad=True)", expected: "tensor([1., 2.], requires_grad=True)" },
  { label: "grad_fn", code: "torch.tensor([1.0, 2.0], requires_grad=True) * 2", expected: "tensor([2., 4.], grad_fn=<MulBackward0>)" },
  { label: "0-d grad_fn", code: "(torch.tensor([1.0, 2.0], requires_grad=True) * 2).sum()", expected: "tensor(6., grad_fn=<SumBackward0>)" },
  { label: "loss-like 0-d", code: "torch.nn.functional.cross_entropy(torch.zeros(4, 10, requires_grad=True), torch.tensor([1, 2, 3, 4]))", expected: "tensor(2.3026, grad_fn=<NllLossBackward0>)" },
  { label: "suffix on a new line", code: "grid(9, scale=100).requires_grad_() + 1", expected: "tensor([-299.0000,  -14.3846,  270.2307, -222.0769,   62.5385,  347.1538,\n        -145.1538,  139.4615,  424.0769], grad_fn=<AddBackward0>)" },
  { label: "dtype and grad_fn suffixes", code: "torch.tensor([1.5, 2.25], dtype=torch.float64, requires_grad=True) * 2", expected: "tensor([3.0000, 4.5000], dtype=torch.float64, grad_fn=<MulBackward0>)" },
  { label: "matmul grad_fn", code: "grid(2, 3).requires_grad_() @ grid(3, 2)", expected: "tensor([[10.2426, 10.1243],\n        [10.4793, 10.9527]], grad_fn=<MmBackward0>)" },
  { label: "mixed sign columns", code: "torch.tensor([[-1.5, 20.25], [300.125, -4000.5]])", expected: "tensor([[-1.5000e+00,  2.0250e+01],\n        [ 3.0012e+02, -4.0005e+03]])" },
  { label: "int64 large", code: "torch.tensor([123456789, -5])", expected: "tensor([123456789,        -5])" },
  { label: "5-D", code: "grid(1, 2, 1, 2, 2)", expected: "tensor([[[[[-3.0000, -0.1538],\n           [ 2.6923, -2.2308]]],\n\n\n         [[[ 0.6154,  3.4615],\n           [-1.4615,  1.3846]]]]])" },
  { label: "max(dim) result", code: "grid(3, 4).max(1)", expected: "torch.return_types.max(\nvalues=tensor([2.6923, 3.4615, 4.2308]),\nindices=tensor([2, 1, 0]))" },
  { label: "sort result", code: "grid(2, 3).sort()", expected: "torch.return_types.sort(\nvalues=tensor([[-3.0000, -0.1538,  2.6923],\n        [-2.2308,  0.6154,  3.4615]]),\nindices=tensor([[0, 1, 2],\n        [0, 1, 2]]))" },
  { label: "torch.Size", code: "grid(2, 3).shape", expected: "torch.Size([2, 3])" },
  { label: "precision=2", code: "torch.set_printoptions(precision=2)\ngrid(3, 4)", expected: "tensor([[-3.00, -0.15,  2.69, -2.23],\n        [ 0.62,  3.46, -1.46,  1.38],\n        [ 4.23, -0.69,  2.15, -2.77]])" },
  { label: "sci_mode=False", code: "torch.set_printoptions(sci_mode=False)\ntorch.tensor([1e-5, 1.0])", expected: "tensor([    0.0000,     1.0000])" },
  { label: "sci_mode=True", code: "torch.set_printoptions(sci_mode=True)\ntorch.tensor([1.5, 2.0])", expected: "tensor([1.5000e+00, 2.0000e+00])" },
  { label: "threshold=5, edgeitems=2", code: "torch.set_printoptions(threshold=5, edgeitems=2)\ngrid(4, 4)", expected: "tensor([[-3.0000, -0.1538,  2.6923, -2.2308],\n        [ 0.6154,  3.4615, -1.4615,  1.3846],\n        [ 4.2308, -0.6923,  2.1538, -2.7692],\n        [ 0.0769,  2.9231, -2.0000,  0.8462]])" },
  { label: "linewidth=40", code: "torch.set_printoptions(linewidth=40)\ngrid(2, 12).requires_grad_() * 2", expected: "tensor([[-6.0000, -0.3077,  5.3846,\n         -4.4615,  1.2308,  6.9231,\n         -2.9231,  2.7692,  8.4615,\n         -1.3846,  4.3077, -5.5385],\n        [ 0.1538,  5.8462, -4.0000,\n          1.6923,  7.3846, -2.4615,\n          3.2308,  8.9231, -0.9231,\n          4.7692, -5.0769,  0.6154]],\n       grad_fn=<MulBackward0>)" },
  { label: "profile short", code: "torch.set_printoptions(profile='short')\ngrid(6, 6)", expected: "tensor([[-3.00, -0.15,  2.69, -2.23,  0.62,  3.46],\n        [-1.46,  1.38,  4.23, -0.69,  2.15, -2.77],\n        [ 0.08,  2.92, -2.00,  0.85,  3.69, -1.23],\n        [ 1.62,  4.46, -0.46,  2.38, -2.54,  0.31],\n        [ 3.15, -1.77,  1.08,  3.92, -1.00,  1.85],\n        [ 4.69, -0.23,  2.62, -2.31,  0.54,  3.38]])" },
  { label: "profile full", code: "torch.set_printoptions(profile='full')\ntorch.arange(1200)[:40]", expected: "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,\n        36, 37, 38, 39])" },
  { label: "format spec on 0-d", code: "f'{torch.tensor(2.5):.3f} {torch.tensor(3)}'", expected: "2.500 3" },
];

/** Dtype promotion, integer arithmetic, indexing and autograd names, as real PyTorch 1.13 gives them. */
const SEMANTIC_CASES: Case[] = [
  { label: "int64 + int", code: "torch.arange(4) + 1", expected: "tensor([1, 2, 3, 4])" },
  { label: "int64 + float -> float32", code: "torch.arange(4) + 1.5", expected: "tensor([1.5000, 2.5000, 3.5000, 4.5000])" },
  { label: "int64 / int64 -> float32", code: "torch.arange(4) / torch.tensor([1, 2, 4, 8])", expected: "tensor([0.0000, 0.5000, 0.5000, 0.3750])" },
  { label: "int // int floors", code: "torch.tensor([-7, 7, -8]) // torch.tensor([2, 2, 3])", expected: "tensor([-4,  3, -3])" },
  { label: "int % int takes divisor sign", code: "torch.tensor([-7, 7, -8]) % torch.tensor([3, -3, 3])", expected: "tensor([ 2, -2,  1])" },
  { label: "float % float", code: "torch.tensor([-0.75, 2.5, 3.25]) % 0.75", expected: "tensor([-0.0000, 0.2500, 0.2500])" },
  { label: "bool + bool stays bool", code: "torch.tensor([True, False]) + torch.tensor([True, True])", expected: "tensor([True, True])" },
  { label: "bool + int -> int64", code: "torch.tensor([True, False]) + 1", expected: "tensor([2, 1])" },
  { label: "int32 + int64 scalar stays int32", code: "torch.arange(3, dtype=torch.int32) + 5", expected: "tensor([5, 6, 7], dtype=torch.int32)" },
  { label: "int32 + float64 0-d -> float32", code: "torch.arange(3, dtype=torch.int32) + torch.tensor(0.5, dtype=torch.float64)", expected: "tensor([0.5000, 1.5000, 2.5000], dtype=torch.float64)" },
  { label: "uint8 + int8 -> int16", code: "torch.arange(3, dtype=torch.uint8) + torch.arange(3, dtype=torch.int8)", expected: "tensor([0, 2, 4], dtype=torch.int16)" },
  { label: "2 ** int", code: "2 ** torch.arange(5)", expected: "tensor([ 1,  2,  4,  8, 16])" },
  { label: "float ** scalar", code: "torch.tensor([1.5, -2.0]) ** 2", expected: "tensor([2.2500, 4.0000])" },
  { label: "long() truncates toward zero", code: "torch.tensor([1.7, -1.7, 2.5, -0.2]).long()", expected: "tensor([ 1, -1,  2,  0])" },
  { label: "bool() of floats", code: "torch.tensor([-0.5, 0.0, 0.25]).bool()", expected: "tensor([ True, False,  True])" },
  { label: "xor of masks", code: "torch.tensor([True, False, True]) ^ torch.tensor([True, True, False])", expected: "tensor([False,  True,  True])" },
  { label: "any / all", code: "(torch.tensor([-1.0, 0.25]).any(), torch.tensor([[0.0, 0.5], [1.0, 2.0]]).all(1))", expected: "(tensor(True), tensor([False,  True]))" },
  { label: "sum of bool -> int64", code: "(torch.arange(10) > 3).sum()", expected: "tensor(6)" },
  { label: "mean of int is an error", code: "torch.arange(3).mean()", expected: "RuntimeError: mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long" },
  { label: "bincount of a negative value is an error", code: "torch.bincount(torch.tensor([2, -1]))", expected: "RuntimeError: bincount only supports 1-d non-negative integral inputs." },
  { label: "histc of ints is an error", code: "torch.histc(torch.arange(4))", expected: "RuntimeError: \"histogram_cpu\" not implemented for 'Long'" },
  { label: "quantile outside [0, 1] is an error", code: "torch.tensor([1.0, 2.0]).quantile(1.5)", expected: "RuntimeError: quantile() q must be in the range [0, 1] but got 1.5" },
  { label: "quantile of a NaN slice is NaN", code: "torch.tensor([[1.0, float('nan'), 3.0], [1.0, 2.0, 4.0]]).quantile(0.5, dim=1)", expected: "tensor([nan, 2.])" },
  { label: "searchsorted of a scalar", code: "torch.searchsorted(torch.tensor([1.0, 2.0, 3.0]), 2.0, side='right')", expected: "tensor(2)" },
  { label: "basic indexing", code: "torch.arange(24).reshape(4, 6)[1:, ::2]", expected: "tensor([[ 6,  8, 10],\n        [12, 14, 16],\n        [18, 20, 22]])" },
  { label: "None index", code: "torch.arange(6).reshape(2, 3)[:, None].shape", expected: "torch.Size([2, 1, 3])" },
  { label: "ellipsis", code: "torch.arange(24).reshape(2, 3, 4)[..., -1]", expected: "tensor([[ 3,  7, 11],\n        [15, 19, 23]])" },
  { label: "list index repeats", code: "torch.arange(12).reshape(4, 3)[[2, 0, 2]]", expected: "tensor([[6, 7, 8],\n        [0, 1, 2],\n        [6, 7, 8]])" },
  { label: "two index tensors", code: "torch.arange(12).reshape(3, 4)[[0, 2], [1, 3]]", expected: "tensor([ 1, 11])" },
  { label: "non-adjacent index tensors move to the front", code: "torch.arange(24).reshape(2, 3, 4)[[0, 1], :, [1, 2]]", expected: "tensor([[ 1,  5,  9],\n        [14, 18, 22]])" },
  { label: "boolean mask", code: "torch.arange(8)[torch.arange(8) % 3 == 0]", expected: "tensor([0, 3, 6])" },
  { label: "row mask", code: "torch.arange(12).reshape(3, 4)[torch.tensor([True, False, True])]", expected: "tensor([[ 0,  1,  2,  3],\n        [ 8,  9, 10, 11]])" },
  { label: "setitem with a mask", code: "(lambda t: (t.__setitem__(t > 4, 0), t)[1])(torch.arange(8))", expected: "tensor([0, 1, 2, 3, 4, 0, 0, 0])" },
  { label: "setitem a row", code: "(lambda t: (t.__setitem__(1, torch.tensor([1., 2., 3.])), t)[1])(torch.zeros(2, 3))", expected: "tensor([[0., 0., 0.],\n        [1., 2., 3.]])" },
  { label: "where with a Python number", code: "torch.where(torch.tensor([1.5, -2.0]) > 0, torch.tensor([1.5, -2.0]), 0.0)", expected: "tensor([1.5000, 0.0000])" },
  { label: "where int and float", code: "torch.where(torch.arange(4) > 1, torch.arange(4), 0.5)", expected: "tensor([0.5000, 0.5000, 2.0000, 3.0000])" },
  { label: "clamp int by a float", code: "torch.arange(6).clamp(max=2.5)", expected: "tensor([0.0000, 1.0000, 2.0000, 2.5000, 2.5000, 2.5000])" },
  { label: "max(dim) picks the first tie", code: "torch.tensor([[1., 3., 3., 2.]]).max(1)", expected: "torch.return_types.max(\nvalues=tensor([3.]),\nindices=tensor([1]))" },
  { label: "argmax picks the first tie", code: "torch.tensor([1., 3., 3., 2., 3.]).argmax()", expected: "tensor(1)" },
  { label: "int matmul", code: "torch.arange(6).reshape(2, 3) @ torch.arange(6).reshape(3, 2)", expected: "tensor([[10, 13],\n        [28, 40]])" },
  { label: "batched broadcast matmul", code: "(torch.ones(2, 1, 2, 3) @ torch.ones(3, 3, 2)).shape", expected: "torch.Size([2, 3, 2, 2])" },
  { label: "cat promotes", code: "torch.cat([torch.arange(2), torch.tensor([0.5])])", expected: "tensor([0.0000, 1.0000, 0.5000])" },
  { label: "split", code: "torch.arange(5).split(2)", expected: "(tensor([0, 1]), tensor([2, 3]), tensor([4]))" },
  { label: "unique with counts", code: "torch.tensor([3, 1, 2, 1]).unique(return_counts=True)", expected: "(tensor([1, 2, 3]), tensor([2, 1, 1]))" },
  { label: "gather", code: "torch.arange(12).reshape(3, 4).gather(1, torch.tensor([[0], [3], [1]]))", expected: "tensor([[0],\n        [7],\n        [9]])" },
  { label: "scatter_add", code: "torch.zeros(3).scatter_add(0, torch.tensor([0, 0, 2]), torch.tensor([1., 2., 3.]))", expected: "tensor([3., 0., 3.])" },
  { label: "std / var", code: "(torch.tensor([1., 2., 4., 7.]).std(), torch.tensor([1., 2., 4., 7.]).var(unbiased=False))", expected: "(tensor(2.6458), tensor(5.2500))" },
  { label: "item types", code: "(torch.tensor(2.0).item(), torch.tensor(3).item(), torch.tensor(True).item())", expected: "(2.0, 3, True)" },
  { label: "tolist", code: "torch.tensor([[1.5, 2.0], [3.0, -1.0]]).tolist()", expected: "[[1.5, 2.0], [3.0, -1.0]]" },
  { label: "grad_fn names", code: "[t.grad_fn.name() for t in (lambda x: (x + 1, 2 - x, x * x, x / 3, x ** 2, x.sum(), x.mean(1), x[0], x[:, :1], x.t(), x.view(-1), x.unsqueeze(0), x.relu(), x.abs(), x @ x, x.max()))(torch.ones(2, 2, requires_grad=True))]", expected: "['AddBackward0', 'RsubBackward1', 'MulBackward0', 'DivBackward0', 'PowBackward0', 'SumBackward0', 'MeanBackward1', 'SelectBackward0', 'SliceBackward0', 'TBackward0', 'ViewBackward0', 'UnsqueezeBackward0', 'ReluBackward0', 'AbsBackward0', 'MmBackward0', 'MaxBackward1']" },
  { label: "einsum batched product", code: "torch.einsum('bij,bjk->bik', torch.arange(12.).reshape(2, 2, 3), torch.arange(12.).reshape(2, 3, 2))", expected: "tensor([[[ 10.,  13.],\n         [ 28.,  40.]],\n\n        [[172., 193.],\n         [244., 274.]]])" },
  { label: "einsum with ellipsis and implicit output", code: "(torch.einsum('...ij,...jk', torch.ones(2, 2, 3), torch.ones(3, 4)).shape, torch.einsum('i,j', torch.arange(2.), torch.arange(3.)))", expected: "(torch.Size([2, 2, 4]), tensor([[0., 0., 0.],\n        [0., 1., 2.]]))" },
  { label: "detach_ makes a leaf", code: "(lambda t: (t.detach_(), t.requires_grad, t.is_leaf))(torch.ones(2, requires_grad=True) * 2)", expected: "(tensor([2., 2.]), False, True)" },
  { label: "torch.save round trip", code: "(lambda buf: (torch.save({'w': torch.arange(6.).reshape(2, 3) / 7, 'i': torch.tensor([1, -2])}, buf), buf.seek(0), torch.load(buf))[2])(__import__('io').BytesIO())", expected: "{'w': tensor([[0.0000, 0.1429, 0.2857],\n        [0.4286, 0.5714, 0.7143]]), 'i': tensor([ 1, -2])}" },
];

const GRID = `
def grid(*shape, scale=1.0):
    n = 1
    for d in shape:
        n *= d
    values = (torch.arange(n, dtype=torch.float32) * 37 % 101) / 13 - 3
    return (values * scale if scale != 1.0 else values).reshape(shape)
`;

/** A script printing each case after a record separator; errors print as `Type: message`. */
function scriptFor(cases: Case[]): string {
  const lines = ['import torch', GRID];
  for (const c of cases) {
    const code = c.code.split('\n');
    const expr = code.pop()!;
    lines.push("print('\\x1e')", 'try:');
    for (const setup of code) lines.push(`    ${setup}`);
    lines.push(`    _value = ${expr}`, '    print(_value if isinstance(_value, str) else repr(_value))');
    lines.push('except Exception as _error:', "    print(type(_error).__name__ + ': ' + str(_error))");
    if (code.length) lines.push("torch.set_printoptions(profile='default', sci_mode=None)");
  }
  return `${lines.join('\n')}\n`;
}

/** Runs the cases in one runtime and checks each printout against PyTorch's. */
function checkCases(title: string, cases: Case[]): void {
  describe(title, () => {
    let outputs: string[] = [];
    let run: ScriptRun;
    before(() => {
      run = runPython(scriptFor(cases));
      assert.equal(run.status, 0, run.stderr);
      outputs = run.stdout.split('\x1e\n').slice(1).map((block) => block.replace(/\n$/, ''));
      assert.equal(outputs.length, cases.length, run.stdout);
    });
    cases.forEach((c, i) => {
      test(c.label, () => assert.equal(outputs[i], c.expected, `for ${c.code}`));
    });
  });
}

checkCases('printing matches PyTorch', PRINT_CASES);
checkCases('semantics match PyTorch', SEMANTIC_CASES);

describe('errors PyTorch users know, raised at their own line', () => {
  const cases = [
    {
      label: 'broadcasting mismatch',
      lines: ['import torch', 'a = torch.zeros(3, 4)', 'b = torch.zeros(5)', 'c = a + b'],
      line: 4,
      error: 'RuntimeError: The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 1',
    },
    {
      label: 'matmul mismatch',
      lines: ['import torch', 'x = torch.zeros(64, 784)', 'w = torch.zeros(100, 10)', 'y = x @ w'],
      line: 4,
      error: 'RuntimeError: mat1 and mat2 shapes cannot be multiplied (64x784 and 100x10)',
    },
    {
      label: 'linear layer mismatch',
      lines: ['import torch', 'import torch.nn.functional as F', 'x = torch.zeros(64, 784)', 'y = F.linear(x, torch.zeros(10, 100))'],
      line: 4,
      error: 'RuntimeError: mat1 and mat2 shapes cannot be multiplied (64x784 and 100x10)',
    },
    {
      label: 'index out of range, inside a function',
      lines: ['import torch', 'x = torch.zeros(3)', 'def pick(i):', '    return x[i]', 'pick(5)'],
      line: 4,
      error: 'IndexError: index 5 is out of bounds for dimension 0 with size 3',
    },
    {
      label: 'index tensor out of range',
      lines: ['import torch', 'x = torch.zeros(3, 4)', 'y = x[torch.tensor([0, 5])]'],
      line: 3,
      error: 'IndexError: index 5 is out of bounds for dimension 0 with size 3',
    },
    {
      label: 'view of the wrong size',
      lines: ['import torch', 'x = torch.zeros(3, 4)', 'y = x.view(-1, 5)'],
      line: 3,
      error: "RuntimeError: shape '[-1, 5]' is invalid for input of size 12",
    },
    {
      label: 'in-place op on a leaf that requires grad',
      lines: ['import torch', 'w = torch.ones(2, requires_grad=True)', 'w -= 0.1'],
      line: 3,
      error: 'RuntimeError: a leaf Variable that requires grad is being used in an in-place operation.',
    },
  ];
  let runs: Array<{ status: number | null; stdout: string; stderr: string }> = [];
  before(async () => {
    runs = await Promise.all(cases.map((c) => runPythonAsync(`${c.lines.join('\n')}\n`, 'user_script.py')));
  });
  cases.forEach((c, i) => {
    test(c.label, () => {
      const run = runs[i];
      assert.equal(run.status, 1, run.stdout + run.stderr);
      const stderr = run.stderr.trimEnd().split('\n');
      assert.equal(stderr[stderr.length - 1], c.error, run.stderr);
      const userFrames = stderr.filter((l) => l.includes('user_script.py", line'));
      assert.ok(userFrames.length > 0, run.stderr);
      assert.match(userFrames[userFrames.length - 1], new RegExp(`line ${c.line},`), run.stderr);
    });
  });

  test('the errors are the Python exception types users catch', () => {
    const run = runPython(
      [
        'import torch',
        'caught = []',
        'for f in (lambda: torch.zeros(3, 4) + torch.zeros(5), lambda: torch.zeros(2, 3) @ torch.zeros(2, 3),',
        '          lambda: torch.zeros(3)[3], lambda: torch.zeros(3).reshape(2, 2), lambda: torch.zeros(2).item()):',
        '    try:',
        '        f()',
        '    except (RuntimeError, IndexError) as error:',
        '        caught.append(type(error).__name__)',
        'print(caught)',
      ].join('\n'),
    );
    assert.equal(run.stdout.trim(), "['RuntimeError', 'RuntimeError', 'IndexError', 'RuntimeError', 'RuntimeError']", run.stderr);
  });
});
