"""Crafts hostile registry content and files for sigil's verification regression suite.
Usage: craft.py REGISTRY_URL COMMAND ARGS...   (stdlib + python3-cryptography)
  image REPO TAG                        a tiny random image; prints its digest
  images REPO N                         N of them (tags pool-I), one digest a line
  put-blob REPO FILE                    prints the digest
  sig REPO DIGEST SPEC_JSON             the .sig manifest of DIGEST. SPEC: {"layers": [LAYER...]}
      LAYER: {"payload": TEXT | "payload_file": PATH, "sign": KEY.pem, "sign_over": TEXT,
              "sig": STR (annotation as is), "edit": "flip"|"half", "no_sig": true,
              "mediaType": T, "size": N, "annotations": {...}, "count": N}
  att REPO DIGEST SPEC_JSON             the .att manifest of DIGEST. SPEC: {"layers": [{"file": PATH,
                                        "ptype": ANNOTATION|null, "mediaType": T, "count": N}]}
  referrer REPO SUBJECT BUNDLE_FILE PTYPE_ANNOTATION|-   a bundle referrer of SUBJECT, appended to
                                        the referrers fallback index; prints the referrer digest
  referrer-many REPO SUBJECT BUNDLE_FILE N   N referrers of one bundle (distinct annotations)
  stmt HEX PTYPE [STYPE] [NSUBJECTS]    an in-toto statement (compact JSON) about sha256:HEX
  envelope PAYLOAD_FILE SPEC_JSON       a DSSE envelope. SPEC: {"sign": [KEY.pem...],
      "payload_type": T, "sign_type": T (PAE type signed), "tamper": "OLD=NEW",
      "garbage_sig": KEY.pem (a signature over other bytes, first)}
  bundle-dsse ENVELOPE_FILE PUB         a Sigstore bundle v0.3 around the envelope
  sign KEY.pem FILE                     base64 signature over FILE's bytes
  edit IN OUT PYTHON                    d = JSON of IN; exec PYTHON; write d to OUT
"""
import base64
import hashlib
import json
import sys

import craft_common
from craft_common import (BUNDLE, DSSE_MT, INTOTO, OCI_INDEX, OCI_MANIFEST, SIG_ANN, SIMPLE, b64,
                          cmd_image, digest_of, dumps, get_manifest, pae, put_blob, put_manifest)

craft_common.BASE = sys.argv[1].rstrip("/")


def sign(key_path, data):
    # cryptography is imported only where it is needed: python starts faster without it.
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    key = serialization.load_pem_private_key(open(key_path, "rb").read(), password=None)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    raise SystemExit("craft: unsupported key " + key_path)


def config_blob(repo, diff_ids):
    cfg = dumps({"architecture": "", "created": "0001-01-01T00:00:00Z", "os": "",
                 "rootfs": {"type": "layers", "diff_ids": diff_ids}, "config": {}})
    return {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(cfg), "digest": put_blob(repo, cfg)}


def tag_of(digest, suffix):
    return digest.replace(":", "-") + suffix


def cmd_images(repo, n):
    for i in range(int(n)):
        cmd_image(repo, "pool-%d" % i)


def cmd_sig(repo, digest, spec_text):
    spec = json.loads(spec_text)
    layers, diff_ids = [], []
    for lay in spec["layers"]:
        payload = open(lay["payload_file"], "rb").read() if "payload_file" in lay else lay.get("payload", "").encode()
        d = put_blob(repo, payload)
        ann = dict(lay.get("annotations", {}))
        if "sig" in lay:
            ann[SIG_ANN] = lay["sig"]
        elif "sign" in lay:
            over = lay["sign_over"].encode() if "sign_over" in lay else payload
            raw = bytearray(sign(lay["sign"], over))
            if lay.get("edit") == "flip":
                raw[len(raw) // 2] ^= 0x01
            elif lay.get("edit") == "half":
                raw = raw[: len(raw) // 2]
            ann[SIG_ANN] = b64(bytes(raw))
        desc = {"mediaType": lay.get("mediaType", SIMPLE), "size": lay.get("size", len(payload)), "digest": d}
        if ann:
            desc["annotations"] = ann
        for _ in range(lay.get("count", 1)):
            layers.append(desc)
            diff_ids.append(d)
    m = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_blob(repo, diff_ids[:5]), "layers": layers}
    print(put_manifest(repo, tag_of(digest, ".sig"), dumps(m), OCI_MANIFEST))


def cmd_att(repo, digest, spec_text):
    spec = json.loads(spec_text)
    layers = []
    for lay in spec["layers"]:
        data = open(lay["file"], "rb").read()
        ann = {SIG_ANN: ""}
        if lay.get("ptype"):
            ann["predicateType"] = lay["ptype"]
        desc = {"mediaType": lay.get("mediaType", DSSE_MT), "size": len(data), "digest": put_blob(repo, data),
                "annotations": ann}
        layers += [desc] * lay.get("count", 1)
    m = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config_blob(repo, []), "layers": layers}
    print(put_manifest(repo, tag_of(digest, ".att"), dumps(m), OCI_MANIFEST))


def add_referrers(repo, subject, bundle_bytes, ptype_ann, n):
    sub = get_manifest(repo, subject)
    sub_mt = json.loads(sub).get("mediaType", OCI_MANIFEST) if sub is not None else OCI_MANIFEST
    empty = put_blob(repo, b"{}")
    layer = {"mediaType": BUNDLE, "size": len(bundle_bytes), "digest": put_blob(repo, bundle_bytes)}
    tag = subject.replace(":", "-")
    existing = get_manifest(repo, tag)
    idx = json.loads(existing) if existing else {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}
    digests = []
    for i in range(n):
        ann = {"dev.sigstore.bundle.content": "dsse-envelope",
               "org.opencontainers.image.created": "2026-01-01T00:00:%02dZ" % (i % 60),
               "dev.sigil.test/n": str(i)}
        if ptype_ann != "-":
            ann["dev.sigstore.bundle.predicateType"] = ptype_ann
        m = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "artifactType": BUNDLE,
             "config": {"mediaType": "application/vnd.oci.empty.v1+json", "size": 2, "digest": empty},
             "layers": [layer], "subject": {"mediaType": sub_mt, "size": len(sub or b""), "digest": subject},
             "annotations": ann}
        mb = dumps(m)
        md = put_manifest(repo, digest_of(mb), mb, OCI_MANIFEST)
        idx["manifests"].append({"mediaType": OCI_MANIFEST, "size": len(mb), "digest": md, "artifactType": BUNDLE,
                                 "annotations": ann})
        digests.append(md)
    put_manifest(repo, tag, dumps(idx), OCI_INDEX)
    return digests


def cmd_stmt(hexd, ptype, stype="https://in-toto.io/Statement/v1", nsub="1"):
    subjects = [{"name": "decoy-%d" % i, "digest": {"sha256": hashlib.sha256(b"%d" % i).hexdigest()}}
                for i in range(int(nsub) - 1)]
    subjects.append({"name": "crafted", "digest": {"sha256": hexd.removeprefix("sha256:")}})
    sys.stdout.write(json.dumps({"_type": stype, "subject": subjects, "predicateType": ptype,
                                 "predicate": {"builder": "crafted"}}, separators=(",", ":")))


def cmd_envelope(payload_file, spec_text):
    spec = json.loads(spec_text)
    payload = open(payload_file, "rb").read()
    ptype = spec.get("payload_type", INTOTO)
    sign_type = spec.get("sign_type", ptype)
    sigs = []
    if "garbage_sig" in spec:
        sigs.append({"keyid": "", "sig": b64(sign(spec["garbage_sig"], b"something else entirely"))})
    for key in spec.get("sign", []):
        sigs.append({"keyid": "", "sig": b64(sign(key, pae(sign_type, payload)))})
    if "tamper" in spec:
        old, new = spec["tamper"].split("=", 1)
        assert old.encode() in payload, "tamper: text not in payload"
        payload = payload.replace(old.encode(), new.encode(), 1)
    sys.stdout.write(json.dumps({"payload": b64(payload), "payloadType": ptype, "signatures": sigs},
                                separators=(",", ":")))


def cmd_bundle_dsse(env_file, pub):
    from cryptography.hazmat.primitives import serialization
    der = serialization.load_pem_public_key(open(pub, "rb").read()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    doc = {"mediaType": BUNDLE, "verificationMaterial": {"publicKey": {"hint": b64(hashlib.sha256(der).digest())}},
           "dsseEnvelope": json.load(open(env_file))}
    sys.stdout.write(json.dumps(doc, separators=(",", ":")))


def cmd_edit(src, dst, code):
    d = json.load(open(src))
    env = {"d": d, "b64": b64, "b64d": base64.b64decode, "hashlib": hashlib, "json": json, "sign": sign,
           "pae": pae, "open": open}
    exec(code, env)
    with open(dst, "w") as f:
        f.write(env["d"] if isinstance(env["d"], str) else json.dumps(env["d"], separators=(",", ":")))


def main():
    cmd, args = sys.argv[2], sys.argv[3:]
    if cmd == "image":
        cmd_image(*args)
    elif cmd == "images":
        cmd_images(*args)
    elif cmd == "put-blob":
        print(put_blob(args[0], open(args[1], "rb").read()))
    elif cmd == "sig":
        cmd_sig(*args)
    elif cmd == "att":
        cmd_att(*args)
    elif cmd == "referrer":
        print(add_referrers(args[0], args[1], open(args[2], "rb").read(), args[3], 1)[0])
    elif cmd == "referrer-many":
        add_referrers(args[0], args[1], open(args[2], "rb").read(), "-", int(args[3]))
    elif cmd == "stmt":
        cmd_stmt(*args)
    elif cmd == "envelope":
        cmd_envelope(*args)
    elif cmd == "bundle-dsse":
        cmd_bundle_dsse(*args)
    elif cmd == "sign":
        print(b64(sign(args[0], open(args[1], "rb").read())))
    elif cmd == "edit":
        cmd_edit(*args)
    else:
        sys.exit("craft: unknown command " + cmd)


main()
