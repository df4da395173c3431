"""What the registry-crafting helpers of the integration tests share (craft_sign_verify.py,
craft_regressions.py): media types, digests, compact JSON, DSSE PAE and plain OCI distribution
HTTP (blobs and manifests) against an anonymous registry. Stdlib only.
Set BASE (the registry URL, no trailing slash) before the first request."""
import base64
import hashlib
import json
import os
import sys
import urllib.error
import urllib.request

BASE = ""
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
SIMPLE = "application/vnd.dev.cosign.simplesigning.v1+json"
DSSE_MT = "application/vnd.dsse.envelope.v1+json"
SIG_ANN = "dev.cosignproject.cosign/signature"
BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json"
INTOTO = "application/vnd.in-toto+json"
ACCEPT = ",".join([OCI_MANIFEST, OCI_INDEX, "application/vnd.docker.distribution.manifest.v2+json",
                   "application/vnd.docker.distribution.manifest.list.v2+json"])


def b64(data):
    return base64.b64encode(data).decode()


def digest_of(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def dumps(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def pae(ptype, body):
    t = ptype.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def request(method, path, data=None, headers=None):
    req = urllib.request.Request(BASE + path if path.startswith("/") else path, data=data,
                                 method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def put_blob(repo, data):
    d = digest_of(data)
    status, _, _ = request("HEAD", "/v2/%s/blobs/%s" % (repo, d))
    if status == 200:
        return d
    status, h, body = request("POST", "/v2/%s/blobs/uploads/" % repo)
    assert status == 202, (status, body)
    loc = h["Location"]
    loc += ("&" if "?" in loc else "?") + "digest=" + d
    status, _, body = request("PUT", loc, data=data, headers={"Content-Type": "application/octet-stream"})
    assert status == 201, (status, body)
    return d


def put_manifest(repo, ref, data, media_type):
    status, _, body = request("PUT", "/v2/%s/manifests/%s" % (repo, ref), data=data,
                              headers={"Content-Type": media_type})
    if status != 201:
        sys.exit("craft: PUT manifest %s:%s: %d %s" % (repo, ref, status, body[:300]))
    return digest_of(data)


def get_manifest(repo, ref):
    status, _, body = request("GET", "/v2/%s/manifests/%s" % (repo, ref), headers={"Accept": ACCEPT})
    if status == 404:
        return None
    assert status == 200, (status, body)
    return body


def cmd_image(repo, tag):
    """craft.py image REPO TAG: a tiny random image; prints its digest."""
    layer = os.urandom(64)
    ld = put_blob(repo, layer)
    cfg = dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [ld]}})
    m = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
         "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(cfg), "digest": put_blob(repo, cfg)},
         "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "size": len(layer), "digest": ld}]}
    print(put_manifest(repo, tag, dumps(m), OCI_MANIFEST))
