#!/usr/bin/python3
"""A small Sigstore client for the stand-in's self-checks (stdlib + python3-cryptography).

Its checks are written independently of the server's code paths (iterative RFC 9162 proof
verification, SCT recomputed from the final certificate), so a bug in one does not hide in both.

  client.py fulcio --url URL --token-file F [--api v1|v2] [--bad-pop] [--csr] [--out CHAIN.pem]
      prints the HTTP status (and the error message); exit 0 on 201
  client.py check-cert --chain CHAIN.pem --ctlog-pub PUB
      the leaf's embedded SCT verifies with PUB over the RFC 6962 precert entry; prints the SAN
  client.py rekor-audit --url URL --rekor-pub PUB [--indexes 0,5,...]
      for each index (default: 0, 1, the middle, an odd one, the last): inclusion proof against
      the root hash, the checkpoint's signed note, the SET; and consistency proofs between sizes
  client.py rekor-post --url URL --what garbage|bad-signature|good
      posts an entry; prints the HTTP status
"""
import argparse
import base64
import hashlib
import json
import os
import struct
import sys
import urllib.error
import urllib.request

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import NameOID


def http(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def sha256(b):
    return hashlib.sha256(b).digest()


def claims_of(token):
    try:
        part = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError):
        return {}  # not a JWT: the server is to say so


def cmd_fulcio(a):
    token = open(a.token_file).read().strip()
    key = ec.generate_private_key(ec.SECP256R1())
    c = claims_of(token)
    subject = c.get("email") if "email" in c and "project_path" not in c else c.get("sub", "")
    proof = key.sign(subject.encode(), ec.ECDSA(hashes.SHA256()))
    if a.bad_pop:
        proof = key.sign(b"not the subject", ec.ECDSA(hashes.SHA256()))
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    if a.api == "v1":
        body = json.dumps({"publicKey": {"algorithm": "ecdsa", "content": base64.b64encode(pem).decode()},
                           "signedEmailAddress": base64.b64encode(proof).decode()}).encode()
        st, data, _ = http("POST", a.url + "/api/v1/signingCert", body,
                           {"Content-Type": "application/json", "Authorization": "Bearer " + token})
        chain = data if st == 201 else b""
    else:
        if a.csr:
            csr = (x509.CertificateSigningRequestBuilder().subject_name(
                x509.Name([x509.NameAttribute(NameOID.EMAIL_ADDRESS, subject)])).sign(key, hashes.SHA256()))
            req = {"credentials": {"oidcIdentityToken": token}, "certificateSigningRequest":
                   base64.b64encode(csr.public_bytes(serialization.Encoding.PEM)).decode()}
        else:
            req = {"credentials": {"oidcIdentityToken": token},
                   "publicKeyRequest": {"publicKey": {"algorithm": "ECDSA", "content": pem.decode()},
                                        "proofOfPossession": base64.b64encode(proof).decode()}}
        st, data, _ = http("POST", a.url + "/api/v2/signingCert", json.dumps(req).encode(),
                           {"Content-Type": "application/json"})
        chain = b""
        if st == 201:
            chain = "".join(json.loads(data)["signedCertificateEmbeddedSct"]["chain"]["certificates"]).encode()
    print(st, "" if st == 201 else data.decode("utf-8", "replace").strip())
    if chain and a.out:
        open(a.out, "wb").write(chain)
    return 0 if st == 201 else 1


# DER walking, written apart from the server's
def tlv(b, i):
    tag = b[i]
    ln = b[i + 1]
    j = i + 2
    if ln & 0x80:
        n = ln & 0x7F
        ln = int.from_bytes(b[j:j + n], "big")
        j += n
    return tag, j, j + ln  # tag, value start, end


def der_wrap(tag, content):
    n = len(content)
    if n < 0x80:
        hdr = bytes([n])
    else:
        nb = n.to_bytes((n.bit_length() + 7) // 8, "big")
        hdr = bytes([0x80 | len(nb)]) + nb
    return bytes([tag]) + hdr + content


SCT_OID_DER = bytes.fromhex("060a2b06010401d679020402")  # 1.3.6.1.4.1.11129.2.4.2


def strip_sct(tbs):
    _, s, e = tlv(tbs, 0)
    out, i = b"", s
    while i < e:
        tag, vs, ve = tlv(tbs, i)
        if tag == 0xA3:
            _, ss, se = tlv(tbs, vs)
            exts, k = b"", ss
            while k < se:
                _, es, ee = tlv(tbs, k)
                if not tbs[es:].startswith(SCT_OID_DER):
                    exts += tbs[k:ee]
                k = ee
            out += der_wrap(0xA3, der_wrap(0x30, exts))
        else:
            out += tbs[i:ve]
        i = ve
    return der_wrap(0x30, out)


def cmd_check_cert(a):
    certs = x509.load_pem_x509_certificates(open(a.chain, "rb").read()) if hasattr(
        x509, "load_pem_x509_certificates") else None
    if certs is None:
        blobs = open(a.chain, "rb").read().split(b"-----END CERTIFICATE-----")
        certs = [x509.load_pem_x509_certificate(b + b"-----END CERTIFICATE-----\n") for b in blobs if b.strip()]
    leaf, issuer = certs[0], certs[1]
    ct_pub = serialization.load_pem_public_key(open(a.ctlog_pub, "rb").read())
    ct_der = ct_pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    ext = leaf.extensions.get_extension_for_oid(x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2"))
    raw = ext.value.value if isinstance(ext.value, x509.UnrecognizedExtension) else ext.value.public_bytes()
    if raw[0] == 0x04:  # the OCTET STRING around the TLS list
        _, s, e = tlv(raw, 0)
        raw = raw[s:e]
    total = struct.unpack(">H", raw[:2])[0]
    assert total == len(raw) - 2, "SCT list length"
    n = struct.unpack(">H", raw[2:4])[0]
    sct = raw[4:4 + n]
    version, log_id, ts = sct[0], sct[1:33], struct.unpack(">Q", sct[33:41])[0]
    ext_len = struct.unpack(">H", sct[41:43])[0]
    exts = sct[43:43 + ext_len]
    p = 43 + ext_len
    halg, salg, slen = sct[p], sct[p + 1], struct.unpack(">H", sct[p + 2:p + 4])[0]
    sig = sct[p + 4:p + 4 + slen]
    if version != 0 or (halg, salg) != (4, 3):
        print("unexpected SCT version or algorithms")
        return 1
    if log_id != sha256(ct_der):
        print("SCT log id is not the CT log key's")
        return 1
    issuer_spki = issuer.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    tbs = strip_sct(leaf.tbs_certificate_bytes)
    signed = (bytes([0, 0]) + struct.pack(">Q", ts) + struct.pack(">H", 1) + sha256(issuer_spki)
              + len(tbs).to_bytes(3, "big") + tbs + struct.pack(">H", len(exts)) + exts)
    try:
        ct_pub.verify(sig, signed, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        print("SCT signature does not verify")
        return 1
    try:
        issuer.public_key().verify(leaf.signature, leaf.tbs_certificate_bytes,
                                   ec.ECDSA(leaf.signature_hash_algorithm))
    except InvalidSignature:
        print("leaf is not signed by the next certificate of the chain")
        return 1
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    print("SCT ok;", "SAN", ",".join(str(g.value) for g in san))
    return 0


# RFC 9162 2.1.3.2, iterative (the server is recursive)
def verify_inclusion(index, size, leaf_hash, proof, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + p + r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = sha256(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, proof, first_root, second_root):
    if first == second:
        return not proof and first_root == second_root
    if first & (first - 1) == 0:
        proof = [first_root] + proof
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = sha256(b"\x01" + c + fr)
            sr = sha256(b"\x01" + c + sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = sha256(b"\x01" + sr + c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def check_note(text, pub, pub_der):
    note, _, sigs = text.partition("\n\n")
    note += "\n"
    lines = [l for l in sigs.split("\n") if l]
    if not lines or not lines[0].startswith("\u2014 "):
        return "no signature line"
    raw = base64.b64decode(lines[0].rsplit(" ", 1)[1])
    if raw[:4] != sha256(pub_der)[:4]:
        return "key hint is not the log key's"
    try:
        pub.verify(raw[4:], note.encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "checkpoint signature does not verify"
    return None


def cmd_rekor_audit(a):
    pub = serialization.load_pem_public_key(open(a.rekor_pub, "rb").read())
    pub_der = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    st, data, _ = http("GET", a.url + "/api/v1/log")
    info = json.loads(data)
    size = info["treeSize"]
    idxs = [int(x) for x in a.indexes.split(",")] if a.indexes else sorted({0, 1, size // 2, (size // 3) | 1, size - 1})
    bad = 0
    for i in idxs:
        st, data, _ = http("GET", f"{a.url}/api/v1/log/entries?logIndex={i}")
        (uuid, e), = json.loads(data).items()
        body = base64.b64decode(e["body"])
        leaf = sha256(b"\x00" + body)
        p = e["verification"]["inclusionProof"]
        ok = verify_inclusion(p["logIndex"], p["treeSize"], leaf, [bytes.fromhex(h) for h in p["hashes"]],
                              bytes.fromhex(p["rootHash"]))
        why = None if ok else "inclusion proof"
        cp = p["checkpoint"]
        lines = cp.split("\n")
        if not why and (int(lines[1]) != p["treeSize"] or base64.b64decode(lines[2]) != bytes.fromhex(p["rootHash"])):
            why = "checkpoint does not name the proof's tree"
        why = why or check_note(cp, pub, pub_der)
        set_payload = json.dumps({"body": e["body"], "integratedTime": e["integratedTime"], "logID": e["logID"],
                                  "logIndex": e["logIndex"]}, sort_keys=True, separators=(",", ":")).encode()
        try:
            pub.verify(base64.b64decode(e["verification"]["signedEntryTimestamp"]), set_payload,
                       ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            why = why or "SET"
        if e["logID"] != sha256(pub_der).hex():
            why = why or "logID"
        if uuid[-64:] != leaf.hex():
            why = why or "uuid"
        print(f"entry {i} of {p['treeSize']}: {why or 'ok'} ({len(p['hashes'])} hashes)")
        bad += bool(why)
    for first in sorted({1, 2, 3, size // 2 + 1, size - 1}):
        if not 1 <= first < size:
            continue
        st, data, _ = http("GET", f"{a.url}/api/v1/log/proof?firstSize={first}&lastSize={size}")
        pr = json.loads(data)
        # the first tree's root, from an entry's proof at that size is not served: recompute it from
        # the leaves of entries 0..first-1 (cheap for the sizes used here)
        leaves = []
        for i in range(first):
            _, d, _ = http("GET", f"{a.url}/api/v1/log/entries?logIndex={i}")
            (_, e), = json.loads(d).items()
            leaves.append(sha256(b"\x00" + base64.b64decode(e["body"])))
        while len(leaves) > 1:  # RFC 6962 MTH bottom-up: pair left to right, carry an odd last node
            leaves = [sha256(b"\x01" + leaves[k] + leaves[k + 1]) if k + 1 < len(leaves) else leaves[k]
                      for k in range(0, len(leaves), 2)]
        ok = verify_consistency(first, size, [bytes.fromhex(h) for h in pr["hashes"]], leaves[0],
                                bytes.fromhex(info["rootHash"]))
        print(f"consistency {first} -> {size}: {'ok' if ok else 'BAD'}")
        bad += not ok
        if first > 64:
            break  # fetching every leaf of a big first tree is slow; the small sizes suffice
    return 1 if bad else 0


def cmd_rekor_post(a):
    if a.what == "garbage":
        body = b"{\"kind\": \"hashedrekord\", \"apiVersion\": \"0.0.1\", \"spec\": {\"nonsense\": 1}}"
    else:
        key = ec.generate_private_key(ec.SECP256R1())
        digest = sha256(os.urandom(16))
        sig = key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        if a.what == "bad-signature":
            digest = sha256(b"other bytes")
        pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        body = json.dumps({"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": digest.hex()}},
            "signature": {"content": base64.b64encode(sig).decode(),
                          "publicKey": {"content": base64.b64encode(pem).decode()}}}}).encode()
    st, data, _ = http("POST", a.url + "/api/v1/log/entries", body, {"Content-Type": "application/json"})
    print(st, data.decode("utf-8", "replace").strip()[:200])
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fulcio")
    f.add_argument("--url", required=True)
    f.add_argument("--token-file", required=True)
    f.add_argument("--api", default="v2", choices=["v1", "v2"])
    f.add_argument("--bad-pop", action="store_true")
    f.add_argument("--csr", action="store_true")
    f.add_argument("--out")
    c = sub.add_parser("check-cert")
    c.add_argument("--chain", required=True)
    c.add_argument("--ctlog-pub", required=True)
    r = sub.add_parser("rekor-audit")
    r.add_argument("--url", required=True)
    r.add_argument("--rekor-pub", required=True)
    r.add_argument("--indexes")
    rp = sub.add_parser("rekor-post")
    rp.add_argument("--url", required=True)
    rp.add_argument("--what", required=True, choices=["garbage", "bad-signature", "good"])
    a = p.parse_args()
    return {"fulcio": cmd_fulcio, "check-cert": cmd_check_cert, "rekor-audit": cmd_rekor_audit,
            "rekor-post": cmd_rekor_post}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
