"""Crafts registry content for sigil's sign/verify tests: hostile signature manifests,
bundles and images, pushed straight to an anonymous registry (distribution 2.8) over HTTP.
Usage: craft.py REGISTRY_URL COMMAND ARGS...   (stdlib + python3-cryptography)
  keygen PREFIX                        EC P-256 key: PREFIX.pem (PKCS#8), PREFIX.pub (PKIX)
  image REPO TAG                       a tiny random image; prints its digest
  sign KEY.pem FILE                    base64 ECDSA-SHA256 (DER) signature over FILE's bytes
  put-blob REPO FILE                   prints the digest
  get-manifest REPO REF                the manifest bytes, on stdout
  put-manifest REPO REF FILE MEDIATYPE prints the digest of the bytes
  sig REPO TAG SPEC_JSON               a cosign .sig manifest; prints its digest. SPEC:
      {"layers": [LAYER...], "mediaType": ..., "raw_layers_json": ...}
      LAYER: {"payload": TEXT | "payload_file": PATH, "sign": KEY.pem (signature over the
              payload, or over "sign_over" TEXT), "sig": JSON value for the annotation,
              "no_sig": true, "mediaType": T, "size": N, "digest": D (descriptor overrides),
              "annotations": {...}, "count": N (repeat), "upload": false}
  bundle REPO SUBJECT_DIGEST SPEC_JSON a Sigstore bundle referrer for SUBJECT + fallback index
      SPEC: {"statement": OBJ | "statement_text": TEXT, "sign": KEY.pem,
             "tamper_payload": bool, "predicate_annotation": STR | null,
             "bundle_from": REF_DIGEST (reuse an existing referrer's bundle blob)}
"""
import base64
import json
import sys

import craft_common
from craft_common import (BUNDLE, OCI_INDEX, OCI_MANIFEST, SIG_ANN, SIMPLE, cmd_image, digest_of,
                          dumps, get_manifest, pae, put_blob, put_manifest, request)

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

craft_common.BASE = sys.argv[1].rstrip("/")


def load_key(path):
    return serialization.load_pem_private_key(open(path, "rb").read(), password=None)


def sign(key_path, data):
    return base64.b64encode(load_key(key_path).sign(data, ec.ECDSA(hashes.SHA256()))).decode()


def config_blob(repo, diff_ids):
    cfg = dumps({"architecture": "", "created": "0001-01-01T00:00:00Z", "history": [{"created": "0001-01-01T00:00:00Z"}],
                 "os": "", "rootfs": {"type": "layers", "diff_ids": diff_ids}, "config": {}})
    return {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(cfg), "digest": put_blob(repo, cfg)}


def cmd_keygen(prefix):
    key = ec.generate_private_key(ec.SECP256R1())
    open(prefix + ".pem", "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))
    open(prefix + ".pub", "wb").write(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                                    serialization.PublicFormat.SubjectPublicKeyInfo))


def cmd_sig(repo, tag, spec_text):
    spec = json.loads(spec_text)
    layers, diff_ids = [], []
    for lay in spec["layers"]:
        if "payload_file" in lay:
            payload = open(lay["payload_file"], "rb").read()
        else:
            payload = lay.get("payload", "").encode()
        d = put_blob(repo, payload) if lay.get("upload", True) else digest_of(payload)
        ann = dict(lay.get("annotations", {}))
        if "sig" in lay:
            ann[SIG_ANN] = lay["sig"]
        elif "sign" in lay:
            over = lay["sign_over"].encode() if "sign_over" in lay else payload
            ann[SIG_ANN] = sign(lay["sign"], over)
        desc = {"mediaType": lay.get("mediaType", SIMPLE), "size": lay.get("size", len(payload)),
                "digest": lay.get("digest", d)}
        if ann:
            desc["annotations"] = ann
        for _ in range(lay.get("count", 1)):
            layers.append(desc)
            diff_ids.append(desc["digest"])
    m = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_blob(repo, diff_ids[:5]), "layers": layers}
    print(put_manifest(repo, tag, dumps(m), OCI_MANIFEST))


def cmd_bundle(repo, subject, spec_text):
    spec = json.loads(spec_text)
    if "bundle_from" in spec:
        ref = json.loads(get_manifest(repo, spec["bundle_from"]))
        layer = ref["layers"][0]
        _, _, blob = request("GET", "/v2/%s/blobs/%s" % (repo, layer["digest"]))
        bundle_bytes = blob
    else:
        stmt = spec["statement_text"].encode() if "statement_text" in spec else dumps(spec["statement"])
        ptype = "application/vnd.in-toto+json"
        sig = sign(spec["sign"], pae(ptype, stmt))
        if spec.get("tamper_payload"):
            stmt = stmt.replace(b'"predicate":{', b'"predicate":{"x":1,', 1)
            assert b'"x":1' in stmt
        bundle = {"mediaType": BUNDLE, "verificationMaterial": {"publicKey": {"hint": "crafted"}},
                  "dsseEnvelope": {"payload": base64.b64encode(stmt).decode(), "payloadType": ptype,
                                   "signatures": [{"sig": sig}]}}
        bundle_bytes = dumps(bundle)
    sub = get_manifest(repo, subject)
    sub_mt = json.loads(sub).get("mediaType", OCI_MANIFEST) if sub is not None else OCI_MANIFEST
    empty = put_blob(repo, b"{}")
    ann = {"dev.sigstore.bundle.content": "dsse-envelope", "org.opencontainers.image.created": "2026-01-01T00:00:00Z"}
    pa = spec.get("predicate_annotation", "https://sigstore.dev/cosign/sign/v1")
    if pa is not None:
        ann["dev.sigstore.bundle.predicateType"] = pa
    m = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": BUNDLE,
         "config": {"mediaType": "application/vnd.oci.empty.v1+json", "size": 2, "digest": empty},
         "layers": [{"mediaType": BUNDLE, "size": len(bundle_bytes), "digest": put_blob(repo, bundle_bytes)}],
         "subject": {"mediaType": sub_mt, "size": len(sub or b""), "digest": subject},
         "annotations": ann}
    mb = dumps(m)
    md = put_manifest(repo, digest_of(mb), mb, OCI_MANIFEST)
    tag = subject.replace(":", "-")
    existing = get_manifest(repo, tag)
    idx = json.loads(existing) if existing else {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}
    idx["manifests"] = [e for e in idx["manifests"] if e["digest"] != md]
    idx["manifests"].append({"mediaType": OCI_MANIFEST, "size": len(mb), "digest": md, "artifactType": BUNDLE,
                             "annotations": ann})
    put_manifest(repo, tag, dumps(idx), OCI_INDEX)
    print(md)


def main():
    cmd, args = sys.argv[2], sys.argv[3:]
    if cmd == "keygen":
        cmd_keygen(*args)
    elif cmd == "image":
        cmd_image(*args)
    elif cmd == "sign":
        print(sign(args[0], open(args[1], "rb").read()))
    elif cmd == "put-blob":
        print(put_blob(args[0], open(args[1], "rb").read()))
    elif cmd == "get-manifest":
        body = get_manifest(args[0], args[1])
        if body is None:
            sys.exit("craft: %s:%s not found" % (args[0], args[1]))
        sys.stdout.buffer.write(body)
    elif cmd == "put-manifest":
        print(put_manifest(args[0], args[1], open(args[2], "rb").read(), args[3]))
    elif cmd == "sig":
        cmd_sig(*args)
    elif cmd == "bundle":
        cmd_bundle(*args)
    else:
        sys.exit("craft: unknown command " + cmd)


main()
