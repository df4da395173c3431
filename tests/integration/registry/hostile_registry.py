#!/usr/bin/python3
"""A hostile OCI registry for sigil's integration tests (stdlib only, tests only).

It speaks enough of the distribution API (HTTP/1.1, keep-alive) for sigil to get as far as the
hostile part, then misbehaves on purpose. One scenario per repository name; every repository
holds a small valid image (config + one layer + OCI manifest) at tag `latest` and by digest, so
`sigil verify --key K 127.0.0.1:PORT/<scenario>@sha256:...` resolves the image and then meets
the hostile answer when it reads what is attached to it:

  endless        the `sha256-<hex>.sig` manifest is an endless chunked body
  huge-length    the `.sig` manifest says Content-Length: 10 GiB and streams (it would, lazily)
  tags100k       GET /tags/list ignores `n`, answers 100 000 tags per page, and every page links
                 (Link: rel="next") to a fresh next page, forever
  referrers1m    the referrers API answers an index of 1 000 000 entries, 1000 per page over 1000
                 pages linked with Link: rel="next" (the legacy `.sig` tag does not exist)
  layers10k      the `.sig` manifest has 10 000 signature layers (~3 MB, under the 4 MiB cap)
  deep           the `.sig` manifest is JSON nested 100 000 levels deep
  redirect-loop  the `.sig` manifest is fine; its signature layer blob answers 307 to a fresh URL
                 of itself, forever
  token-hang     every /v2/token-hang/ request answers 401 with a Bearer challenge whose realm is
                 /token-hang/token on this server, which accepts the request and never answers
  self-sig       the image is itself a cosign signature manifest M, and the `.sig` tag of M is M
                 (its signature's payload names M too): a signature manifest that points at itself
  link-elsewhere every request needs Basic credentials (any; the other host needs none); the
                 referrers API and the tag list
                 answer an empty first page whose Link: rel="next" names the same path on another
                 host (127.0.0.2, same port, served by this process too): the credentials must
                 not follow (logged as "auth")
  huge-content-length
                 HEAD of a manifest by tag answers Content-Length: 99999999999999999999 (more
                 than any integer type holds) with a correct Docker-Content-Digest; tags
                 `latest` and `other` name the image
  huge-size, huge-size-b
                 the `.sig` layer's descriptor declares size 2**63-1 (the blob is small)
  cap-size       the `.sig` layer's descriptor declares 256 MiB, sigil's largest
                 --max-payload-size (the blob is small)
  payload100-1 .. payload100-4
                 the `.sig` manifest has 100 signature layers (--max-signatures), each a distinct
                 1 MiB payload blob (--max-payload-size) with a bogus signature: 100 MiB per
                 image that verify must not hold (see the payload100 block below)
  terminal-escape  text meant for sigil's terminal (see TERMINAL_ESCAPE below): in the `.sig`
                 layers' mediaType and annotations, in a referrer's artifactType and its bundle's
                 mediaType, and in the error message of manifest sha256:ddd... (403)

Huge bodies are generated lazily, a chunk at a time, so the server stays small; a stream stops
when the client goes away (and, as a safety net, after STREAM_CAP_BYTES or STREAM_CAP_SECONDS).
Hanging answers end when the server stops.

Usage: hostile_registry.py --port-file FILE [--log FILE]
  --port-file  written with "PORT\\n" (atomically) once listening on 127.0.0.1:PORT (random)
  --log        one JSON line per request: {"ts", "method", "path", "scenario", "status", "bytes"}
               ("status" is null for an answer that never came; "bytes" is body bytes sent)
"""
import argparse
import base64
import hashlib
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
SIG_ANNOTATION = "dev.cosignproject.cosign/signature"

SCENARIOS = ["endless", "huge-length", "tags100k", "referrers1m", "layers10k", "deep",
             "redirect-loop", "token-hang", "self-sig", "link-elsewhere", "huge-content-length"]
OTHER_HOST = "127.0.0.2"  # link-elsewhere's next pages
HUGE_CONTENT_LENGTH = "99999999999999999999"
SCENARIOS.append("terminal-escape")  # see the terminal-escape block below
# echo-credentials: Basic auth; a request with credentials is refused (403) with a message that
# repeats the password and the Authorization header it got. echo-token: a Bearer challenge
# whose realm (/echo-token/token here) refuses the credentials the same way (401).
SCENARIOS += ["echo-credentials", "echo-token"]


def echo_message(headers):
    """What a careless server says back: the password and the header it was sent."""
    authz = headers.get("Authorization") or ""
    password = ""
    if authz.startswith("Basic "):
        try:
            password = base64.b64decode(authz[6:]).decode().split(":", 1)[1]
        except (ValueError, IndexError, UnicodeDecodeError):
            pass
    return "bad password %s (you sent %s)" % (password, authz)

TEN_GIB = 10 * 1024 ** 3
TAGS_PER_PAGE = 100_000
REFERRERS_TOTAL = 1_000_000
REFERRERS_PER_PAGE = 1000
SIG_LAYERS = 10_000
DEPTH = 100_000
STREAM_CAP_BYTES = 2 * 1024 ** 3  # no client needs more to prove a point
STREAM_CAP_SECONDS = 120

STOP = threading.Event()

# --- declared sizes: a .sig layer whose descriptor lies about its size -----------------------
DECLARED_SIZES = {"huge-size": 2 ** 63 - 1, "huge-size-b": 2 ** 63 - 1, "cap-size": 256 * 1024 ** 2}
SCENARIOS += list(DECLARED_SIZES)


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


def descriptor(media_type, data: bytes, **extra):
    d = {"mediaType": media_type, "digest": sha256(data), "size": len(data)}
    d.update(extra)
    return d


def fake_signature(seed: str) -> str:
    # Looks like a DER ECDSA signature in base64; verifies under no key.
    return base64.b64encode(b"\x30\x44" + hashlib.sha512(seed.encode()).digest()[:70]).decode()


def simple_signing_payload(repo: str, digest: str) -> bytes:
    return canonical({"critical": {"identity": {"docker-reference": repo},
                                   "image": {"docker-manifest-digest": digest},
                                   "type": "cosign container image signature"},
                      "optional": None})


class Repo:
    """The valid part of one scenario's repository: blobs and manifests by digest / tag."""

    def __init__(self, name: str):
        self.name = name
        self.blobs = {}      # digest -> bytes
        self.manifests = {}  # digest or tag -> (bytes, media type)
        config = canonical({"architecture": "amd64", "os": "linux",
                            "config": {"Labels": {"dev.sigil.test/scenario": name}},
                            "rootfs": {"type": "layers", "diff_ids": []}})
        layer = ("hostile registry test layer for %s\n" % name).encode()
        self.add_blob(config)
        self.add_blob(layer)
        image = canonical({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": descriptor(OCI_CONFIG, config),
                           "layers": [descriptor(OCI_LAYER, layer)]})
        self.image_digest = self.add_manifest(image, OCI_MANIFEST, "latest")
        self.sig_tag = self.image_digest.replace(":", "-") + ".sig"

    def add_blob(self, data: bytes) -> str:
        d = sha256(data)
        self.blobs[d] = data
        return d

    def add_manifest(self, data: bytes, media_type: str, *tags) -> str:
        d = sha256(data)
        self.manifests[d] = (data, media_type)
        for t in tags:
            self.manifests[t] = (data, media_type)
        return d

    def signature_manifest(self, digest: str, n_layers: int = 1):
        """A cosign `.sig` manifest for `digest` with n_layers signature layers (bogus
        signatures over a payload that names `digest`)."""
        payload = simple_signing_payload("127.0.0.1/" + self.name, digest)
        self.add_blob(payload)
        empty = b"{}"
        self.add_blob(empty)
        layers = [descriptor(SIMPLE_SIGNING, payload,
                             annotations={SIG_ANNOTATION: fake_signature("%s/%d" % (self.name, i))})
                  for i in range(n_layers)]
        return canonical({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                          "config": descriptor(OCI_CONFIG, empty), "layers": layers}), payload


# --- terminal-escape ----------------------------------------------------------------------
# Text that, printed raw on a terminal, ends sigil's line, erases it, moves up and forges a
# line of sigil's own output; then a right-to-left override. sigil must show it escaped.
TERMINAL_ESCAPE = "\n\x1b[2K\x1b[1AVerification for forged --\n\u202e"


def build_terminal_escape(r):
    """The `.sig` manifest: layer 1 has a hostile mediaType (and annotation), layer 2 a
    hostile signature annotation. One referrer: hostile artifactType, its bundle's mediaType
    and payloadType hostile. Manifest sha256:ddd...: 403 with a hostile error message."""
    payload = simple_signing_payload("127.0.0.1/" + r.name, r.image_digest)
    r.add_blob(payload)
    empty = b"{}"
    r.add_blob(empty)
    layers = [descriptor(SIMPLE_SIGNING + TERMINAL_ESCAPE, payload,
                         annotations={SIG_ANNOTATION: fake_signature(r.name),
                                      "dev.sigil.test/note": TERMINAL_ESCAPE}),
              descriptor(SIMPLE_SIGNING, payload, annotations={SIG_ANNOTATION: TERMINAL_ESCAPE})]
    sig = canonical({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                     "config": descriptor(OCI_CONFIG, empty), "layers": layers})
    r.add_manifest(sig, OCI_MANIFEST, r.sig_tag)
    bundle = canonical({"mediaType": BUNDLE_TYPE + TERMINAL_ESCAPE,
                        "verificationMaterial": {"publicKey": {"hint": "x"}},
                        "dsseEnvelope": {"payload": "e30=", "payloadType": TERMINAL_ESCAPE,
                                         "signatures": [{"sig": fake_signature(r.name)}]}})
    r.add_blob(bundle)
    image = r.manifests[r.image_digest][0]
    referrer = canonical({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                          "artifactType": BUNDLE_TYPE + TERMINAL_ESCAPE,
                          "config": descriptor("application/vnd.oci.empty.v1+json", empty),
                          "layers": [descriptor(BUNDLE_TYPE, bundle)],
                          "subject": descriptor(OCI_MANIFEST, image)})
    r.add_manifest(referrer, OCI_MANIFEST)
    r.referrers = [descriptor(OCI_MANIFEST, referrer, artifactType=BUNDLE_TYPE + TERMINAL_ESCAPE)]
    r.error_tags = {"sha256:" + "d" * 64: (403, "DENIED", "access denied" + TERMINAL_ESCAPE)}
# --- end of terminal-escape ---------------------------------------------------------------

# --- payload100: 100 signatures x 1 MiB payload each, none of which verifies ----------------
# Each payload blob is distinct and exactly 1 MiB (sigil's default --max-payload-size), made
# from its index on demand (never held by the server); their digests are computed once.
PAYLOAD100 = ["payload100-%d" % i for i in range(1, 5)]
SCENARIOS += PAYLOAD100
PAYLOAD100_LAYERS = 100
PAYLOAD100_SIZE = 1024 ** 2


def payload100_blob(i: int) -> bytes:
    unit = hashlib.sha256(b"payload100 seed %d" % i).hexdigest().encode()  # 64 bytes
    return unit * (PAYLOAD100_SIZE // len(unit))


def build_payload100(repos):
    digests = [sha256(payload100_blob(i)) for i in range(PAYLOAD100_LAYERS)]
    empty = b"{}"
    for name in PAYLOAD100:
        r = repos[name]
        r.add_blob(empty)
        r.lazy_blobs = {d: i for i, d in enumerate(digests)}
        layers = [{"mediaType": SIMPLE_SIGNING, "digest": d, "size": PAYLOAD100_SIZE,
                   "annotations": {SIG_ANNOTATION: fake_signature("%s/%d" % (name, i))}}
                  for i, d in enumerate(digests)]
        r.add_manifest(canonical({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                                  "config": descriptor(OCI_CONFIG, empty), "layers": layers}),
                       OCI_MANIFEST, r.sig_tag)
# --- end of payload100 ----------------------------------------------------------------------


def build_repos():
    repos = {name: Repo(name) for name in SCENARIOS}
    # layers10k: a real, well-formed manifest with 10 000 signature layers.
    r = repos["layers10k"]
    sig, _ = r.signature_manifest(r.image_digest, SIG_LAYERS)
    r.add_manifest(sig, OCI_MANIFEST, r.sig_tag)
    # redirect-loop: a fine `.sig` manifest whose payload blob redirects forever.
    r = repos["redirect-loop"]
    sig, payload = r.signature_manifest(r.image_digest)
    r.add_manifest(sig, OCI_MANIFEST, r.sig_tag)
    r.loop_blob = sha256(payload)
    # self-sig: M is a signature manifest whose payload names... M is what is verified, and the
    # `.sig` tag of M is M itself. M cannot hold its own digest, so the payload names the
    # image; the tag makes the loop: M -> sha256-<M>.sig -> M -> ...
    r = repos["self-sig"]
    m, _ = r.signature_manifest(r.image_digest)
    m_digest = r.add_manifest(m, OCI_MANIFEST, "self")
    r.add_manifest(m, OCI_MANIFEST, m_digest.replace(":", "-") + ".sig")
    r.self_digest = m_digest
    r = repos["huge-content-length"]
    r.manifests["other"] = r.manifests["latest"]
    add_declared_size_sigs(repos)
    build_terminal_escape(repos["terminal-escape"])
    build_payload100(repos)
    return repos


def add_declared_size_sigs(repos):
    """huge-size, huge-size-b, cap-size: a fine `.sig` manifest, but its one layer's
    descriptor declares DECLARED_SIZES[name] bytes (the blob served is the real payload)."""
    for name, size in DECLARED_SIZES.items():
        r = repos[name]
        sig, _ = r.signature_manifest(r.image_digest)
        doc = json.loads(sig)
        doc["layers"][0]["size"] = size
        r.add_manifest(canonical(doc), OCI_MANIFEST, r.sig_tag)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hostile-registry/1"

    def log_message(self, fmt, *args):  # quiet; the JSON log says what happened
        pass

    # --- plumbing --------------------------------------------------------------------------
    def log_request_line(self, scenario, status, sent):
        log = self.server.log
        if log is None:
            return
        entry = {"ts": round(time.time(), 3), "method": self.command, "path": self.path,
                 "scenario": scenario, "status": status, "bytes": sent,
                 "host": self.server.server_address[0],
                 "auth": self.headers.get("Authorization") is not None}
        with self.server.log_lock:
            log.write(json.dumps(entry) + "\n")
            log.flush()

    def send_simple(self, status, body=b"", content_type="application/json", headers=(),
                    scenario=None):
        self.log_request_line(scenario, status, 0 if self.command == "HEAD" else len(body))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def send_error_json(self, status, code, message, scenario=None, headers=()):
        body = json.dumps({"errors": [{"code": code, "message": message}]}).encode()
        self.send_simple(status, body, headers=headers, scenario=scenario)

    def stream(self, chunks, status, content_type, scenario, length=None, extra_headers=()):
        """Sends a lazily generated body: chunked, or with a (false) Content-Length."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        sent = 0
        start = time.monotonic()
        try:
            if self.command != "HEAD":
                for chunk in chunks:
                    if length is None:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    else:
                        self.wfile.write(chunk)
                    sent += len(chunk)
                    if (sent >= STREAM_CAP_BYTES or time.monotonic() - start > STREAM_CAP_SECONDS
                            or STOP.is_set()):
                        break
                if length is None:
                    self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            pass  # the client gave up: that is what we wanted
        finally:
            self.close_connection = True
            self.log_request_line(scenario, status, sent)

    def hang(self, scenario):
        """Accepts the request and never answers (until the server stops)."""
        self.log_request_line(scenario, None, 0)
        STOP.wait(STREAM_CAP_SECONDS * 5)
        self.close_connection = True

    # --- routing ---------------------------------------------------------------------------
    def do_HEAD(self):
        self.route()

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.send_error_json(405, "UNSUPPORTED", "this registry is read-only")

    do_PUT = do_POST
    do_PATCH = do_POST
    do_DELETE = do_POST

    def route(self):
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, urllib.parse.parse_qs(url.query)
        if path == "/token-hang/token":
            return self.hang("token-hang")
        if path == "/echo-token/token":
            return self.send_error_json(401, "UNAUTHORIZED", echo_message(self.headers), "echo-token")
        if path in ("/v2", "/v2/"):
            return self.send_simple(200, b"{}")
        m = re.fullmatch(r"/v2/(.+)/(manifests|blobs|referrers)/([^/]+)", path)
        t = re.fullmatch(r"/v2/(.+)/tags/list", path)
        name = (m or t).group(1) if (m or t) else None
        repo = self.server.repos.get(name)
        if repo is None:
            return self.send_error_json(404, "NAME_UNKNOWN", "repository name not known to registry")
        if (name == "link-elsewhere" and not self.headers.get("Authorization")
                and self.server.server_address[0] != OTHER_HOST):
            return self.send_error_json(401, "UNAUTHORIZED", "authentication required", name,
                                        headers=[("WWW-Authenticate", 'Basic realm="hostile"')])
        if name == "link-elsewhere" and (t or m.group(2) == "referrers"):
            return self.link_elsewhere(path, query)
        if name == "echo-credentials":
            if not self.headers.get("Authorization"):
                return self.send_error_json(401, "UNAUTHORIZED", "authentication required", name,
                                            headers=[("WWW-Authenticate", 'Basic realm="hostile"')])
            return self.send_error_json(403, "DENIED", echo_message(self.headers), name)
        if name == "echo-token":
            realm = "http://127.0.0.1:%d/echo-token/token" % self.server.server_address[1]
            challenge = 'Bearer realm="%s",service="hostile",scope="repository:%s:pull"' % (realm, name)
            return self.send_error_json(401, "UNAUTHORIZED", "authentication required", name,
                                        headers=[("WWW-Authenticate", challenge)])
        if name == "token-hang":
            realm = "http://127.0.0.1:%d/token-hang/token" % self.server.server_address[1]
            challenge = 'Bearer realm="%s",service="hostile",scope="repository:%s:pull"' % (realm, name)
            return self.send_error_json(401, "UNAUTHORIZED", "authentication required", name,
                                        headers=[("WWW-Authenticate", challenge)])
        if t:
            return self.tags(repo, query)
        kind, ref = m.group(2), urllib.parse.unquote(m.group(3))
        if kind == "manifests":
            return self.manifest(repo, ref)
        if kind == "blobs":
            return self.blob(repo, ref, query)
        return self.referrers(repo, ref, query)

    def manifest(self, repo, ref):
        name = repo.name
        if ref == repo.sig_tag and name == "endless":
            def endless():
                yield b'{"schemaVersion":2,"mediaType":"%s","layers":[' % OCI_MANIFEST.encode()
                entry = b'{"mediaType":"%s","size":1,"digest":"sha256:%s"},' % (
                    SIMPLE_SIGNING.encode(), b"0" * 64)
                block = entry * (65536 // len(entry))
                while True:
                    yield block
            return self.stream(endless(), 200, OCI_MANIFEST, name)
        if ref == repo.sig_tag and name == "huge-length":
            block = b" " * 65536

            def ten_gib():
                left = TEN_GIB
                yield b'{"schemaVersion":2,"layers":[]}'
                left -= 31
                while left > 0:
                    chunk = block if left >= len(block) else block[:left]
                    left -= len(chunk)
                    yield chunk
            return self.stream(ten_gib(), 200, OCI_MANIFEST, name, length=TEN_GIB)
        if ref == repo.sig_tag and name == "deep":
            body = (b'{"schemaVersion":2,"mediaType":"%s","layers":' % OCI_MANIFEST.encode()
                    + b"[" * DEPTH + b"]" * DEPTH + b"}")
            return self.send_simple(200, body, OCI_MANIFEST,
                                    headers=[("Docker-Content-Digest", sha256(body))], scenario=name)
        if ref in getattr(repo, "error_tags", {}):
            return self.send_error_json(*repo.error_tags[ref], scenario=name)
        found = repo.manifests.get(ref)
        if found is None:
            return self.send_error_json(404, "MANIFEST_UNKNOWN", "manifest unknown", name)
        body, media_type = found
        if name == "huge-content-length" and self.command == "HEAD":
            self.log_request_line(name, 200, 0)
            self.send_response(200)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", HUGE_CONTENT_LENGTH)
            self.send_header("Docker-Content-Digest", sha256(body))
            self.end_headers()
            return None
        return self.send_simple(200, body, media_type,
                                headers=[("Docker-Content-Digest", sha256(body))], scenario=name)

    def blob(self, repo, digest, query):
        name = repo.name
        if name == "redirect-loop" and digest == repo.loop_blob:
            hop = int(query.get("hop", ["0"])[0]) + 1
            location = "/v2/%s/blobs/%s?hop=%d" % (name, digest, hop)
            return self.send_simple(307, b"", "text/plain", headers=[("Location", location)],
                                    scenario=name)
        data = repo.blobs.get(digest)
        if data is None and digest in getattr(repo, "lazy_blobs", {}):
            data = payload100_blob(repo.lazy_blobs[digest])
        if data is None:
            return self.send_error_json(404, "BLOB_UNKNOWN", "blob unknown to registry", name)
        return self.send_simple(200, data, "application/octet-stream",
                                headers=[("Docker-Content-Digest", digest)], scenario=name)

    def referrers(self, repo, digest, query):
        name = repo.name
        if name != "referrers1m":
            body = canonical({"schemaVersion": 2, "mediaType": OCI_INDEX,
                              "manifests": getattr(repo, "referrers", [])})
            return self.send_simple(200, body, OCI_INDEX, scenario=name)
        page = int(query.get("page", ["0"])[0])
        first = page * REFERRERS_PER_PAGE
        last = min(first + REFERRERS_PER_PAGE, REFERRERS_TOTAL)
        entries = []
        for i in range(first, last):
            entries.append({"mediaType": OCI_MANIFEST, "artifactType": BUNDLE_TYPE,
                            "digest": "sha256:%064x" % i, "size": 1000,
                            "annotations": {"dev.sigstore.bundle.predicateType":
                                            "https://sigstore.dev/cosign/sign/v1"}})
        body = canonical({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries})
        headers = []
        if last < REFERRERS_TOTAL:
            headers.append(("Link", '</v2/%s/referrers/%s?page=%d>; rel="next"' % (name, digest, page + 1)))
        return self.send_simple(200, body, OCI_INDEX, headers=headers, scenario=name)

    def link_elsewhere(self, path, query):
        """An empty first page linking to the same path on OTHER_HOST; the other host's page
        is the last."""
        name = "link-elsewhere"
        if path.endswith("/tags/list"):
            body = canonical({"name": name, "tags": []})
            ctype = "application/json"
        else:
            body = canonical({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []})
            ctype = OCI_INDEX
        headers = []
        if "page" not in query:
            port = self.server.server_address[1]
            headers.append(("Link", '<http://%s:%d%s?page=1>; rel="next"' % (OTHER_HOST, port, path)))
        return self.send_simple(200, body, ctype, headers=headers, scenario=name)

    def tags(self, repo, query):
        name = repo.name
        if name != "tags100k":
            return self.send_simple(200, canonical({"name": name, "tags": ["latest"]}),
                                    scenario=name)
        # Ignores n; every page is 100 000 fresh tags and links to the next one, forever.
        page = int(query.get("page", ["0"])[0])
        base = page * TAGS_PER_PAGE
        body = (b'{"name":"tags100k","tags":["'
                + b'","'.join(b"t%09d" % (base + i) for i in range(TAGS_PER_PAGE)) + b'"]}')
        link = '</v2/%s/tags/list?n=1000&last=t%09d&page=%d>; rel="next"' % (
            name, base + TAGS_PER_PAGE - 1, page + 1)
        return self.send_simple(200, body, headers=[("Link", link)], scenario=name)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--log")
    args = p.parse_args()
    server = Server(("127.0.0.1", 0), Handler)
    server.repos = build_repos()
    server.log = open(args.log, "a") if args.log else None
    server.log_lock = threading.Lock()
    # The same registry on another loopback host, for the pages link-elsewhere links to.
    other = Server((OTHER_HOST, server.server_address[1]), Handler)
    other.repos, other.log, other.log_lock = server.repos, server.log, server.log_lock
    threading.Thread(target=other.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    info = {name: {"image": r.image_digest, "sig_tag": r.sig_tag} for name, r in server.repos.items()}
    info["self-sig"]["self"] = server.repos["self-sig"].self_digest
    # The port file comes last: once it exists, the digests file is complete.
    digests = args.port_file + ".digests.json"
    with open(digests + ".tmp", "w") as f:
        json.dump(info, f, indent=1)
    os.rename(digests + ".tmp", digests)
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(args.port_file + ".tmp", args.port_file)

    import signal

    def stop(*_):
        STOP.set()
        threading.Thread(target=server.shutdown, daemon=True).start()
        threading.Thread(target=other.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        STOP.set()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
