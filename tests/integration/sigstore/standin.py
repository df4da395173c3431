#!/usr/bin/python3
"""sigil's Sigstore stand-in: OIDC issuer, Fulcio, CT log, Rekor v1 and v2, TSA in one process on 127.0.0.1.

Python 3.11 standard library + python3-cryptography (Debian 12: 38) + the openssl CLI (for the
RFC 3161 responses). See README.md in this folder for the endpoints, files and admin modes.

  standin.py serve --state DIR [--port N] [--prefill N] [--issuer URL]... [--mode MODE]...
  standin.py mint-token --state DIR [--iss URL] [--sub S] [--email E] [--aud A] [--exp-in SECS]
                        [--gitlab] [--claim NAME=VALUE]... [--drop NAME]... [--other-key]
"""
import argparse
import datetime
import hashlib
import http.server
import json
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (Prehashed, decode_dss_signature,
                                                            encode_dss_signature)
from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pki import (BadRequest, DER_NULL, OID_PRECERT_POISON, OID_SCT_LIST, b64, b64url,  # noqa: E402
                 canonical_json, cert_der, cert_pem, der_bool, der_children, der_int, der_int_value,
                 der_octets, der_oid, der_read, der_seq, der_tlv, der_utf8, hash_for, key_details,
                 load_pem_key_or_cert, load_private, make_ca, pub_pem, random_serial, rfc3339,
                 save_private, sha256, spki_der, unb64, unb64url, utcnow, verify_digest,
                 verify_message, write_file)
from rekor2 import Conflict2, RekorV2  # noqa: E402

MODES = {
    "normal": "everything faithful",
    "sct-unknown-log": "Fulcio embeds an SCT signed by a CT log key that is in no trust file",
    "cert-no-sct": "Fulcio issues the leaf without the SCT list extension",
    "cert-other-identity": "Fulcio issues the leaf for another identity (SAN mallory@evil.example "
                           "or https://gitlab.com/evil/proj//.gitlab-ci.yml@refs/heads/main)",
    "cert-untrusted-chain": "the leaf is signed by an intermediate under another root; the answer "
                            "still names the trusted intermediate and root",
    "set-wrong-key": "Rekor's signedEntryTimestamp is signed by another key",
    "inclusion-bad-hash": "one hash of Rekor's inclusion proof has a flipped bit",
    "checkpoint-wrong-key": "Rekor's checkpoint is signed by another key (its key hint too)",
    "rekor-other-entry": "Rekor logs the entry but answers with the previous entry of the log",
    "checkpoint-wrong-origin": "Rekor v2's checkpoint names another origin than the log's host "
                               "(signed with the log's key)",
    "tsa-wrong-nonce": "the TSA answers for another nonce than the request's",
    "tsa-other-imprint": "the TSA timestamps other bytes than the request's message imprint",
}

# Service faults (HTTP status answers instead of the real one; see service_fault below). A "-once"
# mode clears itself when it has fired.
FAULT_MODES = {
    "fulcio-503-once": "the next Fulcio signingCert request answers 503",
    "fulcio-503-always": "every Fulcio signingCert request answers 503",
    "fulcio-429-retry-after-once": "the next Fulcio signingCert request answers 429 with Retry-After: 2",
    "fulcio-400-hostile": "Fulcio refuses every signingCert request with 400 and a message holding "
                          "terminal escape sequences and a newline",
    "rekor-503-once": "the next Rekor entry upload answers 503 (nothing logged)",
    "rekor-500-always": "every Rekor entry upload answers 500 (nothing logged)",
    "rekor-lost-answer-once": "the next Rekor entry upload is logged, but the answer is a 503 (a retry "
                              "then gets 409 with the entry's Location)",
    "rekor-400-hostile": "Rekor refuses every entry upload with 400 and a message holding terminal "
                         "escape sequences and a newline",
}
MODES.update(FAULT_MODES)
HOSTILE_MESSAGE = "refused \x1b[31mRED\x1b]0;owned\x07 line1\nline2 \x9b2J end"

FULCIO_OID = "1.3.6.1.4.1.57264.1."
CLIENT_ID = "sigstore"
CERT_LIFETIME = datetime.timedelta(minutes=10)


class Unauthorized(BadRequest):
    def __init__(self, message):
        super().__init__(message, 401)


# --- OIDC ------------------------------------------------------------------------------------


class OIDC:
    def __init__(self, key, other_key):
        self.key = key
        self.other_key = other_key
        self.kid = b64url(sha256(spki_der(key.public_key())))[:16]

    def jwks(self):
        n = self.key.public_key().public_numbers()
        return {"keys": [{"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": self.kid,
                          "x": b64url(n.x.to_bytes(32, "big")), "y": b64url(n.y.to_bytes(32, "big"))}]}

    def mint(self, claims, other_key=False):
        header = {"alg": "ES256", "typ": "JWT", "kid": self.kid}
        signing_input = (b64url(canonical_json(header)) + "." + b64url(canonical_json(claims))).encode()
        der = (self.other_key if other_key else self.key).sign(signing_input, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return signing_input.decode() + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    def verify(self, token, known_issuers, client_id=CLIENT_ID):
        """The claims of a token whose signature, issuer, audience and expiry check out."""
        if not isinstance(token, str) or token.count(".") != 2:
            raise Unauthorized("the identity token is not a JWT")
        h64, c64, s64 = token.split(".")
        try:
            header = json.loads(unb64url(h64))
            claims = json.loads(unb64url(c64))
            sig = unb64url(s64)
        except ValueError as e:
            raise Unauthorized("the identity token does not decode") from e
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise Unauthorized("the identity token does not decode")
        if header.get("alg") != "ES256":
            raise Unauthorized(f"unsupported token algorithm {header.get('alg')!r}")
        if header.get("kid") not in (None, self.kid):
            raise Unauthorized("unknown token key id")
        if len(sig) != 64:
            raise Unauthorized("bad token signature")
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        if not verify_message(self.key.public_key(), der, (h64 + "." + c64).encode(), hashes.SHA256()):
            raise Unauthorized("the identity token's signature does not verify with the issuer's JWKS")
        if claims.get("iss") not in known_issuers:
            raise Unauthorized(f"unknown token issuer {claims.get('iss')!r}")
        aud = claims.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        if client_id not in auds:
            raise Unauthorized(f"token audience {aud!r} is not {client_id!r}")
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or exp <= time.time():
            raise Unauthorized("the identity token has expired")
        nbf = claims.get("nbf")
        if isinstance(nbf, (int, float)) and nbf > time.time() + 60:
            raise Unauthorized("the identity token is not valid yet")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise Unauthorized("the identity token has no subject")
        return claims


GITLAB_REQUIRED = ("project_path", "namespace_path", "ci_config_ref_uri", "ci_config_sha", "ref",
                   "ref_type", "sha", "pipeline_source", "job_id", "project_id", "namespace_id",
                   "runner_environment", "project_visibility")


def gitlab_claims(iss, project="grp/proj", ref="refs/heads/main"):
    """A GitLab CI id_token's claims (the ones Fulcio reads, and a few more)."""
    host = urllib.parse.urlparse(iss).netloc or iss
    ref_type = "tag" if ref.startswith("refs/tags/") else "branch"
    short = ref.split("/", 2)[2] if ref.count("/") >= 2 else ref
    sha = hashlib.sha1(f"{project}@{ref}".encode()).hexdigest()
    namespace = project.rsplit("/", 1)[0] if "/" in project else project
    return {
        "iss": iss, "aud": CLIENT_ID,
        "sub": f"project_path:{project}:ref_type:{ref_type}:ref:{short}",
        "namespace_id": "42", "namespace_path": namespace, "project_id": "4242",
        "project_path": project, "user_id": "7", "user_login": "ci-user", "pipeline_id": "1001",
        "pipeline_source": "push", "job_id": "5001", "ref": short, "ref_type": ref_type,
        "ref_path": ref, "ref_protected": "true", "runner_id": 12, "runner_environment": "gitlab-hosted",
        "sha": sha, "project_visibility": "public",
        "ci_config_ref_uri": f"{host}/{project}//.gitlab-ci.yml@{ref}", "ci_config_sha": sha,
    }


def build_claims(default_iss, iss=None, sub=None, email=None, email_verified=True, aud=None,
                 exp_in=600, gitlab=False, gitlab_project=None, gitlab_ref=None, claims=(), drop=()):
    now = int(time.time())
    if gitlab:
        c = gitlab_claims(iss or "https://gitlab.com", gitlab_project or "grp/proj",
                          gitlab_ref or "refs/heads/main")
    else:
        c = {"iss": iss or default_iss, "aud": CLIENT_ID, "sub": sub or email or "signer@example.com"}
        if email or not sub:
            c["email"] = email or "signer@example.com"
            c["email_verified"] = bool(email_verified)
    if sub:
        c["sub"] = sub
    if aud is not None:
        c["aud"] = aud
    c.update({"iat": now, "nbf": now - 5, "exp": now + int(exp_in)})
    for kv in claims:
        k, _, v = kv.partition("=")
        try:
            c[k] = json.loads(v)
        except ValueError:
            c[k] = v
    for k in drop:
        c.pop(k, None)
    return c


# --- Fulcio identities -----------------------------------------------------------------------


class Identity:
    """What Fulcio puts in a leaf for a token: SAN, extensions, and what the proof signs."""

    def __init__(self, san, extensions, challenge):
        self.san = san  # x509.GeneralName
        self.extensions = extensions  # [(dotted oid, raw extension value)]
        self.challenge = challenge  # the string the proof of possession signs


def identity_of(claims):
    iss = claims["iss"]
    exts = [(FULCIO_OID + "1", iss.encode()), (FULCIO_OID + "8", der_utf8(iss))]
    if "ci_config_ref_uri" in claims or "project_path" in claims:
        missing = [k for k in GITLAB_REQUIRED if k not in claims]
        if missing:
            raise BadRequest("GitLab token lacks claims: " + ", ".join(missing))
        g = {k: str(v) for k, v in claims.items()}
        base = iss.rstrip("/") + "/"
        ref = g.get("ref_path") or (("refs/tags/" if g["ref_type"] == "tag" else "refs/heads/") + g["ref"])
        uri = "https://" + g["ci_config_ref_uri"]
        values = {
            9: uri, 10: g["ci_config_sha"], 11: g["runner_environment"],
            12: base + g["project_path"], 13: g["sha"], 14: ref, 15: g["project_id"],
            16: base + g["namespace_path"], 17: g["namespace_id"], 18: uri, 19: g["ci_config_sha"],
            20: g["pipeline_source"], 21: base + g["project_path"] + "/-/jobs/" + g["job_id"],
            22: g["project_visibility"],
        }
        if g.get("environment"):
            values[23] = g["environment"]
        exts += [(FULCIO_OID + str(k), der_utf8(v)) for k, v in sorted(values.items())]
        return Identity(x509.UniformResourceIdentifier(uri), exts, claims["sub"])
    if "email" in claims:
        if claims.get("email_verified") is not True:
            raise Unauthorized("the token's email is not verified (email_verified)")
        return Identity(x509.RFC822Name(str(claims["email"])), exts, str(claims["email"]))
    sub = claims["sub"]
    if re.match(r"^[a-z][a-z0-9+.-]*://", sub):
        return Identity(x509.UniformResourceIdentifier(sub), exts, sub)
    raise BadRequest("the token has neither an email nor GitLab claims nor a URI subject")


def other_identity(ident):
    if isinstance(ident.san, x509.RFC822Name):
        return x509.RFC822Name("mallory@evil.example")
    return x509.UniformResourceIdentifier("https://gitlab.com/evil/proj//.gitlab-ci.yml@refs/heads/main")


# --- CT: precertificate, SCT -----------------------------------------------------------------


def tbs_without_extension(tbs: bytes, oid: ObjectIdentifier) -> bytes:
    """The TBSCertificate DER with one extension removed (RFC 6962 3.2: the precertificate's TBS
    without the poison; also how a verifier strips the SCT list from the final certificate)."""
    tag, value, _, _ = der_read(tbs)
    oid_der = der_oid(oid.dotted_string)
    out = []
    for t, v, raw in der_children(value):
        if t == 0xA3:
            (seq_tag, seq_val, _) = der_children(v)[0]
            kept = [r for (_, ev, r) in der_children(seq_val) if not ev.startswith(oid_der)]
            inner = der_seq(*kept)
            raw = der_tlv(0xA3, inner)
        out.append(raw)
    return der_tlv(tag, b"".join(out))


def make_sct_list(ct_key, tbs_no_poison: bytes, issuer_spki: bytes, ts_ms: int) -> bytes:
    """TLS-encoded SignedCertificateTimestampList with one v1 SCT (RFC 6962 3.2, 3.3)."""
    log_id = sha256(spki_der(ct_key.public_key()))
    extensions = b""
    signed = (struct.pack(">BBQH", 0, 0, ts_ms, 1)  # v1, certificate_timestamp, time, precert_entry
              + sha256(issuer_spki)
              + len(tbs_no_poison).to_bytes(3, "big") + tbs_no_poison
              + struct.pack(">H", len(extensions)) + extensions)
    sig = ct_key.sign(signed, ec.ECDSA(hashes.SHA256()))
    sct = (b"\x00" + log_id + struct.pack(">Q", ts_ms) + struct.pack(">H", len(extensions)) + extensions
           + bytes([4, 3])  # sha256, ecdsa
           + struct.pack(">H", len(sig)) + sig)
    lst = struct.pack(">H", len(sct)) + sct
    return struct.pack(">H", len(lst)) + lst


# --- Merkle tree (RFC 6962 2.1) --------------------------------------------------------------


def _split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class MerkleTree:
    def __init__(self):
        self.leaves = []  # leaf hashes
        self._cache = {}  # (lo, size) of complete power-of-two subtrees -> hash

    def append(self, entry: bytes) -> int:
        self.leaves.append(sha256(b"\x00" + entry))
        return len(self.leaves) - 1

    def mth(self, lo, hi):
        n = hi - lo
        if n == 0:
            return sha256(b"")
        if n == 1:
            return self.leaves[lo]
        pow2 = n & (n - 1) == 0
        if pow2 and (lo, n) in self._cache:
            return self._cache[(lo, n)]
        k = _split(n)
        h = sha256(b"\x01" + self.mth(lo, lo + k) + self.mth(lo + k, hi))
        if pow2:
            self._cache[(lo, n)] = h
        return h

    def root(self, size):
        return self.mth(0, size)

    def inclusion(self, m, size):
        def path(m, lo, hi):
            n = hi - lo
            if n <= 1:
                return []
            k = _split(n)
            if m < k:
                return path(m, lo, lo + k) + [self.mth(lo + k, hi)]
            return path(m - k, lo + k, hi) + [self.mth(lo, lo + k)]
        return path(m, 0, size)

    def consistency(self, m, n):
        def sub(m, lo, hi, complete):
            size = hi - lo
            if m == size:
                return [] if complete else [self.mth(lo, hi)]
            k = _split(size)
            if m <= k:
                return sub(m, lo, lo + k, complete) + [self.mth(lo + k, hi)]
            return sub(m - k, lo + k, hi, False) + [self.mth(lo, lo + k)]
        if m == 0 or m == n:
            return []
        return sub(m, 0, n, True)


# --- Rekor entries ---------------------------------------------------------------------------


def _get(obj, *path, kind=str):
    for p in path:
        if not isinstance(obj, dict) or p not in obj:
            raise BadRequest("missing " + ".".join(path))
        obj = obj[p]
    if kind is not None and not isinstance(obj, kind):
        raise BadRequest(f"{'.'.join(path)} has the wrong type")
    return obj


def pae(payload_type: str, payload: bytes) -> bytes:
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def _verify_dsse_sig(pub, sig, message):
    return verify_message(pub, sig, message, hashes.SHA256()) or verify_message(pub, sig, message, hash_for(pub))


def canonicalize_entry(entry):
    """Validates a proposed Rekor v1 entry as Rekor does and returns its canonical body (bytes)."""
    if not isinstance(entry, dict):
        raise BadRequest("the proposed entry is not a JSON object")
    kind, version = entry.get("kind"), entry.get("apiVersion")
    spec = _get(entry, "spec", kind=dict)
    if (kind, version) == ("hashedrekord", "0.0.1"):
        sig = unb64(_get(spec, "signature", "content"), "signature.content")
        pem = unb64(_get(spec, "signature", "publicKey", "content"), "signature.publicKey.content")
        pub, _, canon = load_pem_key_or_cert(pem)
        alg = _get(spec, "data", "hash", "algorithm")
        value = _get(spec, "data", "hash", "value")
        sizes = {"sha256": 64, "sha384": 96, "sha512": 128}
        if alg not in sizes or not re.fullmatch(r"[0-9a-f]{%d}" % sizes[alg], value):
            raise BadRequest("data.hash is not a lowercase hex sha256/sha384/sha512 digest")
        if not verify_digest(pub, sig, bytes.fromhex(value), alg):
            raise BadRequest("the signature does not verify over data.hash with the given key")
        return canonical_json({"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
            "data": {"hash": {"algorithm": alg, "value": value}},
            "signature": {"content": b64(sig), "publicKey": {"content": b64(canon)}}}})
    if (kind, version) == ("dsse", "0.0.1"):
        envelope = _get(spec, "proposedContent", "envelope")
        verifiers = _get(spec, "proposedContent", "verifiers", kind=list)
        try:
            env = json.loads(envelope)
        except ValueError as e:
            raise BadRequest("proposedContent.envelope is not JSON") from e
        ptype = _get(env, "payloadType")
        payload = unb64(_get(env, "payload"), "envelope payload")
        sigs = _get(env, "signatures", kind=list)
        keys = [load_pem_key_or_cert(unb64(v, "verifier")) for v in verifiers]
        if not sigs or not keys:
            raise BadRequest("a DSSE entry needs signatures and verifiers")
        message = pae(ptype, payload)
        out = []
        for s in sigs:
            sig_text = _get(s, "sig")
            sig = unb64(sig_text, "envelope signature")
            match = next((k for k in keys if _verify_dsse_sig(k[0], sig, message)), None)
            if match is None:
                raise BadRequest("all signatures must have a key that verifies it")
            out.append({"signature": sig_text, "verifier": b64(match[2])})
        out.sort(key=lambda s: s["signature"])
        return canonical_json({"apiVersion": "0.0.1", "kind": "dsse", "spec": {
            "envelopeHash": {"algorithm": "sha256", "value": sha256(envelope.encode()).hex()},
            "payloadHash": {"algorithm": "sha256", "value": sha256(payload).hex()},
            "signatures": out}})
    if (kind, version) == ("intoto", "0.0.1"):  # cosign 2.5 attest --rekor-entry-type intoto
        envelope = _get(spec, "content", "envelope")
        pub, _, canon = load_pem_key_or_cert(unb64(_get(spec, "publicKey"), "publicKey"))
        try:
            env = json.loads(envelope)
        except ValueError as e:
            raise BadRequest("content.envelope is not JSON") from e
        ptype = _get(env, "payloadType")
        payload = unb64(_get(env, "payload"), "envelope payload")
        sigs = _get(env, "signatures", kind=list)
        message = pae(ptype, payload)
        if not any(_verify_dsse_sig(pub, unb64(_get(s, "sig"), "envelope signature"), message) for s in sigs):
            raise BadRequest("no signature of the envelope verifies with publicKey")
        return canonical_json({"apiVersion": "0.0.1", "kind": "intoto", "spec": {
            "content": {"hash": {"algorithm": "sha256", "value": sha256(envelope.encode()).hex()},
                        "payloadHash": {"algorithm": "sha256", "value": sha256(payload).hex()}},
            "publicKey": b64(canon)}})
    if (kind, version) == ("intoto", "0.0.2"):
        content = _get(spec, "content", kind=dict)
        env = _get(content, "envelope", kind=dict)
        ptype = _get(env, "payloadType")
        payload = unb64(unb64(_get(env, "payload"), "envelope.payload").decode("ascii", "replace"),
                        "envelope payload")
        h = _get(content, "hash", kind=dict)
        if h.get("algorithm") != "sha256" or not re.fullmatch(r"[0-9a-f]{64}", str(h.get("value"))):
            raise BadRequest("content.hash must be a sha256 digest")
        sigs = _get(env, "signatures", kind=list)
        if not sigs:
            raise BadRequest("missing signatures")
        message = pae(ptype, payload)
        out = []
        for s in sigs:
            sig = unb64(unb64(_get(s, "sig"), "sig").decode("ascii", "replace"), "sig")
            pub, _, canon = load_pem_key_or_cert(unb64(_get(s, "publicKey"), "publicKey"))
            if not _verify_dsse_sig(pub, sig, message):
                raise BadRequest("all signatures must have a key that verifies it")
            item = {"publicKey": b64(canon), "sig": s["sig"]}
            if s.get("keyid"):
                item["keyid"] = s["keyid"]
            out.append(item)
        return canonical_json({"apiVersion": "0.0.2", "kind": "intoto", "spec": {"content": {
            "envelope": {"payloadType": ptype, "signatures": out},
            "hash": {"algorithm": "sha256", "value": h["value"]},
            "payloadHash": {"algorithm": "sha256", "value": sha256(payload).hex()}}}})
    raise BadRequest(f"unsupported entry kind/apiVersion {kind!r}/{version!r} "
                     "(hashedrekord 0.0.1, dsse 0.0.1, intoto 0.0.1 and 0.0.2)")


# --- the stand-in ----------------------------------------------------------------------------


class StandIn:
    def __init__(self, state, url, issuers, modes):
        self.state = state
        self.url = url
        self.host = urllib.parse.urlparse(url).netloc
        self.issuers = [url] + [i for i in issuers if i != url]
        self.modes = set(modes) - {"normal"}
        self.lock = threading.RLock()
        self.started = utcnow()
        self.tree_id = int.from_bytes(os.urandom(8), "big") >> 2
        self._keys()
        self.tree = MerkleTree()
        self.entries = []  # [{"body": bytes, "integratedTime": int}]
        self.by_leaf = {}  # leaf hash hex -> index
        # Rekor v2: its own tree and key under URL/rekor2; checkpoint origin = the host name
        self.rekor2_url = url + "/rekor2"
        self.rekor2 = RekorV2(self.k["rekor2"], self.k["evil-rekor2"], urllib.parse.urlparse(url).hostname,
                              MerkleTree(), self.k["prefill"], lambda: self.modes)
        self._tsa_setup()

    # keys, certificates, trust files
    def _keys(self):
        kd = os.path.join(self.state, "keys")
        os.makedirs(kd, exist_ok=True)
        p256, p384 = ec.SECP256R1(), ec.SECP384R1()
        gen = {  # name -> curve
            "oidc": p256, "oidc-other": p256, "fulcio-root": p384, "fulcio-intermediate": p384,
            "ctlog": p256, "rekor": p256, "tsa-root": p384, "tsa-leaf": p256,
            "evil-ctlog": p256, "evil-rekor": p256, "evil-root": p384, "evil-intermediate": p384,
            "prefill": p256, "rekor2": None, "evil-rekor2": None,  # None: Ed25519 (as log2025-1)
        }
        self.k = {}
        for n, curve in gen.items():
            self.k[n] = ec.generate_private_key(curve) if curve else ed25519.Ed25519PrivateKey.generate()
            save_private(os.path.join(kd, n + ".key"), self.k[n])
        self.oidc = OIDC(self.k["oidc"], self.k["oidc-other"])
        nb = self.started - datetime.timedelta(minutes=5)
        self.root = make_ca("sigil-standin fulcio root", self.k["fulcio-root"], not_before=nb)
        self.inter = make_ca("sigil-standin fulcio intermediate", self.k["fulcio-intermediate"], self.root,
                             self.k["fulcio-root"], path_len=0, eku=[ExtendedKeyUsageOID.CODE_SIGNING],
                             not_before=nb)
        self.evil_root = make_ca("sigil-standin evil root", self.k["evil-root"], not_before=nb)
        self.evil_inter = make_ca("sigil-standin fulcio intermediate", self.k["evil-intermediate"],
                                  self.evil_root, self.k["evil-root"], path_len=0,
                                  eku=[ExtendedKeyUsageOID.CODE_SIGNING], not_before=nb)
        self.tsa_root = make_ca("sigil-standin tsa root", self.k["tsa-root"], not_before=nb)
        leaf = self.k["tsa-leaf"]
        self.tsa_leaf = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(x509.oid.NameOID.ORGANIZATION_NAME, "sigil-standin"),
                                     x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "sigil-standin tsa")]))
            .issuer_name(self.tsa_root.subject).public_key(leaf.public_key())
            .serial_number(random_serial()).not_valid_before(nb)
            .not_valid_after(nb + datetime.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.k["tsa-root"].public_key()),
                           critical=False)
            .sign(self.k["tsa-root"], hashes.SHA384()))
        self.rekor_log_id = sha256(spki_der(self.k["rekor"].public_key()))
        self.ct_log_id = sha256(spki_der(self.k["ctlog"].public_key()))

    def write_trust_files(self, port):
        s, u = self.state, self.url
        start = rfc3339(self.started - datetime.timedelta(minutes=5))

        def pubkey(k):
            pub = k.public_key()
            return {"rawBytes": b64(spki_der(pub)), "keyDetails": key_details(pub), "validFor": {"start": start}}

        trusted_root = {
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [{"baseUrl": u, "hashAlgorithm": "SHA2_256", "publicKey": pubkey(self.k["rekor"]),
                       "logId": {"keyId": b64(self.rekor_log_id)}},
                      {"baseUrl": self.rekor2_url, "hashAlgorithm": "SHA2_256", "publicKey": pubkey(self.k["rekor2"]),
                       "logId": {"keyId": b64(self.rekor2.log_id)}}],
            "certificateAuthorities": [{
                "subject": {"organization": "sigil-standin", "commonName": "sigil-standin fulcio"},
                "uri": u, "certChain": {"certificates": [{"rawBytes": b64(cert_der(c))}
                                                         for c in (self.inter, self.root)]},
                "validFor": {"start": start}}],
            "ctlogs": [{"baseUrl": u + "/ct", "hashAlgorithm": "SHA2_256", "publicKey": pubkey(self.k["ctlog"]),
                        "logId": {"keyId": b64(self.ct_log_id)}}],
            "timestampAuthorities": [{
                "subject": {"organization": "sigil-standin", "commonName": "sigil-standin tsa"},
                "uri": u + "/api/v1/timestamp",
                "certChain": {"certificates": [{"rawBytes": b64(cert_der(c))}
                                               for c in (self.tsa_leaf, self.tsa_root)]},
                "validFor": {"start": start}}],
        }
        vf = {"start": start}
        signing_config = {
            "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
            "caUrls": [{"url": u, "majorApiVersion": 1, "validFor": vf, "operator": "sigil-standin"}],
            "oidcUrls": [{"url": u, "majorApiVersion": 1, "validFor": vf, "operator": "sigil-standin"}],
            "rekorTlogUrls": [{"url": u, "majorApiVersion": 1, "validFor": vf, "operator": "sigil-standin"}],
            "tsaUrls": [{"url": u + "/api/v1/timestamp", "majorApiVersion": 1, "validFor": vf,
                         "operator": "sigil-standin"}],
            "rekorTlogConfig": {"selector": "ANY"},
            "tsaConfig": {"selector": "ANY"},
        }
        # Rekor v2 first (cosign 3 and sigil pick the highest API version), the v1 log after it
        signing_config_rekor2 = dict(signing_config, rekorTlogUrls=[
            {"url": self.rekor2_url, "majorApiVersion": 2, "validFor": vf, "operator": "sigil-standin"},
            *signing_config["rekorTlogUrls"]])
        j = lambda o: json.dumps(o, indent=2) + "\n"  # noqa: E731
        write_file(os.path.join(s, "trusted_root.json"), j(trusted_root))
        write_file(os.path.join(s, "signing_config.json"), j(signing_config))
        write_file(os.path.join(s, "signing_config_rekor2.json"), j(signing_config_rekor2))
        write_file(os.path.join(s, "fulcio_root.pem"), cert_pem(self.root) + cert_pem(self.inter))
        write_file(os.path.join(s, "fulcio_chain.pem"), cert_pem(self.inter) + cert_pem(self.root))
        write_file(os.path.join(s, "rekor.pub"), pub_pem(self.k["rekor"].public_key()))
        write_file(os.path.join(s, "rekor2.pub"), pub_pem(self.k["rekor2"].public_key()))
        write_file(os.path.join(s, "ctlog.pub"), pub_pem(self.k["ctlog"].public_key()))
        write_file(os.path.join(s, "tsa_chain.pem"), cert_pem(self.tsa_leaf) + cert_pem(self.tsa_root))
        write_file(os.path.join(s, "jwks.json"), j(self.oidc.jwks()))
        q = lambda p: "'" + p.replace("'", "'\\''") + "'"  # noqa: E731
        env = [
            "# written by tests/integration/sigstore/standin.py; source it",
            f"export SIGSTORE_STANDIN_URL={q(u)}",
            f"export SIGSTORE_STANDIN_DIR={q(s)}",
            f"export SIGSTORE_STANDIN_PORT={port}",
            f"export SIGSTORE_STANDIN_FULCIO_URL={q(u)}",
            f"export SIGSTORE_STANDIN_REKOR_URL={q(u)}",
            f"export SIGSTORE_STANDIN_REKOR2_URL={q(self.rekor2_url)}",
            f"export SIGSTORE_STANDIN_TSA_URL={q(u + '/api/v1/timestamp')}",
            f"export SIGSTORE_STANDIN_OIDC_ISSUER={q(u)}",
            f"export SIGSTORE_STANDIN_TRUSTED_ROOT={q(os.path.join(s, 'trusted_root.json'))}",
            f"export SIGSTORE_STANDIN_SIGNING_CONFIG={q(os.path.join(s, 'signing_config.json'))}",
            f"export SIGSTORE_STANDIN_SIGNING_CONFIG_REKOR2={q(os.path.join(s, 'signing_config_rekor2.json'))}",
            f"export SIGSTORE_ROOT_FILE={q(os.path.join(s, 'fulcio_root.pem'))}",
            f"export SIGSTORE_REKOR_PUBLIC_KEY={q(os.path.join(s, 'rekor.pub'))}",
            f"export SIGSTORE_CT_LOG_PUBLIC_KEY_FILE={q(os.path.join(s, 'ctlog.pub'))}",
            f"export SIGSTORE_TSA_CERTIFICATE_FILE={q(os.path.join(s, 'tsa_chain.pem'))}",
        ]
        write_file(os.path.join(s, "env.sh"), "\n".join(env) + "\n")
        write_file(os.path.join(s, "url"), u + "\n")
        write_file(os.path.join(s, "port"), f"{port}\n")  # last: the "ready" signal

    # Fulcio
    def issue(self, pub, ident):
        ok = ((isinstance(pub, ec.EllipticCurvePublicKey) and pub.curve.name in ("secp256r1", "secp384r1", "secp521r1"))
              or (isinstance(pub, rsa.RSAPublicKey) and pub.key_size >= 2048)
              or isinstance(pub, ed25519.Ed25519PublicKey))
        if not ok:
            raise BadRequest("unsupported public key (ECDSA P-256/384/521, RSA >= 2048, Ed25519)")
        modes = self.modes
        inter, inter_key = self.inter, self.k["fulcio-intermediate"]
        if "cert-untrusted-chain" in modes:
            inter, inter_key = self.evil_inter, self.k["evil-intermediate"]
        san = other_identity(ident) if "cert-other-identity" in modes else ident.san
        now = utcnow()
        serial = random_serial()

        def builder():
            b = (x509.CertificateBuilder().subject_name(x509.Name([])).issuer_name(inter.subject)
                 .public_key(pub).serial_number(serial).not_valid_before(now)
                 .not_valid_after(now + CERT_LIFETIME)
                 .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                                critical=True)
                 .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
                 .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False)
                 .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(inter_key.public_key()),
                                critical=False)
                 .add_extension(x509.SubjectAlternativeName([san]), critical=True))
            for oid, value in ident.extensions:
                b = b.add_extension(x509.UnrecognizedExtension(ObjectIdentifier(oid), value), critical=False)
            return b

        h = hash_for(inter_key.public_key())
        if "cert-no-sct" in modes:
            leaf = builder().sign(inter_key, h)
        else:
            precert = builder().add_extension(x509.PrecertPoison(), critical=True).sign(inter_key, h)
            tbs = tbs_without_extension(precert.tbs_certificate_bytes, OID_PRECERT_POISON)
            ct_key = self.k["evil-ctlog" if "sct-unknown-log" in modes else "ctlog"]
            sct_list = make_sct_list(ct_key, tbs, spki_der(inter_key.public_key()), int(time.time() * 1000))
            leaf = builder().add_extension(x509.UnrecognizedExtension(OID_SCT_LIST, der_octets(sct_list)),
                                           critical=False).sign(inter_key, h)
            if tbs_without_extension(leaf.tbs_certificate_bytes, OID_SCT_LIST) != tbs:
                raise RuntimeError("final certificate's TBS differs from the precertificate's")
        return [leaf, self.inter, self.root]

    def fulcio(self, token, pub, proof=None, csr=None):
        claims = self.oidc.verify(token, self.issuers)
        ident = identity_of(claims)
        if csr is not None:
            if not csr.is_signature_valid:
                raise BadRequest("the certificate signing request's signature does not verify")
            pub = csr.public_key()
        else:
            if proof is None:
                raise BadRequest("missing proof of possession")
            msg = ident.challenge.encode()
            if not (verify_message(pub, proof, msg, hashes.SHA256()) or verify_message(pub, proof, msg, hash_for(pub))):
                raise BadRequest("the proof of possession does not verify over the token's subject")
        return self.issue(pub, ident)

    # Rekor
    def _append(self, body: bytes, when: int):
        idx = self.tree.append(body)
        self.entries.append({"body": body, "integratedTime": when})
        self.by_leaf[self.tree.leaves[idx].hex()] = idx
        return idx

    def prefill(self, n):
        key = self.k["prefill"]
        pem = pub_pem(key.public_key())
        with self.lock:
            for _ in range(n):
                digest = os.urandom(32)
                sig = key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
                body = canonical_json({"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
                    "data": {"hash": {"algorithm": "sha256", "value": digest.hex()}},
                    "signature": {"content": b64(sig), "publicKey": {"content": b64(pem)}}}})
                self._append(body, int(time.time()))
        self.rekor2.prefill(n)

    def uuid(self, idx):
        return f"{self.tree_id:016x}" + self.tree.leaves[idx].hex()

    def checkpoint(self, size, root):
        key = self.k["evil-rekor" if "checkpoint-wrong-key" in self.modes else "rekor"]
        note = f"{self.host} - {self.tree_id}\n{size}\n{b64(root)}\n"
        hint = sha256(spki_der(key.public_key()))[:4]
        sig = key.sign(note.encode(), ec.ECDSA(hashes.SHA256()))
        return note + "\n" + f"\u2014 {self.host} {b64(hint + sig)}\n"

    def log_info(self):
        with self.lock:
            size = len(self.entries)
            root = self.tree.root(size)
            return {"rootHash": root.hex(), "treeSize": size, "signedTreeHead": self.checkpoint(size, root),
                    "treeID": str(self.tree_id), "inactiveShards": []}

    def entry_answer(self, idx, key_idx=None):
        """{uuid: LogEntryAnon} for entry idx (keyed by key_idx's uuid when given)."""
        with self.lock:
            e = self.entries[idx]
            size = len(self.entries)
            root = self.tree.root(size)
            hashes_ = [h.hex() for h in self.tree.inclusion(idx, size)]
            if "inclusion-bad-hash" in self.modes and hashes_:
                h = bytearray(bytes.fromhex(hashes_[len(hashes_) // 2]))
                h[0] ^= 0x01
                hashes_[len(hashes_) // 2] = h.hex()
            body = b64(e["body"])
            log_id = self.rekor_log_id.hex()
            set_payload = canonical_json({"body": body, "integratedTime": e["integratedTime"],
                                          "logID": log_id, "logIndex": idx})
            set_key = self.k["evil-rekor" if "set-wrong-key" in self.modes else "rekor"]
            set_sig = set_key.sign(set_payload, ec.ECDSA(hashes.SHA256()))
            return {self.uuid(idx if key_idx is None else key_idx): {
                "body": body, "integratedTime": e["integratedTime"], "logID": log_id, "logIndex": idx,
                "verification": {
                    "inclusionProof": {"checkpoint": self.checkpoint(size, root), "hashes": hashes_,
                                       "logIndex": idx, "rootHash": root.hex(), "treeSize": size},
                    "signedEntryTimestamp": b64(set_sig)}}}

    def add_entry(self, proposed):
        body = canonicalize_entry(proposed)
        with self.lock:
            leaf = sha256(b"\x00" + body).hex()
            if leaf in self.by_leaf:
                idx = self.by_leaf[leaf]
                raise Conflict(self.uuid(idx))
            idx = self._append(body, int(time.time()))
            if "rekor-other-entry" in self.modes and idx > 0:
                return self.uuid(idx), self.entry_answer(idx - 1, key_idx=idx)
            return self.uuid(idx), self.entry_answer(idx)

    def find(self, uuid):
        u = uuid.lower()
        if len(u) == 80:
            if u[:16] != f"{self.tree_id:016x}":
                return None
            u = u[16:]
        if not re.fullmatch(r"[0-9a-f]{64}", u):
            raise BadRequest("not an entry UUID")
        return self.by_leaf.get(u)

    # TSA
    def _tsa_setup(self):
        d = os.path.join(self.state, "tsa")
        os.makedirs(d, exist_ok=True)
        write_file(os.path.join(d, "signer.pem"), cert_pem(self.tsa_leaf))
        write_file(os.path.join(d, "certs.pem"), cert_pem(self.tsa_root))
        write_file(os.path.join(d, "serial"), "01\n")
        key_path = os.path.join(self.state, "keys", "tsa-leaf.key")
        cnf = f"""
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {d}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/signer.pem
certs = $dir/certs.pem
signer_key = {key_path}
signer_digest = sha256
default_policy = 1.3.6.1.4.1.57264.2
other_policies = 1.3.6.1.4.1.57264.2.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""
        write_file(os.path.join(d, "tsa.cnf"), cnf)
        self.tsa_dir = d

    def timestamp(self, tsq: bytes) -> bytes:
        tag, value, _, end = der_read(tsq)
        if tag != 0x30 or end != len(tsq):
            raise BadRequest("not a DER TimeStampReq")
        parts = der_children(value)
        if len(parts) < 2 or parts[0][0] != 0x02 or der_int_value(parts[0][1]) != 1 or parts[1][0] != 0x30:
            raise BadRequest("not a v1 TimeStampReq")
        imprint = der_children(parts[1][1])
        if len(imprint) != 2 or imprint[1][0] != 0x04:
            raise BadRequest("bad messageImprint")
        if "tsa-other-imprint" in self.modes:
            other = sha256(imprint[1][1])[:len(imprint[1][1])].ljust(len(imprint[1][1]), b"\0")
            parts[1] = (0x30, None, der_seq(imprint[0][2], der_octets(other)))
        if "tsa-wrong-nonce" in self.modes:
            for i, (t, v, _raw) in enumerate(parts):
                if t == 0x02 and i > 0:
                    parts[i] = (0x02, None, der_int(der_int_value(v) + 1))
        tsq = der_seq(*[p[2] for p in parts])
        with self.lock, tempfile.TemporaryDirectory(dir=self.tsa_dir) as tmp:
            q, r = os.path.join(tmp, "q.tsq"), os.path.join(tmp, "r.tsr")
            with open(q, "wb") as fh:
                fh.write(tsq)
            p = subprocess.run(["openssl", "ts", "-reply", "-config", os.path.join(self.tsa_dir, "tsa.cnf"),
                                "-section", "tsa_config", "-queryfile", q, "-out", r],
                               capture_output=True, timeout=20)
            if p.returncode != 0 or not os.path.exists(r):
                raise BadRequest("openssl ts -reply refused the request: "
                                 + p.stderr.decode("utf-8", "replace").strip()[-300:])
            with open(r, "rb") as fh:
                return fh.read()


class Conflict(Exception):
    def __init__(self, uuid):
        super().__init__(uuid)
        self.uuid = uuid


HASH_OIDS = {"sha256": "2.16.840.1.101.3.4.2.1", "sha384": "2.16.840.1.101.3.4.2.2",
             "sha512": "2.16.840.1.101.3.4.2.3"}


def tsq_from_json(req):
    """sigstore-js's JSON timestamp request -> DER TimeStampReq."""
    alg = str(req.get("hashAlgorithm", "sha256")).lower().replace("-", "")
    if alg not in HASH_OIDS:
        raise BadRequest("unsupported hashAlgorithm")
    digest = unb64(_get(req, "artifactHash"), "artifactHash")
    items = [der_int(1), der_seq(der_seq(der_oid(HASH_OIDS[alg]), DER_NULL), der_octets(digest))]
    if req.get("tsaPolicyOID"):
        items.append(der_oid(str(req["tsaPolicyOID"])))
    if isinstance(req.get("nonce"), int):
        items.append(der_int(req["nonce"]))
    if req.get("certificates"):
        items.append(der_bool(True))
    return der_seq(*items)


# --- HTTP ------------------------------------------------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sigil-sigstore-standin/1"
    # TCP_NODELAY, as Go servers (Fulcio, Rekor) have: http.server writes the headers and the body
    # in two sends, and with Nagle the body waits for the client's delayed ACK (~40 ms).
    disable_nagle_algorithm = True
    S: StandIn = None  # set in serve()
    log_path = None

    def log_message(self, fmt, *args):  # quiet: the JSON log has it
        pass

    def _body(self, limit=8 << 20):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                line = self.rfile.readline(100)
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline(1000) not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(n)
                self.rfile.readline(10)
                if len(data) > limit:
                    raise BadRequest("request body too large", 413)
        n = int(self.headers.get("Content-Length") or 0)
        if n > limit:
            raise BadRequest("request body too large", 413)
        return self.rfile.read(n)

    def _json_body(self):
        try:
            return json.loads(self._body())
        except ValueError as e:
            raise BadRequest("the request body is not JSON") from e

    def _send(self, status, body=b"", ctype="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = (json.dumps(body) + "\n").encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self._status = status

    def _log(self, status, note=""):
        if not self.log_path:
            return
        rec = {"ts": round(time.time(), 3), "method": self.command, "path": self.path.split("?")[0],
               "status": status}
        if note:
            rec["note"] = note
        with Handler.log_lock, open(self.log_path, "a") as fh:
            fh.write(json.dumps(rec) + "\n")

    log_lock = threading.Lock()

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def _dispatch(self):
        self._status = 0
        note = ""
        try:
            if not service_fault(self):
                self._route()
        except Conflict as c:
            loc = f"/api/v1/log/entries/{c.uuid}"
            self._send(409, {"code": 409, "message": f"an equivalent entry already exists in the "
                                                     f"transparency log with UUID {c.uuid}"},
                       headers=[("Location", loc), ("ETag", c.uuid)])
        except BadRequest as e:
            note = str(e)
            path = self.path
            if path.startswith("/api/v1/signingCert") or path.startswith("/api/v2/signingCert"):
                code = 16 if e.status == 401 else 3
                self._send(e.status, {"code": code, "message": str(e)})
            else:
                self._send(e.status, {"code": e.status, "message": str(e)})
        except Exception as e:  # a bug of the stand-in: say so, keep serving
            note = f"internal error: {type(e).__name__}: {e}"
            self._send(500, {"code": 500, "message": note})
        self._log(self._status, note)

    def _route(self):
        S = self.S
        u = urllib.parse.urlsplit(self.path)
        path, query = u.path, urllib.parse.parse_qs(u.query)
        m = self.command
        if m == "GET" and path == "/.well-known/openid-configuration":
            return self._send(200, {
                "issuer": S.url, "jwks_uri": S.url + "/jwks", "authorization_endpoint": S.url + "/auth",
                "token_endpoint": S.url + "/token", "response_types_supported": ["id_token"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["ES256"],
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "email", "email_verified"]})
        if m == "GET" and path == "/jwks":
            return self._send(200, S.oidc.jwks())
        if path == "/mint" and m in ("GET", "POST"):
            return self._mint(query)
        if m == "POST" and path == "/api/v1/signingCert":
            return self._fulcio_v1()
        if m == "POST" and path == "/api/v2/signingCert":
            return self._fulcio_v2()
        if m == "GET" and path == "/api/v1/rootCert":
            return self._send(200, cert_pem(S.inter) + cert_pem(S.root), "application/pem-certificate-chain")
        if m == "GET" and path == "/api/v2/trustBundle":
            return self._send(200, {"chains": [{"certificates": [cert_pem(S.inter).decode(),
                                                                 cert_pem(S.root).decode()]}]})
        if m == "GET" and path == "/api/v2/configuration":
            return self._send(200, {"issuers": [{"issuerUrl": i, "audience": CLIENT_ID,
                                                 "challengeClaim": "email" if i == S.url else "sub"}
                                                for i in S.issuers]})
        if path.startswith("/api/v1/log"):
            return self._rekor(m, path, query)
        if path.startswith("/rekor2/"):
            return self._rekor2(m, path[len("/rekor2"):])
        if m == "POST" and path == "/api/v1/timestamp":
            return self._tsa()
        if m == "GET" and path == "/api/v1/timestamp/certchain":
            return self._send(200, cert_pem(S.tsa_leaf) + cert_pem(S.tsa_root), "application/pem-certificate-chain")
        if path == "/admin/mode":
            return self._admin_mode(m)
        if m == "POST" and path == "/admin/prefill":
            n = int(self._json_body().get("count", 0))
            if not 0 <= n <= 100000:
                raise BadRequest("count must be 0..100000")
            S.prefill(n)
            return self._send(200, {"treeSize": len(S.entries)})
        if m == "GET" and path == "/healthz":
            return self._send(200, {"ok": True})
        raise BadRequest(f"no route for {m} {path}", 404)

    def _bearer(self):
        a = self.headers.get("Authorization", "")
        return a[7:].strip() if a.lower().startswith("bearer ") else None

    def _fulcio_v1(self):
        token = self._bearer()
        if not token:
            raise Unauthorized("missing Authorization: Bearer token")
        req = self._json_body()
        pem = unb64(_get(req, "publicKey", "content"), "publicKey.content")
        pub, cert, _ = load_pem_key_or_cert(pem)
        if cert is not None:
            raise BadRequest("publicKey.content must be a public key")
        proof = unb64(_get(req, "signedEmailAddress"), "signedEmailAddress")
        chain = self.S.fulcio(token, pub, proof)
        self._send(201, b"".join(cert_pem(c) for c in chain), "application/pem-certificate-chain")

    def _fulcio_v2(self):
        req = self._json_body()
        token = (req.get("credentials") or {}).get("oidcIdentityToken") or self._bearer()
        if not token:
            raise Unauthorized("missing credentials.oidcIdentityToken")
        if "certificateSigningRequest" in req:
            raw = unb64(req["certificateSigningRequest"], "certificateSigningRequest")
            try:
                csr = (x509.load_pem_x509_csr(raw) if b"-----BEGIN" in raw else x509.load_der_x509_csr(raw))
            except ValueError as e:
                raise BadRequest("certificateSigningRequest does not parse") from e
            chain = self.S.fulcio(token, None, csr=csr)
        else:
            content = _get(req, "publicKeyRequest", "publicKey", "content")
            pub, cert, _ = load_pem_key_or_cert(content.encode())
            if cert is not None:
                raise BadRequest("publicKey.content must be a public key")
            proof = unb64(_get(req, "publicKeyRequest", "proofOfPossession"), "proofOfPossession")
            chain = self.S.fulcio(token, pub, proof)
        self._send(201, {"signedCertificateEmbeddedSct": {"chain": {
            "certificates": [cert_pem(c).decode() for c in chain]}}})

    def _rekor(self, m, path, query):
        S = self.S
        if m == "POST" and path == "/api/v1/log/entries":
            uuid, answer = S.add_entry(self._json_body())
            return self._send(201, answer, headers=[("Location", f"/api/v1/log/entries/{uuid}"), ("ETag", uuid)])
        if m == "GET" and path == "/api/v1/log/entries":
            idx = int((query.get("logIndex") or ["-1"])[0])
            if not 0 <= idx < len(S.entries):
                raise BadRequest("no entry with that logIndex", 404)
            return self._send(200, S.entry_answer(idx))
        if m == "GET" and path.startswith("/api/v1/log/entries/"):
            idx = S.find(path.rsplit("/", 1)[1])
            if idx is None:
                raise BadRequest("no entry with that UUID", 404)
            return self._send(200, S.entry_answer(idx))
        if m == "POST" and path == "/api/v1/log/entries/retrieve":
            req = self._json_body()
            out = []
            for u in req.get("entryUUIDs") or []:
                idx = S.find(str(u))
                if idx is not None:
                    out.append(S.entry_answer(idx))
            for i in req.get("logIndexes") or []:
                if isinstance(i, int) and 0 <= i < len(S.entries):
                    out.append(S.entry_answer(i))
            for e in req.get("entries") or []:
                body = canonicalize_entry(e)
                idx = S.by_leaf.get(sha256(b"\x00" + body).hex())
                if idx is not None:
                    out.append(S.entry_answer(idx))
            return self._send(200, out)
        if m == "GET" and path == "/api/v1/log":
            return self._send(200, S.log_info())
        if m == "GET" and path == "/api/v1/log/publicKey":
            return self._send(200, pub_pem(S.k["rekor"].public_key()), "application/x-pem-file")
        if m == "GET" and path == "/api/v1/log/proof":
            with S.lock:
                size = len(S.entries)
                first = int((query.get("firstSize") or ["1"])[0])
                last = int((query.get("lastSize") or [str(size)])[0])
                if not 1 <= first <= last <= size:
                    raise BadRequest("need 1 <= firstSize <= lastSize <= tree size")
                return self._send(200, {"rootHash": S.tree.root(last).hex(),
                                        "hashes": [h.hex() for h in S.tree.consistency(first, last)]})
        raise BadRequest(f"no route for {m} {path}", 404)

    def _rekor2(self, m, path):
        S = self.S
        if m == "POST" and path == "/api/v2/log/entries":
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if ctype != "application/json":
                raise BadRequest("Content-Type must be application/json", 415)
            try:
                return self._send(201, S.rekor2.add(self._json_body()))
            except Conflict2 as c:
                return self._send(409, {"code": 6, "message": str(c)})
        if m == "GET" and path == "/api/v2/checkpoint":
            return self._send(200, S.rekor2.latest_checkpoint(), "text/plain; charset=utf-8")
        raise BadRequest(f"no route for {m} /rekor2{path}", 404)

    def _tsa(self):
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        body = self._body()
        if ctype == "application/json":
            try:
                tsq = tsq_from_json(json.loads(body))
            except ValueError as e:
                raise BadRequest("the JSON timestamp request does not parse") from e
        elif ctype == "application/timestamp-query":
            tsq = body
        else:
            raise BadRequest("Content-Type must be application/timestamp-query or application/json", 415)
        return self._send(201, self.S.timestamp(tsq), "application/timestamp-reply")

    def _admin_mode(self, m):
        S = self.S
        if m == "POST":
            req = self._json_body()
            modes = req.get("modes")
            if modes is None:
                modes = [req.get("mode", "normal")]
            if not isinstance(modes, list) or any(x not in MODES for x in modes):
                raise BadRequest("unknown mode; known: " + ", ".join(sorted(MODES)))
            with S.lock:
                S.modes = set(modes) - {"normal"}
        return self._send(200, {"modes": sorted(S.modes) or ["normal"], "known": MODES})

    def _mint(self, query):
        q = {k: v[-1] for k, v in query.items()}
        if self.command == "POST":
            q.update(self._json_body())
        args = dict(iss=q.get("iss"), sub=q.get("sub"), email=q.get("email"),
                    email_verified=str(q.get("email_verified", "true")).lower() not in ("false", "0"),
                    aud=q.get("aud"), exp_in=int(q.get("exp_in", 600)),
                    gitlab=str(q.get("gitlab", "")).lower() in ("1", "true"),
                    gitlab_project=q.get("gitlab_project"), gitlab_ref=q.get("gitlab_ref"),
                    claims=[f"{k[6:]}={v}" for k, v in query.items() for v in v if k.startswith("claim.")],
                    drop=query.get("drop", []))
        claims = build_claims(self.S.url, **args)
        other = str(q.get("other_key", "")).lower() in ("1", "true")
        return self._send(200, self.S.oidc.mint(claims, other_key=other) + "\n", "text/plain")


def _take_fault(S, names):
    """The first of `names` that is set; a "-once" mode is cleared as it is taken."""
    with S.lock:
        for n in names:
            if n in S.modes:
                if n.endswith("-once"):
                    S.modes.discard(n)
                return n
    return None


def service_fault(h):
    """Answers instead of Fulcio or Rekor when a FAULT_MODES mode says so; True when it did."""
    S = h.S
    path = urllib.parse.urlsplit(h.path).path
    if h.command != "POST":
        return False
    if path in ("/api/v1/signingCert", "/api/v2/signingCert"):
        f = _take_fault(S, ("fulcio-400-hostile", "fulcio-503-always", "fulcio-503-once",
                            "fulcio-429-retry-after-once"))
        if f == "fulcio-429-retry-after-once":
            h._body()
            h._send(429, {"code": 8, "message": "rate limited (stand-in fault " + f + ")"},
                    headers=(("Retry-After", "2"),))
            return True
        if f == "fulcio-400-hostile":
            h._body()
            h._send(400, {"code": 3, "message": HOSTILE_MESSAGE})
            return True
        if f:
            h._body()
            h._send(503, {"code": 14, "message": "fulcio is unavailable (stand-in fault " + f + ")"})
            return True
    elif path in ("/api/v1/log/entries", "/api/v2/log/entries"):
        f = _take_fault(S, ("rekor-400-hostile", "rekor-500-always", "rekor-lost-answer-once", "rekor-503-once"))
        if f == "rekor-400-hostile":
            h._body()
            h._send(400, {"code": 400, "message": HOSTILE_MESSAGE})
            return True
        if f == "rekor-lost-answer-once":
            S.add_entry(h._json_body())  # logged (or a Conflict for a duplicate, answered as such)
            h._send(503, {"code": 503, "message": "the answer was lost (stand-in fault " + f + ")"})
            return True
        if f:
            h._body()
            status = 500 if f == "rekor-500-always" else 503
            h._send(status, {"code": status, "message": "rekor is unavailable (stand-in fault " + f + ")"})
            return True
    return False


def serve(args):
    os.makedirs(args.state, exist_ok=True)
    for f in ("port", "url"):
        try:
            os.unlink(os.path.join(args.state, f))
        except FileNotFoundError:
            pass
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    url = f"http://127.0.0.1:{port}"
    S = StandIn(args.state, url, args.issuer, args.mode)
    if args.prefill:
        S.prefill(args.prefill)
    Handler.S = S
    Handler.log_path = os.path.join(args.state, "requests.jsonl")
    S.write_trust_files(port)
    print(f"sigstore stand-in on {url} (state {args.state}, {len(S.entries)} log entries)", flush=True)

    def stop(*_):
        threading.Thread(target=httpd.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    httpd.serve_forever(poll_interval=0.2)


def mint_token(args):
    key = load_private(os.path.join(args.state, "keys", "oidc.key"))
    other = load_private(os.path.join(args.state, "keys", "oidc-other.key"))
    with open(os.path.join(args.state, "url")) as fh:
        url = fh.read().strip()
    claims = build_claims(url, iss=args.iss, sub=args.sub, email=args.email,
                          email_verified=not args.email_unverified, aud=args.aud, exp_in=args.exp_in,
                          gitlab=args.gitlab, gitlab_project=args.gitlab_project, gitlab_ref=args.gitlab_ref,
                          claims=args.claim, drop=args.drop)
    print(OIDC(key, other).mint(claims, other_key=args.other_key))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="run the stand-in")
    s.add_argument("--state", required=True, help="directory for keys, trust files, env.sh, logs")
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--prefill", type=int, default=0, help="log N random hashedrekord entries first")
    s.add_argument("--issuer", action="append", default=["https://gitlab.com"],
                   help="another accepted token issuer (default: https://gitlab.com)")
    s.add_argument("--mode", action="append", default=[], choices=sorted(MODES))
    t = sub.add_parser("mint-token", help="print an ID token signed with the stand-in's OIDC key")
    t.add_argument("--state", required=True)
    t.add_argument("--iss")
    t.add_argument("--sub")
    t.add_argument("--email")
    t.add_argument("--email-unverified", action="store_true")
    t.add_argument("--aud")
    t.add_argument("--exp-in", type=int, default=600, help="seconds until exp (negative: expired)")
    t.add_argument("--gitlab", action="store_true", help="GitLab CI claims (default iss https://gitlab.com)")
    t.add_argument("--gitlab-project")
    t.add_argument("--gitlab-ref")
    t.add_argument("--claim", action="append", default=[], help="NAME=VALUE (VALUE as JSON if it parses)")
    t.add_argument("--drop", action="append", default=[], help="remove a claim")
    t.add_argument("--other-key", action="store_true", help="sign with a key not in the JWKS")
    args = p.parse_args()
    if args.cmd == "serve":
        serve(args)
    else:
        mint_token(args)


if __name__ == "__main__":
    main()
