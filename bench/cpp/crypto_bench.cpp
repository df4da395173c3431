// crypto_bench: in-process crypto rates through sigil's library, next to raw OpenSSL / libsodium
// calls, so that a gap against `openssl speed` can be attributed (sigil's wrapper vs OpenSSL's
// EVP API vs the primitive). Single-threaded. Not part of the main build: bench/crypto builds it.
//
//   crypto_bench SECONDS [ENCRYPTED_KEY_PEM_FILE PASSWORD]
//
// Prints one line per measurement: "name ops wall_s cpu_s ops_per_wall_s ops_per_cpu_s"
// (whitespace separated). CPU time is this process's (it is single-threaded): `openssl speed`
// divides by CPU user time too unless given -elapsed, so per-CPU-second rates compare like with
// like on a loaded machine.
//   sigil.verify_message     sigil::crypto::verify_message(P-256 key, ~260-byte simple-signing
//                            payload, DER signature): SHA-256 + ECDSA verify, as image verify does
//   sigil.verify_digest      sigil::crypto::verify_digest over a precomputed SHA-256
//   evp.digestverify_fresh   EVP_DigestVerifyInit + EVP_DigestVerify, new EVP_MD_CTX per call
//                            (what verify_message does underneath)
//   evp.pkey_verify_reused   EVP_PKEY_verify on one EVP_PKEY_CTX set up once (what
//                            `openssl speed ecdsap256` times, over a 20-byte "digest")
//   evp.pkey_verify_fresh    EVP_PKEY_CTX_new + EVP_PKEY_verify_init + EVP_PKEY_verify per call
//   sigil.sign_message       sigil::crypto::sign_message (P-256, same payload)
//   sodium.scrypt_n65536     crypto_pwhash_scryptsalsa208sha256_ll(N=65536, r=8, p=1, 32 bytes)
//   sigil.decrypt_key        sigil::crypto::decrypt_private_key of the given key file (scrypt +
//                            secretbox), when a key file and password are given
#include "sigil/crypto/digest.hpp"
#include "sigil/crypto/encrypted_key.hpp"
#include "sigil/crypto/key.hpp"
#include "sigil/crypto/signature.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

volatile bool g_sink = false;

double cpu_now()
{
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void report(const char* name, long ops, double wall, double cpu)
{
  std::printf("%s %ld %.3f %.3f %.3f %.3f\n", name, ops, wall, cpu, static_cast<double>(ops) / wall,
              static_cast<double>(ops) / cpu);
}

void measure(const char* name, double seconds, const std::function<bool()>& op)
{
  // Warm-up, and a check that the operation succeeds (a benchmark of a failing path is useless).
  if (!op()) {
    std::printf("%s FAILED\n", name);
    return;
  }
  long ops = 0;
  const double cpu0 = cpu_now();
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  auto now = start;
  while (now < until) {
    for (int i = 0; i < 16; ++i) {
      g_sink = op();
    }
    ops += 16;
    now = Clock::now();
  }
  report(name, ops, std::chrono::duration<double>(now - start).count(), cpu_now() - cpu0);
}

// Slow operations: a fixed count.
void measure_n(const char* name, int n, const std::function<bool()>& op)
{
  const double cpu0 = cpu_now();
  const auto start = Clock::now();
  int ok = 0;
  for (int i = 0; i < n; ++i) {
    ok += op() ? 1 : 0;
  }
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = cpu_now() - cpu0;
  if (ok != n) {
    std::printf("%s FAILED\n", name);
    return;
  }
  report(name, n, took, cpu);
}

} // namespace

int main(int argc, char** argv)
{
  if (argc != 2 && argc != 4) {
    std::fprintf(stderr, "usage: crypto_bench SECONDS [ENCRYPTED_KEY_PEM_FILE PASSWORD]\n");
    return 2;
  }
  const double seconds = std::atof(argv[1]);
  using namespace sigil;

  auto priv = crypto::PrivateKey::generate(crypto::KeyKind::ecdsa_p256);
  if (!priv) {
    std::fprintf(stderr, "key generation failed\n");
    return 1;
  }
  const crypto::PublicKey pub = priv->public_key();
  const std::string payload =
      R"({"critical":{"identity":{"docker-reference":"registry.example.com/team/app"},"image":{"docker-manifest-digest":)"
      R"("sha256:4e6b3e75b2936391cab833a617904f18493cfb0afc59c8d239be6cb3e9e523af"},"type":"cosign container image signature"},"optional":null})";
  const auto msg = util::as_bytes(payload);
  auto sig = crypto::sign_message(*priv, msg, crypto::HashAlgorithm::sha256);
  if (!sig) {
    std::fprintf(stderr, "signing failed\n");
    return 1;
  }
  const util::Bytes signature = *sig;
  crypto::Hasher h(crypto::HashAlgorithm::sha256);
  h.update(msg);
  const util::Bytes digest = h.finish();

  measure("sigil.verify_message", seconds, [&] { return crypto::verify_message(pub, msg, signature); });
  measure("sigil.verify_digest", seconds,
          [&] { return crypto::verify_digest(pub, crypto::HashAlgorithm::sha256, digest, signature); });
  measure("evp.digestverify_fresh", seconds, [&] {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pub.get()) == 1 &&
              EVP_DigestVerify(ctx, signature.data(), signature.size(), msg.data(), msg.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
  });
  {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pub.get(), nullptr);
    if (ctx != nullptr && EVP_PKEY_verify_init(ctx) == 1) {
      measure("evp.pkey_verify_reused", seconds, [&] {
        return EVP_PKEY_verify(ctx, signature.data(), signature.size(), digest.data(), digest.size()) == 1;
      });
    }
    EVP_PKEY_CTX_free(ctx);
  }
  measure("evp.pkey_verify_fresh", seconds, [&] {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pub.get(), nullptr);
    bool ok = ctx != nullptr && EVP_PKEY_verify_init(ctx) == 1 &&
              EVP_PKEY_verify(ctx, signature.data(), signature.size(), digest.data(), digest.size()) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
  });
  measure("sigil.sign_message", seconds, [&] {
    auto s = crypto::sign_message(*priv, msg, crypto::HashAlgorithm::sha256);
    return s.has_value();
  });

  if (sodium_init() < 0) {
    std::fprintf(stderr, "sodium_init failed\n");
    return 1;
  }
  unsigned char out[32];
  const unsigned char salt[32] = {1, 2, 3};
  const std::string password = "bench-password";
  measure_n("sodium.scrypt_n65536", 5, [&] {
    return crypto_pwhash_scryptsalsa208sha256_ll(reinterpret_cast<const std::uint8_t*>(password.data()),
                                                 password.size(), salt, sizeof salt, 65536, 8, 1, out,
                                                 sizeof out) == 0;
  });
  if (argc == 4) {
    std::ifstream in(argv[2]);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string pem = ss.str();
    const std::string pw = argv[3];
    measure_n("sigil.decrypt_key", 5, [&] { return crypto::decrypt_private_key(pem, util::as_bytes(pw)).has_value(); });
  }
  return 0;
}
