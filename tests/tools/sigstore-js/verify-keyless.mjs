#!/usr/bin/env node
// verify-keyless.mjs ARTIFACT BUNDLE.json TRUSTED_ROOT.json IDENTITY ISSUER [--timestamps N]
//
// Verifies a keyless Sigstore bundle (v0.3: certificate, Rekor entry, optional RFC 3161
// timestamps; messageSignature or DSSE) over ARTIFACT with sigstore-js (@sigstore/verify), as a
// sigstore-js user would: the trust material is TRUSTED_ROOT.json (protobuf-specs TrustedRoot:
// Fulcio CA, Rekor key, CT log key, TSA), with one transparency-log entry, one SCT and N verified
// timestamps required (default 1: Rekor's integrated time; 2 when the bundle also carries a
// TSA timestamp that must verify), and the policy: the certificate's SAN is exactly IDENTITY and
// its issuer extension exactly ISSUER. Prints "OK" and exits 0 on success; prints
// "FAIL: <code>: <reason>" on stderr and exits 1 otherwise (2 on usage errors).
//
// @sigstore/verify checks the SAN as a regexp; it is anchored and escaped here (exact match).
// For messageSignature bundles the tlog body check compares the artifact's digest with the
// entry's, so a tampered artifact fails even though the bundle alone is consistent.
//
// Supplement to sigstore-js: for a DSSE bundle (an attestation) @sigstore/verify 3.1 checks the
// envelope's signature and its tlog entry but never looks at ARTIFACT (the in-toto subject is the
// caller's business). This script then requires an in-toto statement whose subject has the
// artifact's sha256, as cosign verify-blob-attestation does; such a failure reads
// "FAIL: SUBJECT_ERROR: ...".
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';

function fail(message, code = 1) {
  process.stderr.write(`FAIL: ${message}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
let timestamps = 1;
const positional = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--timestamps') {
    timestamps = Number.parseInt(args[++i] ?? '', 10);
    if (!Number.isInteger(timestamps) || timestamps < 0) fail('--timestamps takes a count', 2);
  } else {
    positional.push(args[i]);
  }
}
if (positional.length !== 5) {
  fail('usage: verify-keyless.mjs ARTIFACT BUNDLE.json TRUSTED_ROOT.json IDENTITY ISSUER [--timestamps N]', 2);
}
const [artifactPath, bundlePath, rootPath, identity, issuer] = positional;
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function checkSubject(envelope, artifact) {
  if (envelope.payloadType !== 'application/vnd.in-toto+json') {
    fail(`SUBJECT_ERROR: payload type ${envelope.payloadType}, not an in-toto statement`);
  }
  const statement = JSON.parse(Buffer.from(envelope.payload).toString('utf8'));
  const want = createHash('sha256').update(artifact).digest('hex');
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  if (!subjects.some((s) => s?.digest?.sha256 === want)) {
    fail(`SUBJECT_ERROR: no subject of the statement has the artifact's sha256 ${want}`);
  }
}

try {
  const artifact = readFileSync(artifactPath);
  const bundle = bundleFromJSON(JSON.parse(readFileSync(bundlePath, 'utf8')));
  if (bundle.verificationMaterial.content?.$case !== 'certificate') {
    fail(`verification material is ${bundle.verificationMaterial.content?.$case}, not a certificate (v0.3 keyless)`);
  }
  const root = TrustedRoot.fromJSON(JSON.parse(readFileSync(rootPath, 'utf8')));
  const verifier = new Verifier(toTrustMaterial(root), {
    tlogThreshold: 1,
    ctlogThreshold: 1,
    timestampThreshold: timestamps,
  });
  const signer = verifier.verify(toSignedEntity(bundle, artifact), {
    subjectAlternativeName: `^${escapeRegExp(identity)}$`,
    extensions: { issuer },
  });
  if (bundle.content.$case === 'dsseEnvelope') {
    checkSubject(bundle.content.dsseEnvelope, artifact);
  }
  process.stdout.write(`OK ${signer.identity?.subjectAlternativeName ?? ''}\n`);
  process.exit(0);
} catch (e) {
  const code = e?.code ? `${e.code}: ` : '';
  fail(`${code}${e?.message ?? e}`);
}
