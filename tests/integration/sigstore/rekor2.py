"""Rekor v2 (rekor-tiles) of the Sigstore stand-in: `POST /api/v2/log/entries` under its own base URL.

Formats read from sigstore/rekor-tiles (api/proto/rekor/v2, pkg/types/hashedrekord, pkg/note,
internal/server/service.go) and protobuf-specs (TransparencyLogEntry); no code copied.

- Request: protobuf-JSON `CreateEntryRequest` with `hashedRekordRequestV002 {digest, signature
  {content, verifier {publicKey{rawBytes} | x509Certificate{rawBytes}, keyDetails}}}` (protojson
  also reads the proto field names: hashed_rekord_request_v002, raw_bytes, ...). The signature
  is verified over the digest with the verifier's key; keyDetails must be the key's (ECDSA
  P-256/384/521 with their SHA-2) and the digest that hash's size. `dsseRequestV002` is refused
  as the public log does (DSSE is logged as hashedrekord over the PAE).
- Logged body: RFC 8785 JSON of protojson's `Entry {apiVersion "0.0.2", kind "hashedrekord",
  spec.hashedRekordV002 {data {algorithm SHA2_*, digest}, signature}}` (what sigstore-go
  rebuilds to check the leaf hash, so it must be byte-exact).
- Answer (201): protobuf-JSON `TransparencyLogEntry`: logIndex, logId.keyId (the C2SP key id),
  kindVersion, inclusionProof {logIndex, rootHash, treeSize, hashes, checkpoint.envelope},
  canonicalizedBody; no integratedTime, no inclusionPromise. A duplicate is 409 (no Location:
  rekor-tiles has no entry-by-id API).
- Checkpoint: C2SP signed note, origin = the log's host name (what sigstore-go checks: the
  hostname of the trusted root's baseUrl), Ed25519 key as the public log2025-1, key hint =
  SHA-256(origin "\\n" 0x01 raw key)[:4], whose full hash is the log id.
"""
import base64
import os
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from pki import BadRequest, b64, canonical_json, key_details, sha256, spki_der, verify_digest

# keyDetails rekor-tiles' default algorithm registry accepts for hashedrekord, with the hash.
KEY_DETAILS = {
    "PKIX_ECDSA_P256_SHA_256": ("secp256r1", "sha256", "SHA2_256"),
    "PKIX_ECDSA_P384_SHA_384": ("secp384r1", "sha384", "SHA2_384"),
    "PKIX_ECDSA_P521_SHA_512": ("secp521r1", "sha512", "SHA2_512"),
}


def _field(obj, camel, snake, kind=dict, required=True):
    """protojson reads a field by its JSON name or its proto name (both present: an error)."""
    if not isinstance(obj, dict):
        raise BadRequest(f"{camel}: the parent is not a JSON object")
    if camel in obj and snake in obj and camel != snake:
        raise BadRequest(f"{camel} given twice ({camel} and {snake})")
    value = obj.get(camel, obj.get(snake))
    if value is None:
        if required:
            raise BadRequest(f"missing {camel}")
        return None
    if not isinstance(value, kind):
        raise BadRequest(f"{camel} has the wrong type")
    return value


def _bytes(obj, camel, snake):
    text = _field(obj, camel, snake, kind=str)
    t = text.replace("-", "+").replace("_", "/")  # protojson reads both alphabets, padding optional
    try:
        return base64.b64decode(t + "=" * (-len(t) % 4), validate=True)
    except ValueError as e:
        raise BadRequest(f"{camel} is not base64") from e


def c2sp_key_id(origin: str, pub) -> bytes:
    """rekor-tiles pkg/note KeyHash: the full hash (log id); its first 4 bytes are the key hint."""
    if isinstance(pub, ed25519.Ed25519PublicKey):
        raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return sha256(origin.encode() + b"\n" + b"\x01" + raw)
    return sha256(spki_der(pub))


def entry_body(digest: bytes, hash_name: str, sig: bytes, verifier: dict) -> bytes:
    return canonical_json({"apiVersion": "0.0.2", "kind": "hashedrekord", "spec": {"hashedRekordV002": {
        "data": {"algorithm": hash_name, "digest": b64(digest)},
        "signature": {"content": b64(sig), "verifier": verifier}}}})


def canonicalize_request(req) -> bytes:
    """Validates a CreateEntryRequest as rekor-tiles does; returns the logged body."""
    if not isinstance(req, dict):
        raise BadRequest("the request is not a JSON object")
    if "dsseRequestV002" in req or "dsse_request_v002" in req:
        raise BadRequest("invalid type, must be hashedrekord (Rekor v2 logs DSSE as hashedrekord over the PAE)")
    hr = _field(req, "hashedRekordRequestV002", "hashed_rekord_request_v002")
    digest = _bytes(hr, "digest", "digest")
    sig_node = _field(hr, "signature", "signature")
    sig = _bytes(sig_node, "content", "content")
    ver = _field(sig_node, "verifier", "verifier")
    details = _field(ver, "keyDetails", "key_details", kind=str)
    pub_node = _field(ver, "publicKey", "public_key", required=False)
    cert_node = _field(ver, "x509Certificate", "x509_certificate", required=False)
    if (pub_node is None) == (cert_node is None):
        raise BadRequest("the verifier must hold exactly one of publicKey and x509Certificate")
    raw = _bytes(pub_node or cert_node, "rawBytes", "raw_bytes")
    try:
        pub = (x509.load_der_x509_certificate(raw).public_key() if cert_node is not None
               else serialization.load_der_public_key(raw))
    except ValueError as e:
        raise BadRequest("the verifier does not parse (DER certificate or PKIX public key)") from e
    if details not in KEY_DETAILS:
        raise BadRequest(f"unsupported keyDetails {details!r}")
    curve, alg, hash_name = KEY_DETAILS[details]
    if not isinstance(pub, ec.EllipticCurvePublicKey) or pub.curve.name != curve:
        raise BadRequest(f"keyDetails {details} is not the verifier's key ({key_details(pub)})")
    if len(digest) != verify_hash(alg).digest_size:
        raise BadRequest(f"digest length ({len(digest)}) does not match the {alg} size")
    if not verify_digest(pub, sig, digest, alg):
        raise BadRequest("verifying signature: the signature does not verify over the digest")
    verifier = {"keyDetails": details}
    verifier["x509Certificate" if cert_node is not None else "publicKey"] = {"rawBytes": b64(raw)}
    return entry_body(digest, hash_name, sig, verifier)


def verify_hash(alg):
    return {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}[alg]()


class Conflict2(Exception):
    """A duplicate entry: rekor-tiles answers 409 AlreadyExists."""


class RekorV2:
    """One append-only RFC 6962 tree of hashedrekord 0.0.2 bodies, Ed25519 checkpoints."""

    def __init__(self, key, evil_key, origin, tree, prefill_key, modes):
        self.key, self.evil_key = key, evil_key
        self.origin = origin
        self.tree = tree
        self.prefill_key = prefill_key
        self.modes = modes  # a callable: the stand-in's current admin modes
        self.bodies = []
        self.by_leaf = {}
        self.lock = threading.RLock()
        self.log_id = c2sp_key_id(origin, key.public_key())

    def _append(self, body):
        idx = self.tree.append(body)
        self.bodies.append(body)
        self.by_leaf[self.tree.leaves[idx].hex()] = idx
        return idx

    def prefill(self, n):
        pub = self.prefill_key.public_key()
        verifier = {"keyDetails": key_details(pub), "publicKey": {"rawBytes": b64(spki_der(pub))}}
        with self.lock:
            for _ in range(n):
                digest = os.urandom(32)
                sig = self.prefill_key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
                self._append(entry_body(digest, "SHA2_256", sig, verifier))

    def checkpoint(self, size, root):
        modes = self.modes()
        key = self.evil_key if "checkpoint-wrong-key" in modes else self.key
        origin = "rekor.evil.example" if "checkpoint-wrong-origin" in modes else self.origin
        note = f"{origin}\n{size}\n{b64(root)}\n"
        hint = c2sp_key_id(origin, key.public_key())[:4]
        return note + "\n" + f"\u2014 {origin} {b64(hint + key.sign(note.encode()))}\n"

    def answer(self, idx, size):
        modes = self.modes()
        root = self.tree.root(size)
        proof = self.tree.inclusion(idx, size)
        if "inclusion-bad-hash" in modes and proof:
            h = bytearray(proof[len(proof) // 2])
            h[0] ^= 0x01
            proof[len(proof) // 2] = bytes(h)
        return {
            "logIndex": str(idx),
            "logId": {"keyId": b64(self.log_id)},
            "kindVersion": {"kind": "hashedrekord", "version": "0.0.2"},
            "inclusionProof": {"logIndex": str(idx), "rootHash": b64(root), "treeSize": str(size),
                               "hashes": [b64(h) for h in proof],
                               "checkpoint": {"envelope": self.checkpoint(size, root)}},
            "canonicalizedBody": b64(self.bodies[idx]),
        }

    def add(self, req):
        body = canonicalize_request(req)
        with self.lock:
            leaf = sha256(b"\x00" + body).hex()
            if leaf in self.by_leaf:
                raise Conflict2(f"an equivalent entry already exists in the log at index {self.by_leaf[leaf]}")
            idx = self._append(body)
            size = len(self.bodies)
            if "rekor-other-entry" in self.modes() and idx > 0:
                return self.answer(idx - 1, size)
            return self.answer(idx, size)

    def latest_checkpoint(self):
        with self.lock:
            size = len(self.bodies)
            return self.checkpoint(size, self.tree.root(size))
