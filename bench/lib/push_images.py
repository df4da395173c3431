#!/usr/bin/python3
"""Pushes many small, distinct OCI images to a plain-HTTP registry, fast (stdlib only).

  push_images.py HOST REPO COUNT [--prefix TAG_PREFIX] [--start N] [--layer-size BYTES]
                 [--threads T]

Every image shares one gzip'd tar layer (uploaded once) and has its own config (it names the
image's index), so every manifest digest differs. Each image costs three requests (POST upload,
PUT config, PUT manifest) over keep-alive connections. Prints "TAG DIGEST" per image, in order.
"""
import argparse
import gzip
import hashlib
import http.client
import io
import json
import os
import sys
import tarfile
import threading

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def canonical(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Conn:
    def __init__(self, host):
        self.host = host
        self.c = http.client.HTTPConnection(host, timeout=30)

    def req(self, method, url, body=None, headers=None, ok=(200, 201, 202)):
        for attempt in range(3):
            try:
                self.c.request(method, url, body=body, headers=headers or {})
                r = self.c.getresponse()
                data = r.read()
                if r.status not in ok:
                    raise RuntimeError("%s %s: %d %s" % (method, url, r.status, data[:200]))
                return r, data
            except (http.client.HTTPException, ConnectionError, OSError):
                self.c.close()
                self.c = http.client.HTTPConnection(self.host, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError

    def put_blob(self, repo, data):
        digest = sha(data)
        r, _ = self.req("HEAD", "/v2/%s/blobs/%s" % (repo, digest), ok=(200, 404))
        if r.status == 200:
            return digest
        r, _ = self.req("POST", "/v2/%s/blobs/uploads/" % repo, body=b"")
        loc = r.getheader("Location")
        if loc.startswith("http"):
            loc = "/" + loc.split("/", 3)[3]
        sep = "&" if "?" in loc else "?"
        self.req("PUT", "%s%sdigest=%s" % (loc, sep, digest), body=data,
                 headers={"Content-Type": "application/octet-stream"})
        return digest


def make_layer(size):
    payload = os.urandom(size)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("sigil-bench/payload.bin")
        info.size = size
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(payload))
    tar_bytes = raw.getvalue()
    return tar_bytes, gzip.compress(tar_bytes, mtime=0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("repo")
    ap.add_argument("count", type=int)
    ap.add_argument("--prefix", default="img-")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--layer-size", type=int, default=512)
    ap.add_argument("--threads", type=int, default=4)
    a = ap.parse_args()

    tar_bytes, gz = make_layer(a.layer_size)
    c0 = Conn(a.host)
    layer_digest = c0.put_blob(a.repo, gz)
    diff_id = sha(tar_bytes)
    nonce = os.urandom(8).hex()  # distinct digests across runs too
    results = [None] * a.count
    errors = []

    def work(indices):
        c = Conn(a.host)
        try:
            for i in indices:
                n = a.start + i
                config = canonical({
                    "architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
                    "config": {"Labels": {"dev.sigil.bench.image": "%d-%s" % (n, nonce)}},
                    "rootfs": {"type": "layers", "diff_ids": [diff_id]},
                })
                cfg_digest = c.put_blob(a.repo, config)
                manifest = canonical({
                    "schemaVersion": 2, "mediaType": OCI_MANIFEST,
                    "config": {"mediaType": OCI_CONFIG, "digest": cfg_digest, "size": len(config)},
                    "layers": [{"mediaType": OCI_LAYER_GZIP, "digest": layer_digest, "size": len(gz)}],
                })
                tag = "%s%d" % (a.prefix, n)
                r, _ = c.req("PUT", "/v2/%s/manifests/%s" % (a.repo, tag), body=manifest,
                             headers={"Content-Type": OCI_MANIFEST})
                digest = r.getheader("Docker-Content-Digest") or sha(manifest)
                if digest != sha(manifest):
                    raise RuntimeError("registry says %s for %s" % (digest, sha(manifest)))
                results[i] = (tag, digest)
        except Exception as e:  # reported below
            errors.append(str(e))

    threads = [threading.Thread(target=work, args=(range(t, a.count, a.threads),))
               for t in range(max(1, a.threads))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print("push_images: %s" % errors[0], file=sys.stderr)
        return 1
    for tag, digest in results:
        print(tag, digest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
