#!/usr/bin/env bash
# Node-based test tools (node from PATH, >= 20.17).
#
#   source scripts/lib/node-tools.sh; ensure_sigstore_js   # sets SIGSTORE_JS_DIR, SIGSTORE_JS_VERIFY
#   node "$SIGSTORE_JS_VERIFY" ARTIFACT BUNDLE.json PUBKEY.pem   # prints OK, exit 0 / exit 1
#   bash scripts/lib/node-tools.sh                          # installs, prints the verifier path
#
# ensure_sigstore_js installs tests/tools/sigstore-js/node_modules with `npm ci` (or
# `npm install` when there is no package-lock.json) only when node_modules is missing or stale:
# a stamp inside node_modules records the sha256 of package.json + package-lock.json and the
# node version it was installed for. SIGIL_NPM_TIMEOUT bounds npm (seconds, default 300).

SIGSTORE_JS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tests/tools/sigstore-js" 2>/dev/null && pwd)
SIGSTORE_JS_VERIFY=${SIGSTORE_JS_DIR:+$SIGSTORE_JS_DIR/verify-bundle.mjs}

_node_tools_log() { echo "node-tools: $*" >&2; }

_sigstore_js_fingerprint() {
  {
    cat "$SIGSTORE_JS_DIR/package.json"
    [[ -f "$SIGSTORE_JS_DIR/package-lock.json" ]] && cat "$SIGSTORE_JS_DIR/package-lock.json"
    node --version
  } | sha256sum | cut -d' ' -f1
}

_sigstore_js_ready() {
  local stamp=$SIGSTORE_JS_DIR/node_modules/.sigil-stamp
  [[ -f "$stamp" && "$(cat "$stamp")" == "$(_sigstore_js_fingerprint)" &&
    -f "$SIGSTORE_JS_DIR/node_modules/@sigstore/verify/package.json" ]]
}

_sigstore_js_install() (
  set -euo pipefail
  cd "$SIGSTORE_JS_DIR"
  local limit=${SIGIL_NPM_TIMEOUT:-300} log
  log=$(mktemp "${TMPDIR:-/tmp}/sigil-npm.XXXXXX")
  trap 'rm -f "$log"' EXIT
  local -a cmd=(npm ci)
  [[ -f package-lock.json ]] || cmd=(npm install)
  _node_tools_log "installing sigstore-js test tool: ${cmd[*]} in $SIGSTORE_JS_DIR"
  if ! timeout "$limit" "${cmd[@]}" --no-audit --no-fund --ignore-scripts --loglevel=error >"$log" 2>&1; then
    cat "$log" >&2
    _node_tools_log "${cmd[*]} failed"
    exit 1
  fi
  _sigstore_js_fingerprint >node_modules/.sigil-stamp
)

# ensure_sigstore_js: returns non-zero with a message on stderr when node/npm are missing or the
# install fails.
ensure_sigstore_js() {
  export SIGSTORE_JS_DIR SIGSTORE_JS_VERIFY
  if [[ -z "$SIGSTORE_JS_DIR" || ! -f "$SIGSTORE_JS_DIR/package.json" ]]; then
    _node_tools_log "tests/tools/sigstore-js not found"
    return 1
  fi
  local tool
  for tool in node npm sha256sum; do
    command -v "$tool" >/dev/null || { _node_tools_log "$tool not found on PATH"; return 1; }
  done
  local major minor
  IFS=. read -r major minor _ <<<"$(node --version | sed 's/^v//')"
  if ((major < 20 || (major == 20 && minor < 17))); then
    _node_tools_log "node $(node --version) is too old for @sigstore/verify 3 (needs >= 20.17)"
    return 1
  fi
  _sigstore_js_ready && return 0
  local rc=0
  if command -v flock >/dev/null; then
    (
      flock -w "${SIGIL_NPM_TIMEOUT:-300}" 9 || { _node_tools_log "timed out waiting for the lock"; exit 1; }
      _sigstore_js_ready || _sigstore_js_install
    ) 9>"$SIGSTORE_JS_DIR/.install.lock" || rc=$?
  else
    _sigstore_js_install || rc=$?
  fi
  return "$rc"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  ensure_sigstore_js || exit 1
  echo "$SIGSTORE_JS_VERIFY"
fi
