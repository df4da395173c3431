#!/usr/bin/env bash
# bench/gate.sh: `sigil gate` over 500 image references (200 unique images, key-signed) in one
# process against the local registry: unique images per second and HTTP requests per unique image,
# with every reference by digest, every reference by tag, and half and half.
#
#   bench/gate.sh [REFS [UNIQUE]]   env: SIGIL, RUNS (rounds, default 3)
#
# Images are pushed straight through the registry API (lib/push_images.py) and signed by one
# `sigil sign` call. The manifests are Deployments of 10 containers each (a rendered chart's
# shape), every unique image named 2-3 times. Targets (issue 16): >= 300 unique images/s;
# <= 2 requests per unique image by digest, <= 3 by tag. Prints tables; always exits 0.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

REFS_N=${1:-500}
UNIQUE=${2:-200}
RUNS=${RUNS:-3}
bench_init gate
bench_header "gate: $REFS_N image references ($UNIQUE unique, key-signed) in one sigil gate process"
bench_registry
bench_keypair
export HOME=$BENCH_WORK/home DOCKER_CONFIG=$REG_DOCKER_CONFIG TUF_ROOT=$BENCH_WORK/home/.sigstore
mkdir -p "$HOME"

REPO=bench/gate
R=$BENCH_WORK/runs.jsonl
: >"$R"
"$BENCH_PY" "$BENCH_DIR/lib/push_images.py" "$REG_HOST" "$REPO" "$UNIQUE" --prefix v --threads 4 >"$BENCH_WORK/images" ||
  bench_die "could not push $UNIQUE images"
mapfile -t BY_DIGEST < <(awk -v h="$REG_HOST/$REPO" '{print h "@" $2}' "$BENCH_WORK/images")
mapfile -t BY_TAG < <(awk -v h="$REG_HOST/$REPO" '{print h ":" $1}' "$BENCH_WORK/images")
SIGIL_PASSWORD=$BENCH_PASSWORD "$SIGIL" sign --key "$KEY" "${BY_DIGEST[@]}" >/dev/null 2>"$BENCH_WORK/sign.err" ||
  bench_die "sigil sign failed: $(tail -n3 "$BENCH_WORK/sign.err")"

# manifest FILE MODE: REFS_N references over UNIQUE images as Deployments of 10 containers.
# MODE digest | tag | mixed (even images by digest, odd by tag).
manifest() {
  local file=$1 mode=$2 i u ref
  : >"$file"
  for ((i = 0; i < REFS_N; i++)); do
    u=$((i % UNIQUE))
    case $mode in
      digest) ref=${BY_DIGEST[$u]} ;;
      tag) ref=${BY_TAG[$u]} ;;
      mixed) ((u % 2 == 0)) && ref=${BY_DIGEST[$u]} || ref=${BY_TAG[$u]} ;;
    esac
    if ((i % 10 == 0)); then
      printf -- '---\n# Source: bench/templates/deploy-%d.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d%d\nspec:\n  template:\n    spec:\n      containers:\n' \
        "$i" "$i" >>"$file"
    fi
    printf '        - name: c%d\n          image: "%s"\n' "$i" "$ref" >>"$file"
  done
}
for m in digest tag mixed; do manifest "$BENCH_WORK/$m.yaml" "$m"; done

for ((i = 0; i < RUNS; i++)); do
  for m in digest tag mixed; do
    measure once --label "gate:by-$m" --record "$R" --timeout 600 --reglog "$REG_LOG" --ua sigil/ --watch-pid "$REG_PID" \
      --out "$BENCH_WORK/gate.out" --err "$BENCH_WORK/gate.err" -- "$SIGIL" gate "$BENCH_WORK/$m.yaml" --key "$PUB" >/dev/null
    grep -q '"rc": 0' <(tail -n1 "$R") || bench_log "gate:by-$m failed: $(tail -n3 "$BENCH_WORK/gate.out" "$BENCH_WORK/gate.err" | tr '\n' ' ')"
  done
  # The same unique images given to `sigil verify` in one call: what this registry and machine
  # allow for the verification alone (no manifests, no dedup).
  measure once --label "verify:unique-by-digest" --record "$R" --timeout 600 --reglog "$REG_LOG" --ua sigil/ \
    --watch-pid "$REG_PID" --err "$BENCH_WORK/verify.err" -- "$SIGIL" verify "${BY_DIGEST[@]}" --key "$PUB" --max-workers 16 >/dev/null
done
LOAD_END=$(bench_load)
echo "references: $REFS_N, unique images: $UNIQUE (one 512-byte layer shared, distinct configs), one sigil signature each"
echo "$LOAD_END at end"
echo
"$BENCH_PY" - "$R" "$UNIQUE" "$REFS_N" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
u, n = int(sys.argv[2]), int(sys.argv[3])
print("| what | references | unique | runs | wall s median (min-max) | unique images/s median | client CPU s | registry CPU s | peak RSS MiB | requests per unique image | exit |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
res = {}
for label in ("gate:by-digest", "gate:by-tag", "gate:by-mixed", "verify:unique-by-digest"):
    sel = [r for r in rows if r["label"] == label]
    if not sel:
        continue
    walls = sorted(r["wall"] for r in sel)
    med = statistics.median(walls)
    req = statistics.median(r.get("requests", 0) for r in sel) / u
    peer = [r["peer_cpu"] for r in sel if r.get("peer_cpu") is not None]
    res[label] = (u / med, req)
    print("| %s | %d | %d | %d | %.3f (%.3f-%.3f) | %.0f | %.2f | %s | %.1f | %.2f | %s |" % (
        label, u if label.startswith("verify") else n, u, len(sel), med, walls[0], walls[-1], u / med,
        statistics.median(r["user"] + r["sys"] for r in sel), "%.2f" % statistics.median(peer) if peer else "-",
        statistics.median(r["rss_kb"] for r in sel) / 1024, req, ",".join(sorted({str(r["rc"]) for r in sel}))))
print()
print("### Targets")
print("| target | wanted | measured | |")
print("|---|---|---|---|")
for label, (rate, _) in res.items():
    if not label.startswith("gate:"):
        continue
    print("| %s speed | >= 300 unique images/s | %.0f | %s |" % (label, rate, "met" if rate >= 300 else "MISSED"))
for label, want in (("gate:by-digest", 2), ("gate:by-tag", 3)):
    if label in res:
        print("| %s requests | <= %d per unique image | %.2f | %s |" % (label, want, res[label][1], "met" if res[label][1] <= want else "MISSED"))
PY
exit 0
