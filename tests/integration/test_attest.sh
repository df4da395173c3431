#!/usr/bin/env bash
# Attestations end to end: sigil attest / verify-attestation / attest-blob /
# verify-blob-attestation / provenance --gitlab against a real registry (Debian docker-registry
# 2.8, anonymous HTTP), plus hostile attestations crafted with openssl and python3 and put on the
# registry with sigil_registry_probe.
# Usage: test_attest.sh PATH_TO_SIGIL [PATH_TO_SIGIL_REGISTRY_PROBE]
#
#  1. round trips: --format legacy|bundle|both x --statement-version v1|v0.1, and what each
#     leaves on the registry (.att layer shape, bundle referrer in the fallback index)
#  2. every predicate type name (custom wraps the file; the others need a JSON object) on one
#     image, each verified by name; attest refuses non-object predicates (30)
#  3. sigil provenance --gitlab | sigil attest, verified with --source-uri/--source-ref/
#     --builder-id/--match/--match-regexp; mismatches are 15, malformed conditions 2
#  4. blob attestations (attest-blob, verify-blob-attestation), hostile blob bundles
#  5. 8 concurrent `sigil attest` runs on one image: 8 layers in .att, each verifies
#  6. hostile registry content (DESIGN.md §3; cosign-spec §9): copied to another digest, type
#     only in an annotation (.att and bundle referrer), tampered payload, two signatures,
#     payloadType, PAE type confusion, 2000 subjects, duplicate keys, unknown _type, malformed
#     payloads (CVE-2026-39395), only another type verified (CVE-2022-35929), >100 layers, ...
# Every negative case checks the exit status and the reason text.
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"

find_probe "${2:-}"

require_tools "$REGISTRY_BIN" "$REGISTRY_SKOPEO" openssl curl "$PY"
require_probe
skip_suite_if_missing "attestation tests"

# Nothing of the user's: no docker config, no CI registry, no signature repository override.
isolate_home SIGIL_PASSWORD COSIGN_PASSWORD NO_COLOR
for v in $(compgen -e); do
  [[ $v == CI_* || $v == GITLAB_* ]] && unset "$v"
done

start_registry REG anon || abort_suite "start the registry"
H=$REG_HOST
W=$TEST_TMP/w
mkdir -p "$W"
PW='attest test pw'

# --- helpers ---------------------------------------------------------------------------------
sig() { run timeout 60 "$SIGIL" "$@" </dev/null; }
sig_pw() { run env SIGIL_PASSWORD="$PW" timeout 60 "$SIGIL" "$@" </dev/null; }
probe() { run timeout 60 "$PROBE" "$@" </dev/null; }
# expect_out_lines NAME N: the last run printed exactly N lines on stdout.
expect_out_lines() {
  local n=0
  [[ -n $OUT ]] && n=$(printf '%s\n' "$OUT" | wc -l)
  if [[ $n != "$2" ]]; then
    failed "$1 (want $2 stdout lines, got $n)"
    return 1
  fi
  pass "$1"
}
# jq-like access to a JSON file with python: jf FILE EXPR (d = the document).
jf() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# --- crafting hostile attestations -------------------------------------------------------------
CRAFT=$W/craft.py
cat >"$CRAFT" <<'PYEOF'
"""Crafts in-toto statements, DSSE envelopes, Sigstore bundles and OCI layouts for the tests."""
import argparse, base64, hashlib, json, os, subprocess, sys

INTOTO = "application/vnd.in-toto+json"
DSSE_MT = "application/vnd.dsse.envelope.v1+json"
BUNDLE_MT = "application/vnd.dev.sigstore.bundle.v0.3+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
EMPTY_MT = "application/vnd.oci.empty.v1+json"


def b64(data):
    return base64.b64encode(data).decode()


def pae(ptype, body):
    t = ptype.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def openssl_sign(key, data):
    return subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=data,
                          capture_output=True, check=True).stdout


def statement(a):
    subjects = [{"name": "decoy-%d" % i, "digest": {"sha256": hashlib.sha256(b"%d" % i).hexdigest()}}
                for i in range(max(0, a.subjects - 1))]
    subjects.append({"name": a.name, "digest": {"sha256": a.digest.removeprefix("sha256:")}})
    doc = {"_type": a.stype, "subject": subjects, "predicateType": a.ptype,
           "predicate": json.loads(a.predicate)}
    sys.stdout.write(json.dumps(doc, separators=(",", ":")))


def envelope(a):
    payload = open(a.payload, "rb").read()
    sign_type = a.sign_type or a.payload_type
    sigs = []
    if a.garbage_sig:
        sigs.append({"sig": b64(openssl_sign(a.garbage_sig, b"something else entirely"))})
    for key in a.sign:
        sigs.append({"sig": b64(openssl_sign(key, pae(sign_type, payload)))})
    if a.tamper:
        old, new = a.tamper.split("=", 1)
        assert old.encode() in payload, "tamper: text not in payload"
        payload = payload.replace(old.encode(), new.encode(), 1)
    sys.stdout.write(json.dumps({"payload": b64(payload), "payloadType": a.payload_type,
                                 "signatures": sigs}, separators=(",", ":")))


class Layout:
    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)

    def put(self, data, mt, **extra):
        h = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.root, "blobs", "sha256", h), "wb") as f:
            f.write(data)
        return {"mediaType": mt, "digest": "sha256:" + h, "size": len(data), **extra}

    def finish(self, top, tag):
        top = dict(top, annotations={"org.opencontainers.image.ref.name": tag})
        with open(os.path.join(self.root, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "manifests": [top]}, f)


def att_layout(a):
    """A cosign-shaped .att manifest; each ENTRY is FILE[,PREDICATE_TYPE_ANNOTATION[,MEDIA_TYPE]]."""
    lay = Layout(a.dir)
    config = lay.put(json.dumps({"architecture": "", "os": "", "config": {},
                                 "rootfs": {"type": "layers", "diff_ids": []}}).encode(),
                     "application/vnd.oci.image.config.v1+json")
    layers = []
    for entry in a.entries:
        parts = entry.split(",")
        data = open(parts[0], "rb").read()
        ann = {"dev.cosignproject.cosign/signature": ""}
        if len(parts) > 1 and parts[1]:
            ann["predicateType"] = parts[1]
        mt = parts[2] if len(parts) > 2 and parts[2] else DSSE_MT
        layers.append(lay.put(data, mt, annotations=ann))
    layers = layers * a.repeat
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": layers}
    lay.finish(lay.put(json.dumps(manifest, separators=(",", ":")).encode(), OCI_MANIFEST), a.tag)


def bundle(a):
    der = subprocess.run(["openssl", "pkey", "-pubin", "-in", a.pub, "-outform", "DER"],
                         capture_output=True, check=True).stdout
    env = json.load(open(a.envelope))
    doc = {"mediaType": BUNDLE_MT,
           "verificationMaterial": {"publicKey": {"hint": b64(hashlib.sha256(der).digest())}},
           "dsseEnvelope": env}
    sys.stdout.write(json.dumps(doc, separators=(",", ":")))


def referrer_layout(a):
    """A Sigstore bundle referrer of SUBJECT in a referrers fallback index tagged TAG."""
    lay = Layout(a.dir)
    empty = lay.put(b"{}", EMPTY_MT)
    layer = lay.put(open(a.bundle, "rb").read(), BUNDLE_MT)
    ann = {"dev.sigstore.bundle.content": "dsse-envelope",
           "org.opencontainers.image.created": "2025-01-01T00:00:00Z"}
    if a.ptype_annotation:
        ann["dev.sigstore.bundle.predicateType"] = a.ptype_annotation
    m = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": BUNDLE_MT,
         "config": dict(empty, artifactType=BUNDLE_MT), "layers": [layer],
         "subject": {"mediaType": a.subject_media_type, "digest": a.subject, "size": a.subject_size},
         "annotations": ann}
    entry = lay.put(json.dumps(m, separators=(",", ":")).encode(), OCI_MANIFEST,
                    artifactType=BUNDLE_MT, annotations=ann)
    index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [entry]}
    lay.finish(lay.put(json.dumps(index, separators=(",", ":")).encode(), OCI_INDEX), a.tag)


p = argparse.ArgumentParser()
sub = p.add_subparsers(dest="cmd", required=True)
s = sub.add_parser("statement")
s.add_argument("--digest", required=True)
s.add_argument("--ptype", default="https://slsa.dev/provenance/v1")
s.add_argument("--stype", default="https://in-toto.io/Statement/v1")
s.add_argument("--name", default="crafted")
s.add_argument("--predicate", default='{"builder":"crafted"}')
s.add_argument("--subjects", type=int, default=1)
s.set_defaults(fn=statement)
s = sub.add_parser("envelope")
s.add_argument("--payload", required=True)
s.add_argument("--payload-type", default=INTOTO)
s.add_argument("--sign-type")
s.add_argument("--sign", action="append", default=[])
s.add_argument("--garbage-sig")
s.add_argument("--tamper")
s.set_defaults(fn=envelope)
s = sub.add_parser("att-layout")
s.add_argument("dir")
s.add_argument("tag")
s.add_argument("entries", nargs="+")
s.add_argument("--repeat", type=int, default=1)
s.set_defaults(fn=att_layout)
s = sub.add_parser("bundle")
s.add_argument("--envelope", required=True)
s.add_argument("--pub", required=True)
s.set_defaults(fn=bundle)
s = sub.add_parser("referrer-layout")
s.add_argument("dir")
s.add_argument("tag")
s.add_argument("--bundle", required=True)
s.add_argument("--subject", required=True)
s.add_argument("--subject-size", type=int, required=True)
s.add_argument("--subject-media-type", default=OCI_MANIFEST)
s.add_argument("--ptype-annotation")
s.set_defaults(fn=referrer_layout)
args = p.parse_args()
args.fn(args)
PYEOF
craft() { "$PY" "$CRAFT" "$@"; }
# A crafting step failed: a failure of its own, so that a case never passes on stale content.
craft_failed() {
  RC=1 OUT="" ERR="crafting: $1"
  failed "crafting: $1"
}
N_CRAFT=0
# push_att REPO DIGEST ENTRY... [--repeat N]: replaces the image's .att tag with crafted layers.
push_att() {
  local repo=$1 digest=$2 dir tag
  shift 2
  tag=$(att_tag "$digest")
  N_CRAFT=$((N_CRAFT + 1))
  dir=$W/craft-layout-$N_CRAFT
  craft att-layout "$dir" "$tag" "$@" || { craft_failed "att-layout $*"; return 1; }
  if ! timeout 60 "$PROBE" push-layout "$dir" "$tag" "$H/$repo:$tag" >"$dir.log" 2>&1; then
    cat "$dir.log" >&2
    craft_failed "push-layout $tag"
    return 1
  fi
}
# crafted_env NAME STATEMENT_ARGS... -- ENVELOPE_ARGS...: writes $W/NAME.stmt and $W/NAME.env.
crafted_env() {
  local name=$1
  shift
  local -a st=() en=()
  while (($#)) && [[ $1 != -- ]]; do st+=("$1"); shift; done
  (($#)) && shift
  en=("$@")
  if ((${#st[@]})) && ! craft statement "${st[@]}" >"$W/$name.stmt"; then
    craft_failed "statement $name"
    return 1
  fi
  craft envelope --payload "$W/$name.stmt" "${en[@]}" >"$W/$name.env" || { craft_failed "envelope $name"; return 1; }
}

# --- keys --------------------------------------------------------------------------------------
# Plain PEM keys for openssl, imported into sigil's encrypted format for sigil.
section "keys"
for k in trusted other; do
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$W/$k.pem" 2>/dev/null
  sig_pw import-key-pair --key "$W/$k.pem" --output-key-prefix "$W/$k"
  expect "setup: import-key-pair $k (plain PEM for openssl, encrypted for sigil)" 0
done
KEY=$W/trusted.key PUB=$W/trusted.pub OPUB=$W/other.pub
TPEM=$W/trusted.pem OPEM=$W/other.pem

# Predicates.
cat >"$W/prov.json" <<'EOF'
{"buildDefinition":{"buildType":"https://example.com/build/v1","externalParameters":{"source":{"uri":"git+https://gitlab.example.com/team/app","ref":"refs/heads/main"}}},"runDetails":{"builder":{"id":"https://gitlab.example.com/team/app/-/runners/1"}}}
EOF
echo '{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"app","packages":[]}' >"$W/sbom.json"
printf 'hello custom predicate\n' >"$W/custom.txt"
echo '[1,2,3]' >"$W/array.json"
echo '"just a string"' >"$W/string.json"
printf 'not json at all\n' >"$W/notjson.txt"

# =============================================================================================
section "1. round trips: --format x --statement-version"
for fmt in legacy bundle both; do
  for sv in v1 v0.1; do
    name="$fmt-${sv/./}"
    new_image D "att/rt-$name" v1 || continue
    IMG=$H/att/rt-$name
    sig_pw attest "$IMG@$D" --key "$KEY" --type slsaprovenance1 --predicate "$W/prov.json" --format "$fmt" \
      --statement-version "$sv"
    expect "1 attest --format $fmt --statement-version $sv" 0 "Attested $IMG@$D" || continue
    sig verify-attestation "$IMG@$D" --key "$PUB" --type slsaprovenance1 --explain
    expect "1 verify-attestation: $fmt/$sv" 0 "Verification for $IMG@$D" &&
      expect_out "1 $fmt/$sv: statement _type" "\"_type\":\"https://in-toto.io/Statement/$sv\"" &&
      expect_out "1 $fmt/$sv: signed predicateType" '"predicateType":"https://slsa.dev/provenance/v1"' &&
      expect_out "1 $fmt/$sv: subject is the digest" "\"sha256\":\"${D#sha256:}\"" &&
      check "1 $fmt/$sv: stdout is JSON lines, one statement each" "$PY" -c '
import json, sys
lines = sys.argv[1].splitlines()
sys.exit(0 if lines and all(json.loads(l)["_type"] for l in lines) else 1)' "$OUT"
    # cosign 2.x always writes Statement v0.1: nothing to warn about (issue 18).
    check "1 $fmt/$sv: no warning about the statement version" eq "$(count_in "$ERR" "warning")" 0
    legacy_lines=$(count_in "$ERR" "accepted $(att_tag "$D") layer 1")
    bundle_lines=$(count_in "$ERR" "accepted referrer sha256:")
    case $fmt in
      legacy) check "1 $fmt/$sv: --explain accepts the .att layer only" eq "$legacy_lines/$bundle_lines" 1/0 ;;
      bundle) check "1 $fmt/$sv: --explain accepts the referrer only" eq "$legacy_lines/$bundle_lines" 0/1 ;;
      both) check "1 $fmt/$sv: --explain accepts the .att layer and the referrer" eq "$legacy_lines/$bundle_lines" 1/1
        expect_out_lines "1 $fmt/$sv: one statement per verified attestation" 2 ;;
    esac
    # What is on the registry.
    probe get-manifest "$IMG:$(att_tag "$D")" --out "$W/rt-$name.att.json"
    if [[ $fmt == bundle ]]; then
      expect "1 $fmt/$sv: no .att tag written" 11
    else
      expect "1 $fmt/$sv: .att manifest" 0 &&
        check "1 $fmt/$sv: .att layer is a DSSE envelope with cosign's annotations" eq \
          "$(jf "$W/rt-$name.att.json" '[(l["mediaType"], l["annotations"]) for l in d["layers"]]')" \
          "[('application/vnd.dsse.envelope.v1+json', {'dev.cosignproject.cosign/signature': '', 'predicateType': 'https://slsa.dev/provenance/v1'})]"
    fi
    probe referrers "$IMG@$D"
    if [[ $fmt == legacy ]]; then
      check "1 $fmt/$sv: no referrer written" eq "$(tail -n1 <<<"$OUT")" \
        "{\"subject\":\"$D\",\"api\":false,\"manifests\":[]}"
    else
      check "1 $fmt/$sv: one bundle referrer in the fallback index" eq \
        "$("$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); print([m.get("artifactType") for m in d["manifests"]])' "$(tail -n1 <<<"$OUT")")" \
        "['application/vnd.dev.sigstore.bundle.v0.3+json']"
    fi
  done
done
# Key rotation: the second key is the one that signed, and the report says so.
if [[ -n ${D:-} ]]; then
  sig verify-attestation "$H/att/rt-both-v01@$D" --key "$OPUB" --key "$PUB" --type slsaprovenance1 --explain
  expect "1 key rotation: --key OTHER --key TRUSTED verifies" 0 "verified with key $PUB"
fi

# =============================================================================================
section "2. every predicate type name"
TYPES=(custom slsaprovenance slsaprovenance02 slsaprovenance1 spdx spdxjson cyclonedx link vuln openvex
  https://example.com/predicates/release/v1)
declare -A URI=(
  [custom]=https://cosign.sigstore.dev/attestation/v1 [slsaprovenance]=https://slsa.dev/provenance/v0.2
  [slsaprovenance02]=https://slsa.dev/provenance/v0.2 [slsaprovenance1]=https://slsa.dev/provenance/v1
  [spdx]=https://spdx.dev/Document [spdxjson]=https://spdx.dev/Document [cyclonedx]=https://cyclonedx.org/bom
  [link]=https://in-toto.io/Link/v1 [vuln]=https://cosign.sigstore.dev/attestation/vuln/v1
  [openvex]=https://openvex.dev/ns [https://example.com/predicates/release/v1]=https://example.com/predicates/release/v1)
if new_image DT att/types v1; then
  IMG=$H/att/types
  for t in "${TYPES[@]}"; do
    pred=$W/sbom.json
    [[ $t == custom ]] && pred=$W/custom.txt
    sig_pw attest "$IMG@$DT" --key "$KEY" --type "$t" --predicate "$pred"
    expect "2 attest --type $t" 0
  done
  probe get-manifest "$IMG:$(att_tag "$DT")" --out "$W/types.att.json"
  check "2 .att holds one layer per attest run, annotated with each signed type" eq \
    "$(jf "$W/types.att.json" '" ".join(l["annotations"]["predicateType"] for l in d["layers"])')" \
    "$(for t in "${TYPES[@]}"; do printf '%s ' "${URI[$t]}"; done | sed 's/ $//')"
  for t in "${TYPES[@]}"; do
    sig verify-attestation "$IMG@$DT" --key "$PUB" --type "$t"
    want_lines=1
    [[ ${URI[$t]} == https://slsa.dev/provenance/v0.2 || ${URI[$t]} == https://spdx.dev/Document ]] && want_lines=2
    expect "2 verify-attestation --type $t" 0 &&
      check "2 --type $t: $want_lines statement(s), all of type ${URI[$t]}" eq \
        "$(count_in "$OUT" "\"predicateType\":\"${URI[$t]}\"")/$(printf '%s\n' "$OUT" | wc -l)" "$want_lines/$want_lines"
  done
  sig verify-attestation "$IMG@$DT" --key "$PUB" --type custom
  expect_out "2 custom wraps the file as {Data, Timestamp}" '"predicate":{"Data":"hello custom predicate\n","Timestamp":"' &&
    check "2 custom: Timestamp is RFC 3339 UTC" "$PY" -c '
import json, re, sys
t = json.loads(sys.argv[1])["predicate"]["Timestamp"]
sys.exit(0 if re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", t) else 1)' "$OUT"
  sig verify-attestation "$IMG@$DT" --key "$PUB" --type spdxjson --match /predicate/spdxVersion=SPDX-2.3
  expect "2 --type spdxjson --match /predicate/spdxVersion=SPDX-2.3" 0 '/predicate/spdxVersion equals "SPDX-2.3"'
fi
# A predicate that is not a JSON object is refused before anything is signed.
if new_image DN att/refused v1; then
  sig_pw attest "$H/att/refused@$DN" --key "$KEY" --type slsaprovenance1 --predicate "$W/array.json"
  expect "2 N: attest --type slsaprovenance1 with a JSON array predicate: 30" 30 "predicate must be a JSON object, not array"
  sig_pw attest "$H/att/refused@$DN" --key "$KEY" --type spdxjson --predicate "$W/string.json"
  expect "2 N: attest --type spdxjson with a JSON string predicate: 30" 30 "predicate must be a JSON object, not string"
  sig_pw attest "$H/att/refused@$DN" --key "$KEY" --type cyclonedx --predicate "$W/notjson.txt"
  expect "2 N: attest --type cyclonedx with a predicate that is not JSON: 30" 30 "invalid predicate"
  sig_pw attest "$H/att/refused@$DN" --key "$KEY" --type slsa --predicate "$W/prov.json"
  expect "2 N: attest --type slsa (no such name, not a URI): 2" 2 "unknown predicate type \"slsa\""
  probe get-manifest "$H/att/refused:$(att_tag "$DN")"
  expect "2 N: nothing was written by the refused runs" 11
  sig verify-attestation "$H/att/refused@$DN" --key "$PUB" --type slsaprovenance1
  expect "2 N: no attestations: 14" 14 "no attestations found (want type https://slsa.dev/provenance/v1)"
fi

# =============================================================================================
section "3. sigil provenance --gitlab | sigil attest | sigil verify-attestation"
GL_SECRET=glcbt-64-SECRETjobTOKENvalue
GITLAB_ENV=(GITLAB_CI=true CI_SERVER_URL=https://gitlab.example.com CI_SERVER_VERSION=17.5.1
  CI_PROJECT_PATH=team/app CI_PROJECT_URL=https://gitlab.example.com/team/app CI_PROJECT_ID=4242
  CI_COMMIT_SHA=9f8e7d6c5b4a39281706f5e4d3c2b1a098765432 CI_COMMIT_REF_NAME=main CI_COMMIT_BRANCH=main
  CI_CONFIG_PATH=.gitlab-ci.yml CI_JOB_NAME=build-image CI_JOB_ID=987654
  CI_JOB_URL=https://gitlab.example.com/team/app/-/jobs/987654 CI_JOB_STARTED_AT=2025-03-01T09:30:00Z
  CI_PIPELINE_ID=123456 CI_PIPELINE_SOURCE=push CI_PIPELINE_URL=https://gitlab.example.com/team/app/-/pipelines/123456
  CI_RUNNER_ID=77 CI_RUNNER_DESCRIPTION=shared-runner-1 CI_RUNNER_VERSION=17.5.0 CI_RUNNER_EXECUTABLE_ARCH=linux/amd64
  "CI_JOB_TOKEN=$GL_SECRET" "CI_REGISTRY_PASSWORD=$GL_SECRET"
  "CI_REPOSITORY_URL=https://gitlab-ci-token:$GL_SECRET@gitlab.example.com/team/app.git")
BUILDER=https://gitlab.example.com/team/app/-/runners/77
JOBNAME=/predicate/buildDefinition/externalParameters/jobName
# provenance_attest IMAGE [extra env]: the README's pipeline, in one shell with pipefail.
provenance_attest() {
  local image=$1
  shift
  # shellcheck disable=SC2016 # expanded by the inner shell
  run env "${GITLAB_ENV[@]}" "$@" SIGIL_PASSWORD="$PW" timeout 60 bash -c \
    'set -o pipefail; "$1" provenance --gitlab | "$1" attest "$2" --key "$3" --type slsaprovenance1 --predicate -' \
    _ "$SIGIL" "$image" "$KEY" </dev/null
}
if new_image DP att/provenance v1; then
  IMG=$H/att/provenance
  provenance_attest "$IMG@$DP"
  expect "3 provenance --gitlab | attest --predicate -" 0 "Attested $IMG@$DP"
  V=(verify-attestation "$IMG@$DP" --key "$PUB" --type slsaprovenance1)
  sig "${V[@]}" --source-uri gitlab.example.com/team/app --source-ref refs/heads/main --builder-id "$BUILDER"
  expect "3 verify --source-uri --source-ref --builder-id" 0 "source ref refs/heads/main matches refs/heads/main" &&
    expect "3 ... the source check names what matched" 0 "source git+https://gitlab.example.com/team/app matches gitlab.example.com/team/app" &&
    expect "3 ... the builder check names what matched" 0 "builder id $BUILDER matches $BUILDER" &&
    expect_no "3 the job token never reaches the signed statement" "$GL_SECRET" &&
    expect_out "3 the statement records the commit" '"gitCommit":"9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"'
  sig "${V[@]}" --source-uri https://gitlab.example.com/team/app.git --builder-id https://gitlab.example.com/
  expect "3 --source-uri as a clone URL, --builder-id as a prefix ending in /" 0 "as a prefix"
  # Policy failures: 15, naming the pointer, the expected and the found value.
  sig "${V[@]}" --source-uri gitlab.example.com/team/other
  expect "3 N: source URI mismatch: 15" 15 "/predicate/buildDefinition/externalParameters/source/uri: want gitlab.example.com/team/other" &&
    expect "3 N: ... and what was found" 15 "found git+https://gitlab.example.com/team/app"
  sig "${V[@]}" --source-uri gitlab.example.com/team/app --source-ref refs/heads/release
  expect "3 N: source ref mismatch: 15" 15 "/predicate/buildDefinition/externalParameters/source/ref: want refs/heads/release, found refs/heads/main"
  sig "${V[@]}" --source-ref 'refs/tags/v*'
  expect "3 N: a tag glob against a branch build: 15" 15 "want refs/tags/v*, found refs/heads/main"
  sig "${V[@]}" --builder-id https://gitlab.example.com/team/app/-/runners/7
  expect "3 N: builder id mismatch (not a prefix match without a trailing / or *): 15" 15 \
    "/predicate/runDetails/builder/id: want https://gitlab.example.com/team/app/-/runners/7, found $BUILDER"
  sig "${V[@]}" --builder-id https://evil.example.com/
  expect "3 N: builder id of another server: 15" 15 "found $BUILDER"
  # --match / --match-regexp.
  sig "${V[@]}" --match "$JOBNAME=build-image" --match /predicate/runDetails/metadata/invocationId=https://gitlab.example.com/team/app/-/jobs/987654
  expect "3 --match (two conditions, both equal)" 0 "$JOBNAME equals \"build-image\""
  sig "${V[@]}" --match "$JOBNAME=deploy"
  expect "3 N: failing --match: 15 naming pointer, expected and found" 15 "$JOBNAME: want deploy, found build-image"
  sig "${V[@]}" --match /predicate/noSuchField=1
  expect "3 N: --match on an absent pointer: 15" 15 "/predicate/noSuchField: want 1, found <absent>"
  sig "${V[@]}" --match-regexp "$JOBNAME=build-.*" --match-regexp "/predicate/runDetails/builder/id=https://gitlab\\.example\\.com/.*"
  expect "3 --match-regexp matching the whole value" 0 "$JOBNAME matches \"build-.*\""
  sig "${V[@]}" --match-regexp "$JOBNAME=build"
  expect "3 N: --match-regexp is anchored at the end (build vs build-image): 15" 15 "$JOBNAME: want regexp build, found build-image"
  sig "${V[@]}" --match-regexp "$JOBNAME=image"
  expect "3 N: --match-regexp is anchored at the start (image vs build-image): 15" 15 "want regexp image, found build-image"
  sig "${V[@]}" --match-regexp "/predicate/runDetails/builder/id=https://gitlab.example.com"
  expect "3 N: --match-regexp on a prefix of the builder id: 15" 15 "want regexp https://gitlab.example.com, found $BUILDER"
  # Malformed conditions: usage errors (2), before any registry access.
  sig "${V[@]}" --match predicate/jobName=x
  expect "3 N: malformed pointer (no leading /): 2" 2 'json pointer "predicate/jobName" must be empty or start with "/"'
  sig "${V[@]}" --match '/predicate/a~2b=x'
  expect "3 N: malformed pointer (~2): 2" 2 '"~" must be followed by 0 or 1'
  sig "${V[@]}" --match /predicate/jobName
  expect "3 N: condition without =: 2" 2 'has no "="'
  sig "${V[@]}" --match-regexp "$JOBNAME=(unclosed"
  expect "3 N: invalid regular expression: 2" 2 "invalid regular expression"
fi
# A tag pipeline: ref refs/tags/v1.2.3, matched by a glob.
if new_image DPT att/provenance-tag v1; then
  provenance_attest "$H/att/provenance-tag@$DPT" CI_COMMIT_TAG=v1.2.3 CI_COMMIT_REF_NAME=v1.2.3 CI_COMMIT_BRANCH=
  expect "3 tag pipeline: provenance | attest" 0
  sig verify-attestation "$H/att/provenance-tag@$DPT" --key "$PUB" --type slsaprovenance1 \
    --source-uri gitlab.example.com/team/app --source-ref 'refs/tags/v*'
  expect "3 tag pipeline: --source-ref 'refs/tags/v*'" 0 "source ref refs/tags/v1.2.3 matches refs/tags/v*"
  sig verify-attestation "$H/att/provenance-tag@$DPT" --key "$PUB" --type slsaprovenance1 --source-ref refs/heads/main
  expect "3 N: tag pipeline vs --source-ref refs/heads/main: 15" 15 "want refs/heads/main, found refs/tags/v1.2.3"
  # --source-ref without refs/: the tag or the branch of that name, and which one matched.
  sig verify-attestation "$H/att/provenance-tag@$DPT" --key "$PUB" --type slsaprovenance1 --source-ref v1.2.3
  expect "3 tag pipeline: --source-ref v1.2.3 (no refs/) matches the tag, and says so" 0 \
    "source ref refs/tags/v1.2.3 matches v1.2.3 as a tag"
  sig verify-attestation "$H/att/provenance-tag@$DPT" --key "$PUB" --type slsaprovenance1 --source-ref v1.2.4
  expect "3 N: --source-ref v1.2.4: 15, naming the branch and the tag it would match" 15 \
    "want v1.2.4 (the branch refs/heads/v1.2.4 or the tag refs/tags/v1.2.4), found refs/tags/v1.2.3"
fi
# --statement: the subjects are the artifacts and the image.
printf 'release artifact v1\n' >"$W/art.bin"
printf 'release artifact v2\n' >"$W/art-other.bin"
run env "${GITLAB_ENV[@]}" timeout 60 "$SIGIL" provenance --gitlab --statement --artifact "$W/art.bin" \
  --image "$H/att/provenance@${DP:-sha256:0000000000000000000000000000000000000000000000000000000000000000}" </dev/null
expect "3 provenance --gitlab --statement --artifact --image" 0 &&
  check "3 --statement: in-toto v1, SLSA v1, subjects = artifact + image" eq "$("$PY" -c '
import json, sys
d = json.loads(sys.argv[1])
print(d["_type"], d["predicateType"], [(s["name"].rsplit("/", 1)[-1], s["digest"]["sha256"][:12]) for s in d["subject"]])' "$OUT")" \
    "https://in-toto.io/Statement/v1 https://slsa.dev/provenance/v1 [('art.bin', '$(sha256sum "$W/art.bin" | cut -c1-12)'), ('provenance', '$(cut -c8-19 <<<"${DP:-sha256:000000000000}")')]"

# =============================================================================================
section "4. blob attestations"
run env "${GITLAB_ENV[@]}" timeout 60 "$SIGIL" provenance --gitlab -o "$W/gl-prov.json" </dev/null
expect "4 provenance --gitlab -o FILE" 0
sig_pw attest-blob "$W/art.bin" --key "$KEY" --type slsaprovenance1 --predicate "$W/gl-prov.json" --bundle "$W/art.att.json"
expect "4 attest-blob --type slsaprovenance1" 0 "Wrote attestation bundle to $W/art.att.json" &&
  check "4 attest-blob writes a v0.3 bundle with a DSSE envelope" eq \
    "$(jf "$W/art.att.json" 'd["mediaType"] + " " + " ".join(k for k in d if k in ("dsseEnvelope", "messageSignature"))')" \
    "application/vnd.dev.sigstore.bundle.v0.3+json dsseEnvelope"
BV=(verify-blob-attestation "$W/art.bin" --key "$PUB" --bundle "$W/art.att.json" --type slsaprovenance1)
sig "${BV[@]}" --source-uri gitlab.example.com/team/app --source-ref refs/heads/main --builder-id "$BUILDER"
expect "4 verify-blob-attestation with provenance conditions" 0 "Verified OK" &&
  expect_out "4 verify-blob-attestation prints the statement" '"name":"art.bin"'
run bash -c '"$1" verify-blob-attestation - --key "$2" --bundle "$3" --type slsaprovenance1 <"$4"' _ "$SIGIL" "$PUB" "$W/art.att.json" "$W/art.bin"
expect "4 verify-blob-attestation - (stdin)" 0 "Verified OK"
sig_pw attest-blob "$W/art.bin" --key "$KEY" --type custom --predicate "$W/custom.txt" --statement-version v0.1 --bundle "$W/art.custom.json"
expect "4 attest-blob --type custom --statement-version v0.1" 0
sig verify-blob-attestation "$W/art.bin" --key "$PUB" --bundle "$W/art.custom.json"
expect "4 verify-blob-attestation (default type custom), v0.1 statement" 0 "Verified OK" &&
  expect_out "4 ... the v0.1 statement" '"_type":"https://in-toto.io/Statement/v0.1"'
sig verify-blob-attestation "$W/art-other.bin" --key "$PUB" --bundle "$W/art.att.json" --type slsaprovenance1
expect "4 N: blob attestation checked against another file: 12" 12 "no subject of the statement has digest sha256:$(sha256sum "$W/art-other.bin" | cut -d' ' -f1): it is about another artifact" &&
  expect_no "4 N: ... no Verified OK" "Verified OK"
sig verify-blob-attestation "$W/art-other.bin" --key "$PUB" --bundle "$W/art.att.json" --type slsaprovenance1 --check-claims=false
expect "4 --check-claims=false skips the subject check (documented, like cosign's WithoutArtifactUnsafe)" 0 "Verified OK"
sig verify-blob-attestation "$W/art.bin" --key "$PUB" --bundle "$W/art.att.json" --type spdxjson
expect "4 N: blob attestation of another type: 14" 14 "no verified attestation of type https://spdx.dev/Document; found only: https://slsa.dev/provenance/v1" &&
  expect_no "4 N: ... no Verified OK" "Verified OK"
sig verify-blob-attestation "$W/art.bin" --key "$OPUB" --bundle "$W/art.att.json" --type slsaprovenance1
expect "4 N: blob attestation, untrusted key: 12" 12 "no DSSE signature (1) verifies with the trusted key"
sig "${BV[@]}" --source-uri gitlab.example.com/team/other
expect "4 N: blob provenance source mismatch: 15" 15 "want gitlab.example.com/team/other" &&
  expect_no "4 N: ... no Verified OK" "Verified OK"
sig_pw sign-blob "$W/art.bin" --key "$KEY" --bundle "$W/art.msgsig.json"
expect "4 setup: sign-blob (a message-signature bundle)" 0
sig verify-blob-attestation "$W/art.bin" --key "$PUB" --bundle "$W/art.msgsig.json" --type custom
expect "4 N: a message-signature bundle given to verify-blob-attestation: 30" 30 "the bundle holds a message signature, not an attestation"
sig verify-blob-attestation "$W/art.bin" --key "$PUB" --bundle "$W/notjson.txt"
expect "4 N: a bundle that is not JSON: 30" 30 "reading the attestation bundle"
# CVE-2026-39395 (GHSA-w6c6-c85g-mmv6): a signed but malformed payload must never be "Verified OK".
ART_HEX=$(sha256sum "$W/art.bin" | cut -d' ' -f1)
printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"art.bin","digest":{"sha256":"%s"}}],' "$ART_HEX" >"$W/blob-trunc.stmt"
craft envelope --payload "$W/blob-trunc.stmt" --sign "$TPEM" >"$W/blob-trunc.env" &&
  craft bundle --envelope "$W/blob-trunc.env" --pub "$PUB" >"$W/blob-trunc.bundle"
sig verify-blob-attestation "$W/art.bin" --key "$PUB" --bundle "$W/blob-trunc.bundle" --type custom
expect "4 N: CVE-2026-39395: signed truncated statement: 12" 12 "the signed statement is invalid: malformed in-toto statement: invalid JSON" &&
  expect_no "4 N: CVE-2026-39395: ... no Verified OK" "Verified OK"
crafted_env blob-nopred --digest "$ART_HEX" --ptype https://slsa.dev/provenance/v1 --predicate '"a string"' -- --sign "$TPEM" &&
  craft bundle --envelope "$W/blob-nopred.env" --pub "$PUB" >"$W/blob-nopred.bundle"
sig verify-blob-attestation "$W/art.bin" --key "$PUB" --bundle "$W/blob-nopred.bundle" --type slsaprovenance1
expect "4 N: CVE-2026-39395: signed statement whose predicate is a string: 12" 12 "the signed statement is invalid" &&
  expect_no "4 N: ... no Verified OK" "Verified OK"
# A bare DSSE envelope is read too (what cosign 2 attest-blob prints on stdout).
crafted_env blob-bare --digest "$ART_HEX" -- --sign "$TPEM"
sig verify-blob-attestation "$W/art.bin" --key "$PUB" --bundle "$W/blob-bare.env" --type slsaprovenance1
expect "4 a bare DSSE envelope as --bundle" 0 "Verified OK"

# =============================================================================================
section "5. 8 concurrent sigil attest runs on one image"
# concurrent_attest REPO FORMAT: 8 sigil attest runs at once on a fresh image (bounded by
# timeout), then checks that all 8 attestations are on the registry and each verifies.
concurrent_attest() {
  local repo=$1 fmt=$2 digest i t0 ok=0
  local -a pids=()
  new_image digest "$repo" v1 || return
  t0=$(elapsed_ms)
  for i in 1 2 3 4 5 6 7 8; do
    printf 'concurrent %s writer %d\n' "$fmt" "$i" >"$W/$fmt-writer-$i.txt"
    env SIGIL_PASSWORD="$PW" timeout 90 "$SIGIL" attest "$H/$repo@$digest" --key "$KEY" --type custom --format "$fmt" \
      --predicate "$W/$fmt-writer-$i.txt" >"$W/$fmt-writer-$i.out" 2>"$W/$fmt-writer-$i.err" </dev/null &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then ok=$((ok + 1)); else sed "s/^/       writer $((i + 1)): /" "$W/$fmt-writer-$((i + 1)).err"; fi
  done
  echo "       8 concurrent attest --format $fmt runs took $(($(elapsed_ms) - t0)) ms"
  RC=0 OUT="" ERR=""
  check "5 $fmt: all 8 concurrent attest runs exit 0" eq "$ok" 8
  if [[ $fmt == legacy ]]; then
    probe get-manifest "$H/$repo:$(att_tag "$digest")" --out "$W/concurrent-$fmt.json"
    expect "5 $fmt: .att manifest readable" 0 &&
      check "5 $fmt: 8 layers in .att, none lost" eq "$(jf "$W/concurrent-$fmt.json" 'len(d["layers"])')" 8
  else
    probe get-manifest "$H/$repo:sha256-${digest#sha256:}" --out "$W/concurrent-$fmt.json"
    expect "5 $fmt: referrers fallback index readable" 0 &&
      check "5 $fmt: 8 referrers in the fallback index, none lost" eq "$(jf "$W/concurrent-$fmt.json" 'len(d["manifests"])')" 8
  fi
  sig verify-attestation "$H/$repo@$digest" --key "$PUB" --type custom --explain
  expect "5 $fmt: verify-attestation after concurrent writes" 0 &&
    check "5 $fmt: every attestation is accepted" eq "$(count_in "$ERR" "  accepted ")" 8 &&
    expect_out_lines "5 $fmt: 8 statements on stdout" 8 &&
    check "5 $fmt: each writer's statement is there once" eq "$(for i in 1 2 3 4 5 6 7 8; do
      count_in "$OUT" "\"Data\":\"concurrent $fmt writer $i\\n\""; done | tr -d '\n')" 11111111
}
concurrent_attest att/concurrent legacy
concurrent_attest att/concurrent-bundle bundle

# =============================================================================================
section "6. hostile attestations on the registry"
new_image DA att/hostile a || true
new_image DB att/hostile b || true
IMG=$H/att/hostile
if [[ -n ${DA:-} && -n ${DB:-} ]]; then
  # 6.1 An attestation copied to another image: its statement names the first digest.
  sig_pw attest "$IMG@$DA" --key "$KEY" --type slsaprovenance1 --predicate "$W/prov.json"
  expect "6.1 setup: attest image A" 0
  probe get-manifest "$IMG:$(att_tag "$DA")" --out "$W/a.att.json"
  probe put-manifest "$IMG:$(att_tag "$DB")" "$W/a.att.json"
  expect "6.1 setup: A's .att manifest copied to B's .att tag" 0
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.1 N: attestation for another digest: 12" 12 "no subject of the statement has digest sha256:${DB#sha256:}: it is about another artifact" &&
    expect "6.1 N: ... the summary" 12 "1 attestation(s) considered, none of type https://slsa.dev/provenance/v1 verified"
  sig verify-attestation "$IMG@$DA" --key "$PUB" --type slsaprovenance1
  expect "6.1 control: the original still verifies on A" 0
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --check-claims=false
  expect "6.1 --check-claims=false accepts the copy (documented unsafe, as cosign)" 0

  # 6.2 Wrong type requested: 14, naming the types that were found.
  sig verify-attestation "$IMG@$DA" --key "$PUB" --type spdxjson
  expect "6.2 N: wrong --type: 14 naming the type found" 14 "no verified attestation of type https://spdx.dev/Document; found only: https://slsa.dev/provenance/v1"

  # 6.3 Untrusted key.
  sig verify-attestation "$IMG@$DA" --key "$OPUB" --type slsaprovenance1
  expect "6.3 N: untrusted key: 12" 12 "no DSSE signature (1) verifies with the trusted key"

  # 6.4 Type only in the annotation: the layer says SLSA v1, the signed statement is custom.
  crafted_env ann --digest "$DB" --ptype https://cosign.sigstore.dev/attestation/v1 --predicate '{"Data":"x","Timestamp":"2025-01-01T00:00:00Z"}' -- --sign "$TPEM" &&
    push_att att/hostile "$DB" "$W/ann.env,https://slsa.dev/provenance/v1"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.4 N: predicateType only in the .att annotation: 14" 14 "found only: https://cosign.sigstore.dev/attestation/v1" &&
    expect "6.4 N: ... the signed type wins over the annotation" 14 "predicate type https://cosign.sigstore.dev/attestation/v1 (signed), not https://slsa.dev/provenance/v1"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type custom
  expect "6.4 control: the same layer verifies as what it signed (custom)" 0

  # 6.5 Tampered payload after signing.
  crafted_env tamper --digest "$DB" --predicate '{"builder":"trusted-ci"}' -- --sign "$TPEM" --tamper 'trusted-ci=evil-ci' &&
    push_att att/hostile "$DB" "$W/tamper.env,https://slsa.dev/provenance/v1"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.5 N: tampered payload: 12" 12 "no DSSE signature (1) verifies with the trusted key" &&
    expect_no "6.5 N: ... the tampered statement is not printed" "evil-ci"

  # 6.6 Two signatures: one by an untrusted key (or garbage), one by the trusted key.
  crafted_env two --digest "$DB" -- --sign "$OPEM" --sign "$TPEM" &&
    push_att att/hostile "$DB" "$W/two.env,https://slsa.dev/provenance/v1"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.6 two signatures, one bad: accepted when one verifies with a trusted key (documented)" 0 \
    "accepted $(att_tag "$DB") layer 1: verified with key $PUB"
  crafted_env two-garbage --digest "$DB" -- --garbage-sig "$TPEM" --sign "$TPEM" &&
    push_att att/hostile "$DB" "$W/two-garbage.env,https://slsa.dev/provenance/v1"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.6 two signatures, the first over other bytes by the same key: accepted" 0 "verified with key $PUB"
  crafted_env two-bad --digest "$DB" -- --sign "$OPEM" --garbage-sig "$TPEM" &&
    push_att att/hostile "$DB" "$W/two-bad.env,https://slsa.dev/provenance/v1"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.6 N: two signatures, neither good: 12" 12 "no DSSE signature (2) verifies with the trusted key"

  # 6.7 payloadType is not in-toto (signed as such).
  crafted_env ptype --digest "$DB" -- --payload-type application/json --sign "$TPEM" &&
    push_att att/hostile "$DB" "$W/ptype.env,https://slsa.dev/provenance/v1"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.7 N: payloadType application/json: 12" 12 'payloadType "application/json" is not application/vnd.in-toto+json'

  # 6.8 PAE binds the type: signed as application/json, relabelled in-toto.
  crafted_env pae --digest "$DB" -- --sign-type application/json --sign "$TPEM" &&
    push_att att/hostile "$DB" "$W/pae.env,https://slsa.dev/provenance/v1"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.8 N: signature over another payloadType's PAE: 12" 12 "no DSSE signature (1) verifies"

  # 6.9 2000 subjects (the real one last): over sigstore-go's limit of 1024.
  crafted_env many --digest "$DB" --subjects 2000 -- --sign "$TPEM" &&
    push_att att/hostile "$DB" "$W/many.env,https://slsa.dev/provenance/v1"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.9 N: 2000 subjects: 12" 12 'field "subject" has 2000 entries, more than the limit of 1024'

  # 6.10 Duplicate keys: parsers disagree on which predicateType is meant.
  printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"%s"}}],"predicateType":"https://cosign.sigstore.dev/attestation/v1","predicateType":"https://slsa.dev/provenance/v1","predicate":{}}' \
    "${DB#sha256:}" >"$W/dup.stmt"
  crafted_env dup -- --sign "$TPEM" && push_att att/hostile "$DB" "$W/dup.env,https://slsa.dev/provenance/v1"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.10 N: duplicate predicateType keys in the signed statement: 12" 12 "duplicate key"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type custom
  expect "6.10 N: ... whichever type is asked for" 12 "duplicate key"

  # 6.11 Unknown statement _type.
  crafted_env stype --digest "$DB" --stype https://in-toto.io/Statement/v2 -- --sign "$TPEM" &&
    push_att att/hostile "$DB" "$W/stype.env,https://slsa.dev/provenance/v1"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.11 N: statement _type unknown: 12" 12 'field "_type" is "https://in-toto.io/Statement/v2"'

  # 6.12 CVE-2026-39395 analogue on images: signed payloads that are not statements.
  printf '{"_type":"https://in-toto.io/Statement/v1","subject":[' >"$W/trunc.stmt"
  crafted_env trunc -- --sign "$TPEM" && push_att att/hostile "$DB" "$W/trunc.env,https://slsa.dev/provenance/v1"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.12 N: signed truncated JSON: 12" 12 "the signed statement is invalid: malformed in-toto statement: invalid JSON" &&
    expect_no "6.12 N: ... nothing says verified" "Verification for"
  printf '[{"predicateType":"https://slsa.dev/provenance/v1"}]' >"$W/array.stmt"
  crafted_env array -- --sign "$TPEM" && push_att att/hostile "$DB" "$W/array.env,https://slsa.dev/provenance/v1"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.12 N: signed JSON array: 12" 12 "malformed in-toto statement: not a JSON object"
  printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"%s"}}],"predicateType":"","predicate":{}}' \
    "${DB#sha256:}" >"$W/emptytype.stmt"
  crafted_env emptytype -- --sign "$TPEM" && push_att att/hostile "$DB" "$W/emptytype.env"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.12 N: signed statement with an empty predicateType: 12" 12 'field "predicateType" is empty'
  printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x"}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}' >"$W/nodigest.stmt"
  crafted_env nodigest -- --sign "$TPEM" && push_att att/hostile "$DB" "$W/nodigest.env"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.12 N: signed statement whose subject has no digest: 12" 12 'subject 0'

  # 6.13 Envelope shapes: no signatures, not JSON, not a DSSE media type.
  printf '{"payload":"%s","payloadType":"application/vnd.in-toto+json","signatures":[]}' "$(base64 -w0 "$W/ann.stmt")" >"$W/nosig.env"
  push_att att/hostile "$DB" "$W/nosig.env,https://slsa.dev/provenance/v1"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.13 N: envelope without signatures: 12" 12 "dsse envelope has 0 signatures"
  push_att att/hostile "$DB" "$W/notjson.txt,https://slsa.dev/provenance/v1"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.13 N: layer that is not JSON: 12" 12 "malformed dsse envelope"
  push_att att/hostile "$DB" "$W/two.env,https://slsa.dev/provenance/v1,application/json"
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.13 N: valid envelope under another layer media type: 12" 12 "media type application/json is not a DSSE envelope"

  # 6.14 More than 100 attestations (cosign's cap, CVE-2023-46737).
  push_att att/hostile "$DB" "$W/two.env,https://slsa.dev/provenance/v1" --repeat 101
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.14 N: 101 .att layers: 12" 12 "101 attestations, more than the limit of 100"
  push_att att/hostile "$DB" "$W/two.env,https://slsa.dev/provenance/v1" --repeat 100
  sig verify-attestation "$IMG@$DB" --key "$PUB" --type slsaprovenance1
  expect "6.14 100 .att layers are still read" 0
fi

# 6.15 CVE-2022-35929: a valid attestation of another type only.
if new_image DV att/cve-2022-35929 v1; then
  sig_pw attest "$H/att/cve-2022-35929@$DV" --key "$KEY" --type vuln --predicate "$W/sbom.json"
  expect "6.15 setup: a valid vuln attestation" 0
  sig verify-attestation "$H/att/cve-2022-35929@$DV" --key "$PUB" --type slsaprovenance1
  expect "6.15 N: CVE-2022-35929: only another type verified: 14" 14 \
    "no verified attestation of type https://slsa.dev/provenance/v1; found only: https://cosign.sigstore.dev/attestation/vuln/v1" &&
    check "6.15 N: ... no statement printed" eq "$OUT" "" &&
    expect_no "6.15 N: ... no verification summary" "Verification for"
  # Plus a tampered SLSA layer next to it: something of the type exists but does not verify.
  crafted_env cve-slsa --digest "$DV" -- --sign "$TPEM" --tamper 'crafted=evil' &&
    push_att att/cve-2022-35929 "$DV" "$W/cve-slsa.env,https://slsa.dev/provenance/v1"
  sig verify-attestation "$H/att/cve-2022-35929@$DV" --key "$PUB" --type slsaprovenance1
  expect "6.15 N: ... and with a tampered SLSA layer instead: 12" 12 "none of type https://slsa.dev/provenance/v1 verified"
fi

# 6.16 Not found, and nothing there.
sig verify-attestation "$H/att/no-such-repo:v1" --key "$PUB" --type slsaprovenance1
expect "6.16 N: image not found (tag): 11" 11 "not found"
sig verify-attestation "$H/att/hostile@sha256:$(printf 'nothing' | sha256sum | cut -d' ' -f1)" --key "$PUB"
expect "6.16 N: image not found (digest): 11" 11 "not found"
if new_image DE att/empty v1; then
  sig verify-attestation "$H/att/empty:v1" --key "$PUB" --type slsaprovenance1
  expect "6.16 N: no attestations at all: 14" 14 "no attestations found (want type https://slsa.dev/provenance/v1)"
fi
sig verify-attestation "$H/att/empty:v1" --key "$PUB" --type no-such-type
expect "6.16 N: --type neither a name nor a URI: 2" 2 "unknown predicate type"

# 6.17 Bundle referrers: the type comes from the signed statement, not the manifest annotation.
# push_referrer REPO DIGEST ENVELOPE ANNOTATED_TYPE: replaces the fallback index with one referrer.
push_referrer() {
  local repo=$1 digest=$2 env=$3 ann=$4 dir desc
  N_CRAFT=$((N_CRAFT + 1))
  dir=$W/craft-layout-$N_CRAFT
  desc=$(timeout 60 "$PROBE" resolve "$H/$repo@$digest" 2>/dev/null |
    "$PY" -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d["size"], d["mediaType"])') ||
    { craft_failed "resolve $repo@$digest"; return 1; }
  craft bundle --envelope "$env" --pub "$PUB" >"$dir.bundle" || { craft_failed "bundle $env"; return 1; }
  craft referrer-layout "$dir" "sha256-${digest#sha256:}" --bundle "$dir.bundle" --subject "$digest" \
    --subject-size "${desc%% *}" --subject-media-type "${desc#* }" --ptype-annotation "$ann" ||
    { craft_failed "referrer-layout $env"; return 1; }
  if ! timeout 60 "$PROBE" push-layout "$dir" "sha256-${digest#sha256:}" "$H/$repo:sha256-${digest#sha256:}" >"$dir.log" 2>&1; then
    cat "$dir.log" >&2
    craft_failed "push-layout referrer $env"
    return 1
  fi
}
if new_image DR att/referrer v1; then
  crafted_env ref-custom --digest "$DR" --ptype https://cosign.sigstore.dev/attestation/v1 --predicate '{"Data":"x","Timestamp":"2025-01-01T00:00:00Z"}' -- --sign "$TPEM" &&
    push_referrer att/referrer "$DR" "$W/ref-custom.env" https://slsa.dev/provenance/v1
  sig verify-attestation "$H/att/referrer@$DR" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.17 N: referrer annotated SLSA v1, signed custom: 14" 14 "found only: https://cosign.sigstore.dev/attestation/v1"
  sig verify-attestation "$H/att/referrer@$DR" --key "$PUB" --type custom --explain
  expect "6.17 the same referrer verifies as custom (its signed type)" 0 "accepted referrer sha256:"
  crafted_env ref-slsa --digest "$DR" -- --sign "$TPEM" &&
    push_referrer att/referrer "$DR" "$W/ref-slsa.env" https://cosign.sigstore.dev/attestation/v1
  sig verify-attestation "$H/att/referrer@$DR" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.17 referrer annotated custom, signed SLSA v1: verifies (DESIGN §3.4: never the annotation)" 0 "accepted referrer sha256:"
  crafted_env ref-tamper --digest "$DR" -- --sign "$TPEM" --tamper 'crafted=evil' &&
    push_referrer att/referrer "$DR" "$W/ref-tamper.env" https://slsa.dev/provenance/v1
  sig verify-attestation "$H/att/referrer@$DR" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.17 N: tampered bundle referrer: 12" 12 "no DSSE signature (1) verifies with the trusted key"
  crafted_env ref-other --digest "$DA" -- --sign "$TPEM" &&
    push_referrer att/referrer "$DR" "$W/ref-other.env" https://slsa.dev/provenance/v1
  sig verify-attestation "$H/att/referrer@$DR" --key "$PUB" --type slsaprovenance1 --explain
  expect "6.17 N: bundle referrer whose statement is about another digest: 12" 12 "it is about another artifact"
fi

section "done"
finish
