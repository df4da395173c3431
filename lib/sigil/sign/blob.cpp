#include "sigil/sign/blob.hpp"

#include "sigil/bundle/bundle.hpp"
#include "sigil/crypto/ed25519_stream.hpp"
#include "sigil/crypto/signature.hpp"
#include "sigil/sign/keyless_output.hpp"
#include "sigil/util/stream.hpp"

namespace sigil::sign {

namespace {

// Pure Ed25519 over an input of any size in constant memory: the first pass takes the SHA-256
// (the bundle's digest, and the nonce's input), the second the signature's hash and the
// SHA-256 again. Both passes must have read the same bytes (a file written to meanwhile
// would give a signature over neither version): otherwise nothing is signed.
// on_read sees each pass (the second starts again from 0).
Result<void> sign_ed25519(const crypto::PrivateKey& key, const SignBlobRequest& request, SignBlobResult& result)
{
  SIGIL_TRY_ASSIGN(auto in, util::RereadableInput::open(request.input));
  std::uint64_t read = 0;
  const auto progress = [&](util::ByteView chunk) {
    if (request.on_read) {
      request.on_read(read += chunk.size());
    }
  };
  crypto::Hasher first(crypto::HashAlgorithm::sha256);
  SIGIL_TRY_ASSIGN(result.size, in.pass([&](util::ByteView chunk) {
    first.update(chunk);
    progress(chunk);
  }));
  read = 0;
  result.digest_algorithm = crypto::HashAlgorithm::sha256;
  result.digest = first.finish();
  SIGIL_TRY_ASSIGN(auto signer, crypto::Ed25519StreamSigner::start(key, result.digest));
  crypto::Hasher second(crypto::HashAlgorithm::sha256);
  SIGIL_TRY_ASSIGN(auto size, in.pass([&](util::ByteView chunk) {
    signer.update(chunk);
    second.update(chunk);
    progress(chunk);
  }));
  if (size != result.size || second.finish() != result.digest) {
    return fail(ErrorCode::bad_input, "the file changed while it was being read (pure Ed25519 reads it twice and the "
                                      "two reads differ); nothing was signed: sign it when nothing writes to it");
  }
  SIGIL_TRY_ASSIGN(result.signature, signer.finish());
  return {};
}

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
    SIGIL_TRY(sign_ed25519(key, request, result));
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
