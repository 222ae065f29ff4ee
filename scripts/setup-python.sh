#!/usr/bin/env bash
# Makes the torch 2.x virtual environment the native-runtime tests use (.cache/python/torch2), from this machine's pip
# index; a second run only checks that it imports torch. Prints what it did.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.cache/python/torch2
PY="$VENV/bin/python"

say() { printf 'setup-python: %s\n' "$*"; }
describe() {
  "$PY" -c 'import sys, torch
try:
    import torchvision
    vision = f"torchvision {torchvision.__version__}"
except Exception as error:
    vision = f"no torchvision ({type(error).__name__})"
print(f"Python {sys.version.split()[0]}, torch {torch.__version__}, {vision}")' 2>/dev/null
}

if [ -x "$PY" ] && "$PY" -c 'import torch' 2>/dev/null; then
  say "$VENV is ready: $(describe)"
  exit 0
fi

# The interpreter: pyenv's CPython 3.11 (the local index has torch wheels for cp311), else the system's python3 with venv.
BASE=""
for candidate in "$HOME"/.pyenv/versions/3.11.*/bin/python; do
  [ -x "$candidate" ] && BASE="$candidate"
done
if [ -z "$BASE" ] && /usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null; then
  BASE=/usr/bin/python3
fi
if [ -z "$BASE" ]; then
  say "no Python 3.11 found (pyenv's ~/.pyenv/versions/3.11.*, or /usr/bin/python3 with python3-venv): cannot make $VENV" >&2
  exit 1
fi

if [ ! -x "$PY" ]; then
  say "creating $VENV with $BASE ($("$BASE" --version 2>&1))"
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  "$BASE" -m venv "$VENV"
else
  say "$VENV exists but does not import torch: installing it"
fi

# A CPU-only torch: the newest torch-*+cpu wheel in pip's find-links folders (pip's own choice may need CUDA wheels the
# index lacks), else pip's choice. Its torchvision is torch 2.N's 0.(N+15), kept only if it imports: a torchvision
# wheel built against CUDA torch cannot load its operators under a +cpu torch.
PIP=("$PY" -m pip --disable-pip-version-check --retries 0)
wheel=""
for dir in $("$PY" -m pip config list 2>/dev/null | sed -n "s/^[^=]*find-links='\(.*\)'$/\1/p" | tr ' ' '\n' | sed 's#^file://##'); do
  for found in "$dir"/torch-*+cpu-*.whl; do
    [ -f "$found" ] && wheel="$found"
  done
done
if [ -n "$wheel" ]; then
  torch_spec="torch==$(basename "$wheel" | cut -d- -f2)"
else
  torch_spec=torch
fi
say "installing $torch_spec and numpy into $VENV"
"${PIP[@]}" install --quiet "$torch_spec" numpy  # numpy: torch warns at import without it
"$PY" -c 'import torch' || { say "$VENV still does not import torch" >&2; exit 1; }

minor=$("$PY" -c 'import torch; print(torch.__version__.split(".")[1])')
vision_spec="torchvision==0.$((minor + 15)).*"
if "${PIP[@]}" install --quiet "$vision_spec" 2>/dev/null && "$PY" -c 'import torchvision' 2>/dev/null; then
  say "installed $vision_spec"
else
  "${PIP[@]}" uninstall --quiet --yes torchvision 2>/dev/null || true
  say "left torchvision out: $vision_spec does not import with $torch_spec here (scripts that need it skip on $VENV)"
fi
say "$VENV is ready: $(describe)"
