# shellcheck shell=bash
# Registry test infrastructure for sigil's integration tests: real registries (Debian's
# docker-registry 2.8), a token issuer, a fault-injecting proxy and a test-image pusher.
#
# Source it after tests/integration/lib.sh (which creates $TEST_TMP and an EXIT trap removing it):
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   source "$(dirname "${BASH_SOURCE[0]}")/registry_lib.sh"
# Without lib.sh it makes (and removes) its own $TEST_TMP. It chains onto the existing EXIT trap:
# on exit every server started here is stopped (SIGTERM, then SIGKILL after 5 s), then the earlier
# EXIT trap runs. INT/TERM/HUP (if not trapped already) exit the script, so the EXIT trap runs
# too; and every server gets SIGTERM from the kernel (PR_SET_PDEATHSIG) when the shell that
# started it dies, even by SIGKILL. Do not replace the EXIT trap afterwards; to add cleanup of
# your own use `registry_on_exit 'command'`. Call start_* functions in the main shell, never in
# $(...) or a pipeline (they export variables and own the processes).
#
# Functions (NAME is a shell identifier chosen by the test, used as the prefix of the exports):
#   start_registry NAME CONFIG [--delete] [issuer options]
#       CONFIG: anon | htpasswd-tls | token | deletes   (deletes = anon + storage.delete.enabled)
#       exports NAME_HOST (127.0.0.1:PORT) NAME_URL (http[s]://NAME_HOST) NAME_PORT NAME_SCHEME
#               NAME_LOG (registry log) NAME_DIR NAME_CONFIG (registry YAML) NAME_PID NAME_KIND
#               NAME_AUTH_FILE (docker config.json with NAME_USER's credentials for NAME_HOST,
#               {"auths":{}} for anonymous configs) NAME_DOCKER_CONFIG (its directory)
#       htpasswd-tls: NAME_CA (CA cert PEM) NAME_CERT_DIR (dir holding ca.crt, for
#               skopeo --*-cert-dir / docker certs.d) NAME_USER=alice NAME_PASSWORD (per run)
#       token:  NAME_USER=alice NAME_PASSWORD NAME_BOB_USER=bob NAME_BOB_PASSWORD NAME_SERVICE
#               and the issuer's NAME_ISSUER_* (see start_token_issuer; issuer options such as
#               --expires-in N / --strict-expiry / --users FILE are passed on to it)
#   start_token_issuer NAME [--users FILE] [--expires-in N] [--strict-expiry] [--service S]
#                      [--issuer-name I]
#       exports NAME_URL (http://127.0.0.1:PORT) NAME_REALM (NAME_URL/token) NAME_LOG (JSON lines:
#               method, path, user, status, grant_type, scopes, granted) NAME_CERT NAME_KEY
#               NAME_USERS (users JSON, re-read per request) NAME_SERVICE NAME_ISSUER_NAME
#               NAME_PID; with the default users also NAME_USER=alice NAME_PASSWORD
#               NAME_BOB_USER=bob NAME_BOB_PASSWORD.
#       Default grants: alice push+pull+delete on every repository and registry:catalog:*;
#       bob pull on public/*; anonymous pull on public/*.
#   start_fault_proxy NAME UPSTREAM_URL [--plan FILE] [--other-ip IP]
#       exports NAME_HOST NAME_URL NAME_PORT NAME_SCHEME NAME_REQUESTS (JSON lines, one per
#               request) NAME_PLAN (plan file, re-read when it changes) NAME_CONTROL_URL
#               (NAME_URL/__control) NAME_OTHER_HOST (redirect target, 127.0.0.2:PORT)
#               NAME_OTHER_LOG NAME_LOG (proxy stderr) NAME_PID NAME_UPSTREAM; when UPSTREAM_URL
#               is a registry started here also its NAME_USER/PASSWORD/BOB_*/CA/CERT_DIR and an
#               NAME_AUTH_FILE for the proxy's host. An https upstream makes the proxy serve TLS
#               with the test CA's server certificate. Plan format: see registry/fault_proxy.py.
#   proxy_plan NAME JSON             install a plan (validated, atomic rename); counters reset
#   proxy_clear_plan NAME            no faults
#   proxy_reset_log NAME             empty NAME_REQUESTS and NAME_OTHER_LOG
#   proxy_count NAME [METHOD|-] [PATH_REGEX|-] [STATUS|-]   print how many logged requests match
#   proxy_connections NAME           print how many client connections the log shows
#   proxy_other_count NAME [auth]    print requests seen by the other host (only those with an
#                                    Authorization header when "auth" is given)
#   push_test_image HOST REPO TAG [--layers N] [--layer-size BYTES] [--index] [--info FILE]
#                   [--user U --password P | --anonymous]
#       builds a fresh OCI layout (registry/make_oci_layout.py) and pushes it with skopeo;
#       prints the pushed manifest (or index) digest. HOST may be any registry or proxy started
#       here (its TLS CA and credentials are used unless overridden) or any other host (plain
#       HTTP, anonymous).
#   registry_cleanup                 stop everything started so far (also run on exit)
#   registry_on_exit 'COMMAND'       run COMMAND on exit, before the servers are stopped
#   registry_env                     print every exported variable as NAME=VALUE lines

if [[ -n ${_REGISTRY_LIB_LOADED:-} ]]; then
  return 0
fi
_REGISTRY_LIB_LOADED=1

REGISTRY_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REGISTRY_TOOLS_DIR=$REGISTRY_LIB_DIR/registry
REGISTRY_PYTHON=${REGISTRY_PYTHON:-/usr/bin/python3}
PY=$REGISTRY_PYTHON # the tests' python (stdlib + python3-cryptography)
REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}
REGISTRY_SKOPEO=${REGISTRY_SKOPEO:-/usr/bin/skopeo}
REGISTRY_START_TIMEOUT=${REGISTRY_START_TIMEOUT:-10}

_REGISTRY_OWN_TMP=""
if [[ -z ${TEST_TMP:-} ]]; then
  TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sigil-registry.XXXXXX")
  _REGISTRY_OWN_TMP=1
fi
_REGISTRY_OWNER=$BASHPID
_REGISTRY_PIDS=()
_REGISTRY_EXPORTED=()
_REGISTRY_ON_EXIT=()
declare -gA _REGISTRY_BY_HOST=()
declare -gA _REGISTRY_BY_URL=()

# --- traps -----------------------------------------------------------------------------------
_registry_prev_exit_trap=""
_registry_take_trap() { _registry_prev_exit_trap=${3:-}; }
eval "_registry_take_trap $(trap -p EXIT)"

_registry_on_exit_handler() {
  [[ $BASHPID == "$_REGISTRY_OWNER" ]] || return 0
  local cmd
  for cmd in "${_REGISTRY_ON_EXIT[@]}"; do
    eval "$cmd" || true
  done
  registry_cleanup
  if [[ -n $_registry_prev_exit_trap ]]; then
    eval "$_registry_prev_exit_trap"
  fi
  if [[ -n $_REGISTRY_OWN_TMP ]]; then
    rm -rf "$TEST_TMP"
  fi
}
trap _registry_on_exit_handler EXIT
[[ -n $(trap -p INT) ]] || trap 'exit 130' INT
[[ -n $(trap -p TERM) ]] || trap 'exit 143' TERM
[[ -n $(trap -p HUP) ]] || trap 'exit 129' HUP

registry_on_exit() { _REGISTRY_ON_EXIT+=("$1"); }

# --- process helpers -------------------------------------------------------------------------
_registry_now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# _registry_alive PID: running and not a zombie.
_registry_alive() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }
  [[ ${s%% *} != Z ]]
}

# _registry_spawn LOGFILE CMD...: starts CMD in the background with PR_SET_PDEATHSIG=SIGTERM,
# stdout+stderr to LOGFILE; sets _REGISTRY_LAST_PID and registers the pid for cleanup.
_registry_spawn() {
  local log=$1 parent=$BASHPID # expanded here: in the forked child $BASHPID is the child
  shift
  "$REGISTRY_PYTHON" -c '
import ctypes, os, signal, sys
ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
if os.getppid() != int(sys.argv[1]):
    sys.exit(97)  # the starting shell is already gone
os.execvp(sys.argv[2], sys.argv[2:])
' "$parent" "$@" >>"$log" 2>&1 </dev/null &
  _REGISTRY_LAST_PID=$!
  _REGISTRY_PIDS+=("$_REGISTRY_LAST_PID")
}

# _registry_stop PID...: SIGTERM, wait up to 5 s, then SIGKILL; reaps.
_registry_stop() {
  local pid deadline
  local -a live=()
  for pid in "$@"; do
    if _registry_alive "$pid"; then
      kill -TERM "$pid" 2>/dev/null
      live+=("$pid")
    fi
  done
  deadline=$(($(_registry_now_ms) + 5000))
  while ((${#live[@]})) && (($(_registry_now_ms) < deadline)); do
    local -a still=()
    for pid in "${live[@]}"; do
      _registry_alive "$pid" && still+=("$pid")
    done
    live=("${still[@]}")
    ((${#live[@]})) && sleep 0.05
  done
  for pid in "${live[@]}"; do
    echo "registry_lib: pid $pid ignored SIGTERM, killing" >&2
    kill -KILL "$pid" 2>/dev/null
  done
  for pid in "$@"; do
    wait "$pid" 2>/dev/null
  done
  return 0
}

registry_cleanup() {
  [[ $BASHPID == "$_REGISTRY_OWNER" ]] || return 0
  local -a rev=()
  local i
  for ((i = ${#_REGISTRY_PIDS[@]} - 1; i >= 0; i--)); do
    rev+=("${_REGISTRY_PIDS[i]}")
  done
  ((${#rev[@]})) && _registry_stop "${rev[@]}"
  _REGISTRY_PIDS=()
  return 0
}

# _registry_wait_http PID URL [CURL_ARGS...]: until URL gives any HTTP answer (bounded).
_registry_wait_http() {
  local pid=$1 url=$2 code deadline
  shift 2
  deadline=$(($(_registry_now_ms) + REGISTRY_START_TIMEOUT * 1000))
  while (($(_registry_now_ms) < deadline)); do
    _registry_alive "$pid" || return 1
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$@" "$url" 2>/dev/null)
    [[ -n $code && $code != 000 ]] && return 0
    sleep 0.05
  done
  return 2
}

# _registry_wait_file PID FILE: until FILE exists (bounded).
_registry_wait_file() {
  local pid=$1 file=$2 deadline
  deadline=$(($(_registry_now_ms) + REGISTRY_START_TIMEOUT * 1000))
  while (($(_registry_now_ms) < deadline)); do
    [[ -s $file ]] && return 0
    _registry_alive "$pid" || return 1
    sleep 0.02
  done
  return 2
}

_registry_free_port() {
  "$REGISTRY_PYTHON" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

_registry_secret() { openssl rand -hex 16; }

# _registry_export NAME SUFFIX VALUE
_registry_export() {
  local var=${1}_$2
  printf -v "$var" '%s' "$3"
  export "${var?}"
  _REGISTRY_EXPORTED+=("$var")
  if [[ $2 == *PASSWORD ]] && declare -F secret >/dev/null; then
    secret "$3" # never in any output (lib.sh's secret scan)
  fi
  return 0
}

registry_env() {
  local v
  for v in "${_REGISTRY_EXPORTED[@]}"; do
    printf '%s=%s\n' "$v" "${!v}"
  done | awk -F= '!seen[$1]++'
}

_registry_check_name() {
  if [[ ! $1 =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
    echo "registry_lib: NAME must be a shell identifier, got '$1'" >&2
    return 2
  fi
}

_registry_fail_start() {
  echo "registry_lib: $1" >&2
  [[ -n ${2:-} && -f $2 ]] && tail -n 20 "$2" | sed 's/^/registry_lib:   /' >&2
  return 1
}

# _registry_write_auth_file FILE HOST [USER PASSWORD]
_registry_write_auth_file() {
  local file=$1 host=$2 user=${3:-} pw=${4:-}
  mkdir -p "$(dirname "$file")"
  if [[ -n $user ]]; then
    printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$host" "$(printf '%s:%s' "$user" "$pw" | base64 -w0)" >"$file"
  else
    printf '{"auths":{}}\n' >"$file"
  fi
  chmod 600 "$file"
}

# --- the test CA (shared by all TLS servers of one test) -------------------------------------
_registry_ensure_ca() {
  REGISTRY_CA_DIR=$TEST_TMP/registry-ca
  [[ -s $REGISTRY_CA_DIR/server.crt ]] && return 0
  local d=$REGISTRY_CA_DIR
  mkdir -p "$d/certs.d"
  {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
      -keyout "$d/ca.key" -out "$d/ca.crt" -subj "/CN=sigil test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
      openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=localhost" &&
      printf '%s\n' "subjectAltName=IP:127.0.0.1,IP:127.0.0.2,IP:::1,DNS:localhost" \
        "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=serverAuth" >"$d/server.ext" &&
      openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
        -days 2 -out "$d/server.crt" -extfile "$d/server.ext"
  } >"$d/openssl.log" 2>&1 || {
    _registry_fail_start "could not create the test CA" "$d/openssl.log"
    return 1
  }
  cp "$d/ca.crt" "$d/certs.d/ca.crt"
}

# --- token issuer ----------------------------------------------------------------------------
start_token_issuer() {
  local name=${1:-}
  _registry_check_name "$name" || return 2
  shift
  local users="" expires_in=300 strict="" service=sigil-test-registry issuer_name=sigil-test-issuer
  while (($#)); do
    case $1 in
      --users) users=$2; shift 2 ;;
      --expires-in) expires_in=$2; shift 2 ;;
      --strict-expiry) strict=--strict-expiry; shift ;;
      --service) service=$2; shift 2 ;;
      --issuer-name) issuer_name=$2; shift 2 ;;
      *) echo "start_token_issuer: unknown option $1" >&2; return 2 ;;
    esac
  done
  local dir=$TEST_TMP/issuer-$name
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" -subj "/CN=sigil test token issuer" \
    >"$dir/openssl.log" 2>&1 || {
    _registry_fail_start "could not create the token signing key" "$dir/openssl.log"
    return 1
  }
  if [[ -z $users ]]; then
    local alice_pw bob_pw
    alice_pw=$(_registry_secret)
    bob_pw=$(_registry_secret)
    users=$dir/users.json
    cat >"$users" <<EOF
{
  "users": {
    "alice": {"password": "$alice_pw", "grants": [
      {"type": "repository", "name": "*", "actions": ["pull", "push", "delete"]},
      {"type": "registry", "name": "catalog", "actions": ["*"]}]},
    "bob": {"password": "$bob_pw", "grants": [
      {"type": "repository", "name": "public/*", "actions": ["pull"]}]}
  },
  "anonymous": {"grants": [{"type": "repository", "name": "public/*", "actions": ["pull"]}]}
}
EOF
    _registry_export "$name" USER alice
    _registry_export "$name" PASSWORD "$alice_pw"
    _registry_export "$name" BOB_USER bob
    _registry_export "$name" BOB_PASSWORD "$bob_pw"
  fi
  rm -f "$dir/port"
  local -a cmd=("$REGISTRY_PYTHON" "$REGISTRY_TOOLS_DIR/token_issuer.py" --key "$dir/key.pem"
    --cert "$dir/cert.pem" --users "$users" --service "$service" --issuer "$issuer_name"
    --expires-in "$expires_in" --port-file "$dir/port" --log "$dir/requests.jsonl"
    --secrets-log "$TEST_TMP/.secrets-tokens")
  [[ -n $strict ]] && cmd+=("$strict")
  : >"$dir/requests.jsonl"
  _registry_spawn "$dir/stderr.log" "${cmd[@]}"
  local pid=$_REGISTRY_LAST_PID
  _registry_wait_file "$pid" "$dir/port" ||
    { _registry_fail_start "token issuer $name did not start" "$dir/stderr.log"; return 1; }
  local port
  port=$(<"$dir/port")
  _registry_export "$name" URL "http://127.0.0.1:$port"
  _registry_export "$name" REALM "http://127.0.0.1:$port/token"
  _registry_export "$name" PORT "$port"
  _registry_export "$name" LOG "$dir/requests.jsonl"
  _registry_export "$name" STDERR "$dir/stderr.log"
  _registry_export "$name" CERT "$dir/cert.pem"
  _registry_export "$name" KEY "$dir/key.pem"
  _registry_export "$name" USERS "$users"
  _registry_export "$name" SERVICE "$service"
  _registry_export "$name" ISSUER_NAME "$issuer_name"
  _registry_export "$name" PID "$pid"
}

# --- registry --------------------------------------------------------------------------------
start_registry() {
  local name=${1:-} kind=${2:-}
  _registry_check_name "$name" || return 2
  shift 2 || { echo "usage: start_registry NAME CONFIG" >&2; return 2; }
  local delete=false
  local -a issuer_args=()
  while (($#)); do
    case $1 in
      --delete) delete=true; shift ;;
      --expires-in | --users | --service | --issuer-name) issuer_args+=("$1" "$2"); shift 2 ;;
      --strict-expiry) issuer_args+=("$1"); shift ;;
      *) echo "start_registry: unknown option $1" >&2; return 2 ;;
    esac
  done
  if ((${#issuer_args[@]})) && [[ $kind != token ]]; then
    echo "start_registry: ${issuer_args[0]} only applies to the token config" >&2
    return 2
  fi
  local scheme=http user="" password="" auth_yaml="" tls_yaml=""
  local dir=$TEST_TMP/registry-$name
  mkdir -p "$dir/data"
  case $kind in
    anon) ;;
    deletes) delete=true ;;
    htpasswd-tls)
      _registry_ensure_ca || return 1
      scheme=https
      user=alice
      password=$(_registry_secret)
      printf '%s' "$password" | htpasswd -iBc "$dir/htpasswd" "$user" >/dev/null 2>"$dir/htpasswd.log" ||
        { _registry_fail_start "htpasswd failed" "$dir/htpasswd.log"; return 1; }
      auth_yaml=$(printf 'auth:\n  htpasswd:\n    realm: sigil-test\n    path: %s\n' "$dir/htpasswd")
      tls_yaml=$(printf '  tls:\n    certificate: %s\n    key: %s\n' \
        "$REGISTRY_CA_DIR/server.crt" "$REGISTRY_CA_DIR/server.key")
      _registry_export "$name" CA "$REGISTRY_CA_DIR/ca.crt"
      _registry_export "$name" CERT_DIR "$REGISTRY_CA_DIR/certs.d"
      ;;
    token)
      start_token_issuer "${name}_ISSUER" "${issuer_args[@]}" || return 1
      local iss=${name}_ISSUER
      local realm_var=${iss}_REALM service_var=${iss}_SERVICE name_var=${iss}_ISSUER_NAME
      local cert_var=${iss}_CERT user_var=${iss}_USER pw_var=${iss}_PASSWORD
      local bob_var=${iss}_BOB_USER bobpw_var=${iss}_BOB_PASSWORD
      auth_yaml=$(printf 'auth:\n  token:\n    realm: %s\n    service: %s\n    issuer: %s\n    rootcertbundle: %s\n' \
        "${!realm_var}" "${!service_var}" "${!name_var}" "${!cert_var}")
      user=${!user_var:-}
      password=${!pw_var:-}
      _registry_export "$name" SERVICE "${!service_var}"
      if [[ -n ${!bob_var:-} ]]; then
        _registry_export "$name" BOB_USER "${!bob_var}"
        _registry_export "$name" BOB_PASSWORD "${!bobpw_var}"
      fi
      ;;
    *)
      echo "start_registry: CONFIG must be anon, htpasswd-tls, token or deletes (got '$kind')" >&2
      return 2
      ;;
  esac
  local -a curl_args=()
  [[ $scheme == https ]] && curl_args=(--cacert "$REGISTRY_CA_DIR/ca.crt")
  local attempt port pid="" log=$dir/registry.log
  for attempt in 1 2 3 4 5; do
    port=$(_registry_free_port) || return 1
    cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: $delete
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: $(_registry_secret)
  headers:
    X-Content-Type-Options: [nosniff]
${tls_yaml}
${auth_yaml}
EOF
    echo "--- start attempt $attempt on port $port" >>"$log"
    _registry_spawn "$log" "$REGISTRY_BIN" serve "$dir/config.yml"
    pid=$_REGISTRY_LAST_PID
    # Our process must have bound the port (its log says so) and answer: a foreign server that
    # grabbed the port in between must not pass for ours.
    if _registry_wait_http "$pid" "$scheme://127.0.0.1:$port/v2/" "${curl_args[@]}" &&
      grep -q "listening on 127.0.0.1:$port" "$log" && _registry_alive "$pid"; then
      break
    fi
    _registry_stop "$pid"
    pid=""
  done
  [[ -n $pid ]] || { _registry_fail_start "registry $name ($kind) did not start" "$log"; return 1; }
  local host=127.0.0.1:$port
  _registry_export "$name" HOST "$host"
  _registry_export "$name" URL "$scheme://$host"
  _registry_export "$name" PORT "$port"
  _registry_export "$name" SCHEME "$scheme"
  _registry_export "$name" KIND "$kind"
  _registry_export "$name" LOG "$log"
  _registry_export "$name" DIR "$dir"
  _registry_export "$name" CONFIG "$dir/config.yml"
  _registry_export "$name" PID "$pid"
  if [[ -n $user ]]; then
    _registry_export "$name" USER "$user"
    _registry_export "$name" PASSWORD "$password"
  fi
  _registry_write_auth_file "$dir/docker/config.json" "$host" "$user" "$password"
  _registry_export "$name" DOCKER_CONFIG "$dir/docker"
  _registry_export "$name" AUTH_FILE "$dir/docker/config.json"
  _REGISTRY_BY_HOST[$host]=$name
  _REGISTRY_BY_URL[$scheme://$host]=$name
}

# --- TLS front with a bad certificate ---------------------------------------------------------
# start_tls_front NAME KIND UPSTREAM_PORT: TLS on 127.0.0.1 with a certificate from the test CA
# that is wrong on purpose (KIND: expired | wrong-host), the bytes pumped to the plain-HTTP
# registry at UPSTREAM_PORT. Exports NAME_PORT, NAME_HOST (127.0.0.1:PORT), NAME_CA.
start_tls_front() {
  local name=${1:-} kind=${2:-} upstream=${3:-} dir port
  _registry_check_name "$name" || return 2
  _registry_ensure_ca || return 1
  dir=$TEST_TMP/tls-front-$name
  mkdir -p "$dir"
  _registry_spawn "$dir/log" "$REGISTRY_PYTHON" "$REGISTRY_TOOLS_DIR/tls_front.py" --kind "$kind" \
    --ca-cert "$REGISTRY_CA_DIR/ca.crt" --ca-key "$REGISTRY_CA_DIR/ca.key" --upstream-port "$upstream" \
    --port-file "$dir/port"
  _registry_wait_file "$_REGISTRY_LAST_PID" "$dir/port" || {
    _registry_fail_start "tls_front.py ($kind) did not start" "$dir/log"
    return 1
  }
  port=$(cat "$dir/port")
  _registry_export "$name" PORT "$port"
  _registry_export "$name" HOST "127.0.0.1:$port"
  _registry_export "$name" CA "$REGISTRY_CA_DIR/ca.crt"
}

# --- fault proxy -----------------------------------------------------------------------------
start_fault_proxy() {
  local name=${1:-} upstream=${2:-}
  _registry_check_name "$name" || return 2
  shift 2 || { echo "usage: start_fault_proxy NAME UPSTREAM_URL [--plan FILE]" >&2; return 2; }
  local dir=$TEST_TMP/proxy-$name plan="" other_ip=127.0.0.2
  while (($#)); do
    case $1 in
      --plan) plan=$2; shift 2 ;;
      --other-ip) other_ip=$2; shift 2 ;;
      *) echo "start_fault_proxy: unknown option $1" >&2; return 2 ;;
    esac
  done
  mkdir -p "$dir"
  [[ -n $plan ]] || plan=$dir/plan.json
  [[ -e $plan ]] || echo '[]' >"$plan"
  upstream=${upstream%/}
  local up=${_REGISTRY_BY_URL[$upstream]:-}
  local -a cmd=("$REGISTRY_PYTHON" "$REGISTRY_TOOLS_DIR/fault_proxy.py" --upstream "$upstream"
    --plan "$plan" --log "$dir/requests.jsonl" --other-log "$dir/other-host.jsonl"
    --port-file "$dir/port" --other-ip "$other_ip")
  local scheme=http
  local -a curl_args=()
  if [[ $upstream == https://* ]]; then
    _registry_ensure_ca || return 1
    scheme=https
    local ca=$REGISTRY_CA_DIR/ca.crt
    if [[ -n $up ]]; then
      local ca_var=${up}_CA
      ca=${!ca_var:-$ca}
    fi
    cmd+=(--upstream-ca "$ca" --tls-cert "$REGISTRY_CA_DIR/server.crt"
      --tls-key "$REGISTRY_CA_DIR/server.key")
    curl_args=(--cacert "$REGISTRY_CA_DIR/ca.crt")
  fi
  : >"$dir/requests.jsonl"
  : >"$dir/other-host.jsonl"
  rm -f "$dir/port"
  _registry_spawn "$dir/proxy.log" "${cmd[@]}"
  local pid=$_REGISTRY_LAST_PID
  _registry_wait_file "$pid" "$dir/port" ||
    { _registry_fail_start "fault proxy $name did not start" "$dir/proxy.log"; return 1; }
  local port other
  { read -r port && read -r other; } <"$dir/port"
  _registry_wait_http "$pid" "$scheme://127.0.0.1:$port/__control/plan" "${curl_args[@]}" ||
    { _registry_fail_start "fault proxy $name does not answer" "$dir/proxy.log"; return 1; }
  local host=127.0.0.1:$port
  _registry_export "$name" HOST "$host"
  _registry_export "$name" URL "$scheme://$host"
  _registry_export "$name" PORT "$port"
  _registry_export "$name" SCHEME "$scheme"
  _registry_export "$name" CONTROL_URL "$scheme://$host/__control"
  _registry_export "$name" REQUESTS "$dir/requests.jsonl"
  _registry_export "$name" PLAN "$plan"
  _registry_export "$name" OTHER_HOST "$other"
  _registry_export "$name" OTHER_LOG "$dir/other-host.jsonl"
  _registry_export "$name" LOG "$dir/proxy.log"
  _registry_export "$name" PID "$pid"
  _registry_export "$name" UPSTREAM "$upstream"
  local user="" password=""
  if [[ -n $up ]]; then
    local s v
    for s in USER PASSWORD BOB_USER BOB_PASSWORD CA CERT_DIR SERVICE; do
      v=${up}_$s
      [[ -n ${!v:-} ]] && _registry_export "$name" "$s" "${!v}"
    done
    v=${up}_USER
    user=${!v:-}
    v=${up}_PASSWORD
    password=${!v:-}
  elif [[ $scheme == https ]]; then
    _registry_export "$name" CA "$REGISTRY_CA_DIR/ca.crt"
    _registry_export "$name" CERT_DIR "$REGISTRY_CA_DIR/certs.d"
  fi
  _registry_write_auth_file "$dir/docker/config.json" "$host" "$user" "$password"
  _registry_export "$name" DOCKER_CONFIG "$dir/docker"
  _registry_export "$name" AUTH_FILE "$dir/docker/config.json"
  _REGISTRY_BY_HOST[$host]=$name
  _REGISTRY_BY_URL[$scheme://$host]=$name
}

_registry_var() { local v=${1}_$2; printf '%s' "${!v:-}"; }

proxy_plan() {
  local plan
  plan=$(_registry_var "$1" PLAN)
  [[ -n $plan ]] || { echo "proxy_plan: no proxy named $1" >&2; return 2; }
  "$REGISTRY_PYTHON" -c '
import json, os, sys
data = json.loads(sys.argv[2])
tmp = sys.argv[1] + ".new"
with open(tmp, "w") as f:
    json.dump(data, f)
os.rename(tmp, sys.argv[1])' "$plan" "$2"
}

proxy_clear_plan() { proxy_plan "$1" '[]'; }

proxy_reset_log() {
  local f
  f=$(_registry_var "$1" REQUESTS)
  [[ -n $f ]] || { echo "proxy_reset_log: no proxy named $1" >&2; return 2; }
  : >"$f"
  : >"$(_registry_var "$1" OTHER_LOG)"
}

proxy_count() {
  local f
  f=$(_registry_var "$1" REQUESTS)
  [[ -n $f ]] || { echo "proxy_count: no proxy named $1" >&2; return 2; }
  "$REGISTRY_PYTHON" -c '
import json, re, sys
f, method, path, status = sys.argv[1:5]
n = 0
for line in open(f):
    line = line.strip()
    if not line:
        continue
    e = json.loads(line)
    if method != "-" and e["method"] != method.upper():
        continue
    if path != "-" and not re.search(path, e["target"]):
        continue
    if status != "-" and str(e["status"]) != status:
        continue
    n += 1
print(n)' "$f" "${2:--}" "${3:--}" "${4:--}"
}

proxy_connections() {
  local f
  f=$(_registry_var "$1" REQUESTS)
  [[ -n $f ]] || { echo "proxy_connections: no proxy named $1" >&2; return 2; }
  "$REGISTRY_PYTHON" -c '
import json, sys
print(len({json.loads(l)["conn"] for l in open(sys.argv[1]) if l.strip()}))' "$f"
}

proxy_other_count() {
  local f
  f=$(_registry_var "$1" OTHER_LOG)
  [[ -n $f ]] || { echo "proxy_other_count: no proxy named $1" >&2; return 2; }
  "$REGISTRY_PYTHON" -c '
import json, sys
es = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
if sys.argv[2] == "auth":
    es = [e for e in es if e["auth"]]
print(len(es))' "$f" "${2:-all}"
}

# --- test images -----------------------------------------------------------------------------
push_test_image() {
  local host=${1:-} repo=${2:-} tag=${3:-}
  shift 3 || { echo "usage: push_test_image HOST REPO TAG [options]" >&2; return 2; }
  local -a layout_args=()
  local index="" user="" password="" anonymous="" creds_given=""
  while (($#)); do
    case $1 in
      --layers | --layer-size) layout_args+=("$1" "$2"); shift 2 ;;
      --index) index=1; layout_args+=(--index); shift ;;
      --info) layout_args+=(--info "$2"); shift 2 ;;
      --user) user=$2; creds_given=1; shift 2 ;;
      --password) password=$2; creds_given=1; shift 2 ;;
      --anonymous) anonymous=1; shift ;;
      *) echo "push_test_image: unknown option $1" >&2; return 2 ;;
    esac
  done
  local name=${_REGISTRY_BY_HOST[$host]:-}
  local -a tls_args=(--dest-tls-verify=false)
  if [[ -n $name && $(_registry_var "$name" SCHEME) == https ]]; then
    tls_args=(--dest-cert-dir "$(_registry_var "$name" CERT_DIR)")
  fi
  if [[ -z $creds_given && -z $anonymous && -n $name ]]; then
    user=$(_registry_var "$name" USER)
    password=$(_registry_var "$name" PASSWORD)
  fi
  [[ -n $anonymous ]] && user="" password=""
  local work
  work=$(mktemp -d "$TEST_TMP/push.XXXXXX") || return 1
  _registry_write_auth_file "$work/auth.json" "$host" "$user" "$password"
  local digest
  digest=$("$REGISTRY_PYTHON" "$REGISTRY_TOOLS_DIR/make_oci_layout.py" "$work/layout" "$tag" \
    "${layout_args[@]}") || { echo "push_test_image: could not build the layout" >&2; return 1; }
  local -a copy_args=(--insecure-policy copy --retry-times 0 "${tls_args[@]}"
    --dest-authfile "$work/auth.json" --digestfile "$work/digest")
  [[ -n $index ]] && copy_args+=(--all)
  if ! timeout 60 "$REGISTRY_SKOPEO" "${copy_args[@]}" "oci:$work/layout:$tag" \
    "docker://$host/$repo:$tag" >"$work/skopeo.log" 2>&1; then
    echo "push_test_image: skopeo could not push $host/$repo:$tag:" >&2
    sed 's/^/push_test_image:   /' "$work/skopeo.log" | tail -n 20 >&2
    return 1
  fi
  local pushed
  pushed=$(<"$work/digest")
  if [[ $pushed != "$digest" ]]; then
    echo "push_test_image: warning: skopeo pushed $pushed, layout has $digest" >&2
  fi
  echo "$pushed"
}
