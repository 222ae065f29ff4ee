#!/usr/bin/env bash
# Installs what the end-to-end suite runs the extension in: Node 24 (npm package `node@24`) and code-server (VS Code in a
# server) built with it, into a cache folder outside the project's dependency tree. Idempotent: a second run with
# both in the cache only checks them (well under a second). Prints `TRAINLOOP_E2E_NODE=…` and
# `TRAINLOOP_E2E_CODE_SERVER=…` on stdout for test/e2e; everything else goes to stderr.
#
# Needs: npm reaching the registry, g++/make/python3 (node-gyp) and Debian's libkrb5-dev (code-server's `kerberos`).
# The cache: $TRAINLOOP_E2E_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/trainloop-e2e.
set -euo pipefail

# Under `npm test` the environment carries npm's settings for this project (npm_config_local_prefix=<repo>, …): the
# installs below are projects of their own and must not see them.
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(npm_|INIT_CWD$|NODE_OPTIONS$)' || true)

NODE_SPEC="${TRAINLOOP_E2E_NODE_SPEC:-24}"
CODE_SERVER_VERSION="${TRAINLOOP_E2E_CODE_SERVER_VERSION:-4.139.1}"
CACHE="${TRAINLOOP_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/trainloop-e2e}"

NODE_DIR="$CACHE/node-$NODE_SPEC"
NODE_BIN="$NODE_DIR/node_modules/node/bin/node"
CODE_SERVER_DIR="$CACHE/code-server-$CODE_SERVER_VERSION-node-$NODE_SPEC"
CODE_SERVER_ENTRY="$CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js"

log() { printf '[e2e-setup] %s\n' "$*" >&2; }

mkdir -p "$CACHE"
# One installer at a time (two test runs starting together share the cache).
exec 9>"$CACHE/.lock"
flock 9

# A scratch folder holding an npm project of its own, so nothing lands in the repo's node_modules or lockfile.
# npm 11 skips dependencies' install scripts unless the project allows them; `node` (which fetches the platform
# binary package) and code-server (whose postinstall runs npm for VS Code's own native modules, with further
# nested installs) need theirs, so this scratch project allows all of them.
scratch_project() {
  local dir="$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  printf '{ "name": "trainloop-e2e-tools", "private": true }\n' >"$dir/package.json"
}

if [[ -x "$NODE_BIN" && -f "$NODE_DIR/.installed" ]] && [[ "$("$NODE_BIN" -v)" == v${NODE_SPEC%%.*}.* ]]; then
  log "Node $("$NODE_BIN" -v) cached in $NODE_DIR"
else
  log "installing node@$NODE_SPEC into $NODE_DIR"
  scratch_project "$NODE_DIR"
  (cd "$NODE_DIR" && npm_config_dangerously_allow_all_scripts=true npm install --no-audit --no-fund --loglevel=error "node@$NODE_SPEC" >&2)
  "$NODE_BIN" -v >&2
  touch "$NODE_DIR/.installed"
fi

# Node's headers come with the platform package that node@24 installs (include/node/*.h).
NODE_API_H="$(find "$NODE_DIR/node_modules" -path '*/include/node/node_api.h' -print -quit)"
if [[ -z "$NODE_API_H" ]]; then
  log "node@$NODE_SPEC in $NODE_DIR came without include/node/node_api.h: cannot build code-server's native modules"
  exit 3
fi
NODE_HEADERS="$(readlink -f "$(dirname "$NODE_API_H")/../..")"

if [[ -f "$CODE_SERVER_DIR/.installed" && -f "$CODE_SERVER_ENTRY" ]]; then
  log "code-server $CODE_SERVER_VERSION cached in $CODE_SERVER_DIR"
else
  if ! { [[ -f /usr/include/krb5.h ]] || [[ -f /usr/include/krb5/krb5.h ]]; }; then
    log "missing Kerberos headers: code-server's 'kerberos' module needs Debian's libkrb5-dev (apt-get install libkrb5-dev)"
    exit 3
  fi
  log "installing code-server@$CODE_SERVER_VERSION with Node $("$NODE_BIN" -v) into $CODE_SERVER_DIR (a few minutes, once)"
  # Installed in place (native builds record their folder); `.installed` marks a finished install.
  scratch_project "$CODE_SERVER_DIR"
  (
    cd "$CODE_SERVER_DIR"
    export PATH="$(dirname "$NODE_BIN"):$PATH"
    export npm_config_nodedir="$NODE_HEADERS"
    export npm_config_dangerously_allow_all_scripts=true
    npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2
  )
  # The native modules must load under Node 24, or the workbench starts without a terminal, file watcher, etc.
  "$NODE_BIN" -e 'for (const m of process.argv.slice(1)) require(m)' \
    "$CODE_SERVER_DIR/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog" \
    "$CODE_SERVER_DIR/node_modules/code-server/lib/vscode/node_modules/node-pty" >&2
  touch "$CODE_SERVER_DIR/.installed"
fi

echo "TRAINLOOP_E2E_NODE=$NODE_BIN"
echo "TRAINLOOP_E2E_CODE_SERVER=$CODE_SERVER_ENTRY"
