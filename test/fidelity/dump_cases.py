# Runs the fidelity cases and writes their results as JSON, under real PyTorch or under Trainloop's runtime.
"""Usage: dump_cases.py OUTPUT.json [CASE ...]

Runs every case of cases.CASES (or only the named ones) and writes
{case: {name: {"shape": [...], "dtype": "float32"|"int64"|"bool", "values": [...]}}}
to OUTPUT.json ("-" writes to stdout).  A case that raises is written as
{"error": "<type>: <message>"} and the run goes on; its traceback goes to stderr.

Floats are written with 9 significant digits (enough to round-trip float32);
NaN and infinities are written as the strings "nan", "inf" and "-inf".

To regenerate the checked-in reference values with real PyTorch, run
test/fidelity/make_reference.sh (it runs this script with /usr/bin/python3).
Under Trainloop:  node dist/cli.js run test/fidelity/dump_cases.py out.json
"""

import json
import math
import os
import sys
import traceback

# Real python puts the script's directory on sys.path already; be explicit in case a runner does not.
_script = globals().get("__file__")
_here = os.path.dirname(os.path.abspath(_script)) if _script else os.getcwd()
if _here not in sys.path:
    sys.path.insert(0, _here)

import torch  # noqa: E402

from cases import CASES  # noqa: E402

DTYPE_NAMES = [
    (torch.float32, "float32"),
    (torch.int64, "int64"),
    (torch.bool, "bool"),
]


def dtype_name(dtype):
    for known, name in DTYPE_NAMES:
        if dtype == known:
            return name
    text = str(dtype)
    return text[len("torch."):] if text.startswith("torch.") else text


def json_float(value):
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return float("%.9g" % value)


def encode_tensor(tensor):
    if not isinstance(tensor, torch.Tensor):
        raise TypeError("output is a %s, not a tensor" % type(tensor).__name__)
    flat = tensor.detach().reshape(-1).tolist()
    name = dtype_name(tensor.dtype)
    if name == "bool":
        values = [bool(v) for v in flat]
    elif name in ("int64", "int32", "int16", "int8", "uint8"):
        values = [int(v) for v in flat]
    else:
        values = [json_float(float(v)) for v in flat]
    return {"shape": list(tensor.shape), "dtype": name, "values": values}


def run_case(name):
    try:
        outputs = CASES[name]()
        if not isinstance(outputs, dict):
            raise TypeError("case returned a %s, not a dict" % type(outputs).__name__)
        encoded = {}
        for output_name, tensor in outputs.items():
            try:
                encoded[output_name] = encode_tensor(tensor)
            except Exception as error:
                raise type(error)("output %r: %s" % (output_name, error)) from error
        return encoded
    except Exception as error:  # a failing case must not stop the others
        sys.stderr.write("case %s failed:\n%s\n" % (name, traceback.format_exc()))
        return {"error": "%s: %s" % (type(error).__name__, error)}


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    output_path, names = argv[1], argv[2:]
    unknown = [name for name in names if name not in CASES]
    if unknown:
        sys.stderr.write("unknown case(s): %s\n" % ", ".join(unknown))
        return 2
    results = {}
    for name in names or list(CASES):
        results[name] = run_case(name)
    text = json.dumps(results, indent=None, separators=(",", ":"), allow_nan=False)
    if output_path == "-":
        sys.stdout.write(text + "\n")
    else:
        with open(output_path, "w") as handle:
            handle.write(text + "\n")
        failed = [name for name, result in results.items() if "error" in result and isinstance(result["error"], str)]
        print("%d cases, %d failed%s" % (len(results), len(failed), (": " + ", ".join(failed)) if failed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
