#!/usr/bin/env bash
# A signer stalled between its last re-read of the .sig manifest and its PUT, made deterministic
# with the fault proxy's gates (registry/fault_proxy.py, rule field "hold"): the proxy holds
# chosen requests until the test opens their gate, so the order of the writers' requests is
# fixed, not left to timing. The attach loop is lib/sigil/signature/attach.cpp.
# Usage: test_sign_stalled_writer.sh PATH_TO_SIGIL
#
#  A. Three signers. A's PUT (read at an empty tag) is held; B reads the empty tag and its
#     re-read is held; C signs meanwhile and exits 0. B's re-read then shows the tag moved (B is
#     contended), B merges C's signature, writes, confirms twice and waits for its third
#     sighting, which is held until A's stale PUT has landed (A drops B's and C's signatures).
#     B's third sighting finds them gone and writes back the union of every entry it saw: C's
#     (whose writer has exited) and its own. All exit 0 and all three signatures verify, each
#     once. Without the third sighting B exits after its second one and both B and C are lost;
#     without the union C is lost.
#  B. Two signers. A's PUT is held longer than every bound of the settle and confirmation loop
#     while B signs, confirms and exits 0; A's stale PUT then drops B's signature. A cannot see
#     what it dropped, so it must fail loudly (exit 20, one line naming the overwrite), never
#     exit 0 as if all were well.
# The proxy log shows each case's requests in order; a failed check prints it.
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"

require_tools "$REGISTRY_BIN" "$REGISTRY_SKOPEO" openssl curl "$PY"
skip_suite_if_missing "stalled-writer tests"

isolate_home COSIGN_PASSWORD
W=$TEST_TMP/w
mkdir -p "$W"
SIG_TAG='/manifests/sha256-[0-9a-f]{64}[.]sig$'
WAIT_S=30 # bound of every wait for a signer or a held request
# The stall of case B: longer than every bound of the confirmation loop (attach.cpp: a write
# whose re-read-to-PUT window exceeds 2 x settle_max + 1.5 x settle_max = 7 s fails).
LONG_STALL_MS=9000

# gates_json: the proxy's gates.
gates_json() { curl -s --max-time 5 "$P_CONTROL_URL/gates"; }
open_gate() { curl -s --max-time 5 -X POST "$P_CONTROL_URL/gates/$1" >/dev/null; }
# wait_held GATE: until a request waits at GATE (bounded); 1 when none came.
wait_held() {
  local deadline=$(($(now_us) + WAIT_S * 1000000))
  while (($(now_us) < deadline)); do
    [[ $(gates_json | "$PY" -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], {}).get("waiting", 0))' "$1" 2>/dev/null) -ge 1 ]] && return 0
    sleep 0.02
  done
  return 1
}
# start_signer NAME REF KEY: `sigil sign` in the background; NAME.rc, NAME.err when it ends.
declare -A PIDS=()
start_signer() {
  rm -f "$W/$1.rc"
  (
    timeout 60 "$SIGIL" sign "$2" --key "$W/$3.key" >"$W/$1.out" 2>"$W/$1.err"
    echo $? >"$W/$1.rc"
  ) &
  PIDS[$1]=$!
}
# wait_signer NAME: waits (bounded) for it to end; prints its exit status (timeout: "running").
wait_signer() {
  local deadline=$(($(now_us) + WAIT_S * 1000000))
  while [[ ! -s $W/$1.rc ]] && (($(now_us) < deadline)); do sleep 0.02; done
  if [[ -s $W/$1.rc ]]; then
    wait "${PIDS[$1]}" 2>/dev/null
    cat "$W/$1.rc"
  else
    echo running
  fi
}
# running NAME: 0 while the signer has not ended.
running() { [[ ! -s $W/$1.rc ]]; }
# layer_count REPO TAG: layers of the .sig manifest, straight from the registry (-1 unreadable).
layer_count() {
  curl -s --max-time 10 -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "$REG_URL/v2/$1/manifests/$2" | "$PY" -c 'import json,sys
try:
    print(len(json.load(sys.stdin)["layers"]))
except Exception:
    print(-1)'
}
# verifies REF KEY: 0 when sigil verify accepts a signature by KEY.
verifies() { timeout 60 "$SIGIL" verify "$1" --key "$W/$2.pub" >/dev/null 2>&1; }
# show_log: the .sig requests the proxy saw, in arrival order (for a failed check).
show_log() {
  "$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if ".sig" in e["target"]:
        print("       #%d %s %s -> %s rule=%s held=%s" % (e["seq"], e["method"], e["target"].rsplit("/", 1)[-1][:16],
              e["status"], e["rule"], e.get("held_ms")))' "$P_REQUESTS"
}
check_or_log() { check "$@" || show_log; }

section "setup: registry, fault proxy, keys"
start_registry REG anon || { failed "start anonymous registry"; finish; exit; }
start_fault_proxy P "$REG_URL" || { failed "start fault proxy"; finish; exit; }
for k in a b c; do
  # Unencrypted PKCS#8 keys: no scrypt, so each signer's requests follow its start closely.
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/$k.key" 2>/dev/null) &&
    openssl pkey -in "$W/$k.key" -pubout -out "$W/$k.pub" 2>/dev/null || { failed "setup: key $k"; finish; exit; }
done
pass "setup: registry, proxy and three key pairs"

# =============================================================================================
section "A. a stalled writer drops two signatures; the union of the third sighting puts them back"
digest=$(push_test_image "$REG_HOST" stall/a v1 --layers 1 --layer-size 256) || { failed "A: push image"; finish; exit; }
REF=$P_HOST/stall/a@$digest TAG=sha256-${digest#sha256:}.sig
proxy_reset_log P
# .sig GETs in order: A read #1, A re-read #2, B read #3, B re-read #4 (held at a-b1), C read
# #5, re-read #6, confirm #7; B (tag moved) read #8, re-read #9, second sighting #10 (its PUT
# was the first), third sighting #11 (held at a-b3). A's only PUT is the first PUT (held at
# a-a). A rule counts only the requests that reach it: B-third does not see #4, hence skip 9.
proxy_plan P "$("$PY" -c 'import json,sys; t=sys.argv[1]; print(json.dumps([
  {"id": "A-put", "method": "PUT", "path": t, "count": 1, "hold": "a-a"},
  {"id": "B-reread", "method": "GET", "path": t, "skip": 3, "count": 1, "hold": "a-b1"},
  {"id": "B-third", "method": "GET", "path": t, "skip": 9, "count": 1, "hold": "a-b3"}]))' "$SIG_TAG")"
start_signer A "$REF" a
wait_held a-a && pass "A: signer A's PUT is held" || failed "A: signer A's PUT never reached the proxy"
start_signer B "$REF" b
wait_held a-b1 && pass "A: signer B's re-read is held" || failed "A: signer B's re-read never reached the proxy"
start_signer C "$REF" c
check_or_log "A: signer C exits 0 while A and B are held" eq "$(wait_signer C)" 0
open_gate a-b1
if wait_held a-b3; then
  pass "A: signer B, contended, waits for its third sighting"
else
  failed "A: signer B never asked for a third sighting"
  show_log
fi
running B && pass "A: ... and is still running" || failed "A: signer B ended after its second sighting"
open_gate a-a
# B's third sighting goes on only once A's stale PUT has landed.
deadline=$(($(now_us) + WAIT_S * 1000000))
until [[ $(proxy_count P PUT "$SIG_TAG" 201) -ge 3 ]] || (($(now_us) >= deadline)); do sleep 0.02; done
open_gate a-b3
rc_a=$(wait_signer A) rc_b=$(wait_signer B)
check_or_log "A: signers A, B and C all exit 0" eq "$rc_a $rc_b $(cat "$W/C.rc")" "0 0 0"
for s in A B C; do [[ -s $W/$s.err ]] && sed "s/^/       $s: /" "$W/$s.err" | grep -v '^       .: warning: ' | head -3; done
v=""
for k in a b c; do verifies "$REF" "$k" && v+=$k; done
check_or_log "A: all three signatures verify, none lost" eq "$v" abc
check_or_log "A: three layers, each once (no duplicate of B's)" eq "$(layer_count stall/a "$TAG")" 3
check "A: no hold ran out" eq "$(grep -c '"hold_timed_out"' "$P_REQUESTS")" 0
# A's stall here must stay under the 7 s past which A fails loudly (case B); on a very loaded
# machine B's settle intervals (which scale with its slowest read) could stretch it that far.
check "A: signer A's PUT was held less than the loud-failure bound (7000 ms)" le "$("$PY" -c 'import json,sys
print(max([json.loads(l).get("held_ms", 0) for l in open(sys.argv[1]) if json.loads(l)["rule"] == "A-put"] + [0]))' "$P_REQUESTS")" 6999

# =============================================================================================
section "B. a stall longer than every bound of the settle: the stalled writer fails loudly"
digest=$(push_test_image "$REG_HOST" stall/b v1 --layers 1 --layer-size 256) || { failed "B: push image"; finish; exit; }
REF=$P_HOST/stall/b@$digest TAG=sha256-${digest#sha256:}.sig
proxy_reset_log P
# Gate b-a is never opened: the hold runs out after LONG_STALL_MS, then the PUT goes on.
proxy_plan P "$("$PY" -c 'import json,sys; print(json.dumps([
  {"id": "A-put", "method": "PUT", "path": sys.argv[1], "count": 1, "hold": "b-a",
   "hold_max_ms": int(sys.argv[2])}]))' "$SIG_TAG" "$LONG_STALL_MS")"
start_signer A "$REF" a
wait_held b-a && pass "B: signer A's PUT is held" || failed "B: signer A's PUT never reached the proxy"
start_signer B "$REF" b
check_or_log "B: signer B signs, confirms and exits 0 while A is held" eq "$(wait_signer B)" 0
running A && pass "B: signer A is still held when B has ended" || failed "B: signer A ended before B"
rc_a=$(wait_signer A)
v=""
for k in a b; do verifies "$REF" "$k" && v+=$k; done
check_or_log "B: A's stale PUT landed and dropped B's signature" eq "$v" a
check "B: the stall lasted longer than the bound" ge "$("$PY" -c 'import json,sys
print(max([json.loads(l).get("held_ms", 0) for l in open(sys.argv[1])] + [0]))' "$P_REQUESTS")" "$LONG_STALL_MS"
RC=$rc_a OUT=$(cat "$W/A.out") ERR=$(cat "$W/A.err")
expect "B: the stalled signer A fails loudly (exit 20), not exit 0" 20 \
  "may have overwritten signatures other signers wrote meanwhile" &&
  check "B: ... in one line" eq "$(grep -c '^sigil: error: ' "$W/A.err")" 1 &&
  expect "B: ... naming the wait it exceeded" 20 "longer than the 7000 ms other signers wait to confirm theirs"
echo "# total $(elapsed_ms) ms"
finish
