#!/usr/bin/env bash
# Starts registries / proxies for a non-shell test harness (e.g. the C++ integration tests) and
# keeps them running until told to stop.
#
#   serve.sh [--max-seconds N] ENV_FILE SPEC...
#     SPEC  NAME=CONFIG[,OPTION[=VALUE]...]   CONFIG: anon | htpasswd-tls | token | deletes
#                                             OPTION: any start_registry option, e.g.
#                                             TOK=token,--expires-in=5,--strict-expiry
#           NAME=proxy:UPSTREAM_NAME          a fault proxy in front of an earlier SPEC
#   e.g.  serve.sh /tmp/env ANON=anon SEC=htpasswd-tls TOK=token PX=proxy:ANON
#
# Once every server answers, ENV_FILE is written (atomically) with one NAME_VAR=value line per
# exported variable (see registry_lib.sh for the names, e.g. ANON_HOST=127.0.0.1:41234,
# PX_REQUESTS=/tmp/.../requests.jsonl), followed by SERVE_READY=1. If something fails to start,
# ENV_FILE holds SERVE_ERROR=message instead and serve.sh exits 1.
# It then waits until its stdin reaches end of file (the harness closes the pipe or dies),
# SIGTERM/SIGINT, or --max-seconds (default 900) pass, then stops every server and removes its
# temporary directory.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

max_seconds=900
if [[ ${1:-} == --max-seconds ]]; then
  max_seconds=$2
  shift 2
fi
if (($# < 2)); then
  sed -n '2,20p' "${BASH_SOURCE[0]}" >&2
  exit 2
fi
env_file=$1
shift
rm -f "$env_file"

# shellcheck source-path=SCRIPTDIR source=../registry_lib.sh
source "$HERE/../registry_lib.sh"

serve_fail() {
  printf 'SERVE_ERROR=%s\n' "$1" >"$env_file.tmp" && mv "$env_file.tmp" "$env_file"
  echo "serve.sh: $1" >&2
  exit 1
}

for spec in "$@"; do
  name=${spec%%=*}
  what=${spec#*=}
  [[ $name != "$spec" && -n $name ]] || serve_fail "bad spec '$spec' (want NAME=CONFIG)"
  if [[ $what == proxy:* ]]; then
    up=${what#proxy:}
    up_url_var=${up}_URL
    [[ -n ${!up_url_var:-} ]] || serve_fail "proxy $name: no registry named '$up' started before it"
    start_fault_proxy "$name" "${!up_url_var}" || serve_fail "could not start proxy $name"
    continue
  fi
  IFS=, read -r -a parts <<<"$what"
  args=()
  for opt in "${parts[@]:1}"; do
    if [[ $opt == *=* ]]; then args+=("${opt%%=*}" "${opt#*=}"); else args+=("$opt"); fi
  done
  start_registry "$name" "${parts[0]}" "${args[@]}" || serve_fail "could not start $name (${parts[0]})"
done

{
  registry_env
  echo "SERVE_TMP=$TEST_TMP"
  echo "SERVE_READY=1"
} >"$env_file.tmp" && mv "$env_file.tmp" "$env_file"

deadline=$(($(_registry_now_ms) + max_seconds * 1000))
while (($(_registry_now_ms) < deadline)); do
  read -r -t 1 _
  rc=$?
  ((rc == 0 || rc > 128)) && continue # a line (ignored) or the 1 s timeout
  break                                # end of file
done
exit 0
