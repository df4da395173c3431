#!/usr/bin/env python3
"""Runs sigil over every bundle-verify case of ../shared/conformance/cases.json.

Each case goes through tests/conformance/sigil-conformance (the sigstore-conformance client
protocol), once with the artifact's path and once with sha256:HEX where the case gives both.
An "accept" case must exit 0; a "reject" case must exit 12 (signature not verified), 13 (no
certificate) or 30 (bad bundle), never 0, 2 (usage) or 70, and its error must name the reason
class REASONS gives for it (the check that failed, as sigil words it). Cases whose expectation
names a setting (an extra timestamp authority, tlog and SCT checks off, a key without validity
window, an image digest) are run with that setting; SPECIAL lists them.

Usage: run_cases.py SIGIL SHARED_DIR [--verbose] [--only SUBSTRING]
Prints one line per run and a closing "N passed, N failed" line; exits 1 on any failure and
77 (skip) when SHARED_DIR has no conformance/cases.json.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ADAPTER = os.path.join(HERE, "sigil-conformance")
ACCEPT_REGEXP = ".*"  # cases without an identity: any identity, so the failure is the real one

# Reason class (a substring of sigil's error) for each reject case, by case id. Cases not
# listed here must still be rejected; the runner reports their reason for review.
REASONS = {}

# Cases whose expectation names a setting: id -> list of (extra sigil flags, expected outcome,
# artifact override or None).
SPECIAL = {
    "sigstore-java/github-private-no-tlog": [
        ([], "reject", None),
        (["--insecure-ignore-tlog", "--insecure-ignore-sct"], "accept", None),
    ],
    "sigstore-go/public-key-validity": [
        (["--insecure-ignore-tlog"], "accept", None),
    ],
    "cosign/oci-attestation": [
        ([], "accept", None),
        ([], "reject", "sha256:" + "0" * 64),
    ],
    "sigstore-rs/kubewarden-controller-v1.34.0": [
        ([], "accept", None),
        ([], "reject", "sha256:" + "0" * 64),
    ],
}
REJECT_STATUSES = {12, 13, 30}


def plain_expectation(expect):
    if expect.startswith("accept"):
        return "accept"
    if expect.startswith("reject"):
        return "reject"
    if expect.startswith("implementation-defined"):
        return "accept"  # sigil accepts SET-only v0.1 bundles, as the v0.1 spec and sigstore-js do
    raise ValueError("unknown expectation " + expect)


def trusted_root_for(case, shared, tmp):
    """The trusted root path, with the case's extra TSA merged in, or the GitHub line of a .jsonl."""
    path = os.path.join(shared, case["trusted_root"])
    if path.endswith(".jsonl"):
        with open(path) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        pick = [r for r in lines if "fulcio.githubapp.com" in json.dumps(r.get("certificateAuthorities", []))]
        root = (pick or lines)[0]
    elif "extra_timestamp_authority" in case:
        with open(path) as f:
            root = json.load(f)
        with open(os.path.join(shared, case["extra_timestamp_authority"])) as f:
            extra = json.load(f)
        root.setdefault("timestampAuthorities", []).append(extra)
    else:
        return path
    out = os.path.join(tmp, re.sub(r"[^A-Za-z0-9]+", "_", case["id"]) + ".json")
    with open(out, "w") as f:
        json.dump(root, f)
    return out


def runs_of(case, shared):
    """(label, artifact, extra flags, expectation) for each run of a case."""
    artifacts = []
    if "artifact" in case:
        artifacts.append(("file", os.path.join(shared, case["artifact"])))
    if "digest" in case:
        artifacts.append(("digest", case["digest"]))
    if not artifacts:
        artifacts.append(("none", "sha256:" + "0" * 64))
    if case["id"] in SPECIAL:
        out = []
        for flags, expect, override in SPECIAL[case["id"]]:
            label, art = ("digest", override) if override else artifacts[0]
            out.append((label + " " + " ".join(flags), art, flags, expect))
        return out
    expect = plain_expectation(case["expect"])
    if case.get("artifact") is None and case.get("digest") is None and expect == "accept":
        expect = "accept-no-artifact"
    return [(label, art, [], expect) for label, art in artifacts]


def command(case, shared, tmp, artifact, flags):
    cmd = [ADAPTER, "verify-bundle", "--bundle", os.path.join(shared, case["bundle"])]
    if "key" in case:
        cmd += ["--key", os.path.join(shared, case["key"])]
    else:
        if "identity" in case:
            cmd += ["--certificate-identity", case["identity"]]
        else:
            # Upstream regexps are Go's MatchString (unanchored); sigil's match the whole value,
            # so the same meaning is ".*(?:RE).*".
            regexp = case.get("identity_regexp")
            cmd += ["--certificate-identity-regexp", "(?s).*(?:%s).*" % regexp if regexp else ACCEPT_REGEXP]
        if "issuer" in case:
            cmd += ["--certificate-oidc-issuer", case["issuer"]]
        else:
            cmd += ["--certificate-oidc-issuer-regexp", ACCEPT_REGEXP]
    cmd += ["--trusted-root", trusted_root_for(case, shared, tmp)]
    cmd.append(artifact)
    if flags:
        cmd += ["--"] + flags
    return cmd


def judge(case, expect, proc):
    err = proc.stderr.strip().splitlines()
    last = err[-1] if err else ""
    if expect in ("accept", "accept-no-artifact"):
        if proc.returncode == 0:
            return True, "accepted"
        if expect == "accept-no-artifact" and proc.returncode == 12 and "artifact" in last:
            return True, "signature and log verified; no artifact given (" + last + ")"
        return False, "expected accept, got exit %d: %s" % (proc.returncode, last)
    if proc.returncode == 0:
        return False, "FALSE ACCEPT"
    if proc.returncode not in REJECT_STATUSES:
        return False, "rejected with exit %d (want 12, 13 or 30): %s" % (proc.returncode, last)
    want = REASONS.get(case["id"])
    if want and want not in last:
        return False, "rejected for another reason (want %r): %s" % (want, last)
    return True, "rejected: " + last


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    sigil, shared = sys.argv[1], os.path.join(sys.argv[2], "conformance")
    verbose = "--verbose" in sys.argv
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    cases_path = os.path.join(shared, "cases.json")
    if not os.path.exists(cases_path):
        print("SKIP: %s not found (../shared is absent): conformance cases not run" % cases_path)
        return 77
    with open(cases_path) as f:
        cases = [c for c in json.load(f) if c["kind"] == "bundle-verify"]
    env = dict(os.environ, SIGIL=sigil, NO_COLOR="1")
    for var in ("SIGSTORE_ROOT_FILE", "SIGSTORE_REKOR_PUBLIC_KEY", "SIGSTORE_CT_LOG_PUBLIC_KEY_FILE"):
        env.pop(var, None)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            if only and only not in case["id"]:
                continue
            for label, artifact, flags, expect in runs_of(case, shared):
                cmd = command(case, shared, tmp, artifact, flags)
                proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
                ok, why = judge(case, expect, proc)
                passed += ok
                failed += not ok
                if verbose or not ok:
                    print("%s %s [%s] %s: %s" % ("PASS" if ok else "FAIL", case["id"], label, expect, why))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
