#!/usr/bin/env bash
# Makes the torch 2.x virtual environment the native-runtime tests use (.cache/python/torch2), from this machine's pip
# index; a second run only checks that it imports torch. Prints what it did.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.cache/python/torch2
PY="$VENV/bin/python"

say() { printf 'setup-python: %s\n' "$*"; }

if [ -x "$PY" ] && "$PY" -c 'import torch, torchvision' 2>/dev/null; then
  say "$VENV is ready: $("$PY" -c 'import sys, torch, torchvision; print(f"Python {sys.version.split()[0]}, torch {torch.__version__}, torchvision {torchvision.__version__}")')"
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
  say "$VENV exists but does not import torch and torchvision: installing them"
fi

# A CPU-only torch: the newest torch-*+cpu wheel in pip's find-links folders, with the torchvision of its release
# (torch 2.N pairs with torchvision 0.(N+15)). Without one, pip's own choice (which may pull CUDA wheels).
PIP=("$PY" -m pip --disable-pip-version-check --retries 0)
wheel=""
for dir in $("$PY" -m pip config list 2>/dev/null | sed -n "s/^[^=]*find-links='\(.*\)'$/\1/p" | tr ' ' '\n' | sed 's#^file://##'); do
  for found in "$dir"/torch-*+cpu-*.whl; do
    [ -f "$found" ] && wheel="$found"
  done
done
if [ -n "$wheel" ]; then
  torch_version=$(basename "$wheel" | cut -d- -f2)
  minor=$(printf '%s' "$torch_version" | cut -d. -f2)
  specs=("torch==$torch_version" "torchvision==0.$((minor + 15)).*")
else
  specs=(torch torchvision)
fi
say "installing ${specs[*]} into $VENV"
"${PIP[@]}" install --quiet "${specs[@]}"
"$PY" -c 'import torch, torchvision' || { say "$VENV still does not import torch" >&2; exit 1; }
say "$VENV is ready: $("$PY" -c 'import sys, torch, torchvision; print(f"Python {sys.version.split()[0]}, torch {torch.__version__}, torchvision {torchvision.__version__}")')"
