#!/usr/bin/env bash
# Node-based test tools (node from PATH, >= 20.17), each in tests/tools/<name>/ with a committed
# package.json + package-lock.json and a git-ignored node_modules.
#
#   source scripts/lib/node-tools.sh
#   ensure_sigstore_js   # sets SIGSTORE_JS_DIR, SIGSTORE_JS_VERIFY (keyless: $SIGSTORE_JS_DIR/verify-keyless.mjs)
#   node "$SIGSTORE_JS_VERIFY" ARTIFACT BUNDLE.json PUBKEY.pem   # prints OK, exit 0 / exit 1
#   ensure_ci_tools      # sets CI_TOOLS_DIR, CI_TOOLS_BIN (ajv, gitlab-ci-local)
#   ensure_tuf_js        # sets TUF_JS_FETCH: node "$TUF_JS_FETCH" MIRROR ROOT CACHE TARGET...
#   "$CI_TOOLS_BIN/gitlab-ci-local" --preview
#   bash scripts/lib/node-tools.sh                          # installs both, prints their paths
#
# Each ensure_* installs the tool's node_modules with `npm ci` (or `npm install` when there is no
# package-lock.json) only when node_modules is missing or stale: a stamp inside node_modules
# records the sha256 of package.json + package-lock.json and the node version it was installed
# for. SIGIL_NPM_TIMEOUT bounds npm (seconds, default 300). Concurrent callers serialise on a lock.

_NODE_TOOLS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tests/tools" 2>/dev/null && pwd)
SIGSTORE_JS_DIR=${_NODE_TOOLS_ROOT:+$_NODE_TOOLS_ROOT/sigstore-js}
SIGSTORE_JS_VERIFY=${SIGSTORE_JS_DIR:+$SIGSTORE_JS_DIR/verify-bundle.mjs}
# ajv-cli + ajv-formats (GitLab's CI JSON schema) and gitlab-ci-local 4.73.0 (4.74+ crash on
# node 20), for the GitLab CI template tests.
CI_TOOLS_DIR=${_NODE_TOOLS_ROOT:+$_NODE_TOOLS_ROOT/ci-tools}
CI_TOOLS_BIN=${CI_TOOLS_DIR:+$CI_TOOLS_DIR/node_modules/.bin}
# tuf-js 4.1.0 (the TUF client of sigstore-js 4), to cross-check sigil's TUF client.
TUF_JS_DIR=${_NODE_TOOLS_ROOT:+$_NODE_TOOLS_ROOT/tuf-js}
TUF_JS_FETCH=${TUF_JS_DIR:+$TUF_JS_DIR/fetch-targets.mjs}

_node_tools_log() { echo "node-tools: $*" >&2; }

# _node_tool_fingerprint DIR
_node_tool_fingerprint() {
  {
    cat "$1/package.json"
    [[ -f "$1/package-lock.json" ]] && cat "$1/package-lock.json"
    node --version
  } | sha256sum | cut -d' ' -f1
}

# _node_tool_ready DIR MARKER: installed for this package.json/lock/node, MARKER (a path under
# node_modules) present.
_node_tool_ready() {
  local stamp=$1/node_modules/.sigil-stamp
  [[ -f "$stamp" && "$(cat "$stamp")" == "$(_node_tool_fingerprint "$1")" && -e "$1/node_modules/$2" ]]
}

# _node_tool_install DIR NAME
_node_tool_install() (
  set -euo pipefail
  cd "$1"
  local limit=${SIGIL_NPM_TIMEOUT:-300} log
  log=$(mktemp "${TMPDIR:-/tmp}/sigil-npm.XXXXXX")
  trap 'rm -f "$log"' EXIT
  local -a cmd=(npm ci)
  [[ -f package-lock.json ]] || cmd=(npm install)
  _node_tools_log "installing $2 test tool: ${cmd[*]} in $1"
  if ! timeout "$limit" "${cmd[@]}" --no-audit --no-fund --ignore-scripts --loglevel=error >"$log" 2>&1; then
    cat "$log" >&2
    _node_tools_log "${cmd[*]} failed"
    exit 1
  fi
  _node_tool_fingerprint "$1" >node_modules/.sigil-stamp
)

# _node_tool_ensure DIR NAME MARKER: returns non-zero with a message on stderr when node/npm are
# missing or too old, or the install fails.
_node_tool_ensure() {
  local dir=$1 name=$2 marker=$3
  if [[ -z "$dir" || ! -f "$dir/package.json" ]]; then
    _node_tools_log "tests/tools/$name not found"
    return 1
  fi
  local tool
  for tool in node npm sha256sum; do
    command -v "$tool" >/dev/null || { _node_tools_log "$tool not found on PATH"; return 1; }
  done
  local major minor
  IFS=. read -r major minor _ <<<"$(node --version | sed 's/^v//')"
  if ((major < 20 || (major == 20 && minor < 17))); then
    _node_tools_log "node $(node --version) is too old for $name (needs >= 20.17)"
    return 1
  fi
  _node_tool_ready "$dir" "$marker" && return 0
  local rc=0
  if command -v flock >/dev/null; then
    (
      flock -w "${SIGIL_NPM_TIMEOUT:-300}" 9 || { _node_tools_log "timed out waiting for the lock"; exit 1; }
      _node_tool_ready "$dir" "$marker" || _node_tool_install "$dir" "$name"
    ) 9>"$dir/.install.lock" || rc=$?
  else
    _node_tool_install "$dir" "$name" || rc=$?
  fi
  return "$rc"
}

ensure_sigstore_js() {
  export SIGSTORE_JS_DIR SIGSTORE_JS_VERIFY
  _node_tool_ensure "$SIGSTORE_JS_DIR" sigstore-js @sigstore/verify/package.json
}

ensure_ci_tools() {
  export CI_TOOLS_DIR CI_TOOLS_BIN
  _node_tool_ensure "$CI_TOOLS_DIR" ci-tools gitlab-ci-local/package.json || return 1
  local tool
  for tool in ajv gitlab-ci-local; do
    [[ -x "$CI_TOOLS_BIN/$tool" ]] || { _node_tools_log "$CI_TOOLS_BIN/$tool missing after install"; return 1; }
  done
}

ensure_tuf_js() {
  export TUF_JS_DIR TUF_JS_FETCH
  _node_tool_ensure "$TUF_JS_DIR" tuf-js tuf-js/package.json
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  ensure_sigstore_js || exit 1
  ensure_ci_tools || exit 1
  echo "$SIGSTORE_JS_VERIFY"
  echo "$CI_TOOLS_BIN"
fi
