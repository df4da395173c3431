#!/usr/bin/env bash
# Faults at scale (issue 7): sign and verify through a fault-injecting proxy failing 20% of the
# requests at random, concurrent signers and attesters on one image, and signers killed by
# SIGKILL. DESIGN.md §4 (retries) and §5 (exit 20 = registry or network failure after retries).
# Usage: test_faults_at_scale.sh PATH_TO_SIGIL PATH_TO_SIGIL_REGISTRY_PROBE
#
#  A. 200 `sigil sign` (20 images x 10 keys) and then 200 `sigil verify` through
#     registry/fault_proxy.py with a seeded "random" rule: 20% of all requests get a reset
#     (after half the body), a 500, a 503, a 429 with Retry-After: 1, or a slow body (0.1-1 s); half of
#     the 5xx/429 answers come after the request took effect upstream (forward_rate 0.5).
#     Every sign exits 0, or 20 with an error naming the request (method and path). Afterwards
#     every .sig manifest on the registry is valid JSON and a signature manifest, every sign
#     that exited 0 verifies (fault-free, against the registry directly) and each .sig holds
#     exactly one layer per key that verifies (nothing lost, nothing doubled). Every verify
#     through the proxy gives the fault-free answer (0, 10 or 12) or 20: never a wrong 0 and
#     never a 10/12 caused by a transport error.
#     Reproducible: the images are derived from the seed, each worker owns its repositories,
#     and the proxy draws each request's fate from (seed, method, target with digests elided,
#     occurrence), so the same seed injects the same faults into the same requests on every
#     run; the "fault fingerprint" printed at the end of A is the same from run to run.
#     SIGIL_FAULT_SEED=N picks another seed.
#  B. 16 concurrent `sigil sign` (16 keys) and 8 concurrent `sigil attest` (8 other keys),
#     released together by a barrier on one fresh image, 10 rounds: 16 layers in .sig, 8 in
#     .att, each key verifies (verify / verify-attestation with that key alone).
#  C. 50 runs of `sigil sign` on images that already hold signatures, each killed with SIGKILL
#     after a seeded random delay spread over a sign's measured duration: after every run the
#     .sig manifest is valid and still holds every layer it held before; at the end every
#     signature that was ever seen verifies.
#
# Keys: unencrypted PKCS#8 P-256 PEM (openssl), which sigil accepts with a warning. The
# encrypted format costs ~0.2 s of scrypt per process on this 2-core machine (~90 s for the
# 450 signing processes here) and is covered by test_sign_concurrency and test_attest; what is
# under test here is the registry traffic, and without scrypt in front of it the concurrent
# starts in B are tight and the kills in C land in the network phase instead of in scrypt.
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"

PROBE=${2:-}
SEED=${SIGIL_FAULT_SEED:-7007}
RATE=0.2
JOBS=${SIGIL_FAULT_JOBS:-4}       # parallel operations in A (one worker per set of images)
A_IMAGES=20                       # signed images in A
A_KEYS=10                         # signing keys per image in A
B_ROUNDS=${SIGIL_FAULT_B_ROUNDS:-10}
B_SIGNERS=16
B_ATTESTERS=8
C_RUNS=${SIGIL_FAULT_C_RUNS:-50}
C_IMAGES=5
C_BASE_SIGS=3                     # signatures on each C image before the kills
OP_TIMEOUT=150                    # seconds per sigil process (its retries are bounded by 120 s)

require_tools "$REGISTRY_BIN" openssl curl "$PY" timeout
[[ -n $PROBE && -x $PROBE ]] || MISSING+=" sigil_registry_probe (argument 2)"
skip_suite_if_missing "faults at scale"

isolate_home SIGIL_PASSWORD COSIGN_PASSWORD NO_COLOR
W=$TEST_TMP/w
mkdir -p "$W"

check() { check_quiet "$@"; } # a failure shows no stale `run` output
SECTION_TIMES=()
section_done() { SECTION_TIMES+=("$(printf '%-3s %6d ms' "$1" $((($(now_us) - $2) / 1000)))"); }

# --- helpers in Python -------------------------------------------------------------------------
HELPER=$W/helper.py
cat >"$HELPER" <<'PYEOF'
import base64, glob, hashlib, io, json, os, random, re, sys, tarfile

SIMPLE = "application/vnd.dev.cosign.simplesigning.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
SIG_ANN = "dev.cosignproject.cosign/signature"
DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")


def put(root, data, media_type):
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(root, "blobs", "sha256", h), "wb") as f:
        f.write(data)
    return {"mediaType": media_type, "digest": "sha256:" + h, "size": len(data)}


def layouts(out, seed, names):
    """One small OCI layout per name, its content derived from (seed, name): same seed, same
    image digests on every run. Prints "name digest" lines."""
    for name in names:
        root = os.path.join(out, name)
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(root, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)
        payload = b"".join(hashlib.sha256(("%s/%s/%d" % (seed, name, i)).encode()).digest()
                           for i in range(32))
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
            info = tarfile.TarInfo("data")
            info.size, info.mtime = len(payload), 0
            t.addfile(info, io.BytesIO(payload))
        layer_bytes = buf.getvalue()
        layer = put(root, layer_bytes, "application/vnd.oci.image.layer.v1.tar")
        config = json.dumps({"architecture": "amd64", "os": "linux",
                             "config": {"Labels": {"test": "faults-at-scale", "image": name}},
                             "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}},
                            separators=(",", ":")).encode()
        cfg = put(root, config, "application/vnd.oci.image.config.v1+json")
        manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": cfg,
                               "layers": [layer]}, separators=(",", ":")).encode()
        top = put(root, manifest, OCI_MANIFEST)
        top["annotations"] = {"org.opencontainers.image.ref.name": "v1"}
        with open(os.path.join(root, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "manifests": [top]}, f)
        print(name, top["digest"])


def sig_manifest_problems(path):
    """Why the file is not a valid cosign signature manifest ([] when it is), and its layers."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        d = json.loads(raw)
    except (OSError, ValueError) as e:
        return ["not JSON: %s" % e], []
    p = []
    if not isinstance(d, dict):
        return ["not a JSON object"], []
    if d.get("schemaVersion") != 2:
        p.append("schemaVersion %r" % d.get("schemaVersion"))
    if d.get("mediaType") != OCI_MANIFEST:
        p.append("mediaType %r" % d.get("mediaType"))
    c = d.get("config")
    if not isinstance(c, dict) or not DIGEST_RE.match(str(c.get("digest"))) or \
            not isinstance(c.get("size"), int):
        p.append("bad config descriptor")
    layers = d.get("layers")
    if not isinstance(layers, list) or not layers:
        return p + ["no layers"], []
    seen = set()
    for i, l in enumerate(layers):
        if not isinstance(l, dict):
            p.append("layer %d not an object" % i)
            continue
        if l.get("mediaType") != SIMPLE:
            p.append("layer %d mediaType %r" % (i, l.get("mediaType")))
        if not DIGEST_RE.match(str(l.get("digest"))) or not isinstance(l.get("size"), int) \
                or l["size"] <= 0:
            p.append("layer %d bad digest/size" % i)
        sig = (l.get("annotations") or {}).get(SIG_ANN)
        try:
            ok = isinstance(sig, str) and len(base64.b64decode(sig, validate=True)) > 0
        except ValueError:
            ok = False
        if not ok:
            p.append("layer %d: no base64 %s annotation" % (i, SIG_ANN))
        ident = (l.get("digest"), sig)
        if ident in seen:
            p.append("layer %d is a duplicate" % i)
        seen.add(ident)
    return p, [(l.get("digest"), (l.get("annotations") or {}).get(SIG_ANN))
               for l in layers if isinstance(l, dict)]


def check_sig(paths):
    """Prints "OK path n_layers" or "BAD path: problems" per manifest file."""
    for path in paths:
        p, layers = sig_manifest_problems(path)
        if p:
            print("BAD %s: %s" % (os.path.basename(path), "; ".join(p)))
        else:
            print("OK %s %d" % (os.path.basename(path), len(layers)))


def layers_subset(before, after):
    """Exit 0 when every layer of BEFORE (a manifest file, may not exist) is in AFTER."""
    if not os.path.exists(before) or os.path.getsize(before) == 0:
        return 0
    _, lb = sig_manifest_problems(before)
    _, la = sig_manifest_problems(after)
    missing = [d for d in lb if d not in la]
    for d, _ in missing:
        print("lost layer %s" % d)
    return 1 if missing else 0


def faults(log, seed, rule_json):
    """Counts the faults the proxy injected per kind, re-derives every draw from the seed (the
    multiset of fates per request key must be what the proxy logged), and prints a fingerprint
    of (method, elided target, kind) of the faulted requests."""
    sys.path.insert(0, os.environ["FAULT_PROXY_DIR"])
    import fault_proxy as fp
    rule = json.loads(rule_json)
    rule.setdefault("id", "rule0")
    fp.prepare_random_rule(rule)
    entries = [json.loads(l) for l in open(log) if l.strip()]
    entries = [e for e in entries if "random" in e]
    kinds, by_key = {}, {}
    for e in sorted(entries, key=lambda e: e["seq"]):
        k = e["random"] or "none"
        kinds[k] = kinds.get(k, 0) + 1
        key = (e["method"], rule["_elide"].sub("", fp.RANDOM_ELIDE_RE.sub("", e["target"])))
        by_key.setdefault(key, []).append(k)
    mismatches = 0
    fingerprint = hashlib.sha256()
    for key in sorted(by_key):
        logged = by_key[key]
        drawn = []
        for _ in logged:
            _, kind = fp.draw_random_rule(rule, key[0], key[1])
            drawn.append(kind or "none")
        if sorted(drawn) != sorted(logged):
            mismatches += 1
        fingerprint.update(("%s %s %s\n" % (key[0], key[1], ",".join(logged))).encode())
    total = len(entries)
    faulted = total - kinds.get("none", 0)
    print(json.dumps({"requests": total, "faulted": faulted,
                      "kinds": {k: v for k, v in sorted(kinds.items()) if k != "none"},
                      "mismatches": mismatches,
                      "fingerprint": fingerprint.hexdigest()[:16]}))


def delays(seed, n, lo_ms, hi_ms):
    r = random.Random("%s/kill" % seed)
    print(" ".join("%.3f" % (r.uniform(lo_ms, hi_ms) / 1000.0) for _ in range(n)))


def json_field(path, expr):
    d = json.load(open(path))
    print(eval(expr))


cmd = sys.argv[1]
if cmd == "layouts":
    layouts(sys.argv[2], sys.argv[3], sys.argv[4:])
elif cmd == "check-sig":
    check_sig(sys.argv[2:])
elif cmd == "subset":
    sys.exit(layers_subset(sys.argv[2], sys.argv[3]))
elif cmd == "faults":
    faults(sys.argv[2], sys.argv[3], sys.argv[4])
elif cmd == "delays":
    delays(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]))
elif cmd == "field":
    json_field(sys.argv[2], sys.argv[3])
PYEOF
export FAULT_PROXY_DIR=$REGISTRY_TOOLS_DIR
helper() { "$PY" "$HELPER" "$@"; }

# push_images PREFIX NAME...: deterministic images (see helper layouts) pushed to REG by the
# probe, 4 at a time; sets DIG[NAME]=digest. Returns non-zero if any push failed.
declare -A DIG=()
push_images() {
  local prefix=$1 name line
  shift
  local dir=$W/layouts-$prefix
  mkdir -p "$dir"
  helper layouts "$dir" "$SEED" "$@" >"$dir/digests" || return 1
  local -a pids=()
  for name in "$@"; do
    timeout 60 "$PROBE" push-layout "$dir/$name" v1 "$REG_HOST/$name:v1" >"$dir/$(tr / _ <<<"$name").push" 2>&1 &
    pids+=($!)
    if ((${#pids[@]} >= 4)); then
      wait "${pids[0]}" || return 1
      pids=("${pids[@]:1}")
    fi
  done
  for name in "${pids[@]}"; do wait "$name" || return 1; done
  while read -r name line; do DIG[$name]=$line; done <"$dir/digests"
}

# new_keys PREFIX N: N unencrypted P-256 key pairs $W/PREFIX$i.key/.pub (see the header).
new_keys() {
  local i
  for ((i = 1; i <= $2; i++)); do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/$1$i.key" 2>/dev/null &&
      chmod 600 "$W/$1$i.key" &&
      openssl pkey -in "$W/$1$i.key" -pubout -out "$W/$1$i.pub" 2>/dev/null || return 1
  done
}

# op DIR NAME CMD...: runs CMD (bounded), DIR/NAME.{out,err} and DIR/NAME.rc = "RC MS".
op() {
  local dir=$1 name=$2 t0 rc
  shift 2
  t0=$(now_us)
  timeout "$OP_TIMEOUT" "$@" >"$dir/$name.out" 2>"$dir/$name.err" </dev/null
  rc=$?
  echo "$rc $((($(now_us) - t0) / 1000))" >"$dir/$name.rc"
}
rc_of() { local r; read -r r _ <"$1.rc" 2>/dev/null && echo "$r" || echo missing; }

# An error names the request: method and the path of the repository it went to.
names_request() { grep -qE "(GET|HEAD|PUT|POST|PATCH|DELETE) [^ ]*/app/fa-[0-9]+/(manifests|blobs)/" "$1"; }

# =============================================================================================
section "setup: registry, fault proxy, keys (seed $SEED)"
start_registry REG anon || { failed "start the registry"; finish; exit; }
start_fault_proxy PX "$REG_URL" || { failed "start the fault proxy"; finish; exit; }
new_keys k $((A_KEYS + 1)) || { failed "setup: keys"; finish; exit; }
new_keys b $((B_SIGNERS + B_ATTESTERS)) || { failed "setup: keys"; finish; exit; }
new_keys c $((C_BASE_SIGS + 5 + C_RUNS)) || { failed "setup: keys"; finish; exit; }
pass "setup: registry, proxy and $((A_KEYS + 1 + B_SIGNERS + B_ATTESTERS + C_BASE_SIGS + 5 + C_RUNS)) key pairs"

# =============================================================================================
section "A. 200 sign + 200 verify through the proxy, ${RATE} of the requests faulted (seed $SEED)"
tA=$(now_us)
A=$W/a
mkdir -p "$A"
A_NAMES=()
for ((i = 1; i <= A_IMAGES + 2; i++)); do A_NAMES+=("$(printf 'app/fa-%02d' "$i")"); done
if push_images a "${A_NAMES[@]}"; then
  pass "A: $((A_IMAGES + 2)) images pushed"
else
  failed "A: push the images"
fi
# Every request through the proxy is considered: the image digests are part of the targets
# but the same on every run (derived from the seed); the payload blob digests are not (the
# payload names the proxy's random port), so digests are elided from the draw key.
RULE='{"id":"chaos","fault":"random","rate":'$RATE',"seed":'$SEED',"kinds":["reset","status500","status503","status429","slow"],"retry_after":"1","forward_rate":0.5,"slow_ms":[100,1000],"elide":"sha256:[0-9a-f]{64}"}'
proxy_plan PX "[$RULE]"
proxy_reset_log PX
img() { printf 'app/fa-%02d' "$1"; }

# A1: signs. Worker w signs images w, w+JOBS, ... with keys 1..A_KEYS in turn, so each image's
# requests come from one worker in a fixed order (what makes the fault draws reproducible).
tA1=$(now_us)
pids=()
for ((w = 1; w <= JOBS; w++)); do
  (
    for ((i = w; i <= A_IMAGES; i += JOBS)); do
      for ((k = 1; k <= A_KEYS; k++)); do
        n=$(img "$i")
        op "$A" "sign-$i-$k" "$SIGIL" sign "$PX_HOST/$n@${DIG[$n]}" --key "$W/k$k.key"
      done
    done
  ) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
tA1_ms=$((($(now_us) - tA1) / 1000))
proxy_clear_plan PX
cp "$PX_REQUESTS" "$A/proxy-sign.jsonl"

sign_ok=0 sign_20=0 sign_other=0 sign_unnamed=0
for ((i = 1; i <= A_IMAGES; i++)); do
  for ((k = 1; k <= A_KEYS; k++)); do
    rc=$(rc_of "$A/sign-$i-$k")
    case $rc in
      0) sign_ok=$((sign_ok + 1)) ;;
      20)
        sign_20=$((sign_20 + 1))
        if ! names_request "$A/sign-$i-$k.err"; then
          sign_unnamed=$((sign_unnamed + 1))
          echo "       sign $i/$k: exit 20 without naming the request: $(grep 'error' "$A/sign-$i-$k.err" | head -2)"
        fi
        ;;
      *)
        sign_other=$((sign_other + 1))
        echo "       sign $i/$k: exit $rc: $(grep -v '^sigil: warning' "$A/sign-$i-$k.err" | tail -2)"
        ;;
    esac
  done
done
echo "#   sign:   ok $sign_ok  exit-20 $sign_20  other $sign_other  ($tA1_ms ms, $JOBS at a time)"
check "A: all $((A_IMAGES * A_KEYS)) signs exit 0 or 20" eq "$sign_other" 0
check "A: every sign that exited 20 names the request (method and path)" eq "$sign_unnamed" 0
check "A: most signs succeed despite the faults (retries work): ok > 150" test "$sign_ok" -gt 150

# A2: the truth, fault-free: every (image, key) pair verified against the registry directly.
tA2=$(now_us)
pids=()
for ((w = 1; w <= JOBS; w++)); do
  (
    for ((i = w; i <= A_IMAGES + 2; i += JOBS)); do
      for ((k = 1; k <= A_KEYS + 1; k++)); do
        n=$(img "$i")
        op "$A" "truth-$i-$k" "$SIGIL" verify "$REG_HOST/$n@${DIG[$n]}" --key "$W/k$k.pub"
      done
    done
  ) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
tA2_ms=$((($(now_us) - tA2) / 1000))

# Every .sig manifest in the registry, found by listing the tags of every repository.
mkdir -p "$A/manifests"
sig_listed=0 sig_fetch_fail=0
for ((i = 1; i <= A_IMAGES + 2; i++)); do
  n=$(img "$i")
  timeout 60 "$PROBE" list-tags "$REG_HOST/$n" >"$A/tags-$i.json" 2>"$A/tags-$i.err" || {
    sig_fetch_fail=$((sig_fetch_fail + 1))
    continue
  }
  while read -r tag; do
    [[ -n $tag ]] || continue
    sig_listed=$((sig_listed + 1))
    timeout 60 "$PROBE" get-manifest "$REG_HOST/$n:$tag" --out "$A/manifests/$i--$tag" >/dev/null 2>"$A/get-$i.err" ||
      { sig_fetch_fail=$((sig_fetch_fail + 1)); echo "       get-manifest $n:$tag: $(tail -2 "$A/get-$i.err")"; }
  done < <(helper field "$A/tags-$i.json" '"\n".join(t for t in d["tags"] if t.endswith(".sig"))')
done
helper check-sig "$A"/manifests/* >"$A/check-sig.txt" 2>&1
bad_manifests=$(grep -vc '^OK ' "$A/check-sig.txt")
grep -v '^OK ' "$A/check-sig.txt" | head -5 | sed 's/^/       /'
check "A: every .sig manifest on the registry could be fetched ($sig_listed)" eq "$sig_fetch_fail" 0
check "A: every .sig manifest is valid JSON and a cosign signature manifest" eq "$bad_manifests" 0

# Layers per image = keys that verify (fault-free): nothing lost, nothing doubled, no junk.
lost=0 truth_other=0 layer_mismatch=0
for ((i = 1; i <= A_IMAGES + 2; i++)); do
  n=$(img "$i")
  verified_keys=0
  for ((k = 1; k <= A_KEYS + 1; k++)); do
    t=$(rc_of "$A/truth-$i-$k")
    [[ $t == 0 ]] && verified_keys=$((verified_keys + 1))
    [[ $t == 0 || $t == 10 || $t == 12 ]] || {
      truth_other=$((truth_other + 1))
      echo "       fault-free verify $i/$k: exit $t: $(tail -1 "$A/truth-$i-$k.err")"
    }
    if ((i <= A_IMAGES && k <= A_KEYS)) && [[ $(rc_of "$A/sign-$i-$k") == 0 && $t != 0 ]]; then
      lost=$((lost + 1))
      echo "       LOST: sign $n key $k exited 0, fault-free verify gives $t"
    fi
  done
  f=$A/manifests/$i--$(sig_tag "${DIG[$n]}")
  layers=0
  [[ -f $f ]] && layers=$(awk -v f="$(basename "$f")" '$1 == "OK" && $2 == f {print $3}' "$A/check-sig.txt")
  if [[ ${layers:-x} != "$verified_keys" ]]; then
    layer_mismatch=$((layer_mismatch + 1))
    echo "       $n: $layers layers in .sig, $verified_keys keys verify"
  fi
done
check "A: fault-free verify answers 0, 10 or 12 for all $(((A_IMAGES + 2) * (A_KEYS + 1))) pairs" eq "$truth_other" 0
check "A: every sign that exited 0 verifies afterwards (no signature reported pushed is missing)" eq "$lost" 0
check "A: each .sig holds exactly one layer per key that verifies" eq "$layer_mismatch" 0
check "A: key $((A_KEYS + 1)) (never signed) gives 12, unsigned images give 10" eq \
  "$(rc_of "$A/truth-1-$((A_KEYS + 1))") $(rc_of "$A/truth-$((A_IMAGES + 1))-1")" "12 10"

# A3: 200 verifies through the proxy, same seed, fresh draws: images 1-20 x keys 1-9 (mostly
# 0, 12 where the sign failed), images 1-10 with the never-used key 11 (12), the two unsigned
# images x keys 1-5 (10). Worker w again owns images w, w+JOBS, ...
VERIFY_OPS=$A/verify-ops
{
  for ((i = 1; i <= A_IMAGES; i++)); do for ((k = 1; k <= A_KEYS - 1; k++)); do echo "$i $k"; done; done
  for ((i = 1; i <= 10; i++)); do echo "$i $((A_KEYS + 1))"; done
  for ((i = A_IMAGES + 1; i <= A_IMAGES + 2; i++)); do for ((k = 1; k <= 5; k++)); do echo "$i $k"; done; done
} >"$VERIFY_OPS"
proxy_plan PX "[$RULE]"
proxy_reset_log PX
tA3=$(now_us)
pids=()
for ((w = 1; w <= JOBS; w++)); do
  (
    while read -r i k; do
      (((i - 1) % JOBS + 1 == w)) || continue
      n=$(img "$i")
      op "$A" "verify-$i-$k" "$SIGIL" verify "$PX_HOST/$n@${DIG[$n]}" --key "$W/k$k.pub"
    done <"$VERIFY_OPS"
  ) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
tA3_ms=$((($(now_us) - tA3) / 1000))
proxy_clear_plan PX
cp "$PX_REQUESTS" "$A/proxy-verify.jsonl"

v_same=0 v_20=0 v_wrong=0 v_unnamed=0 v_total=0
declare -A v_by_truth=()
while read -r i k; do
  v_total=$((v_total + 1))
  got=$(rc_of "$A/verify-$i-$k")
  want=$(rc_of "$A/truth-$i-$k")
  if [[ $got == "$want" ]]; then
    v_same=$((v_same + 1))
    v_by_truth[$want]=$((${v_by_truth[$want]:-0} + 1))
  elif [[ $got == 20 ]]; then
    v_20=$((v_20 + 1))
    if ! names_request "$A/verify-$i-$k.err"; then
      v_unnamed=$((v_unnamed + 1))
      echo "       verify $i/$k: exit 20 without naming the request: $(grep 'error' "$A/verify-$i-$k.err" | head -2)"
    fi
  else
    v_wrong=$((v_wrong + 1))
    echo "       WRONG: verify $(img "$i") key $k: exit $got through the proxy, $want without faults: $(tail -2 "$A/verify-$i-$k.err")"
  fi
done <"$VERIFY_OPS"
echo "#   verify: same answer $v_same (0: ${v_by_truth[0]:-0}, 10: ${v_by_truth[10]:-0}, 12: ${v_by_truth[12]:-0})  exit-20 $v_20  wrong/other $v_wrong  ($tA3_ms ms, $JOBS at a time)"
check "A: $v_total verifies through the proxy" eq "$v_total" 200
check "A: every verify gives the fault-free answer or 20 (never a wrong 0, 10 or 12)" eq "$v_wrong" 0
check "A: every verify that exited 20 names the request" eq "$v_unnamed" 0

# A4: 429 on /referrers/ until the retries are used up is a registry failure, not "this
# registry has no referrers API": on a registry that has the API, taking it for absent hides
# every bundle signature behind a wrong 10 (or 12). Here, on an unsigned image: 20, not 10.
n=$(img $((A_IMAGES + 2)))
proxy_plan PX '[{"method":"GET","path":"/referrers/","fault":"status","status":429,"retry_after":"0"}]'
run timeout 60 "$SIGIL" verify "$PX_HOST/$n@${DIG[$n]}" --key "$W/k1.pub"
proxy_clear_plan PX
expect "A: a lasting 429 on /referrers/ is exit 20, not 'no signatures'" 20 "GET 127.0.0.1:$PX_PORT/$n/referrers/"

# The faults injected, and the reproducibility of their draws (the plan was installed anew for
# each phase, so each phase's draws start from occurrence 0).
for phase in sign verify; do
  summary=$(helper faults "$A/proxy-$phase.jsonl" "$SEED" "$RULE")
  echo "#   proxy, $phase phase: $summary"
  check "A: $phase phase: the proxy faulted 12-28% of its (>300) requests" "$PY" -c '
import json, sys
s = json.loads(sys.argv[1])
sys.exit(0 if s["requests"] > 300 and 0.12 < s["faulted"] / s["requests"] < 0.28 else 1)' "$summary"
  check "A: $phase phase: each request's fate is the one its seed, method, target and occurrence give" eq \
    "$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["mismatches"])' "$summary")" 0
done
echo "#   A timings: sign $tA1_ms ms, fault-free verify $tA2_ms ms, verify $tA3_ms ms"
section_done A "$tA"

# =============================================================================================
section "B. $B_SIGNERS signers + $B_ATTESTERS attesters at once on one image, $B_ROUNDS rounds"
# A fresh image each round: signing the same image again with the same key is deduplicated
# (cosign's rule: an existing signature of the same payload that verifies with our key makes
# ours redundant), so a repeat would add nothing; and a fresh digest makes every round start
# from an absent tag, where the first writers race to create the manifest.
tB=$(now_us)
B=$W/b
mkdir -p "$B"
B_NAMES=()
for ((r = 1; r <= B_ROUNDS; r++)); do B_NAMES+=("$(printf 'app/fb-%02d' "$r")"); done
push_images b "${B_NAMES[@]}" || failed "B: push the images"
B_TIMINGS=()
for ((r = 1; r <= B_ROUNDS; r++)); do
  n=${B_NAMES[r - 1]}
  ref=$REG_HOST/$n@${DIG[$n]}
  d=$B/r$r
  mkdir -p "$d"
  pids=()
  total=$((B_SIGNERS + B_ATTESTERS))
  for ((j = 1; j <= total; j++)); do
    if ((j <= B_SIGNERS)); then
      cmd=(sign "$ref" --key "$W/b$j.key")
    else
      printf 'round %d writer %d\n' "$r" "$j" >"$d/pred$j.txt"
      cmd=(attest "$ref" --key "$W/b$j.key" --type custom --predicate "$d/pred$j.txt")
    fi
    (
      : >"$d/ready.$j"
      deadline=$(($(now_us) + 30000000))
      until [[ -e $d/go ]]; do
        (($(now_us) < deadline)) || exit 97
        sleep 0.002
      done
      op "$d" "w$j" "$SIGIL" "${cmd[@]}"
    ) &
    pids+=($!)
  done
  deadline=$(($(now_us) + 20000000))
  until (($(find "$d" -name 'ready.*' | wc -l) == total)) || (($(now_us) > deadline)); do sleep 0.01; done
  t0=$(now_us)
  : >"$d/go"
  for p in "${pids[@]}"; do wait "$p"; done
  race_ms=$((($(now_us) - t0) / 1000))
  failures=0
  for ((j = 1; j <= total; j++)); do
    rc=$(rc_of "$d/w$j")
    [[ $rc == 0 ]] || { failures=$((failures + 1)); echo "       round $r writer $j: exit $rc: $(tail -1 "$d/w$j.err" 2>/dev/null)"; }
  done
  check "B$r: all $total writers exit 0" eq "$failures" 0
  timeout 60 "$PROBE" get-manifest "$REG_HOST/$n:$(sig_tag "${DIG[$n]}")" --out "$d/sig.json" >/dev/null 2>&1
  timeout 60 "$PROBE" get-manifest "$REG_HOST/$n:$(att_tag "${DIG[$n]}")" --out "$d/att.json" >/dev/null 2>&1
  sig_layers=$(helper field "$d/sig.json" 'len(d["layers"])' 2>/dev/null || echo -1)
  att_layers=$(helper field "$d/att.json" 'len(d["layers"])' 2>/dev/null || echo -1)
  check "B$r: $B_SIGNERS layers in .sig, $B_ATTESTERS in .att" eq "$sig_layers $att_layers" "$B_SIGNERS $B_ATTESTERS"
  check "B$r: the .sig manifest is a valid signature manifest" eq "$(helper check-sig "$d/sig.json" | cut -c1-3)" "OK "
  # Each key verifies alone (4 at a time).
  pids=()
  for ((w = 1; w <= JOBS; w++)); do
    (
      for ((j = w; j <= total; j += JOBS)); do
        if ((j <= B_SIGNERS)); then
          op "$d" "v$j" "$SIGIL" verify "$ref" --key "$W/b$j.pub"
        else
          op "$d" "v$j" "$SIGIL" verify-attestation "$ref" --key "$W/b$j.pub" --type custom
        fi
      done
    ) &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  vs=0 va=0
  for ((j = 1; j <= total; j++)); do
    if [[ $(rc_of "$d/v$j") == 0 ]]; then
      if ((j <= B_SIGNERS)); then
        vs=$((vs + 1))
      elif grep -qF -- "\"Data\":\"round $r writer $j\\n\"" "$d/v$j.out"; then
        va=$((va + 1))
      else
        echo "       round $r attester $j: verified, but its predicate is not in the output"
      fi
    else
      echo "       round $r writer $j: verify exit $(rc_of "$d/v$j"): $(tail -1 "$d/v$j.err")"
    fi
  done
  check "B$r: each of the $B_SIGNERS signers' keys verifies, and each of the $B_ATTESTERS attesters'" eq "$vs $va" "$B_SIGNERS $B_ATTESTERS"
  B_TIMINGS+=("round $r: writers ${race_ms} ms, sig $sig_layers, att $att_layers, failed $failures")
done
for t in "${B_TIMINGS[@]}"; do echo "#   $t"; done
section_done B "$tB"

# =============================================================================================
section "C. $C_RUNS runs of sigil sign killed with SIGKILL at random points"
tC=$(now_us)
C=$W/c
mkdir -p "$C"
C_NAMES=()
for ((m = 1; m <= C_IMAGES; m++)); do C_NAMES+=("$(printf 'app/fc-%02d' "$m")"); done
push_images c "${C_NAMES[@]}" || failed "C: push the images"
# Previous signatures: keys c1..c3 on every image.
base_fail=0
for n in "${C_NAMES[@]}"; do
  for ((k = 1; k <= C_BASE_SIGS; k++)); do
    op "$C" base "$SIGIL" sign "$REG_HOST/$n@${DIG[$n]}" --key "$W/c$k.key"
    [[ $(rc_of "$C/base") == 0 ]] || base_fail=$((base_fail + 1))
  done
done
check "C: $C_BASE_SIGS signatures on each of the $C_IMAGES images" eq "$base_fail" 0
# The duration of an unkilled sign (median of 5), over which the kill points are spread.
durs=()
for ((m = 1; m <= 5; m++)); do
  n=${C_NAMES[0]}
  op "$C" measure "$SIGIL" sign "$REG_HOST/$n@${DIG[$n]}" --key "$W/c$((C_BASE_SIGS + m)).key"
  read -r rc ms <"$C/measure.rc"
  durs+=("$ms")
done
sign_ms=$(printf '%s\n' "${durs[@]}" | sort -n | sed -n 3p)
read -r -a DELAYS <<<"$(helper delays "$SEED" "$C_RUNS" 0 "$sign_ms")"
echo "#   an unkilled sign takes ${sign_ms} ms (runs: ${durs[*]}); kills spread over 0..${sign_ms} ms"
killed=0 finished=0 lost_runs=0 invalid_runs=0
for ((x = 0; x < C_RUNS; x++)); do
  n=${C_NAMES[x % C_IMAGES]}
  tag=$(sig_tag "${DIG[$n]}")
  before=$C/before-$x.json after=$C/after-$x.json
  timeout 60 "$PROBE" get-manifest "$REG_HOST/$n:$tag" --out "$before" >/dev/null 2>&1 || : >"$before"
  "$SIGIL" sign "$REG_HOST/$n@${DIG[$n]}" --key "$W/c$((C_BASE_SIGS + 5 + x + 1)).key" >"$C/kill-$x.out" 2>&1 </dev/null &
  pid=$!
  sleep "${DELAYS[x]}"
  if kill -KILL "$pid" 2>/dev/null; then :; fi
  wait "$pid" 2>/dev/null # (no "Killed" job report)
  rc=$?
  echo "$rc" >"$C/kill-$x.rc"
  if ((rc == 137)); then killed=$((killed + 1)); else finished=$((finished + 1)); fi
  if ! timeout 60 "$PROBE" get-manifest "$REG_HOST/$n:$tag" --out "$after" >/dev/null 2>"$C/after-$x.err" ||
    [[ $(helper check-sig "$after" | cut -c1-3) != "OK " ]]; then
    invalid_runs=$((invalid_runs + 1))
    echo "       run $x ($n, kill after ${DELAYS[x]} s): .sig unreadable or invalid: $(helper check-sig "$after" 2>&1 | head -1) $(tail -1 "$C/after-$x.err")"
  fi
  if ! helper subset "$before" "$after" >"$C/subset-$x.txt"; then
    lost_runs=$((lost_runs + 1))
    echo "       run $x ($n, kill after ${DELAYS[x]} s): $(head -3 "$C/subset-$x.txt" | tr '\n' ' ')"
  fi
done
echo "#   $C_RUNS runs: $killed killed (exit 137), $finished finished before the kill"
check "C: after every kill the .sig manifest is readable and valid" eq "$invalid_runs" 0
check "C: no kill lost a signature that was there before it" eq "$lost_runs" 0
check "C: most runs were killed before they finished (the delays cover the sign)" test "$killed" -ge $((C_RUNS / 2))
# At the end: the base keys and every key whose layer made it verify, per image.
c_bad=0 c_layers=0
declare -A final_rc=()
for ((m = 0; m < C_IMAGES; m++)); do
  n=${C_NAMES[m]}
  keys=()
  for ((k = 1; k <= C_BASE_SIGS; k++)); do keys+=("$k"); done
  ((m == 0)) && for ((k = C_BASE_SIGS + 1; k <= C_BASE_SIGS + 5; k++)); do keys+=("$k"); done
  for ((x = m; x < C_RUNS; x += C_IMAGES)); do keys+=("$((C_BASE_SIGS + 5 + x + 1))"); done
  timeout 60 "$PROBE" get-manifest "$REG_HOST/$n:$(sig_tag "${DIG[$n]}")" --out "$C/final-$m.json" >/dev/null 2>&1
  have=$(helper field "$C/final-$m.json" 'len(d["layers"])' 2>/dev/null || echo -1)
  c_layers=$((c_layers + have))
  verified=0
  for k in "${keys[@]}"; do
    op "$C" final "$SIGIL" verify "$REG_HOST/$n@${DIG[$n]}" --key "$W/c$k.pub"
    r=$(rc_of "$C/final")
    final_rc[$k]=$r
    if [[ $r == 0 ]]; then
      verified=$((verified + 1))
    elif ((k <= C_BASE_SIGS)) || [[ $r != 12 ]]; then
      c_bad=$((c_bad + 1))
      echo "       $n key c$k: verify exit $r: $(tail -1 "$C/final.err")"
    fi
  done
  if [[ $verified != "$have" ]]; then
    c_bad=$((c_bad + 1))
    echo "       $n: $have layers, $verified keys verify"
  fi
done
check "C: every previous signature is still there and verifies; one layer per verifying key" eq "$c_bad" 0
kill_landed=0 kill_lost=0
for ((x = 0; x < C_RUNS; x++)); do
  [[ $(cat "$C/kill-$x.rc") == 137 ]] || continue
  if [[ ${final_rc[$((C_BASE_SIGS + 5 + x + 1))]} == 0 ]]; then kill_landed=$((kill_landed + 1)); else kill_lost=$((kill_lost + 1)); fi
done
echo "#   C: $c_layers signatures on the $C_IMAGES images at the end; of the $killed killed runs, $kill_lost were killed before their manifest PUT landed, $kill_landed after"
section_done C "$tC"

section "timings"
for t in "${SECTION_TIMES[@]}"; do echo "#   $t"; done
echo "#   seed $SEED; sign ok $sign_ok / exit-20 $sign_20 / other $sign_other; verify same $v_same / exit-20 $v_20 / wrong $v_wrong"
echo "# total $(elapsed_ms) ms"
finish
