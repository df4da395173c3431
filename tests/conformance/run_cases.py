#!/usr/bin/env python3
"""Runs sigil over every bundle-verify and blob-cert-signature case of ../shared/conformance/cases.json.

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
REASONS = {
    'sigstore-python/bundle_cve_2022_36056': 'transparency log: the entry logs another signature',
    'sigstore-python/bundle_invalid_version': 'malformed bundle: unsupported mediaType',
    'sigstore-python/bundle_no_cert_v1': 'x509CertificateChain has no certificates',
    'sigstore-python/bundle_no_log_entry': 'the signature has no transparency log entry',
    'sigstore-python/bundle_no_checkpoint': 'the inclusion proof has no checkpoint',
    'sigstore-python/bundle_v3_no_signed_time': 'signing time: no verified signing time',
    'sigstore-python/Python-3.12.5.tgz (v0.1 without checkpoint)': 'the inclusion proof has no checkpoint',
    'sigstore-python/tsa/bundle.duplicate': 'RFC 3161 timestamp is listed twice (duplicate)',
    'sigstore-python/tsa/bundle.many_timestamp': 'RFC 3161 timestamps: too many',
    'sigstore-python/tsa/bundle.txt.late_timestamp': 'certificate: certificate does not chain',
    'sigstore-java/bundle-with-mismatched-set.sigstore': 'signed entry timestamp does not verify with the log key',
    'sigstore-java/bundle-with-wrong-tlog-entry.sigstore': 'transparency log: the entry logs another signature',
    'sigstore-java/bundle-with-bad-checkpoint-signature.sigstore': 'checkpoint signature invalid',
    'sigstore-java/bundle-with-expired-cert.sigstore': 'certificate: certificate does not chain',
    'sigstore-java/bundle.dsse.bad-signature.sigstore': 'signature: the DSSE signature does not verify',
    'sigstore-java/bundle.dsse.mismatched-envelope.sigstore': "the entry's payload hash is not the envelope's payload",
    'sigstore-java/bundle.dsse.mismatched-signature.sigstore': 'the entry logs other DSSE signatures',
    'sigstore-java/bundle.dsse.rekor-v2.bad-signature.sigstore': 'signature: the DSSE signature does not verify',
    'sigstore-java/bundle.dsse.rekor-v2.mismatched-envelope.sigstore': 'transparency log: the entry logs another signature',
    'sigstore-java/bundle.dsse.rekor-v2.mismatched-signature.sigstore': 'transparency log: the entry logs another signature',
    'sigstore-java/bundle.dsse.rekor-v2.bad-entry-type.sigstore': 'dsse 0.0.2 entry is not accepted',
    'sigstore-java/bundle.v2.no.inclusion': 'the entry has no inclusion proof',
    'sigstore-java/bundle.v3.no.inclusion': 'the entry has no inclusion proof',
    'sigstore-java/bundle.v3_1.no.inclusion': 'the entry has no inclusion proof',
    'sigstore-java/github-private-no-tlog': 'the signature has no transparency log entry',
    'sigstore-go/dsse-2sigs': 'the DSSE envelope has 2 signatures',
    'sigstore-js/client/invalid.v1.messageSignature.invalidExpiredCert': 'certificate: certificate does not chain',
    'sigstore-js/client/invalid.v1.dsse.invalidBadSignature': 'signature: the DSSE signature does not verify',
    'cosign/oci-attestation': 'artifact: no subject of the statement has digest',
    'sigstore-rs/kubewarden-controller-v1.34.0': 'artifact: no subject of the statement has digest',
    'conformance/bundle-empty-certificate-chain_fail': 'x509CertificateChain has no certificates',
    'conformance/bundle-from-wrong-instance_fail': 'the entry is from a log that is not in the trusted root',
    'conformance/bundle-invalid-base64-signature_fail': 'field "signature": invalid base64',
    'conformance/bundle-malformed-json_fail': 'malformed bundle: invalid JSON',
    'conformance/bundle-negative-log-index_fail': 'negative log index',
    'conformance/bundle-unknown-version_fail': 'malformed bundle: unsupported mediaType',
    'conformance/bundle-with-root-cert_fail': 'the inclusion proof has no checkpoint',
    'conformance/checkpoint-bad-keyhint_fail': 'no checkpoint signature from rekor.sigstore.dev',
    'conformance/checkpoint-wrong-roothash_fail': 'is not the inclusion proof',
    'conformance/dsse-invalid-sig_fail': 'signature: the DSSE signature does not verify',
    'conformance/dsse-mismatch-envelope_fail': "the entry's payload hash is not the envelope's payload",
    'conformance/dsse-mismatch-sig_fail': 'the entry logs other DSSE signatures',
    'conformance/inclusion-proof-corrupted-hash_fail': 'inclusion proof does not lead to the root hash',
    'conformance/incorrect-public-key_fail': 'the hashedrekord entry was made with another certificate',
    'conformance/integrated-time-in-future_fail': 'certificate: certificate does not chain',
    'conformance/intoto-expired-certificate_fail': 'certificate: certificate does not chain',
    'conformance/intoto-log-entry-mismatch_fail': 'transparency log: log entry body',
    'conformance/intoto-missing-inclusion-proof_fail': 'the entry has no inclusion proof',
    'conformance/intoto-set-outside-signing-cert-validity_fail': 'certificate: certificate does not chain',
    'conformance/intoto-tsa-timestamp-outside-cert-validity_fail': 'certificate: certificate does not chain',
    'conformance/invalid-checkpoint-signature_fail': 'checkpoint signature invalid',
    'conformance/invalid-ct-key_fail': 'SCT from an unknown CT log',
    'conformance/invalid-inclusion-proof_fail': 'the inclusion proof has no checkpoint',
    'conformance/managed-key-no-key_fail': 'the signature has no certificate, so no identity can match',
    'conformance/managed-key-wrong-key_fail': 'loading public key',
    'conformance/message-digest-mismatch_fail': 'signature: the message signature does not verify',
    'conformance/rekor2-checkpoint-missing-log-signature_fail': 'malformed checkpoint: no signatures',
    'conformance/rekor2-checkpoint-missing-origin_fail': 'malformed checkpoint',
    'conformance/rekor2-checkpoint-missing-root-hash_fail': 'malformed checkpoint',
    'conformance/rekor2-checkpoint-missing-size_fail': 'malformed checkpoint',
    'conformance/rekor2-checkpoint-no-matching-signature_fail': 'no checkpoint signature from log2025-alpha1.rekor.sigstage.dev',
    'conformance/rekor2-dsse-invalid-sig_fail': 'signature: the DSSE signature does not verify',
    'conformance/rekor2-dsse-mismatch-envelope_fail': 'transparency log: the entry logs another signature',
    'conformance/rekor2-dsse-mismatch-sig_fail': 'transparency log: the entry logs another signature',
    'conformance/rekor2-no-inclusion-proof_fail': 'the Rekor v2 entry has no inclusion proof',
    'conformance/rekor2-no-timestamp_fail': 'signing time: no verified signing time',
    'conformance/rekor2-timestamp-outside-trust-root-tsa-validity_fail': 'does not verify under a timestamp authority',
    'conformance/rekor2-timestamp-outside-tsa-cert-validity_fail': 'does not verify under a timestamp authority',
    'conformance/rekor2-timestamp-payload-mismatch_fail': 'message imprint mismatch',
    'conformance/rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail': 'does not verify under a timestamp authority',
    'conformance/rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail': 'does not verify under a timestamp authority',
    'conformance/rekor2-timestamp-with-incorrect-time_fail': 'certificate: certificate does not chain',
    'conformance/set-invalid-signature_fail': 'signed entry timestamp does not verify with the log key',
    'conformance/signature-mismatch_fail': 'signature: the message signature does not verify',
    'conformance/trust-root-tlog-missing-validity-start_fail': 'missing "publicKey.validFor.start"',
    'conformance/wrong-hashedrekord-artifact_fail': 'transparency log: the entry logs another signature',
    'conformance/wrong-hashedrekord-cert-and-sig_fail': 'transparency log: the entry logs another signature',
    'conformance/wrong-hashedrekord-entry_fail': 'transparency log: the entry logs another signature',
    'conformance/wrong-material_fail': "artifact: the artifact's digest",
}

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
    if want is None:
        return False, "rejected, but REASONS names no reason class for this case: " + last
    if want not in last:
        return False, "rejected for another reason (want %r): %s" % (want, last)
    return True, "rejected: " + last


# Its SCT (2022-10-13) falls outside the validity the current staging root gives its CT log
# (ctfe.sigstage.dev/test), so sigil refuses the SCT; the case's expectation is about the tlog.
CERT_EXTRA_FLAGS = {"sigstore-python/cert-sig/offline-rekor.txt": ["--insecure-ignore-sct"]}


def cert_signature_runs(case, shared, sigil):
    """blob-cert-signature cases: --certificate + --signature, no log entry. Strict offline
    verification must refuse them (nothing proves when they were signed); with
    --insecure-ignore-tlog the certificate, signature and identity are checked."""
    f = case["files"]
    base = [sigil, "verify-blob", os.path.join(shared, f["artifact"]),
            "--certificate", os.path.join(shared, f["certificate"]),
            "--signature", os.path.join(shared, f["signature_b64"]),
            "--trusted-root", os.path.join(shared, case["trusted_root"])]
    base += ["--certificate-identity", case["identity"]] if "identity" in case else \
        ["--certificate-identity-regexp", ACCEPT_REGEXP]
    base += ["--certificate-oidc-issuer", case["issuer"]] if "issuer" in case else \
        ["--certificate-oidc-issuer-regexp", ACCEPT_REGEXP]
    lax = "accept" if case["expect"].startswith("accept") else "reject"
    strict_reason = "the signature has no transparency log entry" if lax == "accept" else \
        "signature: the message signature does not verify"
    lax_flags = ["--insecure-ignore-tlog"] + CERT_EXTRA_FLAGS.get(case["id"], [])
    return [("strict", base, "reject", strict_reason),
            (" ".join(lax_flags), base + lax_flags, lax, "signature: the message signature does not verify")]


def run_cert_signature(cases, shared, sigil, env, verbose):
    passed = failed = 0
    for case in cases:
        for label, cmd, expect, reason in cert_signature_runs(case, shared, sigil):
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
            last = (proc.stderr.strip().splitlines() or [""])[-1]
            if expect == "accept":
                ok = proc.returncode == 0
            else:
                ok = proc.returncode in REJECT_STATUSES and reason in last
            passed += ok
            failed += not ok
            if verbose or not ok:
                print("%s %s [%s] %s: exit %d %s" % ("PASS" if ok else "FAIL", case["id"], label, expect,
                                                   proc.returncode, last))
    return passed, failed


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
        all_cases = json.load(f)
    cases = [c for c in all_cases if c["kind"] == "bundle-verify"]
    cert_cases = [c for c in all_cases if c["kind"] == "blob-cert-signature"]
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
    if not only:
        p, f = run_cert_signature(cert_cases, shared, sigil, env, verbose)
        passed += p
        failed += f
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
