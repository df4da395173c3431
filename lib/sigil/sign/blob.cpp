#include "sigil/sign/blob.hpp"

#include "sigil/bundle/bundle.hpp"
#include "sigil/crypto/signature.hpp"
#include "sigil/sign/keyless_output.hpp"
#include "sigil/util/stream.hpp"

namespace sigil::sign {

namespace {

// Pure Ed25519 needs the artifact in memory; pipes are capped here.
constexpr std::uint64_t k_max_ed25519_stdin = std::uint64_t{1} << 30;

} // namespace

Result<SignBlobResult> sign_blob(const SignBlobRequest& request)
{
  SIGIL_TRY_ASSIGN(const crypto::PrivateKey* signing_key, request.signer.key());
  const crypto::PrivateKey& key = *signing_key;
  SignBlobResult result;
  const auto hash_alg = crypto::signing_hash(key.algorithm());
  if (hash_alg) {
    crypto::Hasher hasher(*hash_alg);
    std::uint64_t read = 0;
    SIGIL_TRY_ASSIGN(auto size, util::stream_input(request.input, [&](util::ByteView chunk) {
                       hasher.update(chunk);
                       if (request.on_read) {
                         request.on_read(read += chunk.size());
                       }
                     }));
    result.size = size;
    result.digest_algorithm = *hash_alg;
    result.digest = hasher.finish();
    SIGIL_TRY_ASSIGN(auto sig, crypto::sign_digest(key, *hash_alg, result.digest));
    result.signature = std::move(sig);
  } else {
    // A private copy: pure Ed25519 reads the message twice, and the file must not change in
    // between (see WholeInput::Mode::snapshot). The memory is the file's size, as cosign's.
    SIGIL_TRY_ASSIGN(auto whole,
                     util::WholeInput::open(request.input, k_max_ed25519_stdin, util::WholeInput::Mode::snapshot));
    result.size = whole.bytes().size();
    result.digest_algorithm = crypto::HashAlgorithm::sha256;
    result.digest = crypto::sha256(whole.bytes());
    SIGIL_TRY_ASSIGN(auto sig, crypto::sign_message(key, whole.bytes()));
    result.signature = std::move(sig);
  }
  SIGIL_TRY_ASSIGN(result.keyless, request.signer.witness({.signature = result.signature,
                                                            .artifact_sha256 = result.digest,
                                                            .dsse_envelope = {}}));
  bundle::Bundle b;
  add_bundle_material(b, key.public_key(), result.keyless);
  b.content = bundle::MessageSignature{result.digest_algorithm, result.digest, result.signature};
  result.bundle_json = bundle::write_bundle(b);
  return result;
}

} // namespace sigil::sign
