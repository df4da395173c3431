#!/usr/bin/env bash
# sigil's TUF client against TUF repositories built here (tests/integration/tuf/tuf_repo.py) and
# served on 127.0.0.1; the trusted root and signing config it carries are the Sigstore
# stand-in's, so keyless signing and verification run with their trust from TUF alone.
#
# Each refusal is asserted by its reason and exit status, and the cache is shown to keep its
# last good state (checksums before and after).
#   1. happy path: sign-blob and verify-blob keyless with no --trusted-root/--signing-config;
#      the refresh period (no request within it); trust show; TUF off
#   2. root rotation over several versions: a key added with a threshold change, the online
#      keys rotated, every root key replaced; a delegated target
#   3. refused roots: signed by the new keys only, two signatures by one key, an unknown key type
#   4. rollback of timestamp, snapshot and targets; freeze; mix-and-match snapshot
#   5. targets whose hash or length differ; an endless-data server
#   6. offline: a fresh cache stands in (warning), an expired one does not (clear error)
# Cross-check: tuf-js 4.1.0 (the TUF client of sigstore-js; tests/tools/tuf-js) runs beside every
# `trust update` on the same repository with its own cache, fetching the same two targets: where
# tuf-js refuses, sigil must refuse. Where sigil is stricter, the suite says so (not a failure).
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/sigstore_lib.sh"
PY=$REGISTRY_PYTHON
GEN=$HERE/tuf/tuf_repo.py

unset SIGIL_PASSWORD COSIGN_PASSWORD SIGSTORE_ROOT_FILE SIGSTORE_REKOR_PUBLIC_KEY \
  SIGSTORE_CT_LOG_PUBLIC_KEY_FILE SIGSTORE_TSA_CERTIFICATE_FILE SIGSTORE_ID_TOKEN
require_tools "$PY" openssl curl
require_python_module cryptography python3-cryptography
skip_suite_if_missing "TUF repositories"
T_START=$EPOCHREALTIME
W=$TEST_TMP/w
mkdir -p "$W"

start_sigstore_standin "$TEST_TMP/sigstore-tuf" --prefill 50 || abort_suite "the sigstore stand-in did not start"
U=$SIGSTORE_STANDIN_URL
EMAIL=tuf-test@example.com

# new_repo NAME [init options]: a repository in $W/NAME served on 127.0.0.1, its own cache.
# Sets R (state dir), URL, CACHE (this mirror's cache directory) and TUF (sigil's flags).
SC_TARGET=(--target "signing_config.v0.2.json=$SIGSTORE_STANDIN_SIGNING_CONFIG=SigningConfig")
new_repo() {
  R=$W/$1
  shift
  "$PY" "$GEN" init "$R" --target "trusted_root.json=${TR_FILE:-$SIGSTORE_STANDIN_TRUSTED_ROOT}=TrustedRoot" \
    "${SC_TARGET[@]}" "$@" ||
    abort_suite "tuf_repo.py init failed"
  _registry_spawn "$R/server.log" "$PY" "$GEN" serve "$R"
  R_PID=$_REGISTRY_LAST_PID
  _registry_wait_file "$R_PID" "$R/port" || abort_suite "the TUF repository server did not start"
  URL=http://127.0.0.1:$(<"$R/port")
  _registry_wait_http "$R_PID" "$URL/1.root.json" || abort_suite "the TUF repository server does not answer"
  export XDG_CACHE_HOME=$R/cache
  CACHE=$XDG_CACHE_HOME/sigil/tuf/$("$PY" -c 'import sys, urllib.parse as u; print(u.quote(sys.argv[1], safe="-._~").replace("~", "%7E"))' "$URL")
  TUF=(--tuf-mirror "$URL" --tuf-root "$R/initial_root.json")
}
gen() { "$PY" "$GEN" "$1" "$R" "${@:2}" >/dev/null || abort_suite "tuf_repo.py $*"; }
update() { run "$SIGIL" trust update "${TUF[@]}" "$@"; tufjs_crosscheck; }

TUFJS=""
# shellcheck source=../../scripts/lib/node-tools.sh
if source "$HERE/../../scripts/lib/node-tools.sh" && ensure_tuf_js; then
  TUFJS=$TUF_JS_FETCH
else
  skip "the tuf-js cross-check: tuf-js could not be installed (see 'node-tools:' above; node >= 20.17 and npm needed)"
fi
TUFJS_AGREED=0 TUFJS_STRICTER=0
# tufjs_crosscheck: tuf-js updates its own cache of $R from the same mirror; RC/OUT/ERR of the
# last `run` (sigil's) are left as they are for the expect after it. TUFJS_SKIP=1: not here (a
# timestamp valid for 2 s would expire under a slow node start).
tufjs_crosscheck() {
  [[ -n $TUFJS && -z ${TUFJS_SKIP:-} ]] || return 0
  local js_rc=0 js_err
  js_err=$(timeout 60 node "$TUFJS" "$URL" "$R/initial_root.json" "$R/tufjs" trusted_root.json \
    signing_config.v0.2.json 2>&1 >/dev/null) || js_rc=$?
  if ((js_rc != 0 && RC == 0)); then
    failed "tuf-js refused where sigil accepted ($R): ${js_err:0:300}"
  elif ((js_rc == 0 && RC != 0)); then
    TUFJS_STRICTER=$((TUFJS_STRICTER + 1))
    echo "note - sigil refuses where tuf-js accepts ($(basename "$R")): ${ERR:0:200}"
  else
    TUFJS_AGREED=$((TUFJS_AGREED + 1))
  fi
  return 0
}
show_json() { run "$SIGIL" trust show --json "${TUF[@]}" "$@"; }
json_field() { "$PY" -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$OUT" "$1"; }
# What the cache holds besides the timestamp (which the spec keeps once verified, also when the
# snapshot after it is refused).
cache_sum() { cat "$CACHE"/root.json "$CACHE"/snapshot.json "$CACHE"/targets.json "$CACHE"/targets/* 2>/dev/null | sha256sum; }
ts_sum() { sha256sum <"$CACHE/timestamp.json"; }
requests() { grep -c '"GET ' "$R/server.log"; }
# refused NAME WANT_RC REASON: the last update was refused for REASON, the cache unchanged.
refused() {
  expect "$1" "$2" "$3" && check "$1: the cache keeps its last good state" eq "$(cache_sum)" "$BEFORE"
}

# =============================================================================================
section "1. happy path: keyless with the trust from TUF"
new_repo happy
BLOB=$W/blob.txt
echo "an artifact signed with the trust from TUF" >"$BLOB"
TOK=$(sigstore_mint_token --email "$EMAIL")
secret "$TOK"
run env SIGIL_TUF_MIRROR="$URL" SIGIL_TUF_ROOT="$R/initial_root.json" "$SIGIL" sign-blob "$BLOB" \
  --identity-token "$TOK" --bundle "$W/blob.sigstore.json" -y </dev/null
expect "sign-blob keyless: trusted root and signing config (Fulcio, Rekor) from TUF (SIGIL_TUF_*)" 0
check "sign-blob logged at the stand-in named by TUF's signing config" grep -q '"path": "/api/v1/log/entries"' "$SIGSTORE_STANDIN_LOG"
ID=(--certificate-identity "$EMAIL" --certificate-oidc-issuer "$U")
n0=$(requests)
run "$SIGIL" verify-blob "$BLOB" --bundle "$W/blob.sigstore.json" "${ID[@]}" "${TUF[@]}"
expect "verify-blob keyless: no --trusted-root, the trust from TUF" 0
check "within --tuf-refresh (24h): no request to the mirror" eq "$(requests)" "$n0"
run "$SIGIL" verify-blob "$BLOB" --bundle "$W/blob.sigstore.json" "${ID[@]}" --tuf-root "$R/initial_root.json" \
  --tuf-mirror "HTTP://127.0.0.1:${URL##*:}/"
expect "the mirror's URL written otherwise (scheme in capitals, a trailing slash)" 0
check "the same cache: no request to the mirror, no second cache directory" eq "$(requests) $(ls "$XDG_CACHE_HOME/sigil/tuf" | wc -l)" "$n0 1"
run "$SIGIL" verify-blob "$BLOB" --bundle "$W/blob.sigstore.json" "${ID[@]}" "${TUF[@]}" --tuf-refresh 0
expect "verify-blob --tuf-refresh 0 asks the mirror" 0
check "--tuf-refresh 0: the mirror was asked (timestamp.json)" ge "$(requests)" "$((n0 + 1))"
run "$SIGIL" trust show "${TUF[@]}"
expect "trust show" 0
expect_out "trust show: the stand-in's transparency log" "transparency log $U"
expect_out "trust show: root version" "(root version 1, timestamp version 1, cached"
run "$SIGIL" trust show --tuf-mirror "$URL"
expect "another mirror without --tuf-root" 2 "--tuf-mirror $URL needs --tuf-root FILE"
run env SIGIL_TUF_MIRROR=none "$SIGIL" verify-blob "$BLOB" --bundle "$W/blob.sigstore.json" "${ID[@]}"
expect "TUF off (SIGIL_TUF_MIRROR=none): the old refusal" 2 "no trusted root: pass --trusted-root FILE"
run "$SIGIL" verify-blob "$BLOB" --bundle "$W/blob.sigstore.json" "${ID[@]}" "${TUF[@]}" --tuf-refresh 1x
expect "a bad --tuf-refresh" 2 "--tuf-refresh 1x: give a duration such as 24h"
check "cache files are 0600, directories 0700" eq "$(stat -c %a "$CACHE/root.json" "$CACHE" | tr '\n' ' ')" "600 700 "

# =============================================================================================
section "2. root rotation over several versions, a delegated target"
new_repo rotation --delegated "extra.json=$SIGSTORE_STANDIN_TRUSTED_ROOT"
update
expect "update at root version 1" 0
gen rotate-root --new-keys 2 --threshold 2                      # v2: keys added, threshold 1 -> 2
gen rotate-root --keep-keys 2 --new-keys 1 --new-online-keys    # v3: one key replaced, new online keys
gen rotate-root --keep-keys 0 --new-keys 3 --threshold 3        # v4: every root key replaced
gen publish                                                     # signed by the new online keys
update
expect "rotation 1 -> 4 (a key change, threshold changes, online keys rotated)" 0
show_json
check "root version 4 after the rotation" eq "$(json_field rootVersion)" 4
check "the cached root is version 4" grep -q '"version": 4' "$CACHE/root.json"
check "the delegated role was not needed (targets found at the top)" test ! -e "$CACHE/delegated"
SC_TARGET=()
new_repo delegated --delegated "signing_config.v0.2.json=$SIGSTORE_STANDIN_SIGNING_CONFIG"
SC_TARGET=(--target "signing_config.v0.2.json=$SIGSTORE_STANDIN_SIGNING_CONFIG=SigningConfig")
show_json
expect "the signing config from a delegated targets role" 0
check "signing config found through the delegation" eq "$(json_field signingConfig)" True
check "the delegated role's metadata is cached" test -s "$CACHE/delegated/sigstore-delegated.json"

# =============================================================================================
section "3. refused roots"
new_repo new-keys-only
update
BEFORE=$(cache_sum)
gen rotate-root --keep-keys 0 --new-keys 1 --sign new
update
refused "root v2 signed only by its new keys" 30 "root version 2: by the root keys of version 1: signature threshold not met (0 valid of 1 needed)"

new_repo dup-key
update
BEFORE=$(cache_sum)
gen rotate-root --keep-keys 1 --dup-key --threshold 2
update
refused "root v2 whose threshold 2 is met by one key under two key ids" 30 "root version 2: by its own root keys: signature threshold not met (1 valid of 2 needed)"

new_repo unknown-key
update
BEFORE=$(cache_sum)
gen rotate-root --keep-keys 1 --unknown-key --threshold 2
update
refused "root v2 with a key of an unknown type (ignored: 1 of 2)" 30 "root version 2: by its own root keys: signature threshold not met (1 valid of 2 needed)"

# =============================================================================================
section "4. rollback, freeze, mix-and-match"
new_repo rollback
gen publish
update
expect "update at timestamp version 2" 0
cp "$R/www/timestamp.json" "$W/timestamp-v2.json"
gen publish
update
BEFORE=$(cache_sum)
TS_BEFORE=$(ts_sum)
cp "$W/timestamp-v2.json" "$R/www/timestamp.json"
update
refused "timestamp rollback (3 -> 2)" 30 "timestamp metadata version 2 is older than the cached version 3: refused (rollback)" &&
  check "timestamp rollback: the cached timestamp is still version 3" eq "$(ts_sum)" "$TS_BEFORE"
gen publish --snapshot-version 1
update
refused "snapshot rollback (timestamp names snapshot 1 after 3)" 30 "timestamp metadata names snapshot version 1, older than the cached 3: refused (rollback)"
gen publish --snapshot-version 5 --targets-version 1
update
refused "targets rollback (snapshot lists targets 1 after 3)" 30 "snapshot metadata version 5 lists targets.json version 1, older than the cached 3: refused (rollback)"

new_repo freeze
update
BEFORE=$(cache_sum)
gen publish --timestamp-expires -60
update
refused "freeze: an expired timestamp" 30 "timestamp metadata version 2 expired at"
expect "freeze: the reason" 30 "refused (a frozen or stale TUF repository)"

new_repo mix
update
BEFORE=$(cache_sum)
gen publish
cp "$R/www/1.snapshot.json" "$R/www/2.snapshot.json"
update
refused "mix-and-match: snapshot version 1 served as 2.snapshot.json" 30 "snapshot metadata is version 1, the timestamp names version 2: refused (mix-and-match)"
gen publish --meta-hashes
cp "$R/www/2.snapshot.json" "$R/www/3.snapshot.json"
update
refused "mix-and-match: another snapshot than the timestamp's hash" 30 "snapshot metadata: sha256 hash differs from the metadata"

# =============================================================================================
section "5. targets whose hash or length differ; an endless-data server"
TR_FILE=$W/tr.json
cp "$SIGSTORE_STANDIN_TRUSTED_ROOT" "$TR_FILE"
new_repo target-bytes
update
# The metadata of the next version is verified and kept; the target it names is refused.
target_sum() { sha256sum <"$CACHE/targets/trusted_root.json"; }
BEFORE=$(target_sum)
"$PY" -c 'import json, sys; p = sys.argv[1]; d = json.load(open(p)); json.dump(d, open(p, "w"), indent=2)' "$TR_FILE"
gen publish
served=$(ls -t "$R"/www/targets/*.trusted_root.json | head -1)
"$PY" -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[-2] ^= 1; open(p, "wb").write(b)' "$served"
target_refused() { expect "$1" "$2" "$3" && check "$1: the cached target is the last good one" eq "$(target_sum)" "$BEFORE"; }
update
target_refused "a target whose hash differs" 30 "target trusted_root.json: sha256 hash differs from the metadata"
printf 'x' >>"$served"
update
target_refused "a target longer than its length (bounded read)" 30 "target trusted_root.json: the TUF mirror sent more than the"
truncate -s -2 "$served"
update
target_refused "a target shorter than its length" 30 "target trusted_root.json: length"
unset TR_FILE

new_repo endless
update
BEFORE=$(cache_sum)
echo /timestamp.json >"$R/endless"
t0=$(now_us)
update --verbose
refused "an endless timestamp.json" 30 "timestamp.json: the TUF mirror sent more than the 16384 bytes allowed; refused"
check "the endless download stopped early (< 5 s)" le "$((($(now_us) - t0) / 1000))" 5000
echo /2.root.json >"$R/endless"
update
refused "an endless N.root.json" 30 "2.root.json: the TUF mirror sent more than the 512000 bytes allowed; refused"

# =============================================================================================
section "5b. a mirror that redirects"
new_repo moved
# redirector STATUS PREFIX: a server answering every request STATUS with Location: PREFIX+path.
redirector() {
  local d=$W/redirect-$RANDOM
  mkdir -p "$d/www"
  echo "$1 $2" >"$d/redirect"
  _registry_spawn "$d/server.log" "$PY" "$GEN" serve "$d"
  _registry_wait_file "$_REGISTRY_LAST_PID" "$d/port" || abort_suite "the redirecting server did not start"
  RD=http://127.0.0.1:$(<"$d/port")
}
redirector 301 "$URL"
run "$SIGIL" trust update --tuf-mirror "$RD" --tuf-root "$R/initial_root.json"
expect "a mirror that answers 301 to another origin: followed, the metadata verified as always" 0
check "the files came from the mirror it pointed to" ge "$(requests)" 4
redirector 307 "$RD"
run "$SIGIL" trust update --tuf-mirror "$RD" --tuf-root "$R/initial_root.json" --tuf-refresh 0
expect "two redirects in a row (307, then 301)" 0
d=$W/loop
mkdir -p "$d/www"
_registry_spawn "$d/server.log" "$PY" "$GEN" serve "$d"
sleep 0.2
_registry_wait_file "$_REGISTRY_LAST_PID" "$d/port" || abort_suite "the looping server did not start"
LOOP=http://127.0.0.1:$(<"$d/port")
echo "302 $LOOP" >"$d/redirect"
run "$SIGIL" trust update --tuf-mirror "$LOOP" --tuf-root "$R/initial_root.json"
expect "a redirect loop ends (bounded) with a clear error" 20 "the TUF mirror $LOOP answered 302 too many times in a row"

# =============================================================================================
section "6. offline"
new_repo offline
update
_registry_stop "$R_PID"
run "$SIGIL" trust show "${TUF[@]}" --tuf-refresh 0
expect "offline with a fresh cache: the cache stands in" 0 "unreachable: using the cached Sigstore trust of"
expect_out "offline: trust show says so" "offline; valid until"
run "$SIGIL" verify-blob "$BLOB" --bundle "$W/blob.sigstore.json" "${ID[@]}" "${TUF[@]}" --tuf-refresh 0
expect "offline: verify-blob with the cached trust" 0

new_repo offline-expired
gen publish --timestamp-expires 2
TUFJS_SKIP=1 update
expect "update with a timestamp valid 2 s" 0
_registry_stop "$R_PID"
sleep 3
run "$SIGIL" verify-blob "$BLOB" --bundle "$W/blob.sigstore.json" "${ID[@]}" "${TUF[@]}"
expect "offline with an expired cache: a clear error" 20 "cannot reach the TUF mirror $URL"
expect "offline with an expired cache: why the cache cannot stand in" 20 "the TUF cache cannot stand in (timestamp metadata version 2 expired at"
check "the error is one line" eq "$(wc -l <<<"$ERR")" 1

if [[ -n $TUFJS ]]; then
  echo "tuf-js cross-check: $TUFJS_AGREED updates agreed, $TUFJS_STRICTER where sigil alone refused"
  check "tuf-js ran beside the updates and agreed on most (not silently skipped)" ge "$TUFJS_AGREED" 15
fi

finish
