#!/usr/bin/python3
"""Docker registry token issuer for sigil's integration tests (stdlib + python3-cryptography).

Implements the distribution token protocol on 127.0.0.1 (random port unless --port):
  GET  /token?service=S&scope=T:NAME:ACTIONS[&scope=...][&offline_token=true]
       optional Basic auth; no Authorization header = anonymous. Answers
       {"token", "access_token", "expires_in", "issued_at"} (+ "refresh_token" when
       offline_token=true and the caller authenticated).
  POST /token  (application/x-www-form-urlencoded, OAuth2)
       grant_type=password      (username, password)
       grant_type=refresh_token (refresh_token)
       plus service, scope (space separated), client_id, access_type=offline.
       Answers {"access_token", "scope", "expires_in", "issued_at"} (+ "refresh_token" when
       access_type=offline or grant_type=refresh_token). Like docker's own servers the POST answer
       has no "token" field.
  Wrong credentials: 401 {"errors":[{"code":"UNAUTHORIZED",...}]} with a Basic challenge.
  Unknown refresh token: 400 {"error":"invalid_grant"}. Wrong service: 400.

The JWT is signed ES256 (EC P-256 key) or RS256 (RSA key) and carries the signing certificate
in its `x5c` header (standard base64 DER): distribution 2.8 verifies that chain against its
`auth.token.rootcertbundle` (a self-signed cert listed there is its own root). A libtrust-style
`kid` is added too (distribution only consults it when there is no x5c).
Claims: iss, sub, aud (= service), exp, nbf, iat, jti, access: [{type, name, actions}] where
actions = requested actions intersected with the caller's grants (entries left empty are dropped).

Users file (JSON, re-read on every request so tests may change grants at run time):
  {"users": {"alice": {"password": "...", "grants": [{"type": "repository", "name": "*",
                                                      "actions": ["pull", "push", "delete"]}]}},
   "anonymous": {"grants": [{"type": "repository", "name": "public/*", "actions": ["pull"]}]}}
`name` is an fnmatch pattern (`*` also matches `/`), `actions` ["*"] allows whatever is asked.

Every request is logged as a JSON line to --log: ts, method, path, user (null if refused),
status, grant_type, scopes, granted.

The registry accepts a token until exp + 60 s (distribution's clock-skew leeway). With
--strict-expiry the JWT's exp is set to iat + expires_in - 60, so the registry starts refusing
the token exactly expires_in seconds after issue (use with a short --expires-in to test re-auth).
"""
import argparse
import base64
import fnmatch
import hashlib
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

LEEWAY = 60


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_key_id(public_key) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    b32 = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(b32[i:i + 4] for i in range(0, len(b32), 4))


class Signer:
    def __init__(self, key_path, cert_path):
        with open(key_path, "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), password=None)
        with open(cert_path, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        self.x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
        self.kid = libtrust_key_id(cert.public_key())
        if isinstance(self.key, ec.EllipticCurvePrivateKey):
            self.alg = "ES256"
        elif isinstance(self.key, rsa.RSAPrivateKey):
            self.alg = "RS256"
        else:
            raise SystemExit("token_issuer: key must be EC P-256 or RSA")

    def sign(self, claims: dict) -> str:
        header = {"typ": "JWT", "alg": self.alg, "kid": self.kid, "x5c": self.x5c}
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        if self.alg == "ES256":
            r, s = decode_dss_signature(self.key.sign(signing_input.encode(),
                                                      ec.ECDSA(hashes.SHA256())))
            sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        else:
            sig = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(sig)


def parse_scope(scope: str):
    """`type[(class)]:name:actions` -> (type, name, [actions]); the name may contain ':'."""
    first = scope.find(":")
    last = scope.rfind(":")
    if first < 0 or last <= first:
        return None
    rtype = scope[:first]
    if "(" in rtype:
        rtype = rtype[:rtype.index("(")]
    actions = [a for a in scope[last + 1:].split(",") if a]
    return rtype, scope[first + 1:last], actions


class Issuer:
    def __init__(self, args):
        self.args = args
        self.signer = Signer(args.key, args.cert)
        self.lock = threading.Lock()
        self.refresh_tokens = {}  # refresh token -> user
        self.log_file = open(args.log, "a", buffering=1) if args.log else None

    def users(self):
        with open(self.args.users) as f:
            return json.load(f)

    def authenticate(self, user, password):
        """Returns True when user/password match the users file."""
        entry = self.users().get("users", {}).get(user)
        return bool(entry) and secrets.compare_digest(str(entry.get("password", "")), password)

    def grants_of(self, user):
        data = self.users()
        if user is None:
            return data.get("anonymous", {}).get("grants", [])
        return data.get("users", {}).get(user, {}).get("grants", [])

    def access_for(self, user, scopes):
        grants = self.grants_of(user)
        access = []
        for scope in scopes:
            parsed = parse_scope(scope)
            if not parsed:
                continue
            rtype, name, wanted = parsed
            allowed = set()
            for g in grants:
                if g.get("type", "repository") != rtype:
                    continue
                if not fnmatch.fnmatchcase(name, g.get("name", "")):
                    continue
                acts = g.get("actions", [])
                allowed |= set(wanted) if "*" in acts else set(acts)
            actions = [a for a in wanted if a in allowed]
            if actions:
                access.append({"type": rtype, "name": name, "actions": actions})
        return access

    def issue(self, user, scopes):
        now = int(time.time())
        expires_in = self.args.expires_in
        exp = now + expires_in - (LEEWAY if self.args.strict_expiry else 0)
        access = self.access_for(user, scopes)
        claims = {
            "iss": self.args.issuer,
            "sub": user or "",
            "aud": self.args.service,
            "exp": exp,
            "nbf": now,
            "iat": now,
            "jti": secrets.token_hex(16),
            "access": access,
        }
        issued_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
        token = self.signer.sign(claims)
        self.record_secret(token)
        return token, expires_in, issued_at, access

    def record_secret(self, value):
        """--secrets-log: every token handed out, for the tests' secret scan (lib.sh)."""
        if self.args.secrets_log:
            with self.lock, open(self.args.secrets_log, "a") as f:
                f.write(value + "\n")

    def new_refresh_token(self, user):
        tok = secrets.token_urlsafe(24)
        with self.lock:
            self.refresh_tokens[tok] = user
        self.record_secret(tok)
        return tok

    def log(self, **entry):
        if self.log_file:
            entry = {"ts": round(time.time(), 3), **entry}
            with self.lock:
                self.log_file.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60
    server_version = "sigil-test-token-issuer"
    issuer: Issuer = None

    def log_message(self, fmt, *args):  # quiet: our own JSON log is the record
        pass

    def reply(self, status, obj, extra_headers=()):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def unauthorized(self, msg, **log):
        self.issuer.log(method=self.command, path=self.path, user=None, status=401, **log)
        self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": msg}]},
                   [("WWW-Authenticate", 'Basic realm="%s"' % self.issuer.args.issuer)])

    def bad_request(self, obj, **log):
        self.issuer.log(method=self.command, path=self.path, user=None, status=400, **log)
        self.reply(400, obj)

    def check_service(self, service, **log):
        if service and service != self.issuer.args.service:
            self.bad_request({"errors": [{"code": "DENIED",
                                          "message": "unknown service %r" % service}]}, **log)
            return False
        return True

    def basic_user(self):
        """(ok, user): ok False when an Authorization header was given but is not valid Basic."""
        auth = self.headers.get("Authorization")
        if not auth:
            return True, None
        scheme, _, value = auth.partition(" ")
        if scheme.lower() != "basic":
            return False, None
        try:
            user, _, password = base64.b64decode(value.strip()).decode().partition(":")
        except Exception:
            return False, None
        if not self.issuer.authenticate(user, password):
            return False, user
        return True, user

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token":
            self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
            return
        q = urllib.parse.parse_qs(url.query)
        scopes = []
        for s in q.get("scope", []):
            scopes.extend(s.split(" "))
        if not self.check_service((q.get("service") or [""])[0], grant_type="get", scopes=scopes):
            return
        ok, user = self.basic_user()
        if not ok:
            self.unauthorized("invalid username or password", grant_type="get", scopes=scopes,
                              attempted_user=user)
            return
        token, expires_in, issued_at, access = self.issuer.issue(user, scopes)
        resp = {"token": token, "access_token": token, "expires_in": expires_in,
                "issued_at": issued_at}
        if user and (q.get("offline_token") or [""])[0] == "true":
            resp["refresh_token"] = self.issuer.new_refresh_token(user)
        self.issuer.log(method="GET", path=self.path, user=user or "anonymous", status=200,
                        grant_type="get", scopes=scopes, granted=access)
        self.reply(200, resp)

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        body = self.read_body()
        if url.path != "/token":
            self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
            return
        form = urllib.parse.parse_qs(body.decode(errors="replace"))
        get = lambda k: (form.get(k) or [""])[0]  # noqa: E731
        grant_type = get("grant_type")
        scopes = [s for s in get("scope").split(" ") if s]
        if not self.check_service(get("service"), grant_type=grant_type, scopes=scopes):
            return
        if grant_type == "password":
            user = get("username")
            if not self.issuer.authenticate(user, get("password")):
                self.unauthorized("invalid username or password", grant_type=grant_type,
                                  scopes=scopes, attempted_user=user)
                return
            refresh = self.issuer.new_refresh_token(user) if get("access_type") == "offline" else None
        elif grant_type == "refresh_token":
            with self.issuer.lock:
                user = self.issuer.refresh_tokens.get(get("refresh_token"))
            if user is None:
                self.bad_request({"error": "invalid_grant",
                                  "error_description": "unknown refresh token"},
                                 grant_type=grant_type, scopes=scopes)
                return
            refresh = get("refresh_token")
        else:
            self.bad_request({"error": "unsupported_grant_type"}, grant_type=grant_type,
                             scopes=scopes)
            return
        token, expires_in, issued_at, access = self.issuer.issue(user, scopes)
        resp = {"access_token": token, "scope": " ".join(scopes), "expires_in": expires_in,
                "issued_at": issued_at}
        if refresh:
            resp["refresh_token"] = refresh
        self.issuer.log(method="POST", path=self.path, user=user, status=200,
                        grant_type=grant_type, scopes=scopes, granted=access)
        self.reply(200, resp)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--key", required=True, help="PEM private key (EC P-256 or RSA)")
    p.add_argument("--cert", required=True, help="PEM certificate of that key (registry rootcertbundle)")
    p.add_argument("--users", required=True, help="users/grants JSON file")
    p.add_argument("--issuer", default="sigil-test-issuer")
    p.add_argument("--service", default="sigil-test-registry")
    p.add_argument("--expires-in", type=int, default=300)
    p.add_argument("--strict-expiry", action="store_true",
                   help="exp = iat + expires_in - 60 (cancels the registry's 60 s leeway)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", help="written (atomically) with the bound port once listening")
    p.add_argument("--log", help="JSON-lines request log")
    p.add_argument("--secrets-log", help="append every issued access and refresh token, one per line")
    args = p.parse_args()

    Handler.issuer = Issuer(args)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % server.server_address[1])
        os.rename(tmp, args.port_file)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
