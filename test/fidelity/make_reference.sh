#!/bin/sh
# Regenerates test/fidelity/reference.json from real PyTorch (Debian python3-torch for /usr/bin/python3).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python=${TORCH_PYTHON:-/usr/bin/python3}
"$python" -c 'import torch; print("torch", torch.__version__)'
tmp="$here/reference.json.tmp"
trap 'rm -f "$tmp"' EXIT
"$python" "$here/dump_cases.py" "$tmp"
# The reference must be clean: a case that fails on real PyTorch is a bug in cases.py.
"$python" - "$tmp" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
failed = {name: r["error"] for name, r in results.items() if isinstance(r.get("error"), str)}
if failed:
    for name, error in failed.items():
        print("reference case %s failed: %s" % (name, error), file=sys.stderr)
    sys.exit(1)
PY
mv "$tmp" "$here/reference.json"
echo "wrote $here/reference.json ($(wc -c < "$here/reference.json") bytes)"
