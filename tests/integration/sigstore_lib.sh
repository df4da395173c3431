# shellcheck shell=bash source-path=SCRIPTDIR
# The Sigstore stand-in for sigil's integration tests: OIDC issuer + Fulcio + CT log + Rekor v1 and
# v2 + TSA in one process on 127.0.0.1 (tests/integration/sigstore/standin.py; formats, files and
# admin modes in tests/integration/sigstore/README.md).
#
# Source it after tests/integration/lib.sh (which creates $TEST_TMP). It sources registry_lib.sh
# for the process handling, so the stand-in is stopped on exit like every server started there
# (SIGTERM, then SIGKILL after 5 s; PR_SET_PDEATHSIG when the test shell dies), and its waits are
# bounded by REGISTRY_START_TIMEOUT (default 10 s). Call start_* in the main shell, never in
# $(...) or a pipeline.
#
#   start_sigstore_standin DIR [--prefill N] [--issuer URL]... [--mode MODE]...
#       DIR: the state directory (created; keys, trust files, env.sh, requests.jsonl, stderr.log).
#       Name it $TEST_TMP/sigstore-SOMETHING: lib.sh's secret scan skips sigstore-* directories
#       as server state (its private keys hold public-key bytes that certificates repeat).
#       Default --prefill 1000 (random hashedrekord entries, so every proof is in a large tree).
#       Exports SIGSTORE_STANDIN_URL (http://127.0.0.1:PORT, also Fulcio, Rekor and OIDC issuer)
#               SIGSTORE_STANDIN_PORT SIGSTORE_STANDIN_DIR SIGSTORE_STANDIN_PID
#               SIGSTORE_STANDIN_TSA_URL (URL/api/v1/timestamp) SIGSTORE_STANDIN_LOG (JSON lines)
#               SIGSTORE_STANDIN_TRUSTED_ROOT SIGSTORE_STANDIN_SIGNING_CONFIG
#               SIGSTORE_STANDIN_SIGNING_CONFIG_REKOR2 (Rekor v2 first, v1 after it; with the TSA)
#               SIGSTORE_STANDIN_REKOR2_URL (URL/rekor2: the Rekor v2 log's base URL)
#               SIGSTORE_STANDIN_ROOT_FILE (Fulcio root + intermediate PEM, for SIGSTORE_ROOT_FILE)
#               SIGSTORE_STANDIN_REKOR_PUB  (for SIGSTORE_REKOR_PUBLIC_KEY)
#               SIGSTORE_STANDIN_CTLOG_PUB  (for SIGSTORE_CT_LOG_PUBLIC_KEY_FILE)
#               SIGSTORE_STANDIN_TSA_CHAIN  (TSA leaf + root PEM, for --timestamp-certificate-chain
#                                            or SIGSTORE_TSA_CERTIFICATE_FILE)
#       It does not export cosign's SIGSTORE_* variables: `sigstore_cosign_env` prints them.
#   stop_sigstore_standin            stops it (also done on exit)
#   sigstore_mint_token [mint-token options]   prints a token (see standin.py mint-token --help):
#       --iss URL --sub S --email E --email-unverified --aud A --exp-in SECS --gitlab
#       --gitlab-project P --gitlab-ref R --claim NAME=VALUE --drop NAME --other-key
#       The token is registered with lib.sh's secret scan when `secret` exists.
#   sigstore_mode MODE...            sets the admin modes (normal = none); prints the answer
#   keyless_suite_init               what a keyless suite does first (after lib.sh): no key password
#                                    or Sigstore variable of the caller's, the tools the stand-in
#                                    needs (else the suite is skipped), an empty HOME and TUF_ROOT
#                                    of its own (cosign never reaches the internet)
#   keyless_suite_cosign WHAT        COSIGN=cosign 2.5 when it can be had, else "" and a NOTE that
#                                    WHAT ("every cosign case") will be skipped
#   sigstore_cosign_env              prints SIGSTORE_ROOT_FILE=... SIGSTORE_REKOR_PUBLIC_KEY=...
#                                    SIGSTORE_CT_LOG_PUBLIC_KEY_FILE=... SIGSTORE_TSA_CERTIFICATE_FILE=...
#                                    (one per line, for `env $(sigstore_cosign_env) cosign ...`)

if [[ -n ${_SIGSTORE_LIB_LOADED:-} ]]; then
  return 0
fi
_SIGSTORE_LIB_LOADED=1

# shellcheck source=registry_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/registry_lib.sh"
SIGSTORE_STANDIN_PY=$REGISTRY_LIB_DIR/sigstore/standin.py

start_sigstore_standin() {
  local dir=${1:-}
  if [[ -z $dir ]]; then
    echo "start_sigstore_standin: usage: start_sigstore_standin DIR [options]" >&2
    return 2
  fi
  shift
  local -a opts=()
  local prefill=1000
  while (($#)); do
    case $1 in
      --prefill) prefill=$2; shift 2 ;;
      --issuer | --mode) opts+=("$1" "$2"); shift 2 ;;
      *) echo "start_sigstore_standin: unknown option $1" >&2; return 2 ;;
    esac
  done
  if [[ -n ${SIGSTORE_STANDIN_PID:-} ]] && _registry_alive "$SIGSTORE_STANDIN_PID"; then
    echo "start_sigstore_standin: already running (pid $SIGSTORE_STANDIN_PID)" >&2
    return 2
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  rm -f "$dir/port"
  _registry_spawn "$dir/stderr.log" "$REGISTRY_PYTHON" "$SIGSTORE_STANDIN_PY" serve --state "$dir" \
    --prefill "$prefill" "${opts[@]}"
  local pid=$_REGISTRY_LAST_PID
  _registry_wait_file "$pid" "$dir/port" ||
    { _registry_fail_start "the sigstore stand-in did not start" "$dir/stderr.log"; return 1; }
  local port
  port=$(<"$dir/port")
  _registry_wait_http "$pid" "http://127.0.0.1:$port/healthz" ||
    { _registry_fail_start "the sigstore stand-in does not answer" "$dir/stderr.log"; return 1; }
  _registry_export SIGSTORE_STANDIN PID "$pid"
  _registry_export SIGSTORE_STANDIN PORT "$port"
  _registry_export SIGSTORE_STANDIN URL "http://127.0.0.1:$port"
  _registry_export SIGSTORE_STANDIN DIR "$dir"
  _registry_export SIGSTORE_STANDIN TSA_URL "http://127.0.0.1:$port/api/v1/timestamp"
  _registry_export SIGSTORE_STANDIN LOG "$dir/requests.jsonl"
  _registry_export SIGSTORE_STANDIN TRUSTED_ROOT "$dir/trusted_root.json"
  _registry_export SIGSTORE_STANDIN SIGNING_CONFIG "$dir/signing_config.json"
  _registry_export SIGSTORE_STANDIN SIGNING_CONFIG_REKOR2 "$dir/signing_config_rekor2.json"
  _registry_export SIGSTORE_STANDIN REKOR2_URL "http://127.0.0.1:$port/rekor2"
  _registry_export SIGSTORE_STANDIN ROOT_FILE "$dir/fulcio_root.pem"
  _registry_export SIGSTORE_STANDIN REKOR_PUB "$dir/rekor.pub"
  _registry_export SIGSTORE_STANDIN CTLOG_PUB "$dir/ctlog.pub"
  _registry_export SIGSTORE_STANDIN TSA_CHAIN "$dir/tsa_chain.pem"
}

stop_sigstore_standin() {
  [[ -n ${SIGSTORE_STANDIN_PID:-} ]] || return 0
  _registry_stop "$SIGSTORE_STANDIN_PID"
  SIGSTORE_STANDIN_PID=""
}

# shellcheck disable=SC2153 # SIGSTORE_STANDIN_DIR is exported by start_sigstore_standin
sigstore_mint_token() {
  local tok
  tok=$("$REGISTRY_PYTHON" "$SIGSTORE_STANDIN_PY" mint-token --state "$SIGSTORE_STANDIN_DIR" "$@") || return 1
  if declare -F secret >/dev/null; then
    secret "$tok"
  fi
  printf '%s\n' "$tok"
}

sigstore_mode() {
  local json
  json=$("$REGISTRY_PYTHON" -c 'import json, sys; print(json.dumps({"modes": sys.argv[1:] or ["normal"]}))' "$@")
  curl -fsS --max-time 5 -H 'Content-Type: application/json' -d "$json" "$SIGSTORE_STANDIN_URL/admin/mode"
}

keyless_suite_init() {
  unset SIGIL_PASSWORD COSIGN_PASSWORD SIGSTORE_ROOT_FILE SIGSTORE_REKOR_PUBLIC_KEY \
    SIGSTORE_CT_LOG_PUBLIC_KEY_FILE SIGSTORE_TSA_CERTIFICATE_FILE SIGSTORE_ID_TOKEN COSIGN_EXPERIMENTAL
  require_tools "$REGISTRY_PYTHON" openssl curl
  require_python_module cryptography python3-cryptography
  skip_suite_if_missing "sigstore stand-in"
  export HOME=$TEST_TMP/home TUF_ROOT=$TEST_TMP/tuf
  mkdir -p "$HOME" "$TUF_ROOT"
}

keyless_suite_cosign() {
  COSIGN=""
  # shellcheck source=../../scripts/lib/peers.sh
  if source "$REGISTRY_LIB_DIR/../../scripts/lib/peers.sh" && ensure_peers; then
    COSIGN=$PEERS_COSIGN
  else
    echo "NOTE: cosign 2.5 could not be fetched; ${1:-every cosign case} will be SKIPPED" >&2
  fi
}

sigstore_cosign_env() {
  printf '%s\n' "SIGSTORE_ROOT_FILE=$SIGSTORE_STANDIN_ROOT_FILE" \
    "SIGSTORE_REKOR_PUBLIC_KEY=$SIGSTORE_STANDIN_REKOR_PUB" \
    "SIGSTORE_CT_LOG_PUBLIC_KEY_FILE=$SIGSTORE_STANDIN_CTLOG_PUB" \
    "SIGSTORE_TSA_CERTIFICATE_FILE=$SIGSTORE_STANDIN_TSA_CHAIN"
}
