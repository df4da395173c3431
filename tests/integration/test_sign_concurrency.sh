#!/usr/bin/env bash
# Concurrent signers must not lose each other's signatures (DESIGN.md §2; cosign loses them:
# sigstore/cosign#2432). The registry (Debian docker-registry 2.8) has no compare-and-swap on
# tags; sigil's attach loop (lib/sigil/signature/attach.cpp) re-reads and re-writes until its
# layer has stayed in the manifest.
# Usage: test_sign_concurrency.sh PATH_TO_SIGIL [PATH_TO_SIGIL_REGISTRY_PROBE]
#
#  L. 16 `sigil sign` processes, 16 different (encrypted) keys, released at the same moment by a
#     barrier, on one fresh image digest; then 16 layers in the .sig manifest and `sigil verify`
#     passes with each key alone. 5 rounds, a fresh image each.
#  T. the same with 16 unencrypted PKCS#8 keys (no scrypt before the race: a tighter start).
#  B. 8 concurrent `sigil sign --format bundle`: the referrers fallback index keeps 8 entries and
#     each key verifies. 2 rounds.
# Each round reports its wall time, the spread of the signers' start and end times, and how many
# manifest PUTs the registry saw for the tag (more than the number of signers = writers raced
# and repaired).
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"

ROUNDS=${SIGIL_CONCURRENCY_ROUNDS:-5}
SIGNERS=${SIGIL_CONCURRENCY_SIGNERS:-16}
BUNDLE_SIGNERS=${SIGIL_CONCURRENCY_BUNDLE_SIGNERS:-8}
BUNDLE_ROUNDS=${SIGIL_CONCURRENCY_BUNDLE_ROUNDS:-2}
BARRIER_TIMEOUT_MS=15000 # for all signers to be parked at the barrier
SIGNER_TIMEOUT=60        # seconds, per sigil process

require_tools "$REGISTRY_BIN" "$REGISTRY_SKOPEO" openssl curl "$PY"
skip_suite_if_missing "concurrency tests"

isolate_home COSIGN_PASSWORD
export SIGIL_PASSWORD=concurrency-test-password
W=$TEST_TMP/w
mkdir -p "$W"

check() { check_quiet "$@"; } # a failure shows no stale `run` output
ACCEPT='application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json'
# manifest_json REPO REF: the manifest from the registry (empty when absent).
manifest_json() { curl -s --max-time 10 -H "Accept: $ACCEPT" "$REG_URL/v2/$1/manifests/$2"; }
# count_entries REPO REF FIELD: len(manifest[FIELD]) (layers or manifests); -1 when unreadable.
count_entries() {
  manifest_json "$1" "$2" | "$PY" -c 'import json,sys
try:
    print(len(json.load(sys.stdin)[sys.argv[1]]))
except Exception:
    print(-1)' "$3"
}
# manifest_puts REPO TAG: manifest PUTs to REPO:TAG in the registry log.
manifest_puts() { grep -c "http.request.method=PUT .*http.request.uri=\"\\?/v2/$1/manifests/$2\"\\? " "$REG_LOG"; }
TIMINGS=()
# silently_lost ARRAY_NAME: signers in RACE_OK (exit 0) missing from ARRAY_NAME (verified keys).
silently_lost() {
  local -n have=$1
  local i j found out=""
  for i in "${RACE_OK[@]}"; do
    found=""
    for j in "${have[@]}"; do [[ $i == "$j" ]] && found=1; done
    [[ -n $found ]] || out+="signer$i "
  done
  echo "${out% }"
}

# race LABEL REF COUNT KEY_PREFIX [sign options]: starts COUNT signers (keys KEY_PREFIX1..COUNT)
# parked at a barrier, releases them at once, waits (bounded) and checks every exit status.
# Sets RACE_MS (barrier to last exit), RACE_START_SPREAD_MS, RACE_END_SPREAD_MS.
race() {
  local label=$1 ref=$2 count=$3 prefix=$4
  shift 4
  local dir=$W/race-$label
  mkdir -p "$dir"
  local go=$dir/go i
  local -a pids=()
  for ((i = 1; i <= count; i++)); do
    (
      : >"$dir/ready.$i"
      deadline=$((${EPOCHREALTIME/./} + 30000000))
      until [[ -e $go ]]; do
        ((${EPOCHREALTIME/./} < deadline)) || exit 97
        sleep 0.002
      done
      echo "${EPOCHREALTIME/./}" >"$dir/start.$i"
      timeout "$SIGNER_TIMEOUT" "$SIGIL" sign "$ref" --key "$prefix$i.key" "$@" >"$dir/out.$i" 2>&1
      rc=$?
      echo "${EPOCHREALTIME/./}" >"$dir/end.$i"
      exit $rc
    ) &
    pids+=($!)
  done
  local deadline=$(($(now_us) + BARRIER_TIMEOUT_MS * 1000)) ready=0
  while (($(now_us) < deadline)); do
    ready=$(find "$dir" -name 'ready.*' | wc -l)
    ((ready == count)) && break
    sleep 0.01
  done
  local t0
  t0=$(now_us)
  : >"$go"
  local failures=0 rc
  RACE_OK=()
  for ((i = 1; i <= count; i++)); do
    wait "${pids[i - 1]}"
    rc=$?
    if ((rc != 0)); then
      failures=$((failures + 1))
      echo "       signer $i exit $rc: $(tail -1 "$dir/out.$i" 2>/dev/null)"
    else
      RACE_OK+=("$i")
    fi
  done
  RACE_FAILURES=$failures
  RACE_MS=$((($(now_us) - t0) / 1000))
  read -r RACE_START_SPREAD_MS RACE_END_SPREAD_MS < <("$PY" -c '
import glob, sys
d = sys.argv[1]
def spread(kind):
    v = [int(open(f).read()) for f in glob.glob(d + "/" + kind + ".*")]
    return (max(v) - min(v)) // 1000 if v else -1
print(spread("start"), spread("end"))' "$dir")
  check "$label: all $count signers were parked at the barrier" eq "$ready" "$count"
  check "$label: all $count signers exit 0" eq "$failures" 0
}

# push_image REPO TAG: a fresh small image; prints its digest.
push_image() { push_test_image "$REG_HOST" "$1" "$2" --layers 1 --layer-size 512; }

# =============================================================================================
section "setup: registry and keys"
start_registry REG anon || { failed "start anonymous registry"; finish; exit; }
# Encrypted keys (sigil's format), generated in parallel.
declare -a gen_pids=()
for ((i = 1; i <= SIGNERS; i++)); do
  timeout 60 "$SIGIL" generate-key-pair --output-key-prefix "$W/enc$i" >"$W/gen$i.log" 2>&1 &
  gen_pids+=($!)
done
gen_fail=0
for p in "${gen_pids[@]}"; do wait "$p" || gen_fail=$((gen_fail + 1)); done
check "setup: $SIGNERS encrypted key pairs" eq "$gen_fail" 0 || { cat "$W/gen1.log"; finish; exit; }
gen_fail=0
for ((i = 1; i <= SIGNERS; i++)); do
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/raw$i.key" 2>/dev/null &&
    openssl pkey -in "$W/raw$i.key" -pubout -out "$W/raw$i.pub" 2>/dev/null || gen_fail=$((gen_fail + 1))
done
check "setup: $SIGNERS unencrypted PKCS#8 key pairs" eq "$gen_fail" 0 || { finish; exit; }

# legacy_round LABEL KEY_PREFIX: one race of $SIGNERS signers on a fresh image, then checks.
legacy_round() {
  local label=$1 prefix=$2 repo=app/c-$1
  local digest
  digest=$(push_image "$repo" v1) || { failed "$label: push a test image"; return; }
  local ref=$REG_HOST/$repo@$digest tag=sha256-${digest#sha256:}.sig
  race "$label" "$ref" "$SIGNERS" "$W/$prefix"
  local layers puts
  layers=$(count_entries "$repo" "$tag" layers)
  puts=$(manifest_puts "$repo" "$tag")
  check "$label: $SIGNERS signatures in the .sig manifest" eq "$layers" "$SIGNERS"
  local i
  local -a verified=()
  for ((i = 1; i <= SIGNERS; i++)); do
    timeout 60 "$SIGIL" verify "$ref" --key "$W/$prefix$i.pub" >/dev/null 2>&1 && verified+=("$i")
  done
  check "$label: sigil verify passes with each of the $SIGNERS keys alone" eq "${#verified[@]}" "$SIGNERS"
  check "$label: no silent loss: every signer that exited 0 verifies" eq "$(silently_lost verified)" ""
  local -a all=()
  for ((i = 1; i <= SIGNERS; i++)); do all+=(--key "$W/$prefix$i.pub"); done
  run timeout 60 "$SIGIL" verify "$ref" "${all[@]}"
  check "$label: verify with all keys lists $SIGNERS signatures, each by a different key" eq \
    "$RC $("$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); print(len(d), len({e["sigil"]["key"] for e in d}))' "$OUT" 2>/dev/null)" \
    "0 $SIGNERS $SIGNERS"
  # One verify call, 16 worker threads on one shared client (connection pool, token cache):
  # the path the ThreadSanitizer run (scripts/test --tsan) watches.
  local -a same=()
  for ((i = 1; i <= 16; i++)); do same+=("$ref"); done
  run timeout 60 "$SIGIL" verify "${same[@]}" "${all[@]}" --max-workers 16
  check "$label: one verify call with 16 workers on the image 16 times" eq "$RC" 0
  TIMINGS+=("$(printf '%-10s %3d signers  wall %5d ms  start spread %4d ms  end spread %5d ms  manifest PUTs %3d  failed %2d  layers %3d' \
    "$label" "$SIGNERS" "$RACE_MS" "$RACE_START_SPREAD_MS" "$RACE_END_SPREAD_MS" "$puts" "$RACE_FAILURES" "$layers")")
}

section "L. $ROUNDS rounds of $SIGNERS concurrent legacy signers (encrypted keys)"
for ((r = 1; r <= ROUNDS; r++)); do
  legacy_round "legacy$r" enc
done

section "T. $SIGNERS concurrent legacy signers with unencrypted keys (tighter start)"
legacy_round tight raw

section "B. $BUNDLE_SIGNERS concurrent --format bundle signers"
for ((r = 1; r <= BUNDLE_ROUNDS; r++)); do
  label=bundle$r repo=app/b-$r
  digest=$(push_image "$repo" v1) || { failed "$label: push a test image"; continue; }
  ref=$REG_HOST/$repo@$digest tag=sha256-${digest#sha256:}
  race "$label" "$ref" "$BUNDLE_SIGNERS" "$W/enc" --format bundle
  entries=$(count_entries "$repo" "$tag" manifests)
  puts=$(manifest_puts "$repo" "$tag")
  check "$label: the referrers fallback index keeps $BUNDLE_SIGNERS referrers" eq "$entries" "$BUNDLE_SIGNERS"
  check "$label: ... sorted by digest, no duplicates" eq "$(manifest_json "$repo" "$tag" | "$PY" -c '
import json, sys
try:
    ds = [m["digest"] for m in json.load(sys.stdin)["manifests"]]
except Exception:
    ds = None
print(ds is not None and ds == sorted(ds) and len(set(ds)) == len(ds))')" True
  verified=()
  for ((i = 1; i <= BUNDLE_SIGNERS; i++)); do
    timeout 60 "$SIGIL" verify "$ref" --key "$W/enc$i.pub" --explain >/dev/null 2>"$W/v.err" &&
      grep -q '^  accepted referrer ' "$W/v.err" && verified+=("$i")
  done
  check "$label: sigil verify passes (bundle) with each of the $BUNDLE_SIGNERS keys" eq "${#verified[@]}" "$BUNDLE_SIGNERS"
  check "$label: no silent loss: every signer that exited 0 verifies" eq "$(silently_lost verified)" ""
  TIMINGS+=("$(printf '%-10s %3d signers  wall %5d ms  start spread %4d ms  end spread %5d ms  manifest PUTs %3d  failed %2d  referrers %2d' \
    "$label" "$BUNDLE_SIGNERS" "$RACE_MS" "$RACE_START_SPREAD_MS" "$RACE_END_SPREAD_MS" "$puts" "$RACE_FAILURES" "$entries")")
done

section "timings"
for t in "${TIMINGS[@]}"; do echo "#   $t"; done
echo "# signer failures by kind (digests and ports elided):"
cat "$W"/race-*/out.* 2>/dev/null | grep '^sigil: error: ' |
  sed -E 's/sha256[:-][0-9a-f]{64}(\.sig)?/<d>/g; s/127\.0\.0\.1:[0-9]+/<reg>/g; s#/app/[a-z0-9-]+#/<repo>#g' |
  sort | uniq -c | sort -rn | sed 's/^/#   /' 
echo "# total $(elapsed_ms) ms"
finish
