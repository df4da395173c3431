#!/usr/bin/python3
"""Builds a small OCI image layout for registry tests (stdlib only).

  make_oci_layout.py DIR TAG [--layers N] [--layer-size BYTES] [--index] [--info FILE]

Each layer is a gzip'd tar holding one file of random bytes (so every run pushes new digests);
the config has the right rootfs.diff_ids. With --index the tag names an OCI image index of two
images (linux/amd64, linux/arm64/v8) and is pushed with `skopeo copy --all`.
Prints the digest of the tagged manifest (or index). --info writes a JSON description:
{"digest", "media_type", "size", "manifests": [{"digest", "platform", "config", "layers"}]}.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
CREATED = "2024-01-01T00:00:00Z"


class Layout:
    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(root, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)

    def put(self, data: bytes, media_type: str) -> dict:
        hexd = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.root, "blobs", "sha256", hexd), "wb") as f:
            f.write(data)
        return {"mediaType": media_type, "digest": "sha256:" + hexd, "size": len(data)}


def canonical(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()


def make_layer(index: int, size: int):
    payload = os.urandom(size)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("sigil-test/layer-%d.bin" % index)
        info.size = len(payload)
        info.mtime = 0
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(payload))
    tar_bytes = raw.getvalue()
    return tar_bytes, gzip.compress(tar_bytes, mtime=0)


def make_image(layout: Layout, n_layers: int, layer_size: int, arch: str, variant=None):
    layers, diff_ids, history = [], [], []
    for i in range(n_layers):
        tar_bytes, gz = make_layer(i, layer_size)
        layers.append(layout.put(gz, OCI_LAYER_GZIP))
        diff_ids.append("sha256:" + hashlib.sha256(tar_bytes).hexdigest())
        history.append({"created": CREATED, "created_by": "sigil test layer %d" % i})
    config = {
        "created": CREATED,
        "architecture": arch,
        "os": "linux",
        "config": {"Env": ["PATH=/usr/local/bin:/usr/bin:/bin"], "Cmd": ["/bin/true"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }
    if variant:
        config["variant"] = variant
    config_desc = layout.put(canonical(config), OCI_CONFIG)
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config_desc,
        "layers": layers,
        "annotations": {"org.opencontainers.image.created": CREATED},
    }
    desc = layout.put(canonical(manifest), OCI_MANIFEST)
    platform = {"architecture": arch, "os": "linux"}
    if variant:
        platform["variant"] = variant
    return desc, {"digest": desc["digest"], "platform": platform, "config": config_desc["digest"],
                  "layers": [l["digest"] for l in layers]}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("dir")
    p.add_argument("tag")
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--layer-size", type=int, default=512)
    p.add_argument("--index", action="store_true")
    p.add_argument("--info")
    a = p.parse_args()
    if a.layers < 0 or a.layer_size < 0:
        p.error("--layers and --layer-size must be >= 0")

    layout = Layout(a.dir)
    if a.index:
        descs, infos = [], []
        for arch, variant in (("amd64", None), ("arm64", "v8")):
            desc, info = make_image(layout, a.layers, a.layer_size, arch, variant)
            descs.append({**desc, "platform": info["platform"]})
            infos.append(info)
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": descs}
        top = layout.put(canonical(index), OCI_INDEX)
    else:
        top, info = make_image(layout, a.layers, a.layer_size, "amd64")
        infos = [info]
    ref = {**top, "annotations": {"org.opencontainers.image.ref.name": a.tag}}
    with open(os.path.join(a.dir, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [ref]}, f)
    if a.info:
        with open(a.info, "w") as f:
            json.dump({"digest": top["digest"], "media_type": top["mediaType"],
                       "size": top["size"], "manifests": infos}, f, indent=1)
    print(top["digest"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
