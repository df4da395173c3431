#!/usr/bin/env bash
# bench/copy.sh [ROUNDS]: `sigil copy` of an image of LAYERS x LAYER_MIB MiB (default 10 x 20)
# between two local registries (Debian docker-registry 2.8, anonymous HTTP) vs skopeo 1.18's
# `copy --all`, interleaved rounds (default 3), a fresh destination registry per run (skopeo's
# blob-info cache would otherwise mount blobs it copied in an earlier round: not a copy). Prints
# wall and peak RSS; targets: sigil's median wall <= 1.1 x skopeo's, peak RSS < 32 MiB.
# Environment: SIGIL, BENCH_TMP (see bench/README.md), LAYERS, LAYER_MIB.
set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_ROOT=$(cd "$BENCH_DIR/.." && pwd)
BENCH_PY=${BENCH_PY:-/usr/bin/python3}
# shellcheck source=lib/common.sh
source "$BENCH_DIR/lib/common.sh"
ROUNDS=${1:-${ROUNDS:-3}}
LAYERS=${LAYERS:-10}
LAYER_MIB=${LAYER_MIB:-20}

bench_init copy
bench_peers
bench_registry
bench_header "sigil copy vs skopeo copy --all: $LAYERS x $LAYER_MIB MiB between two registries"

bench_log "pushing the source image"
push_test_image "$REG_HOST" bench/img v1 --layers "$LAYERS" --layer-size $((LAYER_MIB << 20)) >"$BENCH_WORK/digest" ||
  bench_die "could not push the source image"
REC=$BENCH_WORK/runs.jsonl
for ((i = 0; i < ROUNDS; i++)); do
  order=(sigil skopeo)
  ((i % 2)) && order=(skopeo sigil)
  start_registry "DS$i" anon || bench_die "could not start a destination registry"
  start_registry "DK$i" anon || bench_die "could not start a destination registry"
  ds_var="DS${i}_HOST" dk_var="DK${i}_HOST"
  for tool in "${order[@]}"; do
    if [[ $tool == sigil ]]; then
      measure once --label "sigil copy" --record "$REC" --timeout 600 -- \
        "$SIGIL" copy "$REG_HOST/bench/img:v1" "${!ds_var}/bench/img:v1" >/dev/null
    else
      measure once --label "skopeo copy --all" --record "$REC" --timeout 600 -- \
        "$SKOPEO" copy --all --src-tls-verify=false --dest-tls-verify=false \
        "docker://$REG_HOST/bench/img:v1" "docker://${!dk_var}/bench/img:v1" >/dev/null
    fi
  done
done
echo "$(bench_load) at end"
measure table "$REC" --metric wall:ms:1000 --metric rss_kb:MiB:0.0009765625:peak_RSS \
  --label "sigil copy" --label "skopeo copy --all" --title "copy $LAYERS x $LAYER_MIB MiB"
S=$(measure summary "$REC" "sigil copy" wall)
K=$(measure summary "$REC" "skopeo copy --all" wall)
R=$(measure summary "$REC" "sigil copy" rss_kb)
"$BENCH_PY" -c 'import sys; s,k,r=map(float,sys.argv[1:]); print("sigil/skopeo wall: %.2fx (target <= 1.1x); sigil peak RSS %.1f MiB (target < 32)" % (s/k, r/1024))' "$S" "$K" "$R"
exit 0
