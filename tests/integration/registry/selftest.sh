#!/usr/bin/env bash
# Self-test of the registry test infrastructure (tests/integration/registry_lib.sh and the tools
# in this folder): every registry configuration, pushes, token grants, the fault proxy's request
# log and every fault kind, and that no server outlives its test (normal exit, failure, SIGTERM,
# SIGINT, SIGKILL of the test shell).
# Usage: selftest.sh PATH_TO_SIGIL   (the binary is not used; lib.sh wants it)
# shellcheck source-path=SCRIPTDIR
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$HERE/../lib.sh"
source "$HERE/../registry_lib.sh"

T_START=$EPOCHREALTIME
PY=$REGISTRY_PYTHON

missing=""
for tool in "$REGISTRY_BIN" "$REGISTRY_SKOPEO" htpasswd openssl curl "$PY"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=" $tool"
done
"$PY" -c 'import cryptography' 2>/dev/null || missing+=" python3-cryptography"
if [[ -n $missing ]]; then
  skip "registry infrastructure self-test (missing:$missing)"
  finish
  exit
fi

elapsed_ms() { echo $(((${EPOCHREALTIME/./} - ${T_START/./}) / 1000)); }
section() { echo "# $1 (at $(elapsed_ms) ms)"; }
# check NAME COMMAND...: pass when COMMAND succeeds.
check() {
  local name=$1
  shift
  if "$@"; then pass "$name"; else failed "$name"; fi
}
eq() { [[ "$1" == "$2" ]] || { echo "       want '$2', got '$1'" >&2; return 1; }; }
ge() { (($1 >= $2)) || { echo "       want >= $2, got $1" >&2; return 1; }; }
sha256_of() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }
json_get() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }
# http_code: curl -s -o BODY -D HEADERS ... ; prints the status code
http() { curl -s --max-time 10 -o "$TEST_TMP/body" -D "$TEST_TMP/headers" -w '%{http_code}' "$@"; }
header() { tr -d '\r' <"$TEST_TMP/headers" | sed -n "s/^$1: //Ip" | tail -1; }
OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_INDEX=application/vnd.oci.image.index.v1+json
ACCEPT="Accept: $OCI_MANIFEST, $OCI_INDEX"

# ---------------------------------------------------------------------------------------------
section "anonymous registry"
run start_registry ANON anon
expect "anon: starts" 0 || { finish; exit; }
run curl -s --max-time 5 "$ANON_URL/v2/"
expect "anon: /v2/ answers" 0 && expect_out "anon: /v2/ is {}" "{}"

run push_test_image "$ANON_HOST" app/one v1 --layers 2 --info "$TEST_TMP/one.json"
expect "anon: push 2-layer image" 0
DIGEST=$OUT
check "anon: digest is the layout's" eq "$DIGEST" "$(json_get "$TEST_TMP/one.json" 'd["digest"]')"
code=$(http -H "$ACCEPT" "$ANON_URL/v2/app/one/manifests/$DIGEST")
check "anon: GET manifest by digest (200, bytes hash to the digest)" \
  eq "$code $(sha256_of "$TEST_TMP/body")" "200 $DIGEST"
check "anon: manifest has 2 layers" eq "$(json_get "$TEST_TMP/body" 'len(d["layers"])')" 2
code=$(http -I -H "$ACCEPT" "$ANON_URL/v2/app/one/manifests/v1")
check "anon: HEAD by tag gives Docker-Content-Digest" eq "$code $(header Docker-Content-Digest)" "200 $DIGEST"
code=$(http "$ANON_URL/v2/app/one/manifests/$DIGEST")
check "anon: quirk: OCI manifest without OCI Accept is 404 MANIFEST_UNKNOWN" \
  eq "$code $(grep -c 'accept header does not support OCI' "$TEST_TMP/body")" "404 1"
code=$(http "$ANON_URL/v2/app/one/referrers/$DIGEST")
check "anon: quirk: no referrers API (plain-text 404)" \
  eq "$code $(header Content-Type)" "404 text/plain; charset=utf-8"
code=$(http -X DELETE "$ANON_URL/v2/app/one/manifests/$DIGEST")
check "anon: DELETE refused without storage.delete (405)" eq "$code" 405

run push_test_image "$ANON_HOST" app/multi v1 --index --info "$TEST_TMP/idx.json"
expect "anon: push two-platform index" 0
IDX=$OUT
code=$(http -H "$ACCEPT" "$ANON_URL/v2/app/multi/manifests/v1")
check "anon: index is an OCI index of amd64 + arm64" eq \
  "$code $(sha256_of "$TEST_TMP/body") $(json_get "$TEST_TMP/body" 'd["mediaType"] + " " + ",".join(m["platform"]["architecture"] for m in d["manifests"])')" \
  "200 $IDX $OCI_INDEX amd64,arm64"
child=$(json_get "$TEST_TMP/idx.json" 'd["manifests"][1]["digest"]')
code=$(http -H "$ACCEPT" "$ANON_URL/v2/app/multi/manifests/$child")
check "anon: index child manifest pushed" eq "$code" 200

# ---------------------------------------------------------------------------------------------
section "htpasswd + TLS registry"
start_registry SEC htpasswd-tls
check "tls: starts, exports CA and credentials" test -s "$SEC_CA" -a -n "$SEC_PASSWORD" -a "$SEC_USER" = alice
code=$(http --cacert "$SEC_CA" "$SEC_URL/v2/")
check "tls: /v2/ without credentials is 401 Basic" eq "$code $(header WWW-Authenticate)" '401 Basic realm="sigil-test"'
run curl -s --max-time 5 "$SEC_URL/v2/"
expect "tls: certificate not trusted without the test CA" 60
code=$(http --cacert "$SEC_CA" -u "alice:wrong" "$SEC_URL/v2/")
check "tls: wrong password is 401" eq "$code" 401
run push_test_image "$SEC_HOST" app/sec v1
expect "tls: push with credentials" 0
SEC_DIGEST=$OUT
run push_test_image "$SEC_HOST" app/sec v2 --anonymous
expect "tls: anonymous push refused" 1
code=$(http --cacert "$SEC_CA" -u "alice:$SEC_PASSWORD" -H "$ACCEPT" "$SEC_URL/v2/app/sec/manifests/v1")
check "tls: pull with credentials" eq "$code $(sha256_of "$TEST_TMP/body")" "200 $SEC_DIGEST"
check "tls: docker config holds the credentials" eq \
  "$(json_get "$SEC_AUTH_FILE" 'list(d["auths"])[0]')" "$SEC_HOST"

# ---------------------------------------------------------------------------------------------
section "token registry"
start_registry TOK token
check "token: starts with issuer" test -n "$TOK_ISSUER_REALM" -a -n "$TOK_BOB_PASSWORD"
code=$(http "$TOK_URL/v2/")
check "token: /v2/ is a Bearer challenge naming the issuer" eq "$code $(header WWW-Authenticate)" \
  "401 Bearer realm=\"$TOK_ISSUER_REALM\",service=\"$TOK_SERVICE\""
run push_test_image "$TOK_HOST" alice/app v1
expect "token: alice pushes" 0
run push_test_image "$TOK_HOST" public/app v1
expect "token: alice pushes to public/" 0
PUB_DIGEST=$OUT
run push_test_image "$TOK_HOST" public/bob v1 --user bob --password "$TOK_BOB_PASSWORD"
expect "token: bob may not push" 1 "denied"
check "token: issuer granted bob only pull" eq "$("$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e.get("user") == "bob" and e.get("granted"):
        print(",".join(e["granted"][0]["actions"])); break' "$TOK_ISSUER_LOG")" pull

tok() { # tok [curl args...] -> token (GET); scope/service in the URL
  curl -s --max-time 5 "$@" | "$PY" -c 'import json,sys; print(json.load(sys.stdin).get("token",""))'
}
scope_pub="service=$TOK_SERVICE&scope=repository:public/app:pull"
t=$(tok "$TOK_ISSUER_REALM?$scope_pub")
code=$(http -H "$ACCEPT" -H "Authorization: Bearer $t" "$TOK_URL/v2/public/app/manifests/$PUB_DIGEST")
check "token: anonymous pull of public/*" eq "$code" 200
t=$(tok "$TOK_ISSUER_REALM?service=$TOK_SERVICE&scope=repository:alice/app:pull")
code=$(http -H "$ACCEPT" -H "Authorization: Bearer $t" "$TOK_URL/v2/alice/app/manifests/v1")
check "token: anonymous token does not open alice/app" eq "$code" 401
t=$(tok -u "bob:$TOK_BOB_PASSWORD" "$TOK_ISSUER_REALM?$scope_pub")
code=$(http -H "$ACCEPT" -H "Authorization: Bearer $t" "$TOK_URL/v2/public/app/manifests/v1")
check "token: bob pulls public/*" eq "$code" 200
code=$(http -u "bob:nope" "$TOK_ISSUER_REALM?$scope_pub")
check "token: wrong password refused by the issuer (401)" eq "$code" 401
code=$(http --data-urlencode grant_type=password --data-urlencode username=alice \
  --data-urlencode "password=$TOK_PASSWORD" --data-urlencode access_type=offline \
  --data-urlencode "service=$TOK_SERVICE" --data-urlencode "scope=repository:alice/app:pull" \
  "$TOK_ISSUER_REALM")
refresh=$(json_get "$TEST_TMP/body" 'd.get("refresh_token","")')
check "token: POST password grant gives access_token + refresh_token, no token field" eq \
  "$code $(json_get "$TEST_TMP/body" '"access_token" in d and "token" not in d') ${refresh:+yes}" "200 True yes"
code=$(http --data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$refresh" \
  --data-urlencode "service=$TOK_SERVICE" --data-urlencode "scope=repository:alice/app:pull" \
  "$TOK_ISSUER_REALM")
t=$(json_get "$TEST_TMP/body" 'd["access_token"]')
code2=$(http -H "$ACCEPT" -H "Authorization: Bearer $t" "$TOK_URL/v2/alice/app/manifests/v1")
check "token: refresh_token grant works against the registry" eq "$code $code2" "200 200"
code=$(http --data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=bogus" "$TOK_ISSUER_REALM")
check "token: unknown refresh token is 400 invalid_grant" eq "$code $(json_get "$TEST_TMP/body" 'd["error"]')" "400 invalid_grant"

section "token expiry (--expires-in 2 --strict-expiry)"
start_registry TEXP token --expires-in 2 --strict-expiry
t=$(tok -u "alice:$TEXP_PASSWORD" "$TEXP_ISSUER_REALM?service=$TEXP_SERVICE&scope=registry:catalog:*")
code=$(http -H "Authorization: Bearer $t" "$TEXP_URL/v2/_catalog")
sleep 2.2
code2=$(http -H "Authorization: Bearer $t" "$TEXP_URL/v2/_catalog")
check "token: strict 2 s token works, then is refused (invalid_token)" eq \
  "$code $code2 $(header WWW-Authenticate | grep -o 'error="invalid_token"')" '200 401 error="invalid_token"'

# ---------------------------------------------------------------------------------------------
section "deletes registry"
start_registry DEL deletes
run push_test_image "$DEL_HOST" app/del v1
expect "deletes: push" 0
code=$(http -X DELETE "$DEL_URL/v2/app/del/manifests/$OUT")
code2=$(http -H "$ACCEPT" "$DEL_URL/v2/app/del/manifests/$OUT")
check "deletes: DELETE manifest 202, then 404" eq "$code $code2" "202 404"

# ---------------------------------------------------------------------------------------------
section "fault proxy"
start_fault_proxy PX "$ANON_URL"
curl -s --max-time 5 -o /dev/null -o /dev/null -o /dev/null "$PX_URL/v2/" "$PX_URL/v2/" "$PX_URL/v2/"
check "proxy: counts 3 keep-alive requests on 1 connection" eq \
  "$(proxy_count PX GET '^/v2/$') $(proxy_connections PX)" "3 1"
proxy_reset_log PX
run push_test_image "$PX_HOST" app/px v1
expect "proxy: push through the proxy" 0
PX_DIGEST=$OUT
check "proxy: logged the push (1 manifest PUT, >= 6 requests)" eq \
  "$(proxy_count PX PUT '/manifests/v1$' 201) $(($(proxy_count PX) >= 6))" "1 1"
CONFIG_BLOB=$(curl -s -H "$ACCEPT" "$ANON_URL/v2/app/px/manifests/$PX_DIGEST" |
  "$PY" -c 'import json,sys; print(json.load(sys.stdin)["config"]["digest"])')
MANIFEST_URL=$PX_URL/v2/app/px/manifests/$PX_DIGEST
BLOB_URL=$PX_URL/v2/app/px/blobs/$CONFIG_BLOB

proxy_plan PX '[{"method": "GET", "path": "/manifests/", "fault": "status", "status": 503,
                 "retry_after": "2", "count": 2}]'
c1=$(http -H "$ACCEPT" "$MANIFEST_URL")
ra=$(header Retry-After)
c2=$(http -H "$ACCEPT" "$MANIFEST_URL")
c3=$(http -H "$ACCEPT" "$MANIFEST_URL")
check "fault status: 503 (Retry-After 2) twice, then 200" eq "$c1 $ra $c2 $c3" "503 2 503 200"

proxy_plan PX '[{"path": "/manifests/", "skip": 1, "count": 1, "fault": "status", "status": 500,
                 "auth": false}]'
c1=$(http -H "$ACCEPT" "$MANIFEST_URL")
c2=$(http -H "$ACCEPT" -u a:b "$MANIFEST_URL")
c3=$(http -H "$ACCEPT" "$MANIFEST_URL")
c4=$(http -H "$ACCEPT" "$MANIFEST_URL")
check "fault matching: skip 1, auth=false, count 1" eq "$c1 $c2 $c3 $c4" "200 200 500 200"

curl -s --max-time 5 -X POST --data-binary '[{"path": "/blobs/", "fault": "reset", "bytes": 10}]' \
  "$PX_CONTROL_URL/plan" >/dev/null
run curl -s --max-time 5 -o "$TEST_TMP/body" "$BLOB_URL"
check "fault reset: connection dies after 10 body bytes" eq \
  "$([[ $RC == 18 || $RC == 56 ]] && echo err) $(stat -c %s "$TEST_TMP/body")" "err 10"
check "control: GET /__control/plan shows the counter" eq \
  "$(curl -s "$PX_CONTROL_URL/plan" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["rules"][0]["applied"])')" 1

proxy_plan PX '[{"path": "/blobs/", "fault": "drop"}]'
run curl -s --max-time 5 "$BLOB_URL"
check "fault drop: no answer at all" eq "$([[ $RC == 52 || $RC == 56 ]] && echo err)" err

proxy_plan PX '[{"path": "/blobs/", "fault": "long_body", "extra": 100}]'
lens=$("$PY" - "$PX_PORT" "/v2/app/px/blobs/$CONFIG_BLOB" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % sys.argv[2]).encode())
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
cl = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0]
print(len(body) - cl)
EOF
)
check "fault long_body: 100 bytes beyond Content-Length" eq "$lens" 100

proxy_plan PX '[{"path": "/manifests/", "fault": "oversize", "size": 5242880},
                {"path": "/blobs/", "fault": "oversize", "size": 100000, "framing": "chunked"}]'
c1=$(http -H "$ACCEPT" "$MANIFEST_URL")
s1=$(stat -c %s "$TEST_TMP/body")
c2=$(http "$BLOB_URL")
check "fault oversize: 5 MiB manifest, chunked 100 kB blob" eq \
  "$c1 $s1 $c2 $(stat -c %s "$TEST_TMP/body") $(header Transfer-Encoding)" "200 5242880 200 100000 chunked"

proxy_plan PX '[{"path": "/manifests/sha256:", "fault": "wrong_manifest"}]'
code=$(http -H "$ACCEPT" "$MANIFEST_URL")
check "fault wrong_manifest: other bytes, digest header still claims the requested digest" eq \
  "$code $([[ $(sha256_of "$TEST_TMP/body") != "$PX_DIGEST" ]] && echo differs) $(header Docker-Content-Digest)" \
  "200 differs $PX_DIGEST"

proxy_plan PX '[{"path": "/blobs/", "fault": "redirect"}]'
code=$(http -L -u alice:secret "$BLOB_URL")
check "fault redirect: followed to the other host, content served" eq \
  "$code $(sha256_of "$TEST_TMP/body") $(proxy_other_count PX) $(proxy_other_count PX auth)" \
  "200 $CONFIG_BLOB 1 0"
code=$(http -L --location-trusted -u alice:secret "$BLOB_URL")
check "fault redirect: other host records leaked credentials" eq \
  "$code $(proxy_other_count PX) $(proxy_other_count PX auth)" "200 2 1"
check "fault redirect: other host is 127.0.0.2" eq "${PX_OTHER_HOST%:*}" 127.0.0.2

proxy_plan PX '[{"path": "/referrers/", "fault": "html_404"}]'
code=$(http "$PX_URL/v2/app/px/referrers/$PX_DIGEST")
check "fault html_404: HTML 404 page" eq "$code $(header Content-Type) $(grep -c '<html>' "$TEST_TMP/body")" \
  "404 text/html; charset=utf-8 1"

proxy_plan PX '[{"path": "/manifests/", "fault": "trickle", "chunk": 50, "interval_ms": 40}]'
t0=${EPOCHREALTIME/./}
code=$(http -H "$ACCEPT" "$MANIFEST_URL")
ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
want=$(((($(stat -c %s "$TEST_TMP/body") + 49) / 50 - 1) * 40))
check "fault trickle: intact body, slow (${ms} ms >= ${want} ms)" eq \
  "$code $(sha256_of "$TEST_TMP/body") $((ms >= want))" "200 $PX_DIGEST 1"

proxy_plan PX '[{"path": "/v2/$", "fault": "none", "delay_ms": 300}]'
t0=${EPOCHREALTIME/./}
code=$(http "$PX_URL/v2/")
ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
check "fault delay_ms: 300 ms late" eq "$code $((ms >= 300))" "200 1"

echo '{"rules": [' >"$PX_PLAN"
code=$(http "$PX_URL/v2/")
check "proxy: invalid plan file gives 500 naming the problem" eq "$code $(grep -c 'invalid plan' "$TEST_TMP/body")" "500 1"
proxy_clear_plan PX
code=$(http "$PX_URL/v2/")
check "proxy: cleared plan passes through" eq "$code" 200

section "proxy in front of TLS and token registries"
start_fault_proxy SPX "$SEC_URL"
run push_test_image "$SPX_HOST" app/spx v1
expect "proxy/tls: push through a TLS proxy with credentials" 0
check "proxy/tls: requests carried Basic auth" ge "$("$PY" -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["auth_scheme"] == "Basic"))' "$SPX_REQUESTS")" 1
start_fault_proxy TPX "$TOK_URL"
run push_test_image "$TPX_HOST" alice/tpx v1
expect "proxy/token: push through the proxy (Bearer)" 0
check "proxy/token: requests carried Bearer tokens" ge "$("$PY" -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["auth_scheme"] == "Bearer"))' "$TPX_REQUESTS")" 1

# ---------------------------------------------------------------------------------------------
section "servers never outlive their test"
INNER=$TEST_TMP/inner.sh
cat >"$INNER" <<EOF
source "$HERE/../lib.sh"
source "$HERE/../registry_lib.sh"
start_registry R anon || exit 3
start_registry RT token || exit 3
start_fault_proxy P "\$R_URL" || exit 3
if [[ \$MODE == wait ]]; then
  sleep 20 &
  SLEEP=\$!
  echo \$SLEEP >"\$PIDFILE.sleep"
fi
echo "\$R_PID \$RT_PID \$RT_ISSUER_PID \$P_PID" >"\$PIDFILE.tmp"
mv "\$PIDFILE.tmp" "\$PIDFILE"
[[ \$MODE == fail ]] && exit 1
wait "\$SLEEP"
EOF
# all_gone PIDFILE: every pid listed has exited (waits up to 5 s: SIGKILL case is asynchronous).
all_gone() {
  local pids pid deadline=$(($(_registry_now_ms) + 5000))
  read -r -a pids <"$1" || return 1
  ((${#pids[@]} == 4)) || return 1
  while (($(_registry_now_ms) < deadline)); do
    local alive=0
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null && alive=1
    done
    ((alive)) || return 0
    sleep 0.05
  done
  echo "       still running: $(for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && echo "$p"; done | xargs)" >&2
  return 1
}
wait_file() { # bounded
  local i
  for ((i = 0; i < 200; i++)); do [[ -s $1 ]] && return 0; sleep 0.05; done
  return 1
}
for mode in fail TERM INT KILL; do
  pidfile=$TEST_TMP/pids.$mode
  if [[ $mode == fail ]]; then
    PIDFILE=$pidfile MODE=fail TMPDIR=$TEST_TMP timeout 30 bash "$INNER" "$SIGIL" >"$TEST_TMP/inner.$mode.log" 2>&1
    rc=$?
    check "cleanup: failing test (exit $rc) stops its servers" all_gone "$pidfile"
    check "cleanup: failing test's temp dir removed (lib.sh trap still runs)" eq \
      "$(find "$TEST_TMP" -mindepth 1 -maxdepth 1 -name 'sigil-test.*' | wc -l)" 0
    continue
  fi
  # Started through python so that SIGINT is not ignored (bash ignores it in background jobs).
  PIDFILE=$pidfile MODE=wait TMPDIR=$TEST_TMP "$PY" -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' bash "$INNER" "$SIGIL" >"$TEST_TMP/inner.$mode.log" 2>&1 &
  inner=$!
  if wait_file "$pidfile"; then
    kill -"$mode" "$inner"
    { wait "$inner"; } 2>/dev/null
    check "cleanup: SIG$mode to the test stops its servers" all_gone "$pidfile"
    [[ $mode == KILL ]] || check "cleanup: SIG$mode: temp dir removed" eq \
      "$(find "$TEST_TMP" -mindepth 1 -maxdepth 1 -name 'sigil-test.*' | wc -l)" 0
  else
    kill -KILL "$inner" 2>/dev/null
    wait "$inner"
    failed "cleanup: SIG$mode: inner test did not start ($(tail -3 "$TEST_TMP/inner.$mode.log"))"
  fi
done

for f in "$TEST_TMP"/pids.*.sleep; do
  [[ -s $f ]] && kill "$(<"$f")" 2>/dev/null
done

ALL_PIDS=("$ANON_PID" "$SEC_PID" "$TOK_PID" "$TOK_ISSUER_PID" "$TEXP_PID" "$DEL_PID" "$PX_PID" "$SPX_PID" "$TPX_PID")
registry_cleanup
left=""
for pid in "${ALL_PIDS[@]}"; do
  kill -0 "$pid" 2>/dev/null && left+=" $pid"
done
check "cleanup: registry_cleanup stops every server of this test" eq "$left" ""

echo "selftest wall time: $(elapsed_ms) ms"
finish
