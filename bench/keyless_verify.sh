#!/usr/bin/env bash
# bench/keyless_verify.sh: keyless verification speed, sigil vs cosign 2.5 (issue 13, "Speed").
#
#   bench/keyless_verify.sh [RUNS] [N]   env: SIGIL, RUNS (fresh-process runs per variant, default 50),
#                                        N (keyless-signed images, default 200), ROUNDS (rounds of the
#                                        one-call image variants, default 3), CONFORMANCE (default
#                                        <repo>/../shared/conformance), PROFILE=0 skips callgrind,
#                                        BASELINE (another sigil binary, e.g. before a change:
#                                        adds *:sigil-baseline rows to the same rounds)
#
#  A. One keyless v0.3 bundle verified in a fresh process (`verify-blob FILE --bundle B
#     --trusted-root T --certificate-identity I --certificate-oidc-issuer O`), interleaved rounds:
#     - the sigstore-conformance happy-path-v0.3 bundle (public-good production trusted root:
#       several CAs, logs, CT logs and TSAs) — skipped when CONFORMANCE is absent
#     - a bundle sigil signed keyless against the Sigstore stand-in (tests/integration/sigstore/):
#       GitLab-style token, Fulcio certificate with SCT, Rekor v1 entry in a 1000-entry tree, an
#       RFC 3161 timestamp; verified by identity/issuer and by --gitlab-project
#     - cosign 2.5 `verify-blob --new-bundle-format --trusted-root` on the same bundles
#     - the stand-in bundle with the trust from a warm TUF cache (issue 15: no --trusted-root; a
#       TUF repository built by tests/integration/tuf/tuf_repo.py carries the stand-in's trusted
#       root, `sigil trust update` fills the cache once, then every verify reads the cache)
#     - `sigil version` (the process floor)
#     Then where sigil's work goes: callgrind instruction counts by part (chain, SCT, TSA, log
#     entry, JSON, trusted root), which the machine's load does not change.
#  B. N images signed keyless by one `sigil sign` call against the stand-in and a local registry,
#     verified in one `sigil verify` call (identity + issuer + trusted root) -> images/s, vs cosign
#     2.5 `verify` with every image in one call (its own loop; SIGSTORE_* files as trust).
#
# cosign never reaches the internet: TUF_ROOT is an empty directory and its proxy a closed port.
# Prints markdown tables; always exits 0 (1 when it cannot set itself up).
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

RUNS=${1:-${RUNS:-50}}
N=${2:-${N:-200}}
ROUNDS=${ROUNDS:-3}
CONFORMANCE=${CONFORMANCE:-$BENCH_ROOT/../shared/conformance}
bench_init keyless_verify
BASE=""
if [[ -n ${BASELINE:-} ]]; then
  cp "$BASELINE" "$BENCH_WORK/bin/sigil-baseline" || bench_die "no baseline binary at $BASELINE"
  BASE=$BENCH_WORK/bin/sigil-baseline
fi
bench_header "keyless_verify: one keyless bundle per fresh process; $N keyless-signed images in one call"
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
R=$BENCH_WORK/runs.jsonl
: >"$R"

# --- the bundles --------------------------------------------------------------------------------
W=$BENCH_WORK/w
mkdir -p "$W"
head -c 100000 /dev/urandom >"$W/artifact.bin"
GL_PROJECT=grp/proj
GL_REF=refs/heads/main
TOK=$(sigstore_mint_token --gitlab --gitlab-project "$GL_PROJECT" --gitlab-ref "$GL_REF" --exp-in 3600) ||
  bench_die "could not mint a token"
GL_ID="https://gitlab.com/$GL_PROJECT//.gitlab-ci.yml@$GL_REF"
GL_ISS=https://gitlab.com
"$SIGIL" sign-blob "$W/artifact.bin" --identity-token "$TOK" --fulcio-url "$U" --rekor-url "$U" \
  --timestamp-server-url "$SIGSTORE_STANDIN_TSA_URL" --trusted-root "$TR" --bundle "$W/standin.json" -y \
  </dev/null >/dev/null 2>"$W/sign-blob.err" || bench_die "sigil sign-blob keyless failed: $(tail -n3 "$W/sign-blob.err")"

# A TUF repository with the stand-in's trusted root and signing config, shaped as Sigstore's
# (5 ECDSA root keys, threshold 3, signing targets too; one online key), on 127.0.0.1; the cache is
# filled once, and --tuf-refresh (24 h) keeps every timed verify off the network.
TUF_GEN=$BENCH_ROOT/tests/integration/tuf/tuf_repo.py
TUFR=$BENCH_WORK/tuf-repo
"$BENCH_PY" "$TUF_GEN" init "$TUFR" --sigstore-shape --target "trusted_root.json=$TR=TrustedRoot" \
  --target "signing_config.v0.2.json=$SIGSTORE_STANDIN_SIGNING_CONFIG=SigningConfig" >/dev/null ||
  bench_die "tuf_repo.py init failed"
_registry_spawn "$TUFR/server.log" "$BENCH_PY" "$TUF_GEN" serve "$TUFR"
_registry_wait_file "$_REGISTRY_LAST_PID" "$TUFR/port" || bench_die "the TUF repository server did not start"
TUF_FLAGS=(--tuf-mirror "http://127.0.0.1:$(<"$TUFR/port")" --tuf-root "$TUFR/initial_root.json")
export XDG_CACHE_HOME=$BENCH_WORK/xdg-cache
"$SIGIL" trust update "${TUF_FLAGS[@]}" >/dev/null 2>"$W/tuf.err" || bench_die "sigil trust update failed: $(tail -n3 "$W/tuf.err")"

HAVE_CONF=0
CASE=$CONFORMANCE/sigstore-conformance/bundle-verify/happy-path-v0.3
if [[ -f $CASE/bundle.sigstore.json && -f $CONFORMANCE/cases.json ]]; then
  HAVE_CONF=1
  C_BUNDLE=$CASE/bundle.sigstore.json
  C_FILE=$CONFORMANCE/sigstore-conformance/bundle-verify/a.txt
  C_ROOT=$CONFORMANCE/sigstore-python/store/production/trusted_root.json
  read -r C_ID C_ISS < <("$BENCH_PY" -c '
import json, sys
c = [x for x in json.load(open(sys.argv[1])) if x.get("id") == "conformance/happy-path-v0.3"][0]
print(c["identity"], c["issuer"])' "$CONFORMANCE/cases.json")
else
  bench_log "no conformance case at $CASE: the conformance rows are skipped"
fi

variant() {
  local bin=$SIGIL
  [[ $1 == *:sigil-baseline ]] && bin=$BASE
  case $1 in
    conformance:sigil | conformance:sigil-baseline)
      CMD=("$bin" verify-blob "$C_FILE" --bundle "$C_BUNDLE" --trusted-root "$C_ROOT"
        --certificate-identity "$C_ID" --certificate-oidc-issuer "$C_ISS") ;;
    conformance:cosign)
      CMD=(env "${OFFLINE[@]}" "$COSIGN" verify-blob "$C_FILE" --new-bundle-format --bundle "$C_BUNDLE"
        --trusted-root "$C_ROOT" --certificate-identity "$C_ID" --certificate-oidc-issuer "$C_ISS") ;;
    standin:sigil | standin:sigil-baseline)
      CMD=("$bin" verify-blob "$W/artifact.bin" --bundle "$W/standin.json" --trusted-root "$TR"
        --certificate-identity "$GL_ID" --certificate-oidc-issuer "$GL_ISS") ;;
    standin:sigil-tuf-warm)
      CMD=("$SIGIL" verify-blob "$W/artifact.bin" --bundle "$W/standin.json" "${TUF_FLAGS[@]}"
        --certificate-identity "$GL_ID" --certificate-oidc-issuer "$GL_ISS") ;;
    standin:sigil-gitlab-project)
      CMD=("$SIGIL" verify-blob "$W/artifact.bin" --bundle "$W/standin.json" --trusted-root "$TR"
        --gitlab-project "$GL_PROJECT" --gitlab-ref 'refs/heads/*') ;;
    standin:cosign)
      CMD=(env "${OFFLINE[@]}" "$COSIGN" verify-blob "$W/artifact.bin" --new-bundle-format --bundle "$W/standin.json"
        --trusted-root "$TR" --certificate-identity "$GL_ID" --certificate-oidc-issuer "$GL_ISS") ;;
    floor:sigil-version) CMD=("$SIGIL" version) ;;
  esac
}
VARIANTS=(standin:sigil standin:sigil-tuf-warm standin:sigil-gitlab-project standin:cosign floor:sigil-version)
[[ -n $BASE ]] && VARIANTS+=(standin:sigil-baseline)
((HAVE_CONF)) && VARIANTS=(conformance:sigil conformance:cosign "${VARIANTS[@]}")
[[ -n $BASE ]] && ((HAVE_CONF)) && VARIANTS+=(conformance:sigil-baseline)
# Every variant must verify before it is timed.
for v in "${VARIANTS[@]}"; do
  variant "$v"
  "${CMD[@]}" </dev/null >"$W/check.out" 2>"$W/check.err" ||
    bench_die "$v does not verify: $(tail -n3 "$W/check.err" | tr '\n' ' ')"
done
bench_log "A: $RUNS interleaved rounds of ${VARIANTS[*]}"
for ((i = 0; i < RUNS; i++)); do
  for ((j = 0; j < ${#VARIANTS[@]}; j++)); do
    v=${VARIANTS[$(((i + j) % ${#VARIANTS[@]}))]}
    variant "$v"
    measure once --label "$v" --record "$R" --timeout 120 -- "${CMD[@]}" >/dev/null
  done
done

# --- B: N keyless-signed images ------------------------------------------------------------------
REPO=bench/keyless
"$BENCH_PY" "$BENCH_DIR/lib/push_images.py" "$REG_HOST" "$REPO" "$N" --threads 4 >"$BENCH_WORK/images" ||
  bench_die "could not push $N images"
awk -v h="$REG_HOST/$REPO" '{print h "@" $2}' "$BENCH_WORK/images" >"$BENCH_WORK/refs"
mapfile -t REFS <"$BENCH_WORK/refs"
bench_log "B: signing $N images keyless in one sigil sign call"
measure once --label "sign:sigil-keyless-one-call" --record "$R" --timeout 1800 --reglog "$REG_LOG" --ua sigil/ \
  --err "$BENCH_WORK/sign.err" -- "$SIGIL" sign "${REFS[@]}" --identity-token "$TOK" --fulcio-url "$U" \
  --rekor-url "$U" --trusted-root "$TR" -y >/dev/null
grep -q '"rc": 0' <(tail -n1 "$R") || bench_die "sigil sign keyless of $N images failed: $(tail -n5 "$BENCH_WORK/sign.err")"

ivariant() {
  case $1 in
    verify:sigil-baseline-one-call)
      CMD=("$BASE" verify "${REFS[@]}" --trusted-root "$TR" --certificate-identity "$GL_ID"
        --certificate-oidc-issuer "$GL_ISS") UA=sigil/ ;;
    verify:sigil-one-call)
      CMD=("$SIGIL" verify "${REFS[@]}" --trusted-root "$TR" --certificate-identity "$GL_ID"
        --certificate-oidc-issuer "$GL_ISS") UA=sigil/ ;;
    verify:sigil-one-call-gitlab-project)
      CMD=("$SIGIL" verify "${REFS[@]}" --trusted-root "$TR" --gitlab-project "$GL_PROJECT") UA=sigil/ ;;
    verify:cosign-one-call)
      CMD=(env "${OFFLINE[@]}" "${COSIGN_ENV[@]}" "$COSIGN" verify --allow-http-registry
        --certificate-identity "$GL_ID" --certificate-oidc-issuer "$GL_ISS" "${REFS[@]}") UA=cosign/ ;;
  esac
}
IVARIANTS=(verify:sigil-one-call verify:sigil-one-call-gitlab-project verify:cosign-one-call)
[[ -n $BASE ]] && IVARIANTS+=(verify:sigil-baseline-one-call)
bench_log "B: $ROUNDS rounds of ${IVARIANTS[*]}"
for ((i = 0; i < ROUNDS; i++)); do
  for ((j = 0; j < ${#IVARIANTS[@]}; j++)); do
    v=${IVARIANTS[$(((i + j) % ${#IVARIANTS[@]}))]}
    ivariant "$v"
    measure once --label "$v" --record "$R" --timeout 900 --reglog "$REG_LOG" --ua "$UA" --watch-pid "$REG_PID" \
      --out "$BENCH_WORK/verify.out" --err "$BENCH_WORK/verify.err" -- "${CMD[@]}" >/dev/null
    grep -q '"rc": 0' <(tail -n1 "$R") || bench_log "$v failed: $(tail -n3 "$BENCH_WORK/verify.err" | tr '\n' ' ')"
  done
done
LOAD_END=$(bench_load)

echo "cosign: $("$COSIGN" version 2>/dev/null | sed -n 's/^GitVersion: *//p') (scripts/lib/peers.sh: Debian's cosign 2.5)"
[[ -n $BASE ]] && echo "baseline: $("$BASE" version 2>/dev/null | head -1) ($("$BASE" version 2>/dev/null | sed -n 's/^git commit: //p'))"
echo "stand-in: $U (Rekor tree prefilled with 1000 entries), registry: docker-registry on $REG_HOST"
((HAVE_CONF)) && echo "conformance bundle: $C_BUNDLE (trusted root: $C_ROOT)"
echo "$LOAD_END at end"
echo
measure table "$R" --title "A. one keyless v0.3 bundle, fresh process per verify (wall ms, peak RSS MiB)" \
  --metric wall:ms:1000 --metric rss_kb:MiB:0.0009765625:peak\ RSS "${VARIANTS[@]/#/--label=}"
echo
"$BENCH_PY" - "$R" "$N" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[2])
def med(label, key="wall"):
    v = [r[key] for r in rows if r["label"] == label]
    return statistics.median(v) if v else None
print("#### B. %d keyless-signed images in one call" % n)
print("| what | images | runs | wall s median (min-max) | images/s median | ms per image | client CPU s (user+sys) | registry CPU s | peak RSS MiB | HTTP requests per image | exit |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for label in ["sign:sigil-keyless-one-call", "verify:sigil-one-call", "verify:sigil-one-call-gitlab-project",
              "verify:cosign-one-call", "verify:sigil-baseline-one-call"]:
    sel = [r for r in rows if r["label"] == label]
    if not sel:
        continue
    walls = sorted(r["wall"] for r in sel)
    m = statistics.median(walls)
    peer = [r["peer_cpu"] for r in sel if r.get("peer_cpu") is not None]
    print("| %s | %d | %d | %.2f (%.2f-%.2f) | %.0f | %.2f | %.2f | %s | %.1f | %.2f | %s |" % (
        label, n, len(sel), m, walls[0], walls[-1], n / m, 1000 * m / n,
        statistics.median(r["user"] + r["sys"] for r in sel),
        "%.2f" % statistics.median(peer) if peer else "-",
        statistics.median(r["rss_kb"] for r in sel) / 1024,
        statistics.median(r.get("requests", 0) for r in sel) / n,
        ",".join(sorted({str(r["rc"]) for r in sel}))))
print()
print("#### Targets")
print("| target | wanted | measured (medians) | |")
print("|---|---|---|---|")
for label, name in [("conformance:sigil", "conformance happy-path-v0.3"), ("standin:sigil", "stand-in bundle")]:
    s = med(label)
    if s is None:
        continue
    c = med(label.split(":")[0] + ":cosign")
    print("| verify one keyless bundle, fresh process (%s) | <= 10 ms | %.1f ms (cosign 2.5: %.1f ms, %.2f x) | %s |"
          % (name, 1000 * s, 1000 * c, s / c, "met" if s <= 0.010 else "MISSED"))
s, t = med("standin:sigil"), med("standin:sigil-tuf-warm")
if s and t:
    print("| trust from a warm TUF cache instead of --trusted-root (stand-in bundle) | <= +2 ms | %+.1f ms (%.1f vs %.1f ms) | %s |"
          % (1000 * (t - s), 1000 * t, 1000 * s, "met" if t - s <= 0.002 else "MISSED"))
s, c = med("verify:sigil-one-call"), med("verify:cosign-one-call")
if s:
    print("| %d keyless images, one sigil verify call | >= 300 images/s | %.0f images/s (cosign 2.5 one call: %s images/s) | %s |"
          % (n, n / s, "%.0f" % (n / c) if c else "-", "met" if n / s >= 300 else "MISSED"))
EOF

# --- where sigil's time goes ---------------------------------------------------------------------
# Instructions (callgrind) are exact and do not depend on the machine's load; wall time does.
if [[ ${PROFILE:-1} == 1 ]] && command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
  echo
  echo "#### Where sigil verify-blob's work goes (callgrind, instructions executed, inclusive)"
  cg_vars=(standin:sigil)
  ((HAVE_CONF)) && cg_vars=(conformance:sigil standin:sigil)
  [[ -n $BASE ]] && cg_vars+=("${cg_vars[@]/%/-baseline}")
  cg_vars+=(standin:sigil-tuf-warm)
  for v in "${cg_vars[@]}"; do
    variant "$v"
    valgrind --tool=callgrind --callgrind-out-file="$BENCH_WORK/cg.$v" "${CMD[@]}" </dev/null >/dev/null 2>&1
    callgrind_annotate --inclusive=yes "$BENCH_WORK/cg.$v" 2>/dev/null >"$BENCH_WORK/cg.$v.txt"
  done
  "$BENCH_PY" - "$BENCH_WORK" "${cg_vars[@]}" <<'EOF2'
import re, sys
work, labels = sys.argv[1], sys.argv[2:]
parts = [("whole process", "PROGRAM TOTALS"),
         ("  main (the rest is the dynamic loader, libc and OpenSSL start-up)", r":main \["),
         ("    trust from the TUF cache (metadata checked, targets read)", r"sigil::tuf::sigstore_trust\("),
         ("    trusted root file parsed (certificates, keys)", r"sigil::trust::parse_trusted_root\("),
         ("    bundle JSON parsed", r"sigil::bundle::parse_bundle\("),
         ("    artifact hashed", r"artifact_digest\("),
         ("    certificate chain (X.509 path, signatures)", r"sigil::trust::verify_certificate_chain\("),
         ("    embedded SCT", r"sigil::trust::verify_embedded_sct\("),
         ("    RFC 3161 timestamp", r"sigil::trust::verify_timestamp\("),
         ("    transparency log entry (body, SET, inclusion proof, checkpoint)", r"verify_entries\("),
         ("    artifact signature", r"sigil::verify::\(anonymous namespace\)::resolve_signer\(")]
def table(label):
    best = {}
    for line in open("%s/cg.%s.txt" % (work, label), errors="replace"):
        m = re.match(r"\s*([\d,]+) \(", line)
        if not m:
            continue
        n = int(m.group(1).replace(",", ""))
        for name, pat in parts:
            if re.search(pat, line):
                best[name] = max(best.get(name, 0), n)
    return best
tabs = {l: table(l) for l in labels}
print("| part | " + " | ".join("%s (M instr.)" % l for l in labels) + " |")
print("|---|" + "---|" * len(labels))
for name, _ in parts:
    row = []
    for l in labels:
        t = tabs[l]
        total = t.get("whole process", 0)
        v = t.get(name)
        row.append("-" if v is None else "%.1f (%.0f%%)" % (v / 1e6, 100.0 * v / total if total else 0))
    print("| %s | %s |" % (name.strip(), " | ".join(row)))
EOF2
fi
exit 0
