#!/usr/bin/env bash
# bench/keyless_sign.sh: keyless signing of one image, sigil vs cosign 2.5 (issue 14, "Speed").
#
#   bench/keyless_sign.sh [RUNS]   env: SIGIL, RUNS (interleaved rounds, default 20),
#                                  BASELINE (another sigil binary, e.g. before a change: adds a
#                                  sign:sigil-baseline row to the same rounds)
#
# Each round signs a fresh image (pushed beforehand) keyless with each variant, in a fresh
# process, against the Sigstore stand-in (tests/integration/sigstore/: Fulcio v2/v1, Rekor v1 in
# a 1000-entry tree) and a local docker-registry:
#   sign:sigil   `sigil sign REF --identity-token T --fulcio-url U --rekor-url U --trusted-root R -y`
#                (the chain, SCT, SET, inclusion proof and checkpoint are verified before the
#                .sig layer is written)
#   sign:cosign  `cosign sign -y --allow-http-registry --fulcio-url U --rekor-url U
#                --identity-token T REF` with cosign's SIGSTORE_* files (it checks the SCT)
# Recorded per run: wall time, CPU, peak RSS, and HTTP requests: the registry's access log
# (filtered by user agent) plus the stand-in's request log (Fulcio, Rekor; runs are sequential,
# so the lines a run added are its own). Then one run of each with its requests listed.
# Targets: sigil <= 0.5x cosign's wall time, <= 10 HTTP requests in all.
#
# cosign never reaches the internet: TUF_ROOT is an empty directory and its proxy a closed port.
# Prints markdown tables; always exits 0 (1 when it cannot set itself up). Run it on a quiet
# machine: the load at start and end is printed.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

RUNS=${1:-${RUNS:-20}}
bench_init keyless_sign
BASE=""
if [[ -n ${BASELINE:-} ]]; then
  cp "$BASELINE" "$BENCH_WORK/bin/sigil-baseline" || bench_die "no baseline binary at $BASELINE"
  BASE=$BENCH_WORK/bin/sigil-baseline
fi
bench_header "keyless_sign: one image signed keyless per fresh process, against the local stand-in and registry"
bench_registry
bench_peers
# shellcheck source=../tests/integration/sigstore_lib.sh
source "$BENCH_ROOT/tests/integration/sigstore_lib.sh"
start_sigstore_standin "$BENCH_WORK/sigstore-bench" --prefill 1000 || bench_die "could not start the sigstore stand-in"
export HOME=$BENCH_WORK/home DOCKER_CONFIG=$REG_DOCKER_CONFIG TUF_ROOT=$BENCH_WORK/tuf
mkdir -p "$HOME" "$TUF_ROOT"
OFFLINE=(HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 'NO_PROXY=127.0.0.1,localhost')
mapfile -t COSIGN_ENV < <(sigstore_cosign_env)
U=$SIGSTORE_STANDIN_URL
TR=$SIGSTORE_STANDIN_TRUSTED_ROOT
SLOG=$SIGSTORE_STANDIN_LOG
R=$BENCH_WORK/runs.jsonl
: >"$R"
TOK=$(sigstore_mint_token --email bench@example.com --exp-in 7200) || bench_die "could not mint a token"

VARIANTS=(sign:sigil sign:cosign)
[[ -n $BASE ]] && VARIANTS+=(sign:sigil-baseline)
NIMG=$(((RUNS + 2) * ${#VARIANTS[@]} + 8)) # + the traced runs at the end
REPO=bench/keyless-sign
"$BENCH_PY" "$BENCH_DIR/lib/push_images.py" "$REG_HOST" "$REPO" "$NIMG" --threads 4 >"$BENCH_WORK/images" ||
  bench_die "could not push $NIMG images"
mapfile -t REFS < <(awk -v h="$REG_HOST/$REPO" '{print h "@" $2}' "$BENCH_WORK/images")
NEXT=0

variant() { # LABEL REF: sets CMD and UA
  case $1 in
    sign:sigil | sign:sigil-baseline)
      local bin=$SIGIL
      [[ $1 == sign:sigil-baseline ]] && bin=$BASE
      CMD=("$bin" sign "$2" --identity-token "$TOK" --fulcio-url "$U" --rekor-url "$U" --trusted-root "$TR" -y)
      UA=sigil/ ;;
    sign:cosign)
      CMD=(env "${OFFLINE[@]}" "${COSIGN_ENV[@]}" "$COSIGN" sign -y --allow-http-registry --fulcio-url "$U"
        --rekor-url "$U" --identity-token "$TOK" "$2")
      UA=cosign/ ;;
  esac
}
# standin_lines: lines in the stand-in's log, once it has been quiet for 50 ms (at most 1 s): it
# writes a request's line after answering.
standin_lines() {
  local last now i
  last=$(wc -l <"$SLOG")
  for ((i = 0; i < 20; i++)); do
    sleep 0.05
    now=$(wc -l <"$SLOG")
    [[ $now == "$last" ]] && break
    last=$now
  done
  echo "$last"
}
# one LABEL [--out F]: signs the next fresh image with LABEL, records the run (+ stand-in requests).
one() {
  local label=$1 ref=${REFS[NEXT]} before after
  NEXT=$((NEXT + 1))
  variant "$label" "$ref"
  before=$(standin_lines)
  measure once --label "$label" --record "$R" --timeout 120 --reglog "$REG_LOG" --ua "$UA" \
    --err "$BENCH_WORK/sign.err" -- "${CMD[@]}" >/dev/null
  after=$(standin_lines)
  grep -q '"rc": 0' <(tail -n1 "$R") || bench_log "$label failed: $(tail -n3 "$BENCH_WORK/sign.err" | tr '\n' ' ')"
  echo "{\"label\": \"$label\", \"standin\": $((after - before)), \"first\": $((before + 1)), \"last\": $after}" \
    >>"$BENCH_WORK/standin.jsonl"
}

# Every variant must sign before it is timed.
for v in "${VARIANTS[@]}"; do
  one "$v"
  grep -q '"rc": 0' <(tail -n1 "$R") || bench_die "$v does not sign: $(tail -n3 "$BENCH_WORK/sign.err" | tr '\n' ' ')"
done
: >"$R"
: >"$BENCH_WORK/standin.jsonl"
bench_log "$RUNS interleaved rounds of ${VARIANTS[*]}"
for ((i = 0; i < RUNS; i++)); do
  for ((j = 0; j < ${#VARIANTS[@]}; j++)); do
    one "${VARIANTS[$(((i + j) % ${#VARIANTS[@]}))]}"
  done
done
LOAD_END=$(bench_load)

echo "cosign: $("$COSIGN" version 2>/dev/null | sed -n 's/^GitVersion: *//p') (scripts/lib/peers.sh: Debian's cosign 2.5)"
[[ -n $BASE ]] && echo "baseline: $("$BASE" version 2>/dev/null | head -1) ($("$BASE" version 2>/dev/null | sed -n 's/^git commit: //p'))"
echo "stand-in: $U (Rekor tree prefilled with 1000 entries), registry: docker-registry on $REG_HOST"
echo "$LOAD_END at end"
echo
measure table "$R" --title "one image signed keyless, fresh process (wall ms, CPU ms, peak RSS MiB)" \
  --metric wall:ms:1000 --metric user:ms:1000:user\ CPU --metric rss_kb:MiB:0.0009765625:peak\ RSS \
  "${VARIANTS[@]/#/--label=}"
echo
# The requests of the last run of each variant, as the registry and the stand-in logged them.
"$BENCH_PY" - "$R" "$BENCH_WORK/standin.jsonl" "$SLOG" "$REG_LOG" <<'EOF'
import json, re, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sl = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
slog = open(sys.argv[3]).read().splitlines()
def med(label, key):
    v = [r[key] for r in runs if r["label"] == label and key in r]
    return statistics.median(v) if v else None
def smed(label):
    v = [r["standin"] for r in sl if r["label"] == label]
    return statistics.median(v) if v else None
labels = [l for l in ["sign:sigil", "sign:cosign", "sign:sigil-baseline"] if med(l, "wall") is not None]
print("#### HTTP requests per signature (medians)")
print("| what | registry | Fulcio + Rekor (stand-in) | all | registry methods (last run) | stand-in requests (last run) |")
print("|---|---|---|---|---|---|")
for l in labels:
    last = [r for r in runs if r["label"] == l][-1]
    s = [r for r in sl if r["label"] == l][-1]
    lines = [json.loads(x) for x in slog[s["first"] - 1:s["last"]]]
    calls = {}
    for x in lines:
        k = "%s %s %s" % (x["method"], re.sub(r"/[0-9a-f]{64,80}$", "/UUID", x["path"]), x["status"])
        calls[k] = calls.get(k, 0) + 1
    methods = last.get("methods", "").replace(",", ", ").replace(":", " ")
    print("| %s | %d | %d | %d | %s | %s |" % (l, med(l, "requests"), smed(l), med(l, "requests") + smed(l), methods,
          "; ".join("%s x%d" % kv for kv in sorted(calls.items()))))
print()
print("#### Targets")
print("| target | wanted | measured (medians) | |")
print("|---|---|---|---|")
s, c = med("sign:sigil", "wall"), med("sign:cosign", "wall")
bad = [r for r in runs if r["rc"] != 0]
if bad:
    print("FAILED runs: %s" % ", ".join("%s rc %d" % (r["label"], r["rc"]) for r in bad))
print("| keyless sign of one image, wall | <= 0.5x cosign 2.5 | %.0f ms vs %.0f ms: %.2fx | %s |"
      % (1000 * s, 1000 * c, s / c, "met" if s <= 0.5 * c else "MISSED"))
n = med("sign:sigil", "requests") + smed("sign:sigil")
print("| HTTP requests in all (registry + Fulcio + Rekor) | <= 10 | %d (cosign 2.5: %d) | %s |"
      % (n, med("sign:cosign", "requests") + smed("sign:cosign"), "met" if n <= 10 else "MISSED"))
EOF

# --- where sigil's time goes --------------------------------------------------------------------
# A few more runs with -d (one line per request, timestamped as it arrives on stderr): when each
# phase ended, from the start of the process. Not timed runs: -d costs a little.
echo
echo "#### Where sigil sign's wall time goes (ms from process start, medians of 7 runs with -d)"
for ((i = 0; i < 7; i++)); do
  ref=${REFS[NEXT]}
  NEXT=$((NEXT + 1))
  variant sign:sigil "$ref"
  "$BENCH_PY" - "${CMD[@]}" -d >>"$BENCH_WORK/phases.jsonl" <<'EOF2'
import json, re, subprocess, sys, time
t0 = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
lines = [(1000 * (time.monotonic() - t0), l) for l in p.stderr]
rc = p.wait()
end = 1000 * (time.monotonic() - t0)
def at(pattern, last=False):
    hits = [t for t, l in lines if re.search(pattern, l)]
    return (hits[-1] if last else hits[0]) if hits else None
print(json.dumps({"rc": rc, "notice": at("Keyless signing as"), "fulcio": at("signingCert"),
                  "payload": at(r"PUT \S+/blobs/uploads/"), "rekor": at("/api/v1/log/entries"),
                  "put": at(r"PUT \S+/manifests/"), "confirm": at(r"GET \S+/manifests/\S+ 200 ", last=True),
                  "exit": end}))
EOF2
done
"$BENCH_PY" - "$BENCH_WORK/phases.jsonl" <<'EOF2'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows = [r for r in rows if r["rc"] == 0 and all(r[k] is not None for k in r)]
if not rows:
    print("(no successful traced run)")
    sys.exit(0)
m = lambda k: statistics.median(r[k] for r in rows)
print("| phase | ends at (ms) | |")
print("|---|---|---|")
print("| start-up, token, trusted root: the notice printed | %.0f | |" % m("notice"))
print("| Fulcio's certificate received (asked at start, on its own thread) | %.0f | |" % m("fulcio"))
print("| payload blob uploaded (POST + PUT) | %.0f | |" % m("payload"))
print("| Rekor's entry received (asked once the certificate and the payload blob are there) | %.0f | |" % m("rekor"))
print("| .sig manifest PUT (after the first read, config blob, the entry's checks and the re-read) | %.0f | |" % m("put"))
print("| confirming read after the settle sleep | %.0f | settle + read: %.0f ms |" % (m("confirm"), statistics.median(r["confirm"] - r["put"] for r in rows)))
print("| process exit | %.0f | |" % m("exit"))
EOF2
exit 0
