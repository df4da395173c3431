// sigil::sign where a keyless signature's material goes, the same for every use case:
//   cosign's keyless annotations of a .sig or .att layer: dev.sigstore.cosign/certificate (the
//   leaf), /chain (the rest), /bundle (the Rekor entry with its SET) and /rfc3161timestamp;
//   a Sigstore bundle v0.3: the leaf as verificationMaterial.certificate, the tlog entry (SET,
//   inclusion proof, checkpoint) and the RFC 3161 timestamp.
#pragma once

#include "sigil/bundle/bundle.hpp"
#include "sigil/sign/signer.hpp"

#include <map>
#include <string>

namespace sigil::sign {

void add_cosign_keyless_annotations(std::map<std::string, std::string>& annotations, const KeylessMaterial& material);

// Without material (a key signer), the bundle names the key by its hint.
void add_bundle_material(bundle::Bundle& bundle, const crypto::PublicKey& key,
                         const std::optional<KeylessMaterial>& material);

} // namespace sigil::sign
