#!/usr/bin/python3
"""TLS front for sigil's TLS tests (python3 stdlib + python3-cryptography).

Terminates TLS on 127.0.0.1 with a certificate that is wrong on purpose, and pumps the bytes
to a plain-HTTP upstream (the real registry), so a client that skips verification
(--allow-insecure-registry) still talks to a real registry behind it.

  tls_front.py --kind expired|wrong-host --ca-cert CA.crt --ca-key CA.key \
               --upstream-port PORT --port-file FILE [--out-dir DIR]

Kinds (both certificates are issued by the test CA, which the client trusts):
  expired     subjectAltName IP:127.0.0.1 and localhost, valid from 10 days ago to yesterday
  wrong-host  valid now, but only for DNS:registry.example.com (not 127.0.0.1 or localhost)

The chosen port is written to --port-file once the socket listens. Stops on SIGTERM.
"""
import argparse
import datetime
import ipaddress
import os
import signal
import socket
import ssl
import sys
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def make_cert(kind, ca_cert_path, ca_key_path, out_dir):
    with open(ca_cert_path, "rb") as f:
        ca_cert = x509.load_pem_x509_certificate(f.read())
    with open(ca_key_path, "rb") as f:
        ca_key = serialization.load_pem_private_key(f.read(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    if kind == "expired":
        not_before, not_after = now - datetime.timedelta(days=10), now - datetime.timedelta(days=1)
        names = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
        cn = "localhost"
    elif kind == "wrong-host":
        not_before, not_after = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=1)
        names = [x509.DNSName("registry.example.com")]
        cn = "registry.example.com"
    else:
        raise SystemExit(f"tls_front.py: unknown --kind {kind}")
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert_path = os.path.join(out_dir, f"{kind}.crt")
    key_path = os.path.join(out_dir, f"{kind}.key")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_path, key_path


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve_client(raw, context, upstream_port):
    raw.settimeout(30)
    try:
        tls = context.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError):
        raw.close()  # the client refused the certificate: what the tests expect
        return
    try:
        up = socket.create_connection(("127.0.0.1", upstream_port), timeout=30)
    except OSError:
        tls.close()
        return
    t = threading.Thread(target=pump, args=(up, tls), daemon=True)
    t.start()
    pump(tls, up)
    t.join(timeout=30)
    tls.close()
    up.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", required=True)
    ap.add_argument("--ca-cert", required=True)
    ap.add_argument("--ca-key", required=True)
    ap.add_argument("--upstream-port", type=int, required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--out-dir", default=None)
    a = ap.parse_args()
    out_dir = a.out_dir or os.path.dirname(os.path.abspath(a.port_file))
    cert, key = make_cert(a.kind, a.ca_cert, a.ca_key, out_dir)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(listener.getsockname()[1]))
    os.replace(tmp, a.port_file)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve_client, args=(conn, context, a.upstream_port), daemon=True).start()


if __name__ == "__main__":
    main()
