#!/usr/bin/env bash
# The registry client against real registries (Debian docker-registry 2.8) in every
# configuration, driven through sigil_registry_probe (the library operations) and the sigil CLI
# (resolve, triangulate, tree, login), with a fault-injecting proxy in front for request counts
# and failures.
# Usage: test_registry_client.sh PATH_TO_SIGIL [PATH_TO_SIGIL_REGISTRY_PROBE]
#
#  A. anonymous HTTP: push (library and skopeo), resolve, manifests, index children, blobs
#     (streamed, monolithic, chunked, mounted, skipped), tags, referrers fallback, CLI output
#  B. deletes enabled: delete by tag and digest
#  C. htpasswd Basic over TLS: --ca-file, SSL_CERT_FILE, untrusted CA, --allow-insecure-registry,
#     sigil login writing config.json, redirect of a blob GET to another host
#  D. token auth: alice push/pull, bob refused, anonymous public/*, re-authentication
#  E. faults: 429/500/502/503, resets, long bodies, wrong manifest bytes, HTML 404 on referrers,
#     trickle timeout, --max-attempts
#  F. request counts (table) and keep-alive
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/lib.sh"
source "$HERE/registry_lib.sh"

find_probe "${2:-}"

require_tools "$REGISTRY_BIN" "$REGISTRY_SKOPEO" htpasswd openssl curl "$PY"
require_probe
skip_suite_if_missing "registry client tests"

# Nothing of the user's: no docker config, no CA bundle override, no CI registry.
isolate_home

# --- helpers ---------------------------------------------------------------------------------
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
probe() { run timeout 60 "$PROBE" "$@"; }
sig() { run timeout 60 "$SIGIL" "$@"; }
# Requests the probe's transport sent (its last stderr line).
sent() { sed -n 's/^requests: //p' <<<"$ERR" | tail -1; }
# jget EXPR: evaluates EXPR over d, the JSON of the last stdout line.
jget() { "$PY" -c 'import json,sys; d=json.loads(sys.argv[1].splitlines()[-1]); print(eval(sys.argv[2]))' "$OUT" "$1"; }
jfile() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
sha256_of() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }
# proxy_lines NAME: the request log, one "conn METHOD target status auth" line per request.
proxy_lines() {
  "$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    if l.strip():
        e = json.loads(l)
        print(e["conn"], e["method"], e["target"], e["status"], e["auth_scheme"] or "-")' "$(_registry_var "$1" REQUESTS)"
}
# issued NAME USER: tokens the issuer of registry NAME granted to USER.
issued() {
  "$PY" -c '
import json, sys
n = 0
for l in open(sys.argv[1]):
    if l.strip():
        e = json.loads(l)
        n += e.get("user") == sys.argv[2] and e.get("status") == 200
print(n)' "$(_registry_var "$1" ISSUER_LOG)" "$2"
}
layout() { # layout DIR TAG [make_oci_layout options]: prints the top digest, writes DIR.json
  local dir=$1 tag=$2
  shift 2
  "$PY" "$REGISTRY_TOOLS_DIR/make_oci_layout.py" "$dir" "$tag" --info "$dir.json" "$@"
}
COUNT_TABLE=()
record() { COUNT_TABLE+=("$(printf '%-44s %8s %10s %6s' "$1" "$2" "$3" "$4")"); }

# referrer_layout DIR SUBJECT_DIGEST SUBJECT_SIZE TAG: an OCI layout whose TAG names a
# referrers fallback index listing two artifact manifests (types a and b) with that subject.
referrer_layout() {
  "$PY" - "$@" <<'EOF'
import hashlib, json, os, sys
root, subject, size, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
def put(data, mt, **extra):
    h = hashlib.sha256(data).hexdigest()
    open(os.path.join(root, "blobs", "sha256", h), "wb").write(data)
    return {"mediaType": mt, "digest": "sha256:" + h, "size": len(data), **extra}
empty = put(b"{}", "application/vnd.oci.empty.v1+json")
entries = []
for kind in ("a", "b"):
    at = "application/vnd.sigil.test.%s+json" % kind
    layer = put(json.dumps({"kind": kind}).encode(), "application/json")
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "artifactType": at, "config": empty, "layers": [layer],
         "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                     "digest": subject, "size": size}}
    entries.append(put(json.dumps(m, separators=(",", ":")).encode(),
                       "application/vnd.oci.image.manifest.v1+json", artifactType=at))
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
         "manifests": entries}
top = put(json.dumps(index, separators=(",", ":")).encode(),
          "application/vnd.oci.image.index.v1+json")
top["annotations"] = {"org.opencontainers.image.ref.name": tag}
json.dump({"schemaVersion": 2, "manifests": [top]}, open(os.path.join(root, "index.json"), "w"))
print(" ".join(e["digest"] for e in entries))
EOF
}

# =============================================================================================
section "A. anonymous HTTP registry (through the proxy PX)"
start_registry REG anon || { failed "start anonymous registry"; finish; exit; }
start_fault_proxy PX "$REG_URL" || { failed "start proxy"; finish; exit; }
IMG=$PX_HOST/app/demo

DEMO=$(layout "$TEST_TMP/demo" v1 --layers 3 --layer-size 2048)
proxy_reset_log PX
probe push-layout "$TEST_TMP/demo" v1 "$IMG:v1"
expect "anon: push-layout of a 3-layer image" 0 && check "anon: pushed digest is the layout's" eq "$(jget 'd["digest"]')" "$DEMO"
check "anon: push sent blobs before the manifest (4 blobs, then 1 manifest PUT last)" eq \
  "$(jget 'd["blobs"]') $(proxy_lines PX | tail -1 | cut -d' ' -f2,3)" "4 PUT /v2/app/demo/manifests/v1"
n_push=$(proxy_count PX)
record "push 3-layer image (library, new blobs)" "$n_push" "$(sent)" "$(proxy_connections PX)"
check "anon: push <= 4 requests per blob + 1 manifest" le "$n_push" $((4 * 4 + 1))
check "anon: push uses one connection (keep-alive)" eq "$(proxy_connections PX)" 1
check "anon: proxy saw every request the transport sent" eq "$n_push" "$(sent)"

proxy_reset_log PX
probe push-layout "$TEST_TMP/demo" v1 "$IMG:v1"
expect "anon: second push of the same image" 0
check "anon: second push uploads nothing (one mount POST per blob answering 201 + manifest PUT)" eq \
  "$(proxy_count PX HEAD /blobs/) $(proxy_count PX POST /blobs/uploads/ 201) $(proxy_count PX PUT /blobs/) $(proxy_count PX PUT /manifests/)" "0 4 0 1"
record "push 3-layer image (library, blobs exist)" "$(proxy_count PX)" "$(sent)" "$(proxy_connections PX)"

run push_test_image "$REG_HOST" app/skopeo v1 --layers 3 --info "$TEST_TMP/skopeo.json"
expect "anon: push a 3-layer image with skopeo" 0
SKOPEO_DIGEST=$OUT
proxy_reset_log PX
probe resolve "$PX_HOST/app/skopeo:v1"
expect "anon: resolve skopeo's image by tag" 0 && check "anon: ... to skopeo's digest" eq "$(jget 'd["digest"]')" "$SKOPEO_DIGEST"
probe get-manifest "$PX_HOST/app/skopeo@$SKOPEO_DIGEST"
expect "anon: get skopeo's manifest by digest" 0
SKOPEO_LAYER=$(jfile "$TEST_TMP/skopeo.json" 'd["manifests"][0]["layers"][2]')
SKOPEO_LAYER_FILE=$(find "$TEST_TMP" -path "*/layout/blobs/sha256/${SKOPEO_LAYER#sha256:}" | head -1)
probe get-blob "$PX_HOST/app/skopeo" "$SKOPEO_LAYER" "$(stat -c %s "$SKOPEO_LAYER_FILE")"
expect "anon: get a layer skopeo pushed" 0

proxy_reset_log PX
probe resolve "$IMG:v1"
expect "anon: resolve by tag" 0 && check "anon: resolve by tag gives the digest" eq "$(jget 'd["digest"]')" "$DEMO"
record "resolve by tag" "$(proxy_count PX)" "$(sent)" "$(proxy_connections PX)"
check "anon: resolve by tag is one HEAD" eq "$(proxy_lines PX | cut -d' ' -f2 | tr '\n' ' ')" "HEAD "
proxy_reset_log PX
probe resolve "$IMG@$DEMO"
expect "anon: resolve by digest" 0
record "resolve by digest" "$(proxy_count PX)" "$(sent)" "$(proxy_connections PX)"
check "anon: resolve <= 1 request (proxy log and transport)" eq "$(proxy_count PX) $(sent)" "1 1"
proxy_reset_log PX
probe get-manifest "$IMG@$DEMO" --out "$TEST_TMP/demo.manifest"
expect "anon: get manifest by digest" 0
record "get manifest by digest" "$(proxy_count PX)" "$(sent)" "$(proxy_connections PX)"
check "anon: manifest bytes hash to the digest" eq "$(sha256_of "$TEST_TMP/demo.manifest")" "$DEMO"
check "anon: manifest kind and media type" eq "$(jget 'd["kind"] + " " + d["mediaType"]')" \
  "image application/vnd.oci.image.manifest.v1+json"
probe get-manifest "$IMG:nope"
expect "anon: unknown tag is not found (exit 11)" 11 "not found"

section "A. index"
INDEX=$(layout "$TEST_TMP/multi" v1 --index --layers 1)
proxy_reset_log PX
probe push-layout "$TEST_TMP/multi" v1 "$PX_HOST/app/multi:v1"
expect "anon: push-layout of a two-platform index" 0 &&
  check "anon: index digest is the layout's; 3 manifests" eq "$(jget 'd["digest"]') $(jget 'd["manifests"]')" "$INDEX 3"
check "anon: children are pushed before the index" eq \
  "$(proxy_lines PX | grep ' PUT /v2/app/multi/manifests/' | cut -d' ' -f3 | sed 's|.*/||' | sed 's/sha256:.*/digest/' | tr '\n' ' ')" \
  "digest digest v1 "
probe index-children "$PX_HOST/app/multi:v1"
expect "anon: index-children" 0
check "anon: index children are linux/amd64 and linux/arm64/v8 with the layout's digests" eq \
  "$(jget '" ".join(c["platform"] + "=" + c["digest"] for c in d["children"])')" \
  "linux/amd64=$(jfile "$TEST_TMP/multi.json" 'd["manifests"][0]["digest"]') linux/arm64/v8=$(jfile "$TEST_TMP/multi.json" 'd["manifests"][1]["digest"]')"
run push_test_image "$REG_HOST" app/skopeo-multi v1 --index
expect "anon: skopeo pushes an index" 0
probe index-children "$PX_HOST/app/skopeo-multi:v1"
expect "anon: index-children of skopeo's index" 0 &&
  check "anon: ... two platforms" eq "$(jget '",".join(c["platform"] for c in d["children"])')" "linux/amd64,linux/arm64/v8"
probe index-children "$IMG:v1"
expect "anon: index-children of an image manifest is refused" 30 "is an image manifest, not an index"

section "A. blobs"
LAYER=$(jfile "$TEST_TMP/demo.json" 'd["manifests"][0]["layers"][1]')
LAYER_FILE=$TEST_TMP/demo/blobs/sha256/${LAYER#sha256:}
LAYER_SIZE=$(stat -c %s "$LAYER_FILE")
proxy_reset_log PX
probe get-blob "$IMG" "$LAYER" "$LAYER_SIZE" --out "$TEST_TMP/layer.out"
expect "anon: get-blob streamed to a file" 0
check "anon: blob file matches digest and size" eq "$(sha256_of "$TEST_TMP/layer.out") $(stat -c %s "$TEST_TMP/layer.out")" "$LAYER $LAYER_SIZE"
check "anon: get-blob is one GET" eq "$(proxy_count PX GET /blobs/)" 1
probe get-blob "$IMG" "$LAYER" $((LAYER_SIZE + 1)) --out "$TEST_TMP/layer.bad"
expect "anon: blob shorter than its descriptor is refused (exit 30)" 30 "has $LAYER_SIZE bytes, its descriptor says $((LAYER_SIZE + 1))"
check "anon: no file left behind by a refused blob" test ! -e "$TEST_TMP/layer.bad" -a ! -e "$TEST_TMP/layer.bad.part"
probe get-blob "$IMG" "$LAYER" $((LAYER_SIZE - 1)) --out "$TEST_TMP/layer.bad"
expect "anon: blob larger than its descriptor is refused (exit 30, bad content)" 30 "is larger than its descriptor says ($((LAYER_SIZE - 1)) bytes)"
probe get-blob "$IMG" "sha256:$(printf 'x%.0s' {1..64} | sha256sum | cut -d' ' -f1)" 10
expect "anon: unknown blob is not found (exit 11)" 11 "404 not found: BLOB_UNKNOWN"

head -c 100000 /dev/urandom >"$TEST_TMP/mono.bin"
MONO=$(sha256_of "$TEST_TMP/mono.bin")
proxy_reset_log PX
probe put-blob "$IMG" "$TEST_TMP/mono.bin"
expect "anon: put-blob monolithic" 0 && check "anon: put-blob digest" eq "$(jget 'd["digest"]')" "$MONO"
check "anon: monolithic upload is POST (mount as existence check, 202) + PUT with the data" eq \
  "$(proxy_lines PX | cut -d' ' -f2 | tr '\n' ' ')$(proxy_count PX PATCH)" "POST PUT 0"
head -c 100000 /dev/urandom >"$TEST_TMP/chunked.bin"
CHUNKED=$(sha256_of "$TEST_TMP/chunked.bin")
proxy_reset_log PX
probe put-blob "$IMG" "$TEST_TMP/chunked.bin" --chunked-threshold 32768
expect "anon: put-blob chunked" 0
check "anon: chunked upload is 4 PATCHes of <= 32 KiB then an empty PUT" eq \
  "$(proxy_count PX PATCH) $(proxy_count PX PUT) $("$PY" -c '
import json, sys
es = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(max(e["bytes_in"] for e in es if e["method"] == "PATCH"), [e["bytes_in"] for e in es if e["method"] == "PUT"][0])' "$PX_REQUESTS")" \
  "4 1 32768 0"
probe get-blob "$IMG" "$CHUNKED" 100000 --out "$TEST_TMP/chunked.out"
expect "anon: chunked blob reads back" 0 && check "anon: ... with the same bytes" cmp -s "$TEST_TMP/chunked.bin" "$TEST_TMP/chunked.out"

proxy_reset_log PX
probe put-blob "$PX_HOST/app/other" "$TEST_TMP/mono.bin" --mount-from "$IMG"
expect "anon: put-blob with a cross-repository mount" 0
check "anon: mount is POST ?mount=&from= (201), no data sent" eq \
  "$(proxy_count PX POST "mount=$MONO&from=app/demo" 201) $(proxy_count PX PUT) $(proxy_count PX PATCH)" "1 0 0"
probe get-blob "$PX_HOST/app/other" "$MONO" 100000
expect "anon: mounted blob is readable in the other repository" 0
proxy_reset_log PX
probe put-blob "$PX_HOST/app/other" "$TEST_TMP/mono.bin"
expect "anon: put-blob of an existing blob" 0
check "anon: existing blob: one mount POST answering 201, nothing uploaded" eq "$(proxy_lines PX | cut -d' ' -f2,4 | tr '\n' ' ')" "POST 201 "

section "A. tags, referrers fallback, CLI"
probe push-layout "$TEST_TMP/demo" v1 "$IMG:v2"
expect "anon: tag the image again" 0
probe list-tags "$IMG"
expect "anon: list-tags" 0 && check "anon: tags of app/demo" eq "$(jget '",".join(d["tags"])')" "v1,v2"
probe list-tags "$PX_HOST/app/none"
expect "anon: tags of an unknown repository" 0 && check "anon: ... are empty" eq "$(jget 'len(d["tags"])')" 0

probe referrers "$IMG@$DEMO"
expect "anon: referrers without any" 0 && check "anon: no API on distribution 2.8, none found" eq "$(jget 'd["api"], len(d["manifests"])')" "(False, 0)"
FALLBACK_TAG=sha256-${DEMO#sha256:}
DEMO_SIZE=$(stat -c %s "$TEST_TMP/demo.manifest")
read -r ART_A ART_B < <(referrer_layout "$TEST_TMP/refs" "$DEMO" "$DEMO_SIZE" "$FALLBACK_TAG")
probe push-layout "$TEST_TMP/refs" "$FALLBACK_TAG" "$IMG:$FALLBACK_TAG"
expect "anon: push a fallback index (two artifacts with a subject) under $FALLBACK_TAG" 0
proxy_reset_log PX
probe referrers "$IMG:v1"
expect "anon: referrers through the fallback tag" 0 &&
  check "anon: both artifacts listed, api false" eq "$(jget 'd["api"], [m["digest"] for m in d["manifests"]]')" "(False, ['$ART_A', '$ART_B'])"
check "anon: the API answered a plain-text 404, then the fallback tag was read" eq \
  "$(proxy_lines PX | cut -d' ' -f2-4 | sed "s/$FALLBACK_TAG/TAG/; s/sha256:[0-9a-f]*/DIGEST/g" | tr '\n' ';')" \
  "HEAD /v2/app/demo/manifests/v1 200;GET /v2/app/demo/referrers/DIGEST 404;GET /v2/app/demo/manifests/TAG 200;"
probe referrers "$IMG@$DEMO" --artifact-type application/vnd.sigil.test.b+json
expect "anon: referrers filtered by artifact type" 0 &&
  check "anon: ... only artifact b" eq "$(jget '[(m["digest"], m["artifactType"]) for m in d["manifests"]]')" \
    "[('$ART_B', 'application/vnd.sigil.test.b+json')]"

sig resolve "$IMG:v1"
expect "cli: sigil resolve" 0 && check "cli: resolve prints the reference by digest" eq "$OUT" "$IMG@$DEMO"
sig triangulate "$IMG:v1"
expect "cli: sigil triangulate" 0 && check "cli: triangulate names the .sig tag" eq "$OUT" "$IMG:sha256-${DEMO#sha256:}.sig"
sig triangulate "$IMG:v1" --type attestation
expect "cli: sigil triangulate --type attestation" 0 && check "cli: ... the .att tag" eq "$OUT" "$IMG:sha256-${DEMO#sha256:}.att"
proxy_reset_log PX
sig -d tree "$IMG:v1" -o json
expect "cli: sigil tree -o json" 0 &&
  check "cli: tree lists the fallback referrers" eq "$(jget 'd["image"], d["referrersApi"], [r["artifactType"] for r in d["referrers"]], d["tags"]')" \
    "('$IMG@$DEMO', False, ['application/vnd.sigil.test.a+json', 'application/vnd.sigil.test.b+json'], [])"
record "sigil tree (image with fallback referrers)" "$(proxy_count PX)" "$(grep -c '^sigil: http: ' <<<"$ERR")" "$(proxy_connections PX)"
check "cli: -d logs one line per request" eq "$(grep -c '^sigil: http: ' <<<"$ERR")" "$(proxy_count PX)"
check "cli: tree uses one connection" eq "$(proxy_connections PX)" 1
sig tree "$PX_HOST/app/multi:v1" -o text
expect "cli: sigil tree -o text of an index" 0 &&
  check "cli: text tree shows both platforms" eq "$(grep -c 'platform linux/' <<<"$OUT")" 2
sig tree "$IMG:v1" -o text
expect "cli: sigil tree -o text" 0 && expect_out "cli: text tree names the fallback tag" "referrers (fallback tag)"

# libcurl is loaded with dlopen on first network use: a command that needs the network names the
# missing library and what to install (exit 20), while version and the offline commands never
# load it. An unloadable libcurl.so.4 first on LD_LIBRARY_PATH stands in for a missing one.
mkdir -p "$TEST_TMP/nocurl"
printf 'not an ELF file\n' >"$TEST_TMP/nocurl/libcurl.so.4"
run env LD_LIBRARY_PATH="$TEST_TMP/nocurl" "$SIGIL" resolve "$IMG:v1"
expect "cli: without a loadable libcurl, resolve fails naming the library" 20 "cannot load libcurl.so.4" &&
  expect "cli: ... and what to install" 20 "apt install libcurl4"
check "cli: ... in one line" eq "$(grep -c . <<<"$ERR")" 1
run env LD_LIBRARY_PATH="$TEST_TMP/nocurl" "$SIGIL" version
expect "cli: sigil version does not load libcurl" 0
run env LD_DEBUG=files "$SIGIL" version
check "cli: sigil version maps no libcurl (LD_DEBUG=files)" eq "$(grep -c 'file=libcurl' <<<"$ERR")" 0
run env LD_DEBUG=files "$SIGIL" resolve "$IMG:v1"
expect "cli: resolve works with libcurl loaded on demand" 0 &&
  check "cli: ... which maps libcurl.so.4 once" eq "$(grep -c 'file=libcurl.so.4 \[0\];  dynamically loaded' <<<"$ERR")" 1

# =============================================================================================
section "B. registry with deletes enabled"
start_registry DEL deletes || failed "start deletes registry"
layout "$TEST_TMP/del" v1 >/dev/null
probe push-layout "$TEST_TMP/del" v1 "$DEL_HOST/app/gone:v1"
expect "del: push" 0
DEL_DIGEST=$(jget 'd["digest"]')
probe delete "$DEL_HOST/app/gone:v1"
expect "del: delete by tag (resolved to its digest)" 0 && check "del: deleted that digest" eq "$(jget 'd["deleted"]')" "$DEL_HOST/app/gone@$DEL_DIGEST"
probe resolve "$DEL_HOST/app/gone@$DEL_DIGEST"
expect "del: deleted manifest is gone (exit 11)" 11 "not found"
probe delete "$DEL_HOST/app/gone@$DEL_DIGEST"
expect "del: deleting it again is not found" 11 "404 not found: MANIFEST_UNKNOWN"
probe delete "$IMG:v2"
expect "del: delete on a registry without storage.delete is refused (exit 20)" 20 "405 method not allowed: UNSUPPORTED"

# =============================================================================================
section "C. htpasswd Basic auth over TLS"
start_registry SEC htpasswd-tls || failed "start TLS registry"
SECIMG=$SEC_HOST/app/sec
CREDS=(--registry-username "$SEC_USER" --registry-password "$SEC_PASSWORD")
layout "$TEST_TMP/sec" v1 --layers 2 >/dev/null
probe push-layout "$TEST_TMP/sec" v1 "$SECIMG:v1" "${CREDS[@]}" --ca-file "$SEC_CA"
expect "tls: push with --ca-file and credentials" 0
SEC_DIGEST=$(jget 'd["digest"]')
probe resolve "$SECIMG:v1" "${CREDS[@]}" --ca-file "$SEC_CA"
expect "tls: resolve with --ca-file" 0 && check "tls: ... the pushed digest" eq "$(jget 'd["digest"]')" "$SEC_DIGEST"
check "tls: resolve on a TLS loopback registry: <= 3 requests (http probe, 401, HEAD)" le "$(sent)" 3
record "resolve by tag (Basic over TLS, loopback)" - "$(sent)" -
SSL_CERT_FILE=$SEC_CA probe get-manifest "$SECIMG@$SEC_DIGEST" "${CREDS[@]}"
expect "tls: get-manifest trusting the CA through SSL_CERT_FILE" 0
SSL_CERT_FILE=$SEC_CA sig resolve "$SECIMG:v1" "${CREDS[@]}"
expect "tls: sigil resolve with SSL_CERT_FILE" 0 && check "tls: ... prints the digest" eq "$OUT" "$SECIMG@$SEC_DIGEST"
probe resolve "$SECIMG:v1" "${CREDS[@]}"
expect "tls: untrusted certificate is refused (exit 20)" 20 "certificate"
sig resolve "$SECIMG:v1" "${CREDS[@]}"
expect "tls: sigil refuses the untrusted certificate too" 20 "certificate"
probe resolve "$SECIMG:v1" "${CREDS[@]}" --allow-insecure-registry
expect "tls: --allow-insecure-registry accepts it" 0 "warning: --allow-insecure-registry: registry TLS certificates are NOT verified"
sig resolve "$SECIMG:v1" "${CREDS[@]}" --allow-insecure-registry
expect "cli: sigil resolve --allow-insecure-registry warns" 0 "registry TLS certificates are NOT verified"
# An expired certificate and one for another host name, both from a CA the client trusts
# (--ca-file): each refused with its reason; --allow-insecure-registry goes through (TLS front
# -> the anonymous registry REG), with its warning every time.
for kind in expired wrong-host; do
  var=TLS_${kind//-/_}
  start_tls_front "$var" "$kind" "$REG_PORT" || { failed "tls: start the $kind TLS front"; continue; }
  host_var=${var}_HOST
  front=${!host_var}
  case $kind in
    expired) reason="certificate has expired (the registry's certificate is outside its validity period" ;;
    wrong-host) reason="no alternative certificate subject name matches target host name '127.0.0.1' (the registry's certificate is not issued for 127.0.0.1" ;;
  esac
  sig resolve "$front/app/demo:v1" --ca-file "$SEC_CA"
  expect "tls: $kind certificate refused (exit 20) with the reason" 20 "$reason"
  [[ $ERR != *"trust the registry's CA"* ]] && pass "tls: $kind: no misleading CA hint" || failed "tls: $kind: CA hint for a $kind certificate"
  probe resolve "$front/app/demo:v1" --ca-file "$SEC_CA"
  expect "tls: $kind certificate refused by the library too" 20 "$reason"
  sig resolve "$front/app/demo:v1" --ca-file "$SEC_CA" --allow-insecure-registry
  expect "tls: $kind certificate with --allow-insecure-registry: resolves, with the warning" 0 \
    "warning: --allow-insecure-registry: registry TLS certificates are NOT verified"
  check "tls: $kind: ... the digest through the front" eq "$OUT" "$front/app/demo@$DEMO"
  sig resolve "$front/app/demo:v1" --ca-file "$SEC_CA" --allow-insecure-registry
  expect "tls: $kind: the warning is printed every time" 0 "registry TLS certificates are NOT verified"
done

probe resolve "$SECIMG:v1" --ca-file "$SEC_CA"
expect "tls: no credentials: exit 21" 21 "authentication required by $SEC_HOST: no credentials; run sigil login $SEC_HOST"
probe resolve "$SECIMG:v1" --registry-username alice --registry-password not-the-password --ca-file "$SEC_CA"
expect "tls: wrong password: exit 21" 21 "401 unauthorized"
# An auth failure names the real URL, the credentials used and the cause in words (issue 18).
sig resolve "$SECIMG:v1" --registry-username alice --registry-password not-the-password --ca-file "$SEC_CA"
expect "auth error: the URL, the flags as the source, wrong password" 21 \
  "sigil: error: HEAD https://$SEC_HOST/v2/app/sec/manifests/v1: 401 unauthorized: wrong user name or password (credentials: --registry-username/--registry-password, user alice)"
mkdir -p "$TEST_TMP/bad-docker"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$SEC_HOST" "$(printf alice:not-the-password | base64)" >"$TEST_TMP/bad-docker/config.json"
DOCKER_CONFIG=$TEST_TMP/bad-docker sig resolve "$SECIMG:v1" --ca-file "$SEC_CA"
expect "auth error: the config.json entry as the source" 21 \
  "401 unauthorized: wrong user name or password (credentials: the auths entry for $SEC_HOST in $TEST_TMP/bad-docker/config.json, user alice)"
DOCKER_CONFIG=$TEST_TMP/no-docker CI_REGISTRY=$SEC_HOST CI_REGISTRY_USER=alice CI_REGISTRY_PASSWORD=not-the-password \
  sig resolve "$SECIMG:v1" --ca-file "$SEC_CA"
expect "auth error: GitLab CI's variables as the source" 21 \
  "401 unauthorized: wrong user name or password (credentials: CI_REGISTRY_USER/CI_REGISTRY_PASSWORD, user alice)"
probe ping "$SEC_HOST" "${CREDS[@]}" --ca-file "$SEC_CA"
expect "tls: ping with credentials" 0

# sigil login: config.json written 0600, other entries kept; then no credential flags needed.
LOGIN_DIR=$TEST_TMP/login-docker
mkdir -p "$LOGIN_DIR"
printf '{"auths":{"other.example":{"auth":"b3RoZXI6c2VjcmV0"}},"psFormat":"table {{.ID}}"}\n' >"$LOGIN_DIR/config.json"
chmod 644 "$LOGIN_DIR/config.json"
run env DOCKER_CONFIG="$LOGIN_DIR" timeout 60 "$SIGIL" login "$SEC_HOST" -u alice --password-stdin --ca-file "$SEC_CA" <<<"not-the-password"
expect "login: wrong password refused (exit 21), nothing saved, said in words" 21 \
  "sigil: error: logging in to $SEC_HOST: GET https://$SEC_HOST/v2/: 401 unauthorized: UNAUTHORIZED: authentication required: wrong user name or password (credentials: the user name and password given to sigil login, user alice)"
check "login: config unchanged after a refused login" eq "$(jfile "$LOGIN_DIR/config.json" 'sorted(d["auths"])')" "['other.example']"
run env DOCKER_CONFIG="$LOGIN_DIR" timeout 60 "$SIGIL" login "$SEC_HOST" -u alice --password-stdin --ca-file "$SEC_CA" <<<"$SEC_PASSWORD"
expect "login: sigil login to the TLS registry" 0 "Login succeeded"
check "login: config.json is mode 0600" eq "$(stat -c %a "$LOGIN_DIR/config.json")" 600
check "login: credentials saved, other entries and keys kept" eq \
  "$(jfile "$LOGIN_DIR/config.json" '(sorted(d["auths"]), d["psFormat"], d["auths"]["other.example"]["auth"])')" \
  "(['$SEC_HOST', 'other.example'], 'table {{.ID}}', 'b3RoZXI6c2VjcmV0')"
check "login: the saved auth is alice's" eq "$(jfile "$LOGIN_DIR/config.json" "d['auths']['$SEC_HOST']['auth']" | base64 -d)" "alice:$SEC_PASSWORD"
DOCKER_CONFIG=$LOGIN_DIR probe resolve "$SECIMG:v1" --ca-file "$SEC_CA"
expect "login: probe resolve with DOCKER_CONFIG, no credential flags" 0
DOCKER_CONFIG=$LOGIN_DIR sig resolve "$SECIMG:v1" --ca-file "$SEC_CA"
expect "login: sigil resolve with DOCKER_CONFIG, no credential flags" 0 && check "login: ... the digest" eq "$OUT" "$SECIMG@$SEC_DIGEST"
# cosign's (and docker's) spellings: login -p/--password with docker's warning (the value is
# never printed), --registry-cacert for --ca-file.
LOGIN_P=$TEST_TMP/login-p
run env DOCKER_CONFIG="$LOGIN_P" timeout 60 "$SIGIL" login "$SEC_HOST" -u alice -p "$SEC_PASSWORD" --registry-cacert "$SEC_CA"
expect "login -p --registry-cacert (cosign's spelling): logged in, with docker's warning" 0 \
  "sigil: warning: using --password on the command line is insecure: the password lands in your shell history and is visible to other users in the process list; use --password-stdin" &&
  check "login -p: ... the password is not printed, the saved auth is alice's" eq \
    "$(grep -c -- "$SEC_PASSWORD" <<<"$OUT$ERR") $(jfile "$LOGIN_P/config.json" "d['auths']['$SEC_HOST']['auth']" | base64 -d)" "0 alice:$SEC_PASSWORD"
run env DOCKER_CONFIG="$LOGIN_P" timeout 60 "$SIGIL" login "$SEC_HOST" -u alice --password "$SEC_PASSWORD" --password-stdin <<<"$SEC_PASSWORD"
expect "login --password with --password-stdin: refused" 2 \
  "sigil: error: --password and --password-stdin are mutually exclusive: use --password-stdin" &&
  check "login: ... without printing the password" eq "$(grep -c -- "$SEC_PASSWORD" <<<"$OUT$ERR")" 0
DOCKER_CONFIG=$LOGIN_P sig resolve "$SECIMG:v1" --registry-cacert "$SEC_CA"
expect "resolve --registry-cacert (cosign's name for --ca-file)" 0 && check "--registry-cacert: ... the digest" eq "$OUT" "$SECIMG@$SEC_DIGEST"
DOCKER_CONFIG=$LOGIN_P sig resolve "$SECIMG:v1"
expect "resolve without the CA: a TLS error (so --registry-cacert did the work above)" 20 "certificate"

section "C. redirect of a blob GET to another host (TLS proxy SPX, Basic auth)"
start_fault_proxy SPX "$SEC_URL" || failed "start TLS proxy"
SEC_LAYER=$(jfile "$TEST_TMP/sec.json" 'd["manifests"][0]["layers"][0]')
SEC_LAYER_SIZE=$(stat -c %s "$TEST_TMP/sec/blobs/sha256/${SEC_LAYER#sha256:}")
proxy_plan SPX '[{"method":"GET","path":"/blobs/sha256:","auth":"Basic","fault":"redirect","count":1}]'
proxy_reset_log SPX
probe get-blob "$SPX_HOST/app/sec" "$SEC_LAYER" "$SEC_LAYER_SIZE" "${CREDS[@]}" --ca-file "$SEC_CA" --out "$TEST_TMP/sec.layer"
expect "redirect: blob GET redirected to another host succeeds" 0 &&
  check "redirect: ... with the right bytes" eq "$(sha256_of "$TEST_TMP/sec.layer")" "$SEC_LAYER"
check "redirect: the other host got the request, without Authorization" eq \
  "$(proxy_other_count SPX) $(proxy_other_count SPX auth)" "1 0"
check "redirect: the registry host itself got Basic credentials" ge "$(proxy_count SPX GET /blobs/ 307)" 1
check "redirect: the 307 was answered to an authenticated request" eq \
  "$(proxy_lines SPX | awk '$4 == 307 {print $5}')" "Basic"
proxy_clear_plan SPX

# =============================================================================================
section "D. token auth"
start_registry TOK token || failed "start token registry"
layout "$TEST_TMP/tok" v1 --layers 2 >/dev/null
ALICE=(--registry-username "$TOK_USER" --registry-password "$TOK_PASSWORD")
BOB=(--registry-username "$TOK_BOB_USER" --registry-password "$TOK_BOB_PASSWORD")
probe push-layout "$TEST_TMP/tok" v1 "$TOK_HOST/alice/app:v1" "${ALICE[@]}"
expect "token: alice pushes" 0
TOK_DIGEST=$(jget 'd["digest"]')
probe push-layout "$TEST_TMP/tok" v1 "$TOK_HOST/public/app:v1" "${ALICE[@]}"
expect "token: alice pushes to public/" 0
probe resolve "$TOK_HOST/alice/app:v1" "${ALICE[@]}"
expect "token: alice pulls" 0 && check "token: ... the pushed digest" eq "$(jget 'd["digest"]')" "$TOK_DIGEST"
record "resolve by tag (token auth, new process)" - "$(sent)" -
TOK_LAYER=$(jfile "$TEST_TMP/tok.json" 'd["manifests"][0]["layers"][0]')
probe get-blob "$TOK_HOST/alice/app" "$TOK_LAYER" "$(stat -c %s "$TEST_TMP/tok/blobs/sha256/${TOK_LAYER#sha256:}")" "${ALICE[@]}"
expect "token: alice gets a blob (the 401 challenge body is not taken for blob content)" 0
probe push-layout "$TEST_TMP/tok" v1 "$TOK_HOST/public/bob:v1" "${BOB[@]}"
expect "token: bob may not push (exit 21)" 21 "401 unauthorized: UNAUTHORIZED"
sig resolve "$TOK_HOST/alice/app:v1" "${BOB[@]}"
expect "auth error: a token without access to the repository: no access, in words" 21 \
  "sigil: error: HEAD http://$TOK_HOST/v2/alice/app/manifests/v1: 401 unauthorized: no access to repository alice/app with these credentials (credentials: --registry-username/--registry-password, user bob)"
sig resolve "$TOK_HOST/alice/app:v1" --registry-token not-a-valid-token
expect "auth error: a refused registry token: expired, revoked or no access" 21 \
  "401 unauthorized: the token was refused: it has expired or was revoked, or does not grant access to repository alice/app (credentials: --registry-token)"
DOCKER_CONFIG=$TEST_TMP/no-docker sig resolve "$TOK_HOST/alice/app:v1"
expect "auth error: anonymous: no credentials found, what to do" 21 \
  "sigil: error: HEAD http://$TOK_HOST/v2/alice/app/manifests/v1: 401 unauthorized: no credentials were found for $TOK_HOST and repository alice/app needs them; run sigil login $TOK_HOST or pass --registry-username/--registry-password"
probe resolve "$TOK_HOST/public/app:v1" "${BOB[@]}"
expect "token: bob pulls public/*" 0
probe resolve "$TOK_HOST/public/app:v1"
expect "token: anonymous pull of public/*" 0 && check "token: ... the pushed digest" eq "$(jget 'd["digest"]')" "$TOK_DIGEST"
probe resolve "$TOK_HOST/alice/app:v1"
expect "token: anonymous pull of alice/app refused (exit 21)" 21 "401 unauthorized"
probe resolve "$TOK_HOST/alice/app:v1" --registry-username alice --registry-password not-the-password
expect "token: wrong password refused by the issuer (exit 21)" 21 "refused the credentials for repository:alice/app:pull"
sig resolve "$TOK_HOST/alice/app:v1" --registry-username alice --registry-password not-the-password
expect "auth error: the token service's URL, the source, wrong password" 21 \
  "sigil: error: the token service $TOK_ISSUER_REALM of $TOK_HOST refused the credentials for repository:alice/app:pull: wrong user name or password (or an expired or revoked access token used as the password) (credentials: --registry-username/--registry-password, user alice): invalid username or password"
run env DOCKER_CONFIG="$TEST_TMP/tok-login" timeout 60 "$SIGIL" login "$TOK_HOST" -u alice --password-stdin <<<"$TOK_PASSWORD"
expect "token: sigil login against the token issuer" 0 "Login succeeded"
DOCKER_CONFIG=$TEST_TMP/tok-login probe resolve "$TOK_HOST/alice/app:v1"
expect "token: resolve with the saved login" 0

section "D. token expiry and re-authentication (tokens live 2 s, refused strictly)"
start_registry TOK2 token --expires-in 2 --strict-expiry || failed "start short-token registry"
start_fault_proxy TPX "$TOK2_URL" || failed "start token proxy"
ALICE2=(--registry-username "$TOK2_USER" --registry-password "$TOK2_PASSWORD")
layout "$TEST_TMP/tok2" v1 --layers 3 >/dev/null
probe push-layout "$TEST_TMP/tok2" v1 "$TPX_HOST/alice/app:v1" "${ALICE2[@]}"
expect "reauth: push" 0
before=$(issued TOK2 alice)
proxy_reset_log TPX
probe resolve "$TPX_HOST/alice/app:v1" "${ALICE2[@]}" --repeat 2 --pause 2.5
expect "reauth: two resolves 2.5 s apart in one process (token expired in between)" 0
check "reauth: a second token was fetched for the second resolve" eq "$(($(issued TOK2 alice) - before))" 2
check "reauth: each resolve: 401 then HEAD with the token" eq \
  "$(proxy_lines TPX | cut -d' ' -f2,4,5 | tr '\n' ';')" "HEAD 401 -;HEAD 200 Bearer;HEAD 401 -;HEAD 200 Bearer;"
# A token the registry refuses although the client still holds it (revoked): the second GET
# sends the cached token, gets a 401, fetches a new token and succeeds.
proxy_plan TPX "[{\"method\":\"GET\",\"path\":\"/manifests/\",\"auth\":\"Bearer\",\"fault\":\"status\",\"status\":401,\"skip\":1,\"count\":1,
  \"headers\":{\"WWW-Authenticate\":\"Bearer realm=\\\"$TOK2_ISSUER_REALM\\\",service=\\\"$TOK2_SERVICE\\\",scope=\\\"repository:alice/app:pull\\\",error=\\\"invalid_token\\\"\"}}]"
before=$(issued TOK2 alice)
proxy_reset_log TPX
probe get-manifest "$TPX_HOST/alice/app:v1" "${ALICE2[@]}" --repeat 2
expect "reauth: cached Bearer token refused -> new token, request succeeds" 0
check "reauth: 401 (no token), 200; then 401 (cached token refused), 200" eq \
  "$(proxy_lines TPX | cut -d' ' -f2,4,5 | tr '\n' ';')" "GET 401 -;GET 200 Bearer;GET 401 Bearer;GET 200 Bearer;"
check "reauth: two tokens fetched" eq "$(($(issued TOK2 alice) - before))" 2
# Expiry in the middle of a push: the proxy holds the second blob POST (sent with a token the
# client rightly believes fresh) for 2.1 s, so it reaches the registry with an expired token:
# the registry refuses it (401 to a Bearer request), the client fetches a new one, the push goes on.
proxy_plan TPX '[{"method":"POST","path":"/blobs/uploads/","auth":"Bearer","skip":1,"count":1,"fault":"none","delay_ms":2100}]'
layout "$TEST_TMP/tok3" v1 --layers 3 >/dev/null
before=$(issued TOK2 alice)
proxy_reset_log TPX
probe push-layout "$TEST_TMP/tok3" v1 "$TPX_HOST/alice/slow:v1" "${ALICE2[@]}"
expect "reauth: a push during which the token expires succeeds" 0
check "reauth: the registry refused the expired token once (POST 401 with Bearer)" eq \
  "$(proxy_lines TPX | awk '$2 == "POST" && $4 == 401 && $5 == "Bearer"' | wc -l)" 1
check "reauth: a new token was fetched on the way (push, then again)" ge "$(($(issued TOK2 alice) - before))" 2
proxy_clear_plan TPX

section "D. redirect with a token registry (plain HTTP proxy TPX)"
TOK2_LAYER=$(jfile "$TEST_TMP/tok2.json" 'd["manifests"][0]["layers"][2]')
TOK2_LAYER_SIZE=$(stat -c %s "$TEST_TMP/tok2/blobs/sha256/${TOK2_LAYER#sha256:}")
proxy_plan TPX '[{"method":"GET","path":"/blobs/sha256:","auth":"Bearer","fault":"redirect","count":1}]'
proxy_reset_log TPX
probe get-blob "$TPX_HOST/alice/app" "$TOK2_LAYER" "$TOK2_LAYER_SIZE" "${ALICE2[@]}"
expect "redirect: token registry blob redirected to another host" 0
check "redirect: no Bearer token reached the other host" eq "$(proxy_other_count TPX) $(proxy_other_count TPX auth)" "1 0"
proxy_clear_plan TPX

# =============================================================================================
section "E. fault injection (anonymous registry behind PX)"
M=$IMG@$DEMO
ms_since() { echo $(($(now_ms) - $1)); }

proxy_plan PX '[{"method":"GET","path":"/manifests/","fault":"status","status":429,"retry_after":"2","count":1}]'
proxy_reset_log PX
t0=$(now_ms)
probe get-manifest "$M"
took=$(ms_since "$t0")
expect "fault 429: Retry-After honoured, then success" 0
check "fault 429: waited >= 2 s (Retry-After: 2), < 6 s" between "$took" 2000 6000
check "fault 429: exactly 2 requests (429, 200)" eq "$(proxy_lines PX | cut -d' ' -f4 | tr '\n' ' ')" "429 200 "

proxy_plan PX '[{"method":"HEAD","path":"/manifests/","fault":"status","status":500}]'
proxy_reset_log PX
t0=$(now_ms)
probe resolve "$IMG:v1"
took=$(ms_since "$t0")
expect "fault 500: not retried, exit 20" 20 "HEAD 127.0.0.1:$PX_PORT/app/demo/manifests/v1: 500 internal server error"
check "fault 500: one request, at once" eq "$(proxy_count PX) $(sent) $((took < 1500))" "1 1 1"

proxy_plan PX '[{"method":"HEAD","path":"/manifests/","fault":"status","status":502,"count":2}]'
proxy_reset_log PX
probe resolve "$IMG:v1"
expect "fault 502: retried, then success" 0
check "fault 502: 502, 502, 200" eq "$(proxy_lines PX | cut -d' ' -f4 | tr '\n' ' ')" "502 502 200 "
proxy_plan PX '[{"method":"GET","path":"/manifests/","fault":"status","status":503,"count":2}]'
proxy_reset_log PX
probe get-manifest "$M"
expect "fault 503: retried, then success" 0
check "fault 503: 503, 503, 200" eq "$(proxy_lines PX | cut -d' ' -f4 | tr '\n' ' ')" "503 503 200 "

proxy_plan PX '[{"method":"HEAD","path":"/manifests/","fault":"status","status":503}]'
proxy_reset_log PX
probe resolve "$IMG:v1" --max-attempts 3
expect "fault --max-attempts 3: gives up with exit 20" 20 "503 service unavailable"
check "fault --max-attempts 3: exactly 3 attempts" eq "$(proxy_count PX HEAD) $(sent)" "3 3"
proxy_reset_log PX
probe resolve "$IMG:v1" --max-attempts 1
expect "fault --max-attempts 1: no retry" 20 "503 service unavailable"
check "fault --max-attempts 1: exactly 1 attempt" eq "$(proxy_count PX HEAD)" 1

proxy_plan PX '[{"method":"GET","path":"/manifests/sha256:","fault":"reset","bytes":100,"count":1}]'
proxy_reset_log PX
probe get-manifest "$M"
expect "fault reset mid-body: retried, then success" 0
check "fault reset: 2 GETs of the manifest" eq "$(proxy_count PX GET /manifests/)" 2
check "fault reset: the retry used a new connection" eq "$(proxy_connections PX)" 2
proxy_plan PX '[{"method":"GET","path":"/blobs/sha256:","fault":"reset","bytes":0,"count":1}]'
proxy_reset_log PX
probe get-blob "$IMG" "$LAYER" "$LAYER_SIZE"
expect "fault reset before the blob body: retried, then success" 0
check "fault reset before the blob body: 2 GETs" eq "$(proxy_count PX GET /blobs/)" 2
proxy_plan PX '[{"method":"GET","path":"/blobs/sha256:","fault":"reset","bytes":500,"count":1}]'
proxy_reset_log PX
probe get-blob "$IMG" "$LAYER" "$LAYER_SIZE"
expect "fault reset mid-blob (streamed, 500 bytes delivered): fails, not replayed into the sink" 20 "fetching blob $LAYER"
check "fault reset mid-blob: 1 GET" eq "$(proxy_count PX GET /blobs/)" 1
proxy_plan PX '[{"method":"HEAD","path":"/manifests/","fault":"drop","count":2}]'
proxy_reset_log PX
probe resolve "$IMG:v1"
expect "fault dropped connection (no answer): retried, then success" 0
check "fault drop: 3 HEADs" eq "$(proxy_count PX HEAD)" 3

proxy_plan PX '[{"method":"GET","path":"/manifests/sha256:","fault":"long_body","extra":64,"count":1}]'
proxy_reset_log PX
probe get-manifest "$M" --repeat 2
expect "fault body longer than Content-Length: the declared bytes are used, digest checks" 0
check "fault long body: both fetches give the digest; 2 GETs over 2 connections" eq \
  "$(grep -c "\"digest\":\"$DEMO\"" <<<"$OUT") $(proxy_count PX GET) $(proxy_connections PX)" "2 2 2"

proxy_plan PX '[{"method":"GET","path":"/manifests/sha256:","fault":"wrong_manifest"}]'
proxy_reset_log PX
probe get-manifest "$M"
expect "fault wrong manifest bytes: refused (exit 20)" 20 "manifest $IMG@$DEMO from the registry does not match its digest"
check "fault wrong manifest: not retried (1 GET)" eq "$(proxy_count PX GET)" 1
proxy_plan PX '[{"method":"GET","path":"/manifests/sha256:","fault":"wrong_manifest","digest_header":"actual"}]'
probe get-manifest "$M"
expect "fault wrong manifest with a matching Docker-Content-Digest: still refused" 20 "does not match its digest"

proxy_plan PX '[{"method":"GET","path":"/referrers/","fault":"html_404"}]'
proxy_reset_log PX
probe referrers "$M"
expect "fault HTML 404 on /referrers/: fallback used" 0 &&
  check "fault HTML 404: fallback index read" eq "$(jget 'd["api"], len(d["manifests"])') $(proxy_count PX GET "/manifests/$FALLBACK_TAG")" "(False, 2) 1"
proxy_plan PX '[{"method":"GET","path":"/referrers/","fault":"html_404","status":200}]'
probe referrers "$M"
expect "fault HTML 200 page on /referrers/: fallback used" 0 && check "fault HTML 200: fallback index read" eq "$(jget 'd["api"], len(d["manifests"])')" "(False, 2)"
proxy_plan PX '[{"method":"GET","path":"/referrers/","fault":"status","status":500}]'
probe referrers "$M" --max-attempts 2
expect "fault 500 on /referrers/ is an error, not 'no API'" 20 "500 internal server error"

# A manifest PUT by digest is content-addressed: a 500 or a 400 DIGEST_INVALID (what
# distribution answers while a concurrent writer rewrites a blob link) is retried a few times;
# by tag it is not (the callers' read-merge-write loops decide).
PUT_BODY='{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]}'
proxy_plan PX "[{\"method\":\"PUT\",\"path\":\"/manifests/sha256:\",\"fault\":\"status\",\"status\":400,\"count\":1,
  \"content_type\":\"application/json\",\"body\":$(printf '%s' "$PUT_BODY" | "$PY" -c 'import json,sys; print(json.dumps(sys.stdin.read()))')},
  {\"method\":\"PUT\",\"path\":\"/manifests/sha256:\",\"fault\":\"status\",\"status\":500,\"count\":1}]"
proxy_reset_log PX
probe put-manifest "$IMG@$DEMO" "$TEST_TMP/demo.manifest"
expect "fault PUT manifest by digest: DIGEST_INVALID, 500, then success" 0 && expect_out "fault PUT manifest by digest: ... and answers its digest" "$DEMO"
check "fault PUT manifest by digest: 400, 500, 201" eq "$(proxy_lines PX | cut -d' ' -f4 | tr '\n' ' ')" "400 500 201 "
proxy_plan PX '[{"method":"PUT","path":"/manifests/sha256:","fault":"status","status":400}]'
proxy_reset_log PX
probe put-manifest "$IMG@$DEMO" "$TEST_TMP/demo.manifest"
expect "fault PUT manifest by digest: a plain 400 is final" 20 "400 bad request"
check "fault PUT manifest by digest: a plain 400 is sent once" eq "$(proxy_count PX PUT)" 1
proxy_plan PX '[{"method":"PUT","path":"/manifests/sha256:","fault":"status","status":500}]'
proxy_reset_log PX
probe put-manifest "$IMG@$DEMO" "$TEST_TMP/demo.manifest"
expect "fault PUT manifest by digest: a lasting 500 gives up" 20 "500 internal server error"
check "fault PUT manifest by digest: 4 attempts at most" eq "$(proxy_count PX PUT)" 4
proxy_plan PX '[{"method":"PUT","path":"/manifests/","fault":"status","status":500}]'
proxy_reset_log PX
probe put-manifest "$IMG:v1" "$TEST_TMP/demo.manifest"
expect "fault PUT manifest by tag: 500 is not retried" 20 "500 internal server error"
check "fault PUT manifest by tag: sent once" eq "$(proxy_count PX PUT)" 1

proxy_plan PX '[{"method":"GET","path":"/manifests/sha256:","fault":"trickle","chunk":1,"interval_ms":100}]'
proxy_reset_log PX
t0=$(now_ms)
probe get-manifest "$M" --timeout 2
took=$(ms_since "$t0")
expect "fault trickle: --timeout 2 gives up (exit 20)" 20 "operation timed out after 20"
check "fault trickle: within 2..5 s" between "$took" 2000 5000
check "fault trickle: no retry after the time budget is spent (1 GET)" eq "$(proxy_count PX GET)" 1
proxy_clear_plan PX

# =============================================================================================
section "F. request counts (proxy log; transport count; client connections)"
printf '  %-44s %8s %10s %6s\n' "operation" "proxied" "transport" "conns"
for row in "${COUNT_TABLE[@]}"; do
  echo "  $row"
done

# Every stdout/stderr line of the runs above (not the command lines, which carry the flags).
if grep -v '^\$ ' "$TEST_TMP/all-output.log" | grep -qF -e "$SEC_PASSWORD" -e "$TOK_PASSWORD" -e "$TOK2_PASSWORD"; then
  failed "no password in any output"
else
  pass "no password in any output"
fi
echo "# total $(elapsed_ms) ms"
finish
