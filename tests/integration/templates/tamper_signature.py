#!/usr/bin/env python3
"""The sample pipeline's tamper job (test_templates.sh, second run): corrupts every signature at
cosign's .sig tag of IMAGE (HOST/REPO@sha256:HEX) by flipping one bit of the DER signature in
each layer's dev.cosignproject.cosign/signature annotation, then pushes the manifest back to the
same tag. The payload is untouched, so verification must fail on the signature itself.
Registry credentials from CI_REGISTRY_USER/CI_REGISTRY_PASSWORD, TLS CA from SSL_CERT_FILE."""
import base64
import json
import os
import ssl
import sys
import urllib.request

ANNOTATION = "dev.cosignproject.cosign/signature"
ACCEPT = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"


def request(method, url, body=None, content_type=None):
    credentials = f"{os.environ['CI_REGISTRY_USER']}:{os.environ['CI_REGISTRY_PASSWORD']}"
    headers = {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode(), "Accept": ACCEPT}
    if content_type:
        headers["Content-Type"] = content_type
    context = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    with urllib.request.urlopen(req, context=context, timeout=30) as resp:
        return resp.read(), resp.headers.get("Content-Type")


def main():
    name, digest = sys.argv[1].split("@", 1)
    host, repo = name.split("/", 1)
    url = f"https://{host}/v2/{repo}/manifests/{digest.replace(':', '-')}.sig"
    body, content_type = request("GET", url)
    manifest = json.loads(body)
    count = 0
    for layer in manifest["layers"]:
        signature = bytearray(base64.b64decode(layer["annotations"][ANNOTATION]))
        signature[-1] ^= 1
        layer["annotations"][ANNOTATION] = base64.b64encode(bytes(signature)).decode()
        count += 1
    request("PUT", url, json.dumps(manifest).encode(), content_type)
    print(f"tampered with {count} signature(s) at {name}:{digest.replace(':', '-')}.sig")


if __name__ == "__main__":
    main()
