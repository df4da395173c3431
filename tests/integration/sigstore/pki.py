"""DER, JSON, key and certificate helpers of the Sigstore stand-in (stdlib + python3-cryptography).

Nothing here does I/O except the key/cert load and save helpers at the end.
"""
import base64
import datetime
import hashlib
import json
import os

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import ObjectIdentifier

# --- encodings -------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text, what="base64") -> bytes:
    if isinstance(text, str):
        text = text.encode("ascii", "strict")
    try:
        return base64.b64decode(text, validate=True)
    except Exception as e:  # binascii.Error, ValueError
        raise BadRequest(f"{what} is not valid base64") from e


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical_json(obj) -> bytes:
    """RFC 8785 for the values the stand-in produces (strings, integers, objects, arrays, bools):
    sorted keys, no whitespace, UTF-8."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def rfc3339(t: datetime.datetime) -> str:
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


class BadRequest(Exception):
    """A client error: the HTTP layer answers it with 400 (or the status given)."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


# --- minimal DER -----------------------------------------------------------------------------


def der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der_tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + der_len(len(value)) + value


def der_seq(*items: bytes) -> bytes:
    return der_tlv(0x30, b"".join(items))


def der_int(n: int) -> bytes:
    if n == 0:
        return der_tlv(0x02, b"\x00")
    b = n.to_bytes((n.bit_length() + 8) // 8, "big")  # room for the sign bit
    return der_tlv(0x02, b)


def der_octets(b: bytes) -> bytes:
    return der_tlv(0x04, b)


def der_utf8(s: str) -> bytes:
    return der_tlv(0x0C, s.encode("utf-8"))


def der_bool(v: bool) -> bytes:
    return der_tlv(0x01, b"\xff" if v else b"\x00")


DER_NULL = b"\x05\x00"


def der_oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray()
    first = parts[0] * 40 + parts[1]
    for v in [first] + parts[2:]:
        chunk = [v & 0x7F]
        v >>= 7
        while v:
            chunk.append(0x80 | (v & 0x7F))
            v >>= 7
        body += bytes(reversed(chunk))
    return der_tlv(0x06, bytes(body))


def der_read(data: bytes, pos: int = 0):
    """One TLV at pos: (tag, value, start, end). Definite lengths and one-byte tags only."""
    if pos + 2 > len(data):
        raise BadRequest("truncated DER")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise BadRequest("multi-byte DER tags are not supported")
    n = data[pos + 1]
    p = pos + 2
    if n & 0x80:
        k = n & 0x7F
        if k == 0 or k > 4 or p + k > len(data):
            raise BadRequest("bad DER length")
        n = int.from_bytes(data[p:p + k], "big")
        p += k
    if p + n > len(data):
        raise BadRequest("truncated DER")
    return tag, data[p:p + n], pos, p + n


def der_children(value: bytes):
    out, pos = [], 0
    while pos < len(value):
        tag, v, start, end = der_read(value, pos)
        out.append((tag, v, value[start:end]))
        pos = end
    return out


def der_int_value(v: bytes) -> int:
    return int.from_bytes(v, "big", signed=True)


# --- keys ------------------------------------------------------------------------------------


def spki_der(pub) -> bytes:
    return pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def pub_pem(pub) -> bytes:
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def cert_pem(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def cert_der(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def key_details(pub) -> str:
    """protobuf-specs PublicKeyDetails of a key."""
    if isinstance(pub, ec.EllipticCurvePublicKey):
        return {"secp256r1": "PKIX_ECDSA_P256_SHA_256", "secp384r1": "PKIX_ECDSA_P384_SHA_384",
                "secp521r1": "PKIX_ECDSA_P521_SHA_512"}[pub.curve.name]
    if isinstance(pub, ed25519.Ed25519PublicKey):
        return "PKIX_ED25519"
    if isinstance(pub, rsa.RSAPublicKey):
        return f"PKIX_RSA_PKCS1V15_{pub.key_size}_SHA256"
    raise ValueError("unsupported key type")


def hash_for(pub):
    """The hash a Sigstore signer pairs with a key (P-384 -> SHA-384 etc.)."""
    if isinstance(pub, ec.EllipticCurvePublicKey):
        return {"secp384r1": hashes.SHA384(), "secp521r1": hashes.SHA512()}.get(pub.curve.name, hashes.SHA256())
    return hashes.SHA256()


def verify_message(pub, sig: bytes, data: bytes, h=None) -> bool:
    try:
        if isinstance(pub, ec.EllipticCurvePublicKey):
            pub.verify(sig, data, ec.ECDSA(h or hashes.SHA256()))
        elif isinstance(pub, rsa.RSAPublicKey):
            pub.verify(sig, data, padding.PKCS1v15(), h or hashes.SHA256())
        elif isinstance(pub, ed25519.Ed25519PublicKey):
            pub.verify(sig, data)
        else:
            return False
        return True
    except (InvalidSignature, ValueError):
        return False


HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


def verify_digest(pub, sig: bytes, digest: bytes, alg: str) -> bool:
    """Signature over a precomputed digest (hashedrekord)."""
    h = HASHES[alg]()
    if len(digest) != h.digest_size:
        return False
    try:
        if isinstance(pub, ec.EllipticCurvePublicKey):
            pub.verify(sig, digest, ec.ECDSA(Prehashed(h)))
        elif isinstance(pub, rsa.RSAPublicKey):
            pub.verify(sig, digest, padding.PKCS1v15(), Prehashed(h))
        else:
            return False  # Ed25519 signs messages, not digests
        return True
    except (InvalidSignature, ValueError):
        return False


def load_pem_key_or_cert(pem: bytes):
    """A PEM public key or certificate (Rekor's x509 "public key"): (public key, cert or None,
    canonical PEM as Rekor re-encodes it)."""
    if b"-----BEGIN CERTIFICATE-----" in pem:
        try:
            cert = x509.load_pem_x509_certificate(pem)
        except ValueError as e:
            raise BadRequest("certificate does not parse") from e
        return cert.public_key(), cert, cert_pem(cert)
    try:
        pub = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as e:
        raise BadRequest("public key does not parse") from e
    return pub, None, pub_pem(pub)


def save_private(path, priv):
    data = priv.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def load_private(path):
    with open(path, "rb") as fh:
        return serialization.load_pem_private_key(fh.read(), None)


def write_file(path, data, mode=0o644):
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def random_serial() -> int:
    return int.from_bytes(os.urandom(20), "big") >> 1 or 1


def name(cn, org="sigil-standin"):
    return x509.Name([x509.NameAttribute(x509.oid.NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, cn)])


def make_ca(cn, key, issuer_cert=None, issuer_key=None, path_len=None, eku=None, days=3650,
            not_before=None):
    """A CA certificate: self-signed when issuer_cert is None."""
    nb = not_before or (utcnow() - datetime.timedelta(hours=1))
    subject = name(cn)
    b = (x509.CertificateBuilder()
         .subject_name(subject)
         .issuer_name(issuer_cert.subject if issuer_cert else subject)
         .public_key(key.public_key())
         .serial_number(random_serial())
         .not_valid_before(nb)
         .not_valid_after(nb + datetime.timedelta(days=days))
         .add_extension(x509.BasicConstraints(ca=True, path_length=path_len), critical=True)
         .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                      key_encipherment=False, data_encipherment=False,
                                      key_agreement=False, key_cert_sign=True, crl_sign=True,
                                      encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if issuer_cert is not None:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()),
                            critical=False)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    signer = issuer_key or key
    return b.sign(signer, hash_for(signer.public_key()))


OID_SCT_LIST = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
OID_PRECERT_POISON = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.3")
