#!/usr/bin/env bash
# sigil copy / save / load between two real registries (Debian docker-registry 2.8, anonymous
# HTTP: no referrers API, so referrers travel by the fallback tag), each behind a fault proxy
# (request logs and faults). Usage: test_copy.sh PATH_TO_SIGIL
#
#  1. a signed two-platform index (sigil legacy signatures on the index and each platform, an
#     attestation, a key-signed bundle referrer; cosign 2.5 signatures when the peers are there)
#     copied to the other registry: sigil verify, verify-attestation (and cosign verify) pass
#     there; blobs uploaded vs mounted counted from -o json and the proxy log
#  2. a re-run copies nothing (no blob PUT, no manifest PUT)
#  3. signatures at the destination are merged, not overwritten
#  4. within one registry blobs are mounted (POST ?mount= answered 201), not uploaded
#  5. a destination tag naming another image: refused (2) without -f; --platform (on a
#     single-platform image: 2); indexes nested deeper than 3: refused (30); --only
#  6. save -> layout -> load into a third repository -> verify; cosign load / cosign save interop;
#     save --tar -> load --tar -> verify; hostile tars (absolute, '..', links, outside blobs/,
#     truncated, a bad header checksum, a pax size not a number) refused with their reason,
#     nothing written; sizes in pax records (ustar size 0) are used; a tampered layout (a file
#     not hashing to its name) is refused by verify --local, tree --local and load
#  7. faults: a reset mid-blob (source), 500 on a manifest PUT, 413 and 507 on blob upload: the
#     destination never holds a signature without its image; a re-run completes
#  8. a copy racing two `sigil sign`s of the same destination digest whose .sig tag does not
#     exist yet: the copy's first write goes through the attach writer, so every signature
#     (the copied one and both signers') is there afterwards. 3 rounds, a fresh image each.
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"
REPO_DIR=$(cd "$HERE/../.." && pwd)

require_tools "$REGISTRY_BIN" "$REGISTRY_SKOPEO" "$REGISTRY_PYTHON" openssl curl
skip_suite_if_missing "copy tests"
isolate_home SIGIL_PASSWORD COSIGN_PASSWORD SIGIL_REPOSITORY COSIGN_REPOSITORY NO_COLOR

COSIGN=""
# shellcheck source=../../scripts/lib/peers.sh
if source "$REPO_DIR/scripts/lib/peers.sh" && ensure_peers; then
  COSIGN=$PEERS_COSIGN
else
  echo "NOTE: cosign 2.5 could not be fetched; the cosign cases will be SKIPPED" >&2
fi

W=$TEST_TMP/w
mkdir -p "$W"
T_START=$EPOCHREALTIME
PW='copy test pw'
sig() { run env SIGIL_PASSWORD="$PW" timeout 120 "$SIGIL" "$@" </dev/null; }
cos() { run env COSIGN_PASSWORD="$PW" timeout 120 "$COSIGN" "$@" </dev/null; }
jout() { printf '%s' "$OUT" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
# manifest HOST REPO REF: the manifest JSON (or "absent").
manifest() {
  curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' \
    "http://$1/v2/$2/manifests/$3" || echo absent
}
layers_of() { manifest "$1" "$2" "$3" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["layers"]))' 2>/dev/null || echo 0; }

section "setup: two registries, two proxies, keys, a signed index"
start_registry SRC anon || abort_suite "start the source registry"
start_registry DST anon || abort_suite "start the destination registry"
start_fault_proxy PS "$SRC_URL" || abort_suite "start the source proxy"
start_fault_proxy PX "$DST_URL" || abort_suite "start the destination proxy"
for k in k1 k2 k3 k4; do
  sig generate-key-pair --output-key-prefix "$W/$k"
  expect "setup: generate-key-pair $k" 0 || abort_suite "keys"
done
K1=$W/k1.key K2=$W/k2.key K3=$W/k3.key K4=$W/k4.key
echo '{"buildType":"test","builder":{"id":"https://example.com/builder"}}' >"$W/prov.json"
EMPTY_ROOT=$W/trusted-root.json
echo '{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}' >"$EMPTY_ROOT"

run push_test_image "$SRC_HOST" app/img v1 --index --layers 2
expect "setup: push a two-platform index" 0 || abort_suite "push"
D=$OUT
S=$PS_HOST/app/img
sig sign "$S@$D" --key "$K1" --recursive
expect "setup: sigil sign --recursive (legacy .sig on the index and each platform)" 0
sig sign "$S@$D" --key "$K4" --format bundle
expect "setup: sigil sign --format bundle with k4 (a bundle referrer; k4 signs nothing else)" 0
sig attest "$S@$D" --key "$K1" --type slsaprovenance1 --predicate "$W/prov.json"
expect "setup: sigil attest (.att)" 0
if [[ -n $COSIGN ]]; then
  cos sign --key "$K2" --tlog-upload=false --allow-http-registry -y "$S@$D"
  expect "setup: cosign 2.5 sign --key k2 (a second .sig layer)" 0
fi
CHILDREN=$(manifest "$SRC_HOST" app/img "$D" | "$PY" -c 'import json,sys; print(" ".join(m["digest"] for m in json.load(sys.stdin)["manifests"]))')
CHILD1=${CHILDREN%% *}

# =============================================================================================
section "1. copy to the other registry"
X=$PX_HOST/app/img
proxy_reset_log PX
sig copy "$S:v1" "$X" --recursive -o json
expect "1 copy --recursive: 0" 0 || abort_suite "copy"
BLOBS_UP=$(jout 'd["blobs"]["uploaded"]')
check "1 json: digest is the index's, nothing mounted across registries" eq \
  "$(jout 'd["digest"], d["blobs"]["mounted"], d["blobs"]["present"]')" "('$D', 0, 0)"
check "1 json: blobs uploaded = blob PUTs in the destination's log" eq \
  "$BLOBS_UP" "$(proxy_count PX PUT '/blobs/uploads/' 201)"
check "1 json: 4 cosign tags (.sig, .att of the index, .sig of each platform) and 1 referrer" eq \
  "$(jout 'd["attachments"]["tags"], d["attachments"]["referrers"]')" "(4, 1)"
check "1 tag v1 at the destination names the index" eq \
  "$(curl -sfI -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$DST_HOST/v2/app/img/manifests/v1" |
    tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}')" "$D"
check "1 no signature before its image: the log shows every manifest PUT of .sig after the index's" eq \
  "$("$PY" - "$PX_REQUESTS" "$D" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
puts = [l["path"] for l in lines if l["method"] == "PUT" and "/manifests/" in l["path"]]
idx = next(i for i, p in enumerate(puts) if p.endswith(sys.argv[2]))
sigs = [i for i, p in enumerate(puts) if p.endswith(".sig") or p.endswith(".att")]
print(all(i > idx for i in sigs) and len(sigs) > 0)
PY
)" True
# content_digest HOST REPO REF: the registry's Docker-Content-Digest for REF.
content_digest() {
  curl -sfI -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$1/v2/$2/manifests/$3" |
    tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}'
}
check "1 the .sig copied to an empty destination is the source's byte for byte (same digest)" eq \
  "$(content_digest "$DST_HOST" app/img "$(sig_tag "$D")")" "$(content_digest "$SRC_HOST" app/img "$(sig_tag "$D")")"
sig verify "$X@$D" --key "$W/k1.pub"
expect "1 sigil verify at the destination (k1: the .sig layer)" 0
sig verify "$X@$D" --key "$W/k4.pub" -o json
expect "1 sigil verify at the destination (k4: the bundle referrer)" 0 &&
  check "1 k4's signature is the bundle referrer" eq "$(jout 'sorted(set(e["sigil"]["format"] for e in d))')" "['bundle']"
sig verify "$X@$CHILD1" --key "$W/k1.pub"
expect "1 --recursive: a platform image's signature verifies at the destination" 0
sig verify-attestation "$X@$D" --key "$W/k1.pub" --type slsaprovenance1
expect "1 sigil verify-attestation at the destination" 0
if [[ -n $COSIGN ]]; then
  cos verify --key "$W/k2.pub" --insecure-ignore-tlog=true --allow-http-registry "$X@$D"
  expect "1 cosign 2.5 verify (its own signature, copied) at the destination" 0
  cos verify --key "$W/k1.pub" --insecure-ignore-tlog=true --allow-http-registry "$X@$D"
  expect "1 cosign 2.5 verify (sigil's signature, copied) at the destination" 0
else
  skip "1 cosign verify at the destination: cosign 2.5 not available"
fi

# =============================================================================================
section "2. a re-run copies nothing twice"
proxy_reset_log PX
sig copy "$S:v1" "$X" --recursive -o json
expect "2 re-run: 0" 0
check "2 re-run: nothing uploaded, no manifest written" eq \
  "$(jout 'd["blobs"]["uploaded"], d["manifests"]["written"], d["attachments"]["layersAdded"]')" "(0, 0, 0)"
check "2 re-run: no blob upload and no manifest PUT in the destination's log" eq \
  "$(proxy_count PX POST '/blobs/uploads/' -) $(proxy_count PX PUT '/manifests/' -)" "0 0"

# =============================================================================================
section "3. signatures at the destination are merged"
sig sign "$X@$D" --key "$K3"
expect "3 sign the destination's copy with k3" 0
sig sign "$S@$D" --key "$K2"
expect "3 sign the source with k2 (another layer to copy)" 0
BEFORE=$(layers_of "$DST_HOST" app/img "$(sig_tag "$D")")
sig copy "$S:v1" "$X" -o json
expect "3 copy again: 0" 0
check "3 the destination's .sig kept its k3 layer and gained the new k2 layer" eq \
  "$(layers_of "$DST_HOST" app/img "$(sig_tag "$D")")" "$((BEFORE + $(jout 'd["attachments"]["layersAdded"]')))"
for k in k1 k2 k3; do
  sig verify "$X@$D" --key "$W/$k.pub"
  expect "3 $k's signature verifies at the destination" 0
done

# =============================================================================================
section "4. within one registry, blobs are mounted"
proxy_reset_log PX
sig copy "$X:v1" "$PX_HOST/other/img:v1" -o json
expect "4 copy to another repository of the same registry: 0" 0
check "4 json: every blob mounted, none uploaded" eq \
  "$(jout 'd["blobs"]["uploaded"], d["blobs"]["mounted"] == '"$BLOBS_UP"' or d["blobs"]["mounted"] > 0')" "(0, True)"
check "4 log: mounts answered 201, no blob PUT" eq \
  "$(proxy_count PX POST 'mount=sha256' 201) $(proxy_count PX PUT '/blobs/uploads/' -)" \
  "$(jout 'd["blobs"]["mounted"]') 0"
sig verify "$PX_HOST/other/img@$D" --key "$W/k1.pub"
expect "4 verify in the other repository" 0

# =============================================================================================
section "5. tag conflicts, --platform, --only"
run push_test_image "$SRC_HOST" app/else v1
E=$OUT
sig copy "$PS_HOST/app/else:v1" "$X:v1"
expect "5 a destination tag naming another image: 2 without -f" 2 \
  "$X:v1 already names $D, not $E; give -f to move the tag"
sig copy "$PS_HOST/app/else:v1" "$X:v1" -f
expect "5 -f moves it" 0
sig copy "$S@$D" "$PX_HOST/plat/img:arm" --platform linux/arm64 -o json
expect "5 --platform linux/arm64: 0" 0
check "5 --platform: the destination tag names a platform image, not the index" eq \
  "$(jout 'd["digest"] in "'"$CHILDREN"'" and d["digest"] != "'"$D"'"')" True
sig copy "$S@$D" "$PX_HOST/plat/img" --platform plan9/mips
expect "5 --platform not in the index: 11, listing what there is" 11 "has no plan9/mips image (it has: "
sig copy "$S@$CHILD1" "$PX_HOST/plat/single" --platform linux/arm64
expect "5 --platform on a single-platform image: 2" 2 \
  "--platform linux/arm64: $CHILD1 is a single-platform image, not an index; leave --platform out"
# Indexes nested deeper than 3 (index -> index -> index -> D -> its platform images): refused
# while planning, before anything is written.
push_index() { # push_index CHILD_DIGEST: an OCI index of one index, put by digest; prints its digest
  local child size body dg
  child=$(curl -sf -H 'Accept: application/vnd.oci.image.index.v1+json' "http://$SRC_HOST/v2/app/img/manifests/$1")
  size=$(printf '%s' "$child" | wc -c)
  body='{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"'"$1"'","size":'"$size"'}]}'
  dg=sha256:$(printf '%s' "$body" | sha256sum | cut -c1-64)
  curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "$body" \
    "http://$SRC_HOST/v2/app/img/manifests/$dg" >/dev/null && echo "$dg"
}
N2=$(push_index "$D") && N3=$(push_index "$N2") && N4=$(push_index "$N3")
check "5 setup: three nested indexes over D pushed" eq "$([[ -n $N4 ]] && echo ok)" ok
sig copy "$S@$N3" "$PX_HOST/nested/ok:v1"
expect "5 indexes nested 3 deep are copied: 0" 0
sig copy "$S@$N4" "$PX_HOST/nested/deep:v1"
expect "5 indexes nested deeper than 3: refused, 30, the image too deep named" 30 \
  "$CHILD1 in $S nests indexes more than 3 deep" &&
  check "5 ... nothing written" eq "$(manifest "$DST_HOST" nested/deep v1)" absent
sig copy "$S@$D" "$PX_HOST/only/img:v1" --only sig
expect "5 --only sig: 0" 0
check "5 --only sig: .sig copied, no .att, no referrers fallback tag" eq \
  "$(manifest "$DST_HOST" only/img "$(sig_tag "$D")" | head -c1) $(manifest "$DST_HOST" only/img "$(att_tag "$D")") $(manifest "$DST_HOST" only/img "sha256-${D#sha256:}")" \
  "{ absent absent"
sig copy "$S@$D" "$PX_HOST/only/img" --only sig,bogus
expect "5 --only with an unknown kind: 2" 2 "--only: unknown kind 'bogus'; give a comma-separated list of sig, att, sbom, referrers"

# =============================================================================================
section "6. save -> layout -> load -> verify"
L=$W/layout
sig save "$S:v1" --dir "$L"
expect "6 save: 0" 0
check "6 layout: oci-layout 1.0.0" eq "$(cat "$L/oci-layout")" '{"imageLayoutVersion":"1.0.0"}'
check "6 index.json names v1 and the attachment tags by org.opencontainers.image.ref.name" eq \
  "$("$PY" - "$L/index.json" "$D" <<'PY'
import json, sys
idx = json.load(open(sys.argv[1]))
names = {m.get("annotations", {}).get("org.opencontainers.image.ref.name") for m in idx["manifests"]}
h = sys.argv[2].split(":")[1]
print("v1" in names, "sha256-%s.sig" % h in names, "sha256-%s.att" % h in names)
PY
)" "True True True"
check "6 every blob file hashes to its name" eq \
  "$(cd "$L/blobs/sha256" && for f in *; do echo "$(sha256sum "$f" | cut -c1-64) $f"; done | awk '$1 != $2' | wc -l)" 0
sig load --dir "$L" "$PX_HOST/loaded/img"
expect "6 load into another repository: 0" 0
sig verify "$PX_HOST/loaded/img@$D" --key "$W/k1.pub"
expect "6 verify the loaded image (k1: legacy)" 0
sig verify "$PX_HOST/loaded/img@$D" --key "$W/k4.pub" -o json
expect "6 verify the loaded image (k4: the bundle referrer came through the layout)" 0 &&
  check "6 k4's signature is the bundle referrer" eq "$(jout 'sorted(set(e["sigil"]["format"] for e in d))')" "['bundle']"
# --local: the layout served in process; the host named is never contacted (it does not exist).
OFF=registry.invalid/app/img
sig verify --local "$L" "$OFF:v1" --key "$W/k1.pub"
expect "6 verify --local (by tag, a host that does not exist: nothing leaves the process)" 0
sig verify --local "$L" "$OFF@$D" --key "$W/k4.pub" -o json
expect "6 verify --local: the bundle referrer from the layout" 0 &&
  check "6 verify --local: k4's is the bundle" eq "$(jout 'sorted(set(e["sigil"]["format"] for e in d))')" "['bundle']"
sig verify --local "$L" "$OFF@$CHILD1" --key "$W/k1.pub"
expect "6 verify --local: a platform image's signature" 0
sig verify-attestation --local "$L" "$OFF@$D" --key "$W/k1.pub" --type slsaprovenance1
expect "6 verify-attestation --local" 0
sig tree --local "$L" "$OFF@$D" -o json
expect "6 tree --local" 0 &&
  check "6 tree --local: .sig and .att, one referrer" eq \
    "$(jout 'sorted(t["kind"] for t in d["tags"]), len(d["referrers"])')" "(['attestations', 'signatures'], 1)"
sig verify --local "$L" "$OFF@$D" --key "$W/k3.pub"
expect "6 verify --local with a key that signed nothing: 12" 12
cp -r "$L" "$W/tampered"
SIGBLOB=$("$PY" - "$W/tampered" "$D" <<'PY'
import json, sys
idx = json.load(open(sys.argv[1] + "/index.json"))
name = "sha256-%s.sig" % sys.argv[2].split(":")[1]
m = next(e for e in idx["manifests"] if e.get("annotations", {}).get("org.opencontainers.image.ref.name") == name)
man = json.load(open(sys.argv[1] + "/blobs/sha256/" + m["digest"].split(":")[1]))
print(man["layers"][0]["digest"].split(":")[1])
PY
)
chmod u+w "$W/tampered/blobs/sha256/$SIGBLOB" && printf 'x' >>"$W/tampered/blobs/sha256/$SIGBLOB"
sig verify --local "$W/tampered" "$OFF@$D" --key "$W/k1.pub"
expect "6 verify --local: a signature payload with a byte appended is rejected: 12, the file named" 12 \
  "rejected sha256-${D#sha256:}.sig layer 1: fetching blob sha256:$SIGBLOB: blob sha256:$SIGBLOB of the layout $W/tampered does not match its digest (the file hashes to sha256:"
# A layout whose files do not hash to their names is refused, whatever reads them (the layout
# is served through a digest-checking reader): the manifest index.json names for v1 (D) holding
# another manifest's bytes, and a signature payload the same size as before with one byte changed.
cp -r "$L" "$W/tampered-m"
chmod u+w "$W/tampered-m/blobs/sha256/${D#sha256:}" &&
  cp "$W/tampered-m/blobs/sha256/${CHILD1#sha256:}" "$W/tampered-m/blobs/sha256/${D#sha256:}"
TM_WHY="blob $D of the layout $W/tampered-m does not match its digest (the file hashes to $CHILD1)"
sig verify --local "$W/tampered-m" "$OFF:v1" --key "$W/k1.pub"
expect "6 verify --local: a tampered manifest (by tag) is refused: 30, the file named" 30 "$TM_WHY"
sig tree --local "$W/tampered-m" "$OFF:v1"
expect "6 tree --local: a tampered manifest is refused: 30" 30 "$TM_WHY"
sig verify --local "$W/tampered-m" "$OFF@$D" --key "$W/k1.pub"
expect "6 verify --local: a tampered manifest (by digest) is refused: 30" 30 "$TM_WHY"
cp -r "$L" "$W/tampered-p"
chmod u+w "$W/tampered-p/blobs/sha256/$SIGBLOB" &&
  "$PY" -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[-2]^=1; open(p,"wb").write(b)' "$W/tampered-p/blobs/sha256/$SIGBLOB"
TP_ACTUAL=sha256:$(sha256sum "$W/tampered-p/blobs/sha256/$SIGBLOB" | cut -c1-64)
sig verify --local "$W/tampered-p" "$OFF@$D" --key "$W/k1.pub"
expect "6 verify --local: a tampered signature payload is rejected (12, as from a registry), the file named" 12 \
  "rejected sha256-${D#sha256:}.sig layer 1: fetching blob sha256:$SIGBLOB: blob sha256:$SIGBLOB of the layout $W/tampered-p does not match its digest (the file hashes to $TP_ACTUAL)"
sig load --dir "$W/tampered-p" "$PX_HOST/tampered/img"
expect "6 load: a tampered blob is refused: 30, the file named" 30 \
  "blob sha256:$SIGBLOB of the layout $W/tampered-p does not match its digest (the file hashes to $TP_ACTUAL)"
sig load --dir "$W/tampered-m" "$PX_HOST/tampered-m/img"
expect "6 load: a tampered manifest is refused before anything is written: 30" 30 "$TM_WHY" &&
  check "6 load: nothing was written" eq "$(manifest "$PX_HOST" tampered-m/img v1)" absent
sig verify --local "$W/nothing" "$OFF@$D" --key "$W/k1.pub"
expect "6 --local with a directory that is no layout: 2" 2 "is not an OCI image layout"
sig load --dir "$W/nothing" "$PX_HOST/loaded/img"
expect "6 load from a directory that is no layout: 30" 30 "is not an OCI image layout"
if [[ -n $COSIGN ]]; then
  cos load --dir "$L" --allow-http-registry "$PX_HOST/cosload/img"
  if [[ $RC == 0 ]]; then
    pass "6 cosign 2.5 load reads sigil's layout"
    cos verify --key "$W/k1.pub" --insecure-ignore-tlog=true --allow-http-registry "$PX_HOST/cosload/img@$D"
    expect "6 cosign verify after cosign load of sigil's layout" 0
  else
    skip "6 cosign 2.5 load of sigil's layout: rc=$RC ${ERR##*$'\n'}"
  fi
  cos save --dir "$W/cosign-layout" --allow-http-registry "$S@$D"
  if [[ $RC == 0 ]]; then
    sig load --dir "$W/cosign-layout" "$PX_HOST/fromcosign/img"
    expect "6 sigil load reads cosign save's layout" 0
    sig verify "$PX_HOST/fromcosign/img@$D" --key "$W/k1.pub"
    expect "6 verify after sigil load of cosign's layout" 0
  else
    skip "6 cosign 2.5 save: rc=$RC ${ERR##*$'\n'}"
  fi
else
  skip "6 cosign save/load interop: cosign 2.5 not available"
fi

# =============================================================================================
section "6t. save --tar -> one tar file -> load --tar -> verify; hostile archives refused"
TB=$W/tarball
mkdir -p "$TB" "$W/tmp"
sig save "$S:v1" --tar "$TB/app.tar"
expect "6t save --tar: 0" 0
check "6t only the tar is left next to it (no temp file, no scratch layout)" eq "$(ls -A "$TB")" app.tar
check "6t the tar: oci-layout, index.json first, then only directories and regular files under blobs/" eq \
  "$("$PY" - "$TB/app.tar" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    m = t.getmembers()
print([x.name for x in m[:2]],
      all((x.name == "blobs" or x.name.startswith("blobs/")) and (x.isfile() or x.isdir()) for x in m[2:]), len(m) > 5)
PY
)" "['oci-layout', 'index.json'] True True"
sig load --tar "$TB/app.tar" "$PX_HOST/fromtar/img"
expect "6t load --tar: 0" 0
sig verify "$PX_HOST/fromtar/img@$D" --key "$W/k1.pub"
expect "6t verify after the tar round trip (k1)" 0
sig verify-attestation "$PX_HOST/fromtar/img@$D" --key "$W/k1.pub" --type slsaprovenance1
expect "6t verify-attestation after the tar round trip" 0
sig save "$S:v1" --tar "$TB/x.tar" --dir "$TB/x"
expect "6t save with both --dir and --tar: 2" 2 "--dir excludes --tar"
sig load "$PX_HOST/fromtar/img"
expect "6t load with neither: 2" 2 "give either --dir DIR (a layout directory) or --tar FILE (a layout tar archive)"
# hostile FILE NAME KIND: a tar with a valid layout plus one hostile entry.
"$PY" - "$W" <<'PY'
import io, sys, tarfile
w = sys.argv[1]
def make(path, name, kind):
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as t:
        for n, data in (("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", b'{"schemaVersion":2,"manifests":[]}')):
            i = tarfile.TarInfo(n); i.size = len(data); t.addfile(i, io.BytesIO(data))
        i = tarfile.TarInfo(name)
        if kind == "sym": i.type = tarfile.SYMTYPE; i.linkname = "/etc/passwd"
        elif kind == "hard": i.type = tarfile.LNKTYPE; i.linkname = "oci-layout"
        elif kind == "fifo": i.type = tarfile.FIFOTYPE
        data = b"pwned"
        if kind == "file": i.size = len(data)
        t.addfile(i, io.BytesIO(data) if kind == "file" else None)
make(w + "/evil-abs.tar", w + "/pwned-abs", "file")
make(w + "/evil-dotdot.tar", "blobs/../../pwned-dotdot", "file")
make(w + "/evil-sym.tar", "blobs/sha256/link", "sym")
make(w + "/evil-hard.tar", "blobs/sha256/hard", "hard")
make(w + "/evil-outside.tar", "etc/pwned", "file")
make(w + "/evil-fifo.tar", "blobs/fifo", "fifo")
data = open(w + "/evil-outside.tar", "rb").read()
open(w + "/evil-short.tar", "wb").write(data[:1024 + 100])
# A pax header whose second record's length wraps the reader's offset back to 0 (looped forever).
with tarfile.open(w + "/evil-pax.tar", "w", format=tarfile.USTAR_FORMAT) as t:
    records = b"12 path=abc\n" + str(2**64 - 12).encode() + b" x=y\n"
    i = tarfile.TarInfo("././@PaxHeader"); i.type = tarfile.XHDTYPE; i.size = len(records)
    t.addfile(i, io.BytesIO(records))
    i = tarfile.TarInfo("oci-layout"); d = b'{"imageLayoutVersion":"1.0.0"}'; i.size = len(d)
    t.addfile(i, io.BytesIO(d))
# A header whose checksum does not match (one name byte changed after it was written).
data = bytearray(open(w + "/evil-outside.tar", "rb").read())
data[1024 + 1024 + 3] ^= 1  # the third entry's header: etc/pwned -> etc/pwoed, checksum stale
open(w + "/evil-sum.tar", "wb").write(bytes(data))
# A pax size that is not a number.
with tarfile.open(w + "/evil-paxsize.tar", "w", format=tarfile.USTAR_FORMAT) as t:
    records = b"14 size=12x34\n"
    i = tarfile.TarInfo("././@PaxHeader"); i.type = tarfile.XHDTYPE; i.size = len(records)
    t.addfile(i, io.BytesIO(records))
    i = tarfile.TarInfo("oci-layout"); d = b'{"imageLayoutVersion":"1.0.0"}'; i.size = len(d)
    t.addfile(i, io.BytesIO(d))
PY
TAIL="refused; a layout archive holds only the files oci-layout, index.json and blobs/ (as sigil save --tar writes)"
hostile() { # FILE WANT_MESSAGE LABEL
  run env TMPDIR="$W/tmp" timeout 60 "$SIGIL" load --tar "$1" "$PX_HOST/evil/img" </dev/null
  expect "6t hostile tar refused, exit 30: $3" 30 "$2"
}
hostile "$W/evil-abs.tar" "$W/evil-abs.tar: entry '$W/pwned-abs' is an absolute path: $TAIL" "absolute path"
hostile "$W/evil-dotdot.tar" "entry 'blobs/../../pwned-dotdot' has a '..' component: $TAIL" "'..'"
hostile "$W/evil-sym.tar" "entry 'blobs/sha256/link' is a symbolic link: $TAIL" "symbolic link"
hostile "$W/evil-hard.tar" "entry 'blobs/sha256/hard' is a hard link: $TAIL" "hard link"
hostile "$W/evil-outside.tar" "entry 'etc/pwned' is outside blobs/, oci-layout and index.json: $TAIL" "outside"
hostile "$W/evil-fifo.tar" "entry 'blobs/fifo' is neither a regular file nor a directory (type '6'): $TAIL" "fifo"
hostile "$W/evil-pax.tar" "a pax record is malformed" "a pax record length that wraps (bounded, no endless loop)"
hostile "$W/evil-sum.tar" "$W/evil-sum.tar: a header's checksum does not match; not a complete tar archive" "checksum"
hostile "$W/evil-paxsize.tar" "$W/evil-paxsize.tar: a pax size is not a number; not a complete tar archive" "pax size"
hostile "$W/evil-short.tar" "$W/evil-short.tar: it ends inside a header (truncated); not a complete tar archive" "truncated"
check "6t nothing written outside: no pwned file, the scratch directory removed" eq \
  "$(ls "$W" | grep -c pwned; ls -A "$W/tmp" | wc -l; ls -A "$W/.." | grep -c pwned)" "$(printf '0\n0\n0')"
# The pax size wins over the ustar one: the layout with every blob's size in a pax record and
# 0 in its ustar header (what a writer does for blobs over 8 GiB) loads and verifies.
"$PY" - "$L" "$W/paxsize.tar" <<'PY'
import io, os, sys, tarfile
src, out = sys.argv[1], sys.argv[2]
def block_pad(n): return b"\0" * ((512 - n % 512) % 512)
with open(out, "wb") as f:
    def entry(name, data=None):
        if data is not None and name.startswith("blobs/sha256/"):
            size = str(len(data)).encode()
            rec = b"size=" + size + b"\n"
            n = len(rec) + 1
            n = len(str(n + len(str(n))).encode()) + len(rec) + 1
            rec = str(n).encode() + b" " + rec
            x = tarfile.TarInfo("././@PaxHeader"); x.type = tarfile.XHDTYPE; x.size = len(rec)
            f.write(x.tobuf(tarfile.USTAR_FORMAT)); f.write(rec + block_pad(len(rec)))
            i = tarfile.TarInfo(name); i.size = 0
        else:
            i = tarfile.TarInfo(name)
            if data is None: i.type = tarfile.DIRTYPE
            else: i.size = len(data)
        f.write(i.tobuf(tarfile.USTAR_FORMAT))
        if data is not None: f.write(data + block_pad(len(data)))
    for n in ("oci-layout", "index.json"):
        entry(n, open(os.path.join(src, n), "rb").read())
    entry("blobs/"); entry("blobs/sha256/")
    for b in sorted(os.listdir(os.path.join(src, "blobs/sha256"))):
        entry("blobs/sha256/" + b, open(os.path.join(src, "blobs/sha256", b), "rb").read())
    f.write(b"\0" * 1024)
PY
sig load --tar "$W/paxsize.tar" "$PX_HOST/paxsize/img"
expect "6t load --tar: pax sizes (ustar size 0) are used: 0" 0
sig verify "$PX_HOST/paxsize/img@$D" --key "$W/k1.pub"
expect "6t verify after the pax-size tar" 0
check "6t nothing pushed by a refused load" eq "$(curl -s "http://$DST_HOST/v2/evil/img/tags/list" | grep -c '"tags":\[')" 0

# =============================================================================================
section "7. faults"
# consistent HOST REPO DIGEST: a signature at the destination only with its image.
consistent() {
  local m s
  m=$(manifest "$1" "$2" "$3")
  s=$(manifest "$1" "$2" "$(sig_tag "$3")")
  [[ $s == absent || $m != absent ]]
}
fault_case() { # NAME PROXY PLAN_JSON WANT_RC REPO
  local name=$1 px=$2 plan=$3 want=$4 repo=$5
  proxy_plan "$px" "$plan"
  sig copy "$S@$D" "$PX_HOST/$repo:v1" --recursive
  if [[ $RC != "$want" ]]; then
    failed "7 $name: want exit $want"
  else
    pass "7 $name: exit $want"
  fi
  check "7 $name: no signature without its image at the destination" consistent "$DST_HOST" "$repo" "$D"
  proxy_clear_plan PS
  proxy_clear_plan PX
  sig copy "$S@$D" "$PX_HOST/$repo:v1" --recursive
  expect "7 $name: a re-run completes" 0
  sig verify "$PX_HOST/$repo@$D" --key "$W/k1.pub"
  expect "7 $name: verify after the re-run" 0
}
fault_case "a reset mid-blob at the source, once (retried)" PS \
  '[{"method":"GET","path":"/blobs/sha256:","fault":"reset","count":1}]' 0 faults/reset1
fault_case "a reset mid-blob on every source GET" PS \
  '[{"method":"GET","path":"/blobs/sha256:","fault":"reset"}]' 20 faults/reset
fault_case "500 on the index manifest PUT" PX \
  '[{"method":"PUT","path":"/manifests/'"$D"'","fault":"status","status":500}]' 20 faults/m500
fault_case "413 on blob uploads" PX \
  '[{"method":"PUT","path":"/blobs/uploads/","fault":"status","status":413}]' 20 faults/b413
fault_case "507 on blob uploads" PX \
  '[{"method":"PUT","path":"/blobs/uploads/","fault":"status","status":507}]' 20 faults/b507
fault_case "500 on the .sig PUT (after the image)" PX \
  '[{"method":"PUT","path":"\\.sig$","fault":"status","status":500}]' 20 faults/s500

# =============================================================================================
section "8. a copy racing signers of the same destination tag"
for round in 1 2 3; do
  run push_test_image "$SRC_HOST" race/img "r$round"
  R=$OUT
  S_RACE=$PS_HOST/race/img
  sig sign "$S_RACE@$R" --key "$K1"
  expect "8.$round sign the source with k1" 0
  sig copy "$S_RACE@$R" "$PX_HOST/race/img" --only referrers
  expect "8.$round copy the image alone (--only referrers): no .sig at the destination yet" 0
  check "8.$round no .sig at the destination before the race" eq \
    "$(manifest "$DST_HOST" race/img "$(sig_tag "$R")")" absent
  RD=$W/race$round
  mkdir -p "$RD"
  (env SIGIL_PASSWORD="$PW" timeout 120 "$SIGIL" copy "$S_RACE@$R" "$PX_HOST/race/img" </dev/null >"$RD/copy" 2>&1
    echo $? >"$RD/copy.rc") &
  PIDS=($!)
  for k in 2 3; do
    (env SIGIL_PASSWORD="$PW" timeout 120 "$SIGIL" sign "$PX_HOST/race/img@$R" --key "$W/k$k.key" \
      </dev/null >"$RD/k$k" 2>&1
      echo $? >"$RD/k$k.rc") &
    PIDS+=($!)
  done
  wait "${PIDS[@]}"
  check "8.$round copy and both signers exit 0" eq "$(cat "$RD/copy.rc" "$RD/k2.rc" "$RD/k3.rc" | tr '\n' ' ')" "0 0 0 "
  check "8.$round the destination's .sig holds all 3 signatures" eq "$(layers_of "$DST_HOST" race/img "$(sig_tag "$R")")" 3
  for k in k1 k2 k3; do
    sig verify "$PX_HOST/race/img@$R" --key "$W/$k.pub"
    expect "8.$round $k's signature verifies at the destination" 0
  done
done

finish
