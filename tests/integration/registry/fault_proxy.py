#!/usr/bin/python3
"""Fault-injecting HTTP/1.1 reverse proxy for sigil's registry integration tests (stdlib only).

Listens on 127.0.0.1 (random port), forwards to --upstream (http:// or https://), keeps client
connections alive (one upstream connection per client connection) and logs every request as one
JSON line to --log:
  {"ts", "seq", "conn", "method", "target", "path", "status", "upstream_status",
   "bytes_in", "bytes_out", "auth", "auth_scheme", "fault", "rule"}
`conn` numbers client connections (so tests can check keep-alive), `bytes_*` are body bytes,
`auth` says whether an Authorization header was present (its value is never logged), `fault` /
`rule` name the plan rule applied (null when the request was passed through). The line is
written before the response is sent, so a client that got (part of) an answer always finds it.
Bodies are buffered whole: meant for small test images.

The Host header is forwarded unchanged and X-Forwarded-Proto set to the proxy's scheme, so the
registry's Location headers point back at the proxy.

A second tiny server, the "other host" (default 127.0.0.2, another port), is the target of
`redirect` faults. It logs {"ts", "method", "target", "auth", "auth_scheme", "ticket", "status"}
to --other-log and then serves the redirected request from the upstream with the credentials of
the original request (like a pre-signed storage URL), so clients that follow a redirect still
succeed - and the log shows whether they leaked their Authorization header to that host.

PLAN (--plan FILE, re-read whenever the file changes: write a new file and rename it over the
old one; or POST the JSON to /__control/plan, which does exactly that). Rule counters reset when
the plan changes. Either a list of rules or {"rules": [...]}. Per request the first rule that
matches and is not used up applies. Rule fields:
  id        name reported in the log (default "rule<index>")
  method    "GET" or ["GET", "HEAD"] (default: any)
  path      Python regex, re.search()ed against the request target incl. query (default: any)
  auth      true / false / "Basic" / "Bearer": match on the request's Authorization header
  skip      let this many matching requests through first (default 0)
  count     apply to this many matching requests, then stop (default: unlimited)
  delay_ms  sleep before answering (any kind)
  hold      a gate name: hold the request, before anything else (upstream not asked yet), until
            the gate is opened (POST /__control/gates/NAME), at most `hold_max_ms` (default
            30000); then go on as the rest of the rule says. Gates are independent of the plan
            (a held request stays held across plan changes) and stay open once opened. Lets a
            test order several clients' requests deterministically: "hold the 1st PUT of this
            tag until the other signer has exited". The log line has "held_ms" and, when the
            bound ran out, "hold_timed_out": true.
  fault     one of:
    none          forward unchanged (with delay_ms: a slow answer)
    status        answer `status` (default 503) without asking upstream; optional retry_after,
                  body (string), content_type, headers {name: value}; "forward": true forwards
                  first (the request takes effect upstream, its answer is replaced)
    html_404      answer 404 (or `status`) with an HTML page (text/html), upstream not asked
    reset         forward, send headers and `bytes` body bytes (default: half the body), then
                  reset the connection (RST)
    drop          reset the connection without any answer ("forward": true asks upstream first)
    long_body     forward, send the body plus `extra` (default 64) bytes more than its
                  Content-Length, then close the connection
    oversize      forward, then pad the body to `size` bytes (default 8 MiB; JSON bodies are
                  padded with spaces, so they stay valid JSON); `framing`: "length" (default,
                  honest Content-Length), "chunked" or "close" (no length, close-delimited)
    wrong_manifest forward, then serve other bytes: `body` if given, else the JSON with an added
                  annotation "dev.sigil.test/injected"; Docker-Content-Digest stays the upstream's
                  (i.e. the requested digest) unless `digest_header` is "actual" or "omit"
    redirect      answer `status` (default 307) with Location = other host (or `to`, a
                  scheme://host:port prefix) + the same target (+ a __fp_ticket query parameter)
    trickle       forward, then send the body `chunk` (default 1) bytes every `interval_ms`
                  (default 50) ms
    slow          forward, then send the body in `pieces` (default 4) parts, one every
                  `ms` / `pieces` (`ms` default 1000); an answer without a body (HEAD, 201, ...)
                  is held back `ms` instead
    random        a seeded random fault on a share of the matching requests, reproducible: of
                  the requests the rule considers (`skip` / `count` count those), `rate` (0..1,
                  default 0.2) get one of `kinds` (uniformly), the others pass unchanged. Kinds:
                    reset      as `reset` (headers, half the body, then RST)
                    drop       as `drop` (RST, upstream not asked)
                    statusNNN  as `status` with that code, e.g. status500, status503, status429
                               (429 comes with Retry-After: `retry_after`, default "1");
                               `forward_rate` (default 0) of them are forwarded first, so the
                               request takes effect upstream and only its answer is lost
                    slow       as `slow`, `ms` drawn from `slow_ms` [min, max] (default
                               [200, 1500]), `pieces` as given
                  Default kinds: reset, status500, status503, status429, slow. `seed` (default
                  0) seeds the draws. `by`: "request" (default) draws each request's fate from
                  seed + method + target (upload session ids and `_state` elided, and whatever
                  the regex `elide` matches, e.g. digests that differ between runs) + how many
                  times that same request was seen before, so concurrent clients working on
                  different repositories/tags get the same faults on every run whatever their
                  interleaving; "sequence" draws from one generator in arrival order (exactly
                  reproducible only for a single sequential client). A faulted request's log
                  line has the concrete `fault` ("status", "reset", "slow", ...) and
                  "random": the kind ("status503"); a request the rule let through has
                  "fault": null, "random": null.

CONTROL endpoints on the proxy (not logged, not matched by rules):
  GET  /__control/plan            current plan and per-rule counters
  POST /__control/plan            replace the plan (JSON body); DELETE clears it
  GET  /__control/requests        the request log as a JSON array
  POST /__control/clear           truncate the request log and the other-host log
  GET  /__control/other-host-log  the other host's log as a JSON array
  GET  /__control/gates           {name: {"open": bool, "waiting": n}} for every gate named so far
  POST /__control/gates/NAME      opens gate NAME (releases the requests it holds)
"""
import argparse
import hashlib
import http.client
import itertools
import json
import os
import random
import re
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
              "trailer", "upgrade", "proxy-authenticate", "proxy-authorization", "expect",
              "content-length"}
HTML_404 = (b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
            b"<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p>"
            b"</body></html>\n")
KNOWN_FAULTS = {"none", "status", "html_404", "reset", "drop", "long_body", "oversize",
                "wrong_manifest", "redirect", "trickle"}
KNOWN_FAULTS |= {"slow", "random"}
RANDOM_DEFAULT_KINDS = ["reset", "status500", "status503", "status429", "slow"]
RANDOM_KIND_RE = re.compile(r"^(reset|drop|slow|status([1-5][0-9][0-9]))$")
# Parts of a request target that differ between runs of the same client (upload session ids,
# the registry's opaque _state): elided from the key of a "by": "request" draw.
RANDOM_ELIDE_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                             r"[0-9a-fA-F]{12}|(?<=_state=)[^&]*")


def prepare_random_rule(r):
    """Validates a "random" rule (ValueError) and gives it its draw state."""
    rate = float(r.get("rate", 0.2))
    if not 0.0 <= rate <= 1.0:
        raise ValueError("rule %s: rate must be within 0..1" % r["id"])
    kinds = r.get("kinds", RANDOM_DEFAULT_KINDS)
    if not isinstance(kinds, list) or not kinds:
        raise ValueError("rule %s: kinds must be a non-empty list" % r["id"])
    for k in kinds:
        if not isinstance(k, str) or not RANDOM_KIND_RE.match(k):
            raise ValueError("rule %s: unknown random kind %r" % (r["id"], k))
    if r.get("by", "request") not in ("request", "sequence"):
        raise ValueError("rule %s: by must be \"request\" or \"sequence\"" % r["id"])
    lo, hi = r.get("slow_ms", [200, 1500])
    r["_rate"], r["_kinds"], r["_slow"] = rate, list(kinds), (float(lo), float(hi))
    r["_rng"] = random.Random("%s" % r.get("seed", 0))
    r["_seen"] = {}  # (method, elided target) -> times seen
    r["_elide"] = re.compile(r["elide"]) if r.get("elide") else None


def draw_random_rule(r, method, target):
    """One draw of a "random" rule (caller holds the plan lock) -> (concrete rule or None,
    kind or None)."""
    if r.get("by", "request") == "sequence":
        rng = r["_rng"]
    else:
        key = (method, RANDOM_ELIDE_RE.sub("", target))
        if r["_elide"] is not None:
            key = (method, r["_elide"].sub("", key[1]))
        n = r["_seen"].get(key, 0)
        r["_seen"][key] = n + 1
        h = hashlib.sha256(("%s|%s|%s|%d" % (r.get("seed", 0), key[0], key[1], n)).encode())
        rng = random.Random(int.from_bytes(h.digest()[:8], "big"))
    # Always the same number of draws, so that one request's fate never shifts another's.
    hit, kind, forward, ms = (rng.random() < r["_rate"], rng.choice(r["_kinds"]),
                              rng.random() < float(r.get("forward_rate", 0)),
                              rng.uniform(*r["_slow"]))
    if not hit:
        return None, None
    c = {"id": r["id"]}
    if kind == "reset":
        c["fault"] = "reset"
    elif kind == "drop":
        c["fault"] = "drop"
    elif kind == "slow":
        c.update(fault="slow", ms=ms, pieces=r.get("pieces", 4))
    else:
        code = int(kind[len("status"):])
        c.update(fault="status", status=code, forward=forward)
        if code == 429:
            c["retry_after"] = r.get("retry_after", "1")
    return c, kind


def write_atomic(path, data: bytes):
    tmp = "%s.tmp.%d.%d" % (path, os.getpid(), threading.get_ident())
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


def read_jsonl(path):
    out = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass
    except FileNotFoundError:
        pass
    return out


class JsonlLog:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.f = open(path, "a", buffering=1) if path else None

    def write(self, entry):
        if self.f:
            with self.lock:
                self.f.write(json.dumps(entry) + "\n")
                self.f.flush()

    def clear(self):
        if self.f:
            with self.lock:
                self.f.truncate(0)


class Plan:
    """The fault plan: loaded from a file whenever the file changes (stat identity)."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.stamp = None
        self.rules = []
        self.state = []  # per rule: {"seen": n, "applied": n}
        self.error = None

    def _reload_locked(self):
        if not self.path:
            return
        try:
            st = os.stat(self.path)
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp == self.stamp:
            return
        self.stamp = stamp
        self.rules, self.state, self.error = [], [], None
        if stamp is None:
            return
        try:
            with open(self.path) as f:
                text = f.read()
            data = json.loads(text) if text.strip() else []
            rules = data.get("rules", []) if isinstance(data, dict) else data
            if not isinstance(rules, list):
                raise ValueError("rules must be a list")
            for i, r in enumerate(rules):
                if not isinstance(r, dict):
                    raise ValueError("rule %d is not an object" % i)
                r = dict(r)
                r.setdefault("id", "rule%d" % i)
                r.setdefault("fault", "none")
                if r["fault"] not in KNOWN_FAULTS:
                    raise ValueError("rule %s: unknown fault %r" % (r["id"], r["fault"]))
                r["_re"] = re.compile(r["path"]) if r.get("path") else None
                m = r.get("method")
                r["_methods"] = None if m is None else {x.upper() for x in
                                                        ([m] if isinstance(m, str) else m)}
                if r["fault"] == "random":
                    prepare_random_rule(r)
                self.rules.append(r)
                self.state.append({"seen": 0, "applied": 0})
        except (OSError, ValueError, re.error) as e:
            self.rules, self.state = [], []
            self.error = "invalid plan %s: %s" % (self.path, e)

    def match(self, method, target, auth_scheme):
        """Returns (rule or None, error string or None); counts the match."""
        with self.lock:
            self._reload_locked()
            if self.error:
                return None, self.error
            for r, st in zip(self.rules, self.state):
                if r["_methods"] is not None and method not in r["_methods"]:
                    continue
                if r["_re"] is not None and not r["_re"].search(target):
                    continue
                want_auth = r.get("auth")
                if want_auth is not None:
                    if isinstance(want_auth, bool):
                        if want_auth != (auth_scheme is not None):
                            continue
                    elif (auth_scheme or "").lower() != str(want_auth).lower():
                        continue
                count = r.get("count")
                if count is not None and st["applied"] >= count:
                    continue
                st["seen"] += 1
                if st["seen"] <= int(r.get("skip", 0)):
                    continue
                st["applied"] += 1
                return r, None
            return None, None

    def draw(self, rule, method, target):
        """Resolves a matched "random" rule -> (concrete rule or None, kind or None)."""
        with self.lock:
            return draw_random_rule(rule, method, target)

    def snapshot(self):
        with self.lock:
            self._reload_locked()
            rules = []
            for r, st in zip(self.rules, self.state):
                pub = {k: v for k, v in r.items() if not k.startswith("_")}
                rules.append({"rule": pub, **st})
            return {"file": self.path, "error": self.error, "rules": rules}

    def replace(self, data: bytes):
        json.loads(data.decode() or "[]")  # validate before installing
        write_atomic(self.path, data)


class Shared:
    """State shared by the proxy and the other-host server."""

    def __init__(self, args):
        self.args = args
        u = urllib.parse.urlsplit(args.upstream)
        self.up_tls = u.scheme == "https"
        self.up_host = u.hostname
        self.up_port = u.port or (443 if self.up_tls else 80)
        self.up_ctx = None
        if self.up_tls:
            self.up_ctx = ssl.create_default_context(cafile=args.upstream_ca)
        self.plan = Plan(args.plan)
        self.log = JsonlLog(args.log)
        self.other_log = JsonlLog(args.other_log)
        self.seq = itertools.count(1)
        self.conns = itertools.count(1)
        self.tickets = {}  # ticket -> headers of the redirected request (incl. Authorization)
        self.gates = {}  # name -> {"event": threading.Event, "waiting": n}
        self.gates_lock = threading.Lock()
        self.tickets_lock = threading.Lock()
        self.ticket_ids = itertools.count(1)
        self.scheme = "https" if args.tls_cert else "http"
        self.other_hostport = None

    def upstream_conn(self):
        if self.up_tls:
            return http.client.HTTPSConnection(self.up_host, self.up_port, context=self.up_ctx,
                                               timeout=self.args.upstream_timeout)
        return http.client.HTTPConnection(self.up_host, self.up_port,
                                          timeout=self.args.upstream_timeout)

    def gate(self, name):
        """The gate NAME (created closed on first use); caller holds gates_lock."""
        return self.gates.setdefault(name, {"event": threading.Event(), "waiting": 0})

    def hold(self, name, max_ms):
        """Waits until gate NAME is open, at most max_ms -> (held ms, timed out)."""
        with self.gates_lock:
            g = self.gate(name)
            g["waiting"] += 1
        start = time.monotonic()
        try:
            opened = g["event"].wait(max_ms / 1000.0)
        finally:
            with self.gates_lock:
                g["waiting"] -= 1
        return round((time.monotonic() - start) * 1000), not opened

    def open_gate(self, name):
        with self.gates_lock:
            self.gate(name)["event"].set()

    def gates_snapshot(self):
        with self.gates_lock:
            return {n: {"open": g["event"].is_set(), "waiting": g["waiting"]}
                    for n, g in self.gates.items()}


class Response:
    def __init__(self, status, reason, headers, body, head=False):
        self.status, self.reason, self.headers, self.body, self.head = (status, reason, headers,
                                                                        body, head)

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def set_header(self, name, value):
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        if value is not None:
            self.headers.append((name, value))


class BaseHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120
    shared: Shared = None

    def log_message(self, fmt, *args):
        if self.shared.args.verbose:
            sys.stderr.write("fault_proxy: " + (fmt % args) + "\n")

    def setup(self):
        super().setup()
        self.upstream = None
        self.conn_id = next(self.shared.conns)

    def finish(self):
        try:
            super().finish()
        finally:
            if self.upstream is not None:
                self.upstream.close()

    # -- request helpers -------------------------------------------------------------------
    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ConnectionError("eof in chunked body")
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while True:  # trailers
                        t = self.rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks), True
        n = self.headers.get("Content-Length")
        if n is not None:
            n = int(n)
            return (self.rfile.read(n) if n > 0 else b""), True
        return b"", False

    def auth_scheme(self):
        a = self.headers.get("Authorization")
        if a is None:
            return None
        return a.split(" ", 1)[0] or "?"

    def forward(self, method, target, headers, body, has_body):
        """Sends the request upstream on this connection's upstream connection -> Response."""
        fwd = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP
               and k.lower() != "x-forwarded-proto"]
        fwd.append(("X-Forwarded-Proto", self.shared.scheme))
        last_err = None
        for attempt in range(2):
            fresh = self.upstream is None
            if fresh:
                self.upstream = self.shared.upstream_conn()
            conn = self.upstream
            try:
                conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
                for k, v in fwd:
                    conn.putheader(k, v)
                if has_body or body:
                    conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body if body else None)
                resp = conn.getresponse()
                data = resp.read()
                headers_out = [(k, v) for k, v in resp.getheaders()]
                if resp.will_close:
                    conn.close()
                    self.upstream = None
                return Response(resp.status, resp.reason, headers_out, data,
                                head=(method == "HEAD"))
            except (ConnectionError, http.client.HTTPException, OSError) as e:
                last_err = e
                conn.close()
                self.upstream = None
                if fresh:
                    break
        return Response(502, "Bad Gateway", [("Content-Type", "text/plain")],
                        ("fault proxy: upstream error: %s\n" % last_err).encode(),
                        head=(method == "HEAD"))

    # -- response helpers ------------------------------------------------------------------
    def send_head(self, resp, content_length="auto"):
        self.send_response_only(resp.status, resp.reason)
        for k, v in resp.headers:
            if k.lower() in HOP_BY_HOP and k.lower() != "content-length":
                continue
            if k.lower() == "content-length":
                continue
            self.send_header(k, v)
        if content_length == "auto":
            if resp.head:
                cl = resp.header("Content-Length")
                if cl is not None:
                    self.send_header("Content-Length", cl)
            else:
                self.send_header("Content-Length", str(len(resp.body)))
        elif content_length is not None:
            self.send_header("Content-Length", str(content_length))
        self.end_headers()

    def send_plain(self, resp):
        self.send_head(resp)
        if not resp.head and resp.body:
            self.wfile.write(resp.body)

    def hard_reset(self):
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        try:
            self.connection.close()
        except OSError:
            pass

    def handle_any(self):
        raise NotImplementedError

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = (
        lambda self: self.handle_any())


class ProxyHandler(BaseHandler):
    server_version = "sigil-fault-proxy"

    def handle_any(self):
        try:
            self._handle()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def control(self, body):
        sh = self.shared
        path = urllib.parse.urlsplit(self.path).path
        status, obj = 200, None
        if path == "/__control/plan":
            if self.command == "GET":
                obj = sh.plan.snapshot()
            elif self.command in ("POST", "PUT"):
                try:
                    sh.plan.replace(body)
                    obj = {"ok": True}
                except ValueError as e:
                    status, obj = 400, {"error": "invalid JSON: %s" % e}
            elif self.command == "DELETE":
                sh.plan.replace(b"[]")
                obj = {"ok": True}
        elif path == "/__control/requests" and self.command == "GET":
            obj = read_jsonl(sh.args.log)
        elif path == "/__control/other-host-log" and self.command == "GET":
            obj = read_jsonl(sh.args.other_log)
        elif path == "/__control/gates" and self.command == "GET":
            obj = sh.gates_snapshot()
        elif path.startswith("/__control/gates/") and self.command == "POST":
            sh.open_gate(path[len("/__control/gates/"):])
            obj = {"ok": True}
        elif path == "/__control/clear" and self.command == "POST":
            sh.log.clear()
            sh.other_log.clear()
            obj = {"ok": True}
        if obj is None:
            status, obj = 404, {"error": "unknown control endpoint"}
        data = json.dumps(obj).encode()
        self.send_plain(Response(status, None, [("Content-Type", "application/json")], data,
                                 head=(self.command == "HEAD")))

    def _handle(self):
        sh = self.shared
        method, target = self.command, self.path
        body, has_body = self.read_body()
        if target.startswith("/__control/"):
            self.control(body)
            return
        scheme = self.auth_scheme()
        rule, plan_error = sh.plan.match(method, target, scheme)
        random_rule = rule is not None and rule["fault"] == "random"
        random_kind = None
        if random_rule:
            rule, random_kind = sh.plan.draw(rule, method, target)
        fault = rule["fault"] if rule else None
        entry = {"ts": round(time.time(), 4), "seq": next(sh.seq), "conn": self.conn_id,
                 "method": method, "target": target,
                 "path": urllib.parse.urlsplit(target).path, "status": None,
                 "upstream_status": None, "bytes_in": len(body), "bytes_out": 0,
                 "auth": scheme is not None, "auth_scheme": scheme,
                 "fault": fault, "rule": rule["id"] if rule else None}
        if random_rule:
            entry["random"] = random_kind
        head = method == "HEAD"
        headers = list(self.headers.items())

        def log(status, bytes_out):
            entry["status"], entry["bytes_out"] = status, bytes_out
            sh.log.write(entry)

        if plan_error:
            entry["fault"] = "invalid_plan"
            resp = Response(500, None, [("Content-Type", "text/plain")],
                            ("fault proxy: %s\n" % plan_error).encode(), head)
            log(500, len(resp.body))
            self.send_plain(resp)
            return
        if rule and rule.get("hold"):
            entry["held_ms"], timed_out = sh.hold(str(rule["hold"]),
                                                  float(rule.get("hold_max_ms", 30000)))
            if timed_out:
                entry["hold_timed_out"] = True
        if rule and rule.get("delay_ms"):
            time.sleep(float(rule["delay_ms"]) / 1000.0)

        if fault in (None, "none"):
            resp = self.forward(method, target, headers, body, has_body)
            entry["upstream_status"] = resp.status
            log(resp.status, 0 if head else len(resp.body))
            self.send_plain(resp)
            return

        if fault == "status":
            if rule.get("forward"):
                up = self.forward(method, target, headers, body, has_body)
                entry["upstream_status"] = up.status
            status = int(rule.get("status", 503))
            if "body" in rule:
                data = str(rule["body"]).encode()
                ctype = rule.get("content_type", "text/plain")
            else:
                code = {401: "UNAUTHORIZED", 403: "DENIED", 404: "NOT_FOUND",
                        429: "TOOMANYREQUESTS"}.get(status, "UNAVAILABLE")
                data = json.dumps({"errors": [{"code": code, "message":
                                               "injected by fault proxy"}]}).encode()
                ctype = rule.get("content_type", "application/json")
            hdrs = [("Content-Type", ctype)]
            if rule.get("retry_after") is not None:
                hdrs.append(("Retry-After", str(rule["retry_after"])))
            for k, v in (rule.get("headers") or {}).items():
                hdrs.append((k, str(v)))
            resp = Response(status, None, hdrs, data, head)
            log(status, 0 if head else len(data))
            self.send_plain(resp)
            return

        if fault == "html_404":
            status = int(rule.get("status", 404))
            resp = Response(status, None, [("Content-Type", "text/html; charset=utf-8")],
                            HTML_404, head)
            log(status, 0 if head else len(HTML_404))
            self.send_plain(resp)
            return

        if fault == "drop":
            if rule.get("forward"):
                up = self.forward(method, target, headers, body, has_body)
                entry["upstream_status"] = up.status
            log(0, 0)
            self.hard_reset()
            return

        if fault == "redirect":
            ticket = "t%d" % next(sh.ticket_ids)
            with sh.tickets_lock:
                sh.tickets[ticket] = headers
            base = rule.get("to") or "%s://%s" % (sh.scheme, sh.other_hostport)
            sep = "&" if "?" in target else "?"
            location = base.rstrip("/") + target + sep + "__fp_ticket=" + ticket
            status = int(rule.get("status", 307))
            resp = Response(status, None, [("Location", location),
                                           ("Content-Type", "text/plain")],
                            b"redirected by fault proxy\n", head)
            log(status, 0 if head else len(resp.body))
            self.send_plain(resp)
            return

        # The remaining faults mangle a real upstream answer.
        resp = self.forward(method, target, headers, body, has_body)
        entry["upstream_status"] = resp.status

        if fault == "reset":
            n = rule.get("bytes")
            n = len(resp.body) // 2 if n is None else min(int(n), len(resp.body))
            log(resp.status, 0 if head else n)
            self.send_head(resp)
            if not head and n:
                self.wfile.write(resp.body[:n])
            self.hard_reset()
            return

        if fault == "long_body":
            extra = int(rule.get("extra", 64))
            data = resp.body + (b"X" * extra)
            log(resp.status, 0 if head else len(data))
            self.send_head(resp)  # Content-Length of the real body
            if not head:
                self.wfile.write(data)
            self.close_connection = True
            return

        if fault == "oversize":
            size = int(rule.get("size", 8 << 20))
            framing = rule.get("framing", "length")
            data = resp.body
            if len(data) < size:
                data = data + (b" " if data[:1] in (b"{", b"[") else b"\0") * (size - len(data))
            resp.body = data
            log(resp.status, 0 if head else len(data))
            if head:
                self.send_head(resp, content_length=len(data))
            elif framing == "chunked":
                resp.set_header("Transfer-Encoding", None)
                self.send_response_only(resp.status, resp.reason)
                for k, v in resp.headers:
                    if k.lower() not in HOP_BY_HOP:
                        self.send_header(k, v)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                step = 64 << 10
                for i in range(0, len(data), step):
                    part = data[i:i + step]
                    self.wfile.write(b"%x\r\n" % len(part) + part + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            elif framing == "close":
                self.send_response_only(resp.status, resp.reason)
                for k, v in resp.headers:
                    if k.lower() not in HOP_BY_HOP:
                        self.send_header(k, v)
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
                self.close_connection = True
            else:
                self.send_plain(resp)
            return

        if fault == "wrong_manifest":
            if "body" in rule:
                data = str(rule["body"]).encode()
            else:
                try:
                    obj = json.loads(resp.body)
                    if isinstance(obj, dict):
                        obj.setdefault("annotations", {})["dev.sigil.test/injected"] = "wrong_manifest"
                    data = json.dumps(obj, separators=(",", ":")).encode()
                except ValueError:
                    data = resp.body + b" "
                if data == resp.body:
                    data = resp.body + b" "
            mode = rule.get("digest_header", "keep")
            if mode == "omit":
                resp.set_header("Docker-Content-Digest", None)
            elif mode == "actual":
                resp.set_header("Docker-Content-Digest",
                                "sha256:" + hashlib.sha256(data).hexdigest())
            resp.body = data
            if head:
                self.send_head(resp, content_length=len(data))
                log(resp.status, 0)
            else:
                log(resp.status, len(data))
                self.send_plain(resp)
            return

        if fault == "trickle":
            interval = float(rule.get("interval_ms", 50)) / 1000.0
            step = max(1, int(rule.get("chunk", 1)))
            log(resp.status, 0 if head else len(resp.body))
            self.send_head(resp)
            if not head:
                for i in range(0, len(resp.body), step):
                    self.wfile.write(resp.body[i:i + step])
                    if i + step < len(resp.body):
                        time.sleep(interval)
            return

        if fault == "slow":
            total = float(rule.get("ms", 1000)) / 1000.0
            pieces = max(1, int(rule.get("pieces", 4)))
            log(resp.status, 0 if head else len(resp.body))
            if head or not resp.body:
                time.sleep(total)
                self.send_plain(resp)
                return
            self.send_head(resp)
            step = -(-len(resp.body) // pieces)
            for i in range(0, len(resp.body), step):
                time.sleep(total / pieces)
                self.wfile.write(resp.body[i:i + step])
            return


class OtherHostHandler(BaseHandler):
    """The redirect target: records whether credentials arrived, then serves the request."""
    server_version = "sigil-fault-proxy-other-host"

    def handle_any(self):
        try:
            self._handle()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _handle(self):
        sh = self.shared
        method, target = self.command, self.path
        body, has_body = self.read_body()
        scheme = self.auth_scheme()
        u = urllib.parse.urlsplit(target)
        q = urllib.parse.parse_qsl(u.query, keep_blank_values=True)
        ticket = next((v for k, v in q if k == "__fp_ticket"), None)
        rest = urllib.parse.urlencode([(k, v) for k, v in q if k != "__fp_ticket"])
        upstream_target = u.path + ("?" + rest if rest else "")
        with sh.tickets_lock:
            orig = sh.tickets.get(ticket)
        entry = {"ts": round(time.time(), 4), "method": method, "target": target,
                 "auth": scheme is not None, "auth_scheme": scheme,
                 "ticket": ticket if orig is not None else None}
        if orig is None:
            data = json.dumps({"errors": [{"code": "NOT_FOUND",
                                           "message": "no redirect ticket"}]}).encode()
            resp = Response(404, None, [("Content-Type", "application/json")], data,
                            method == "HEAD")
        else:
            # Replay with the original request's headers (incl. its credentials, if any), but
            # drop whatever the client sent here: it must not matter what it leaked.
            hdrs = [(k, v) for k, v in orig if k.lower() not in ("content-length",
                                                                  "transfer-encoding")]
            resp = self.forward(method, upstream_target, hdrs, body, has_body)
        entry["status"] = resp.status
        sh.other_log.write(entry)
        self.send_plain(resp)


def make_server(host, port, handler, tls_ctx):
    class Server(ThreadingHTTPServer):
        daemon_threads = True
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # Bind now; on TLS wrap accepted sockets lazily (handshake in the handler thread).

        def get_request(self):
            sock, addr = super().get_request()
            if tls_ctx is not None:
                sock = tls_ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
            return sock, addr

    class TlsHandler(handler):
        def setup(self):
            if tls_ctx is not None:
                self.request.settimeout(10)
                try:
                    self.request.do_handshake()
                except (ssl.SSLError, OSError):
                    pass
                self.request.settimeout(None)
            super().setup()

    return Server((host, port), TlsHandler)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--upstream", required=True, help="http(s)://host:port of the registry")
    p.add_argument("--upstream-ca", help="CA file for an https upstream")
    p.add_argument("--upstream-timeout", type=float, default=30)
    p.add_argument("--tls-cert", help="serve TLS with this cert (and --tls-key)")
    p.add_argument("--tls-key")
    p.add_argument("--plan", required=True, help="plan JSON file (need not exist yet)")
    p.add_argument("--log", required=True, help="JSON-lines request log")
    p.add_argument("--other-log", required=True, help="JSON-lines log of the other host")
    p.add_argument("--other-ip", default="127.0.0.2")
    p.add_argument("--port-file", help="written with 'PORT\\nOTHER_HOST:PORT\\n' once listening")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()

    shared = Shared(args)
    ProxyHandler.shared = shared
    OtherHostHandler.shared = shared
    tls_ctx = None
    if args.tls_cert:
        tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_ctx.load_cert_chain(args.tls_cert, args.tls_key)
        tls_ctx.set_alpn_protocols(["http/1.1"])

    proxy = make_server("127.0.0.1", 0, ProxyHandler, tls_ctx)
    try:
        other = make_server(args.other_ip, 0, OtherHostHandler, tls_ctx)
        other_ip = args.other_ip
    except OSError:
        other = make_server("127.0.0.1", 0, OtherHostHandler, tls_ctx)
        other_ip = "127.0.0.1"
    shared.other_hostport = "%s:%d" % (other_ip, other.server_address[1])
    threading.Thread(target=other.serve_forever, kwargs={"poll_interval": 0.2},
                     daemon=True).start()
    if args.port_file:
        write_atomic(args.port_file, ("%d\n%s\n" % (proxy.server_address[1],
                                                    shared.other_hostport)).encode())
    try:
        proxy.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
