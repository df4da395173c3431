#!/usr/bin/env node
// verify-bundle.mjs ARTIFACT BUNDLE.json PUBKEY.pem [--any-hint]
//
// Verifies a Sigstore bundle (v0.1-v0.3, messageSignature or DSSE) over ARTIFACT with sigstore-js
// (@sigstore/verify), key-based: the only trust material is PUBKEY.pem. No transparency log, no
// certificate authority, no timestamp authority (all thresholds 0). Prints "OK" and exits 0 on
// success; prints "FAIL: <reason>" on stderr and exits 1 otherwise (2 on usage errors).
//
// Trust material is keyed the way a sigstore-js user would key it: by the hint of PUBKEY.pem
// (standard base64 of sha256 over its PKIX DER encoding, what cosign and sigil write into
// verificationMaterial.publicKey.hint). A bundle whose hint names another key therefore fails
// ("key not found"). --any-hint keys it by the bundle's own hint instead.
//
// Supplement to sigstore-js: for messageSignature bundles @sigstore/verify 3.1 checks the
// signature over the artifact but never compares messageSignature.messageDigest with the
// artifact's digest (it only does so inside tlog body checks, and there is no tlog here). This
// script checks that digest itself, as cosign and sigstore-go do.
//
// Known limitation of @sigstore/verify 3.1 (the last line that runs on node 20): it passes 'sha256'
// to crypto.verify for every key type, which Node rejects for Ed25519, so Ed25519 message
// signatures (cosign's included) always fail here. ECDSA P-256/P-384 and RSA work.
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { bundleFromJSON } from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';

const HASHES = {
  [HashAlgorithm.SHA2_256]: 'sha256',
  [HashAlgorithm.SHA2_384]: 'sha384',
  [HashAlgorithm.SHA2_512]: 'sha512',
};

function fail(message, code = 1) {
  process.stderr.write(`FAIL: ${message}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
const anyHint = args.includes('--any-hint');
const positional = args.filter((a) => a !== '--any-hint');
if (positional.length !== 3) {
  fail('usage: verify-bundle.mjs ARTIFACT BUNDLE.json PUBKEY.pem [--any-hint]', 2);
}
const [artifactPath, bundlePath, keyPath] = positional;

try {
  const artifact = readFileSync(artifactPath);
  const json = JSON.parse(readFileSync(bundlePath, 'utf8'));
  const bundle = bundleFromJSON(json); // parses and validates the bundle structure

  const keyDer = createPublicKey(readFileSync(keyPath, 'utf8')).export({ type: 'spki', format: 'der' });
  const keyHint = createHash('sha256').update(keyDer).digest('base64');

  const material = bundle.verificationMaterial.content;
  if (material?.$case !== 'publicKey') {
    fail(`bundle verification material is ${material?.$case}, not a public key hint`);
  }
  const bundleHint = material.publicKey.hint;
  const hint = anyHint ? bundleHint : keyHint;
  const trustedRoot = { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [] };
  const trust = toTrustMaterial(trustedRoot, { [hint]: { rawBytes: keyDer } });
  const verifier = new Verifier(trust, {
    tlogThreshold: 0,
    ctlogThreshold: 0,
    timestampThreshold: 0,
    tsaThreshold: 0,
  });

  verifier.verify(toSignedEntity(bundle, artifact));

  if (bundle.content.$case === 'messageSignature') {
    const md = bundle.content.messageSignature.messageDigest;
    const alg = HASHES[md.algorithm];
    if (!alg) fail(`unsupported messageDigest algorithm ${md.algorithm}`);
    const actual = createHash(alg).update(artifact).digest();
    if (!actual.equals(Buffer.from(md.digest))) {
      fail(`messageDigest ${Buffer.from(md.digest).toString('base64')} does not match ${alg} of the artifact (${actual.toString('base64')})`);
    }
  }
  process.stdout.write('OK\n');
  process.exit(0);
} catch (e) {
  const fields = e?.fields ? ` (${e.fields.join(', ')})` : '';
  const code = e?.code ? `${e.code}: ` : '';
  fail(`${code}${e?.message ?? e}${fields}`);
}
