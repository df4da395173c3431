#!/usr/bin/env python3
"""A TUF repository for sigil's tests: generated, signed and served on 127.0.0.1.

Our own generator (standard library + python3-cryptography), written from the TUF specification
1.0 and the metadata python-tuf and Sigstore's root-signing publish: canonical JSON as
securesystemslib writes it, key ids = sha256 of the key's canonical JSON, ECDSA P-256 (PEM,
Sigstore's keytype "ecdsa"), Ed25519 (hex) and RSA-PSS-SHA256 (PEM) keys, consistent snapshots
(N.root.json, N.snapshot.json, N.targets.json, targets/SHA256.NAME).

State directory: keys.json (private keys), state.json (roles, versions), www/ (what is served),
initial_root.json (1.root.json, for the client's --tuf-root).

  tuf_repo.py init DIR --target NAME=FILE[=USAGE]... [--delegated NAME=FILE] [--sigstore-shape]
                   (--sigstore-shape: the keys and thresholds of Sigstore's public-good repository)
  tuf_repo.py publish DIR [--timestamp-expires SECS] [--snapshot-version N] [--targets-version N]
                            [--meta-hashes]
  tuf_repo.py rotate-root DIR [--new-keys N] [--keep-keys N] [--threshold T] [--sign old|new|both]
                              [--new-online-keys] [--dup-key] [--unknown-key]
  tuf_repo.py serve DIR          (port in DIR/port; DIR/endless names a path answered without end;
                                  DIR/redirect "STATUS URL-PREFIX" redirects every request)
"""
import argparse
import hashlib
import http.server
import json
import os
import shutil
import sys
import time
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa


def canonical(value):
    """OLPC canonical JSON (securesystemslib's encode_canonical), written independently."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(canonical(k) + ":" + canonical(value[k]) for k in sorted(value)) + "}"
    raise TypeError("no canonical form for %r" % (value,))


# --- keys --------------------------------------------------------------------------------------
def new_key(kind):
    if kind == "ecdsa":
        priv = ec.generate_private_key(ec.SECP256R1())
    elif kind == "ed25519":
        priv = ed25519.Ed25519PrivateKey.generate()
    else:
        priv = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = priv.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()
    return {"kind": kind, "private": pem}


def load_private(key):
    return serialization.load_pem_private_key(key["private"].encode(), None)


def public_json(key):
    priv = load_private(key)
    pub = priv.public_key()
    if key["kind"] == "ed25519":
        raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": raw.hex()}}
    pem = pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    if key["kind"] == "ecdsa":
        return {"keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256", "keyval": {"public": pem}}
    return {"keytype": "rsa", "scheme": "rsassa-pss-sha256", "keyval": {"public": pem}}


def key_id(pub):
    return hashlib.sha256(canonical(pub).encode()).hexdigest()


def sign_bytes(key, data):
    priv = load_private(key)
    if key["kind"] == "ecdsa":
        return priv.sign(data, ec.ECDSA(hashes.SHA256()))
    if key["kind"] == "ed25519":
        return priv.sign(data)
    return priv.sign(data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())


# --- state -------------------------------------------------------------------------------------
class Repo:
    def __init__(self, path):
        self.dir = path
        self.www = os.path.join(path, "www")
        with open(os.path.join(path, "keys.json")) as f:
            self.keys = json.load(f)
        with open(os.path.join(path, "state.json")) as f:
            self.state = json.load(f)

    def save(self):
        with open(os.path.join(self.dir, "keys.json"), "w") as f:
            json.dump(self.keys, f)
        with open(os.path.join(self.dir, "state.json"), "w") as f:
            json.dump(self.state, f, indent=1)

    def add_key(self, kind):
        key = new_key(kind)
        kid = key_id(public_json(key))
        self.keys[kid] = key
        return kid

    def write(self, name, data):
        path = os.path.join(self.www, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)

    def envelope(self, signed, signers):
        body = canonical(signed).encode()
        sigs = [{"keyid": kid, "sig": sign_bytes(self.keys[real], body).hex()} for kid, real in signers]
        return (json.dumps({"signatures": sigs, "signed": signed}, indent=1, sort_keys=True) + "\n").encode()


def expires_in(seconds):
    t = datetime.now(timezone.utc) + timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def root_signed(repo):
    st = repo.state
    keys = {}
    for role in st["roles"].values():
        for kid in role["keyids"]:
            keys[kid] = st["pub"][kid] if kid in st.get("pub", {}) else public_json(repo.keys[kid])
    return {"_type": "root", "spec_version": "1.0.31", "version": st["versions"]["root"],
            "expires": expires_in(365 * 86400), "consistent_snapshot": True, "keys": keys,
            "roles": {name: {"keyids": r["keyids"], "threshold": r["threshold"]} for name, r in st["roles"].items()}}


def meta_entry(data, version, with_hashes):
    entry = {"version": version}
    if with_hashes:
        entry["length"] = len(data)
        entry["hashes"] = {"sha256": hashlib.sha256(data).hexdigest()}
    return entry


def target_entry(path, usage):
    with open(path, "rb") as f:
        data = f.read()
    entry = {"length": len(data), "hashes": {"sha256": hashlib.sha256(data).hexdigest(),
                                             "sha512": hashlib.sha512(data).hexdigest()}}
    if usage:
        entry["custom"] = {"sigstore": {"status": "Active", "usage": usage}}
    return entry, data


def signers_of(repo, role):
    return [(kid, kid) for kid in repo.state["roles"][role]["keyids"]]


def publish_targets(repo, version):
    st = repo.state
    targets = {}
    for name, t in st["targets"].items():
        entry, data = target_entry(t["file"], t.get("usage"))
        targets[name] = entry
        repo.write("targets/%s.%s" % (entry["hashes"]["sha256"], name), data)
    signed = {"_type": "targets", "spec_version": "1.0.31", "version": version,
              "expires": expires_in(30 * 86400), "targets": targets}
    files = {}
    if st.get("delegated"):
        d = st["delegated"]
        dkey = d["keyid"]
        signed["delegations"] = {"keys": {dkey: public_json(repo.keys[dkey])},
                                 "roles": [{"name": d["role"], "keyids": [dkey], "threshold": 1,
                                            "terminating": True, "paths": [d["name"]]}]}
        entry, data = target_entry(d["file"], None)
        repo.write("targets/%s.%s" % (entry["hashes"]["sha256"], d["name"]), data)
        dsigned = {"_type": "targets", "spec_version": "1.0.31", "version": version,
                   "expires": expires_in(30 * 86400), "targets": {d["name"]: entry}}
        ddata = repo.envelope(dsigned, [(dkey, dkey)])
        repo.write("%d.%s.json" % (version, d["role"]), ddata)
        files[d["role"] + ".json"] = {"version": version}
    data = repo.envelope(signed, signers_of(repo, "targets"))
    repo.write("%d.targets.json" % version, data)
    files["targets.json"] = {"version": version}
    return files


def cmd_publish(args):
    repo = Repo(args.dir)
    v = repo.state["versions"]
    v["timestamp"] += 1
    v["snapshot"] = args.snapshot_version if args.snapshot_version else v["snapshot"] + 1
    v["targets"] = args.targets_version if args.targets_version else v["targets"] + 1
    meta = publish_targets(repo, v["targets"])
    snap = {"_type": "snapshot", "spec_version": "1.0.31", "version": v["snapshot"],
            "expires": expires_in(30 * 86400), "meta": meta}
    snap_data = repo.envelope(snap, signers_of(repo, "snapshot"))
    repo.write("%d.snapshot.json" % v["snapshot"], snap_data)
    ts = {"_type": "timestamp", "spec_version": "1.0.31", "version": v["timestamp"],
          "expires": expires_in(args.timestamp_expires),
          "meta": {"snapshot.json": meta_entry(snap_data, v["snapshot"], args.meta_hashes)}}
    repo.write("timestamp.json", repo.envelope(ts, signers_of(repo, "timestamp")))
    repo.save()


def cmd_init(args):
    os.makedirs(os.path.join(args.dir, "www"), exist_ok=True)
    for name in ("keys.json", "state.json"):
        with open(os.path.join(args.dir, name), "w") as f:
            f.write("{}")
    repo = Repo(args.dir)
    st = repo.state
    st["versions"] = {"root": 1, "timestamp": 0, "snapshot": 0, "targets": 0}
    if args.sigstore_shape:
        # As Sigstore's public-good repository: five ECDSA P-256 root keys, threshold 3, which
        # also sign targets; one online ECDSA key for timestamp and snapshot.
        offline = [repo.add_key("ecdsa") for _ in range(5)]
        online = repo.add_key("ecdsa")
        st["roles"] = {"root": {"keyids": offline, "threshold": 3},
                       "timestamp": {"keyids": [online], "threshold": 1},
                       "snapshot": {"keyids": [online], "threshold": 1},
                       "targets": {"keyids": list(offline), "threshold": 3}}
    else:
        st["roles"] = {"root": {"keyids": [repo.add_key("ecdsa")], "threshold": 1},
                       "timestamp": {"keyids": [repo.add_key("ed25519")], "threshold": 1},
                       "snapshot": {"keyids": [repo.add_key("rsa")], "threshold": 1},
                       "targets": {"keyids": [repo.add_key("ecdsa")], "threshold": 1}}
    st["targets"] = {}
    for spec in args.target:
        parts = spec.split("=")
        st["targets"][parts[0]] = {"file": os.path.abspath(parts[1]), "usage": parts[2] if len(parts) > 2 else None}
    if args.delegated:
        name, path = args.delegated.split("=")
        st["delegated"] = {"role": "sigstore-delegated", "name": name, "file": os.path.abspath(path),
                           "keyid": repo.add_key("ecdsa")}
    data = repo.envelope(root_signed(repo), signers_of(repo, "root"))
    repo.write("1.root.json", data)
    with open(os.path.join(args.dir, "initial_root.json"), "wb") as f:
        f.write(data)
    repo.save()
    cmd_publish(argparse.Namespace(dir=args.dir, timestamp_expires=86400, snapshot_version=None,
                                   targets_version=None, meta_hashes=False))


def cmd_rotate_root(args):
    repo = Repo(args.dir)
    st = repo.state
    old = list(st["roles"]["root"]["keyids"])
    kept = old[:args.keep_keys] if args.keep_keys is not None else old
    added = [repo.add_key("ecdsa") for _ in range(args.new_keys)]
    new = kept + added
    pubs = st.setdefault("pub", {})
    aliases = []
    if args.dup_key:  # the first new key once more, under another key id
        pub = dict(public_json(repo.keys[new[0]]))
        pub["x-alias"] = True
        alias = key_id(pub)
        pubs[alias] = pub
        new.append(alias)
        aliases.append((alias, new[0]))
    if args.unknown_key:  # a real key, of a key type no client knows
        kid = repo.add_key("ecdsa")
        pub = dict(public_json(repo.keys[kid]))
        pub["keytype"] = "x-sigil-unknown"
        unknown = key_id(pub)
        pubs[unknown] = pub
        new.append(unknown)
        aliases.append((unknown, kid))
    st["roles"]["root"] = {"keyids": new, "threshold": args.threshold or st["roles"]["root"]["threshold"]}
    if args.new_online_keys:
        st["roles"]["timestamp"] = {"keyids": [repo.add_key("ed25519")], "threshold": 1}
        st["roles"]["snapshot"] = {"keyids": [repo.add_key("rsa")], "threshold": 1}
    st["versions"]["root"] += 1
    signers = []
    if args.sign in ("old", "both"):
        signers += [(k, k) for k in old]
    if args.sign in ("new", "both"):
        signers += [(k, k) for k in new if k not in old and k in repo.keys] + aliases
    repo.write("%d.root.json" % st["versions"]["root"], repo.envelope(root_signed(repo), signers))
    repo.save()


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))

    def do_GET(self):
        # DIR/redirect holds "STATUS URL-PREFIX": every request is answered STATUS with
        # Location: URL-PREFIX + path (a mirror that moved, or a CDN in front of a bucket).
        redirect = os.path.join(self.server.state_dir, "redirect")
        if os.path.exists(redirect):
            with open(redirect) as f:
                status, prefix = f.read().split()
            self.send_response(int(status))
            self.send_header("Location", prefix + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        endless = os.path.join(self.server.state_dir, "endless")
        if os.path.exists(endless):
            with open(endless) as f:
                if self.path == f.read().strip():
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    chunk = b" " * 65536
                    try:
                        for _ in range(16384):  # 1 GiB at most: bounded even here
                            self.wfile.write(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
        super().do_GET()


def cmd_serve(args):
    state_dir = os.path.abspath(args.dir)

    def handler(*a, **kw):
        return Handler(*a, directory=os.path.join(state_dir, "www"), **kw)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.state_dir = state_dir
    with open(os.path.join(state_dir, "port.tmp"), "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(os.path.join(state_dir, "port.tmp"), os.path.join(state_dir, "port"))
    server.serve_forever()


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("init")
    i.add_argument("dir")
    i.add_argument("--target", action="append", default=[])
    i.add_argument("--delegated")
    i.add_argument("--sigstore-shape", action="store_true")
    pub = sub.add_parser("publish")
    pub.add_argument("dir")
    pub.add_argument("--timestamp-expires", type=int, default=86400)
    pub.add_argument("--snapshot-version", type=int)
    pub.add_argument("--targets-version", type=int)
    pub.add_argument("--meta-hashes", action="store_true")
    r = sub.add_parser("rotate-root")
    r.add_argument("dir")
    r.add_argument("--new-keys", type=int, default=0)
    r.add_argument("--keep-keys", type=int)
    r.add_argument("--threshold", type=int)
    r.add_argument("--sign", choices=["old", "new", "both"], default="both")
    r.add_argument("--new-online-keys", action="store_true")
    r.add_argument("--dup-key", action="store_true")
    r.add_argument("--unknown-key", action="store_true")
    s = sub.add_parser("serve")
    s.add_argument("dir")
    args = p.parse_args()
    {"init": cmd_init, "publish": cmd_publish, "rotate-root": cmd_rotate_root, "serve": cmd_serve}[args.cmd](args)


if __name__ == "__main__":
    main()
