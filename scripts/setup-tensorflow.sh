#!/usr/bin/env bash
# Builds @tensorflow/tfjs-node (our tfjs-core's version) in .cache/tfjs-node from pip's tensorflow-cpu wheel; a second run only checks that it loads.
#
# Why from the wheel: tfjs-node's own install script downloads libtensorflow from storage.googleapis.com, which this
# machine can't reach; the local pip index has the tensorflow-cpu wheel, whose libtensorflow_cc.so.2 exports every
# TF_*/TFE_* symbol the binding uses. The runtime looks here for `--backend tensorflow` (src/runtime/nativeBindings.ts).
# Needs: python3 with pip (and tensorflow-cpu in its index), npm reaching the registry, g++/make (node-gyp), Node's headers.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE="$ROOT/.cache/tfjs-node"
PACKAGE="$CACHE/node_modules/@tensorflow/tfjs-node"

say() { printf 'setup-tensorflow: %s\n' "$*"; }
fail() {
  say "$*" >&2
  say "the tensorflow backend stays unavailable: its tests print SKIP (and fail when CI=true)" >&2
  exit 1
}

# Under `npm run` the environment carries npm's settings for this project (npm_config_local_prefix=<repo>, …): the
# install below is a project of its own and must not see them.
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(npm_|INIT_CWD$|NODE_OPTIONS$)' || true)

VERSION=$(node -p "require('./package.json').dependencies['@tensorflow/tfjs-core'].replace(/^[~^=]/, '')")

mkdir -p "$CACHE"
# One build at a time (two test runs, or CI and a developer, may start it together).
exec 9>"$CACHE/.lock"
flock 9

# Loads the build the way a user's script would and prints tfjs-node's and TensorFlow's versions; quiet unless it fails.
check() {
  local probe='
    const tf = require(process.argv[1]);
    tf.ready().then(() => {
      if (tf.getBackend() !== "tensorflow") throw new Error(`tf.getBackend() is ${tf.getBackend()}, not tensorflow`);
      const sum = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync();
      if (sum.join() !== "3,3,3,3") throw new Error(`a 2x3 by 3x2 product of ones gave ${sum.join()}`);
      console.log(`tfjs-node ${tf.version["tfjs-node"]} on TensorFlow ${tf.backend().binding.TF_Version}`);
    });'
  node -e "$probe" "$PACKAGE" 2>"$CACHE/check.log"
}

if [ -f "$PACKAGE/package.json" ]; then
  built=$(node -p "require('$PACKAGE/package.json').version")
  if [ "$built" != "$VERSION" ]; then
    say "$CACHE holds tfjs-node $built, not $VERSION: rebuilding"
  elif loaded=$(check); then
    say "$CACHE is ready: $loaded"
    exit 0
  else
    say "the build in $CACHE does not load: rebuilding"
    grep -v '^\s*at ' "$CACHE/check.log" | tail -3 | sed 's/^/  /'
  fi
fi

started=$SECONDS
[ "$(uname -s)/$(uname -m)" = Linux/x86_64 ] ||
  fail "the tensorflow-cpu wheel's libraries are for Linux x86-64; this is $(uname -s)/$(uname -m) (install @tensorflow/tfjs-node from npm in the script's folder instead)"
for tool in python3 g++ make; do
  command -v "$tool" >/dev/null || fail "$tool is missing (node-gyp builds the binding with python3, make and g++)"
done
# A Python with pip: python3 on PATH, else pyenv's (Debian's python3 comes without pip).
PYTHON=""
for candidate in python3 "$HOME"/.pyenv/versions/3.*/bin/python /usr/bin/python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -m pip --version >/dev/null 2>&1; then
    PYTHON=$candidate
    break
  fi
done
[ -n "$PYTHON" ] || fail "no Python with pip (python3 -m pip, or pyenv's) to download the tensorflow-cpu wheel with"
NODEDIR=""
for prefix in "${npm_config_nodedir:-}" "$(dirname "$(dirname "$(command -v node)")")"; do
  if [ -n "$prefix" ] && [ -f "$prefix/include/node/node_api.h" ] && [ -f "$prefix/include/node/common.gypi" ]; then
    NODEDIR=$prefix
    break
  fi
done
[ -n "$NODEDIR" ] || fail "Node's headers (include/node/node_api.h) are not beside $(command -v node); node-gyp would download them"

# 1. The wheel. Its two libraries don't depend on the Python version, so any CPython's wheel will do.
WHEELS="$CACHE/wheel"
mkdir -p "$WHEELS"
PIP=("$PYTHON" -m pip download --disable-pip-version-check --no-deps --only-binary=:all: --dest "$WHEELS")
index=$("$PYTHON" -m pip config list 2>/dev/null | grep -Eo "(extra-)?index-url='[^']*'" | head -1 || true)
say "downloading the tensorflow-cpu wheel from pip's index (${index:-the default index})"
if ! "${PIP[@]}" --quiet tensorflow-cpu 2>"$CACHE/pip.log"; then
  for python in 3.12 3.11 3.13 3.10; do
    "${PIP[@]}" --quiet --python-version "$python" tensorflow-cpu 2>>"$CACHE/pip.log" && break
  done
fi
WHEEL=$(ls -t "$WHEELS"/tensorflow_cpu-*.whl 2>/dev/null | head -1 || true)
if [ -z "$WHEEL" ]; then
  tail -3 "$CACHE/pip.log" | sed 's/^/  pip: /' >&2
  fail "pip has no tensorflow-cpu wheel for this machine in its index (pip config list shows the index)"
fi
say "using $(basename "$WHEEL")"

# 2. tfjs-node without its install script (the libtensorflow download). Its tfjs-core is pinned to ours; the runtime
# hands tfjs-node our own tfjs-core instance anyway, so kernels and gradients register once, on our engine.
cat >"$CACHE/package.json" <<EOF
{
  "private": true,
  "description": "@tensorflow/tfjs-node built from the tensorflow-cpu wheel by scripts/setup-tensorflow.sh",
  "dependencies": { "@tensorflow/tfjs-node": "$VERSION" },
  "overrides": { "@tensorflow/tfjs-core": "$VERSION", "@tensorflow/tfjs-backend-cpu": "$VERSION" }
}
EOF
say "installing @tensorflow/tfjs-node@$VERSION into $CACHE (without its install script)"
(cd "$CACHE" && npm install --ignore-scripts --no-audit --no-fund --no-package-lock --loglevel=error >/dev/null) ||
  fail "npm install @tensorflow/tfjs-node@$VERSION failed in $CACHE"

# 3. deps/: the wheel's libraries under the names binding.gyp links (-ltensorflow -ltensorflow_framework) and the names
# the linked binding asks for at run time (their sonames, libtensorflow_cc.so.2 and libtensorflow_framework.so.2), and
# the headers the binding includes, with the headers those include in turn.
UNPACKED="$CACHE/wheel/unpacked"
rm -rf "$UNPACKED" "$PACKAGE/deps"
say "unpacking its libraries and C headers"
"$PYTHON" - "$WHEEL" "$UNPACKED" <<'EOF'
import sys, zipfile
wheel, into = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as archive:
    wanted = [name for name in archive.namelist()
              if name in ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2')
              or (name.startswith('tensorflow/include/') and name.endswith('.h'))]
    for name in wanted:
        archive.extract(name, into)
EOF
for library in libtensorflow_cc.so.2 libtensorflow_framework.so.2; do
  [ -f "$UNPACKED/tensorflow/$library" ] || fail "$(basename "$WHEEL") has no tensorflow/$library"
done
mkdir -p "$PACKAGE/deps/lib" "$PACKAGE/deps/include"
stage_library() { # from, to: stripped (they carry ~170 MB of symbols) when strip is there
  if command -v strip >/dev/null; then strip --strip-unneeded -o "$2" "$1"; else cp "$1" "$2"; fi
}
stage_library "$UNPACKED/tensorflow/libtensorflow_cc.so.2" "$PACKAGE/deps/lib/libtensorflow.so.2"
stage_library "$UNPACKED/tensorflow/libtensorflow_framework.so.2" "$PACKAGE/deps/lib/libtensorflow_framework.so.2"
ln -sf libtensorflow.so.2 "$PACKAGE/deps/lib/libtensorflow.so"
ln -sf libtensorflow.so.2 "$PACKAGE/deps/lib/libtensorflow_cc.so.2"
ln -sf libtensorflow_framework.so.2 "$PACKAGE/deps/lib/libtensorflow_framework.so"

INCLUDE="$UNPACKED/tensorflow/include"
quoted_includes() { sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$@"; }
pending=$(quoted_includes "$PACKAGE"/binding/*.cc "$PACKAGE"/binding/*.h | sort -u)
staged=0
while [ -n "$pending" ]; do
  next=""
  for header in $pending; do
    [ -f "$INCLUDE/$header" ] && [ ! -f "$PACKAGE/deps/include/$header" ] || continue
    mkdir -p "$PACKAGE/deps/include/$(dirname "$header")"
    cp "$INCLUDE/$header" "$PACKAGE/deps/include/$header"
    staged=$((staged + 1))
    next="$next $(quoted_includes "$INCLUDE/$header")"
  done
  pending=$(printf '%s\n' $next | sort -u)
done
[ -f "$PACKAGE/deps/include/tensorflow/c/c_api.h" ] || fail "$(basename "$WHEEL") has no tensorflow/include/tensorflow/c/c_api.h"
say "staged deps/lib ($(du -sh "$PACKAGE/deps/lib" | cut -f1)) and $staged headers in deps/include"

# 4. The binding, against Node's own headers (node-gyp would download them otherwise).
say "building the binding (node-pre-gyp install --build-from-source, nodedir $NODEDIR)"
(cd "$PACKAGE" && npm_config_nodedir="$NODEDIR" node "$CACHE/node_modules/@mapbox/node-pre-gyp/bin/node-pre-gyp" \
  install --build-from-source >"$CACHE/build.log" 2>&1) || {
  grep -E 'error|Error' "$CACHE/build.log" | head -10 | sed 's/^/  /' >&2
  fail "building the binding failed; the whole log is $CACHE/build.log"
}
rm -rf "$PACKAGE/build" "$WHEELS"

if ! loaded=$(check); then
  tail -10 "$CACHE/check.log" | sed 's/^/  /' >&2
  fail "the build in $CACHE does not load"
fi
say "$CACHE is ready in $((SECONDS - started)) s: $loaded"
