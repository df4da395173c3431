// Tests for sigil::crypto key references: write_key_pair, load_private_key, load_public_key
// (file paths and env://VAR), file modes and warnings.
#include "sigil/crypto/key_file.hpp"

#include "sigil/crypto/encrypted_key.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/pem.hpp"

#include "support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace {

namespace fs = std::filesystem;
using sigil::ErrorCode;
using sigil::crypto::KeyKind;
using sigil::crypto::PrivateKey;
using sigil::util::as_bytes;
using sigil::util::SecureBytes;

using sigil::test::TempDir;

class ScopedEnv {
public:
  // Tests run on one thread, so changing the environment here is safe.
  ScopedEnv(const char* name, const std::string& value) : m_name(name)
  {
    ::setenv(name, value.c_str(), 1); // NOLINT(concurrency-mt-unsafe)
  }
  ~ScopedEnv() { ::unsetenv(m_name); } // NOLINT(concurrency-mt-unsafe)
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
  const char* m_name;
};

sigil::crypto::PasswordProvider password_is(std::string password, int* calls = nullptr)
{
  return [password = std::move(password), calls]() -> sigil::Result<SecureBytes> {
    if (calls != nullptr) {
      ++*calls;
    }
    return SecureBytes(as_bytes(password));
  };
}

PrivateKey make_key()
{
  auto r = PrivateKey::generate(KeyKind::ed25519);
  REQUIRE(r.has_value());
  return std::move(*r);
}

std::string plain_pem(const PrivateKey& key)
{
  auto der = key.pkcs8_der();
  REQUIRE(der.has_value());
  return sigil::util::encode_pem("PRIVATE KEY", der->view());
}

} // namespace

TEST_CASE("write_key_pair writes an encrypted 0600 key and a 0644 public key that load again")
{
  const TempDir dir;
  const PrivateKey key = make_key();
  const std::string prefix = (dir.path() / "cosign").string();
  const auto paths = sigil::crypto::write_key_pair({.prefix = prefix, .key = key, .password = as_bytes("pw")});
  REQUIRE_MESSAGE(paths.has_value(), paths.error().message);
  CHECK(paths->private_key == prefix + ".key");
  CHECK(paths->public_key == prefix + ".pub");
  CHECK(sigil::util::file_mode(paths->private_key).value_or(0) == 0600);
  CHECK(sigil::util::file_mode(paths->public_key).value_or(0) == 0644);

  const auto key_text = sigil::util::read_file(paths->private_key);
  REQUIRE(key_text.has_value());
  CHECK(key_text->starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
  CHECK(sigil::util::read_file(paths->public_key).value_or("") == key.public_key().pem());

  int calls = 0;
  const auto loaded = sigil::crypto::load_private_key(paths->private_key, password_is("pw", &calls));
  REQUIRE_MESSAGE(loaded.has_value(), loaded.error().message);
  CHECK(calls == 1);
  CHECK(loaded->warnings.empty()); // encrypted and 0600: nothing to warn about
  CHECK(loaded->key.public_key().same_key(key.public_key()));

  const auto pub = sigil::crypto::load_public_key(paths->public_key);
  REQUIRE(pub.has_value());
  CHECK(pub->same_key(key.public_key()));

  // Without overwrite nothing is written when either file exists.
  const PrivateKey other = make_key();
  const auto again = sigil::crypto::write_key_pair({.prefix = prefix, .key = other, .password = as_bytes("pw")});
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == ErrorCode::usage);
  CHECK(again.error().message.find("already exists") != std::string::npos);
  CHECK(sigil::util::read_file(paths->private_key).value_or("") == *key_text);

  fs::remove(paths->private_key);
  const auto pub_only = sigil::crypto::write_key_pair({.prefix = prefix, .key = other, .password = as_bytes("pw")});
  REQUIRE_FALSE(pub_only.has_value());
  CHECK_FALSE(fs::exists(paths->private_key));
}

TEST_CASE("load_private_key: a key file others can read is refused, or a warning when allowed")
{
  const TempDir dir;
  const PrivateKey key = make_key();
  const std::string pem = plain_pem(key);
  struct Case {
    mode_t mode;
    bool insecure;
  };
  for (const Case c : {Case{0600, false}, Case{0400, false}, Case{0644, true}, Case{0640, true}, Case{0604, true},
                       Case{0620, true}, Case{0660, true}}) {
    CAPTURE(c.mode);
    const fs::path path = dir.path() / fmt::format("plain-{:o}.key", c.mode);
    REQUIRE(sigil::util::write_file_atomic({.path = path, .data = as_bytes(pem), .mode = c.mode}).has_value());
    int calls = 0;
    const auto refused = sigil::crypto::load_private_key(path.string(), password_is("unused", &calls));
    const auto allowed = sigil::crypto::load_private_key(path.string(), password_is("unused", &calls),
                                                         sigil::crypto::KeyFileMode::warn_insecure);
    CHECK(calls == 0);
    REQUIRE(allowed.has_value());
    CHECK(allowed->key.public_key().same_key(key.public_key()));
    if (!c.insecure) {
      REQUIRE(refused.has_value());
      REQUIRE(refused->warnings.size() == 1);
      CHECK(refused->warnings[0].find("not encrypted") != std::string::npos);
      continue;
    }
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == sigil::ErrorCode::bad_input);
    CHECK(refused.error().message ==
          fmt::format("private key file {0} can be read or written by other users (mode {1:04o}); run: chmod 600 "
                      "{0} (or pass --allow-insecure-key-permissions)",
                      path.string(), c.mode));
    REQUIRE(allowed->warnings.size() == 2);
    CHECK(allowed->warnings[0] ==
          fmt::format("private key file {0} can be read or written by other users (mode {1:04o}); run: chmod 600 {0}",
                      path.string(), c.mode));
    CHECK(allowed->warnings[1].find("not encrypted") != std::string::npos);
  }
}

TEST_CASE("load_private_key: a public key is named as one, before any advice about its mode")
{
  const TempDir dir;
  const fs::path path = dir.path() / "sigil.pub";
  const std::string pem = make_key().public_key().pem();
  REQUIRE(sigil::util::write_file_atomic({.path = path, .data = as_bytes(pem), .mode = 0644}).has_value());
  int calls = 0;
  const auto refused = sigil::crypto::load_private_key(path.string(), password_is("unused", &calls));
  REQUIRE_FALSE(refused.has_value());
  CHECK(calls == 0);
  CHECK(refused.error().code == sigil::ErrorCode::bad_input);
  CHECK(refused.error().message ==
        path.string() + " is a public key, which verifies; sign with the private key (sigil generate-key-pair writes "
                        "both: PREFIX.key and PREFIX.pub)");
}

TEST_CASE("load_private_key: the mode is checked before the password is asked for")
{
  const TempDir dir;
  const fs::path path = dir.path() / "enc.key";
  REQUIRE(sigil::util::write_file_atomic({.path = path, .data = as_bytes(std::string("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")), .mode = 0644}).has_value());
  int calls = 0;
  const auto refused = sigil::crypto::load_private_key(path.string(), password_is("unused", &calls));
  REQUIRE_FALSE(refused.has_value());
  CHECK(calls == 0);
  CHECK(refused.error().message.find("chmod 600") != std::string::npos);
}

TEST_CASE("key references: env://VAR, and refusals")
{
  const PrivateKey key = make_key();
  {
    const ScopedEnv env("SIGIL_UNIT_TEST_PRIVATE_KEY", plain_pem(key));
    const auto loaded = sigil::crypto::load_private_key("env://SIGIL_UNIT_TEST_PRIVATE_KEY", password_is(""));
    REQUIRE(loaded.has_value());
    CHECK(loaded->key.public_key().same_key(key.public_key()));
  }
  {
    const ScopedEnv env("SIGIL_UNIT_TEST_PUBLIC_KEY", key.public_key().pem());
    const auto pub = sigil::crypto::load_public_key("env://SIGIL_UNIT_TEST_PUBLIC_KEY");
    REQUIRE(pub.has_value());
    CHECK(pub->same_key(key.public_key()));
  }
  struct Case {
    std::string ref;
    ErrorCode code;
    std::string message;
  };
  const Case cases[] = {
      {"", ErrorCode::usage, "no key given"},
      {"-", ErrorCode::usage, "--key - is not supported"},
      {"env://SIGIL_UNIT_TEST_UNSET_VARIABLE", ErrorCode::bad_input,
       "environment variable SIGIL_UNIT_TEST_UNSET_VARIABLE is not set"},
      {"/nonexistent/sigil/cosign.key", ErrorCode::bad_input, "cannot open /nonexistent/sigil/cosign.key"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.ref);
    const auto priv = sigil::crypto::load_private_key(c.ref, password_is(""));
    REQUIRE_FALSE(priv.has_value());
    CHECK(priv.error().code == c.code);
    CHECK(priv.error().message.find(c.message) != std::string::npos);
    const auto pub = sigil::crypto::load_public_key(c.ref);
    REQUIRE_FALSE(pub.has_value());
    CHECK(pub.error().code == c.code);
    CHECK(pub.error().message.find(c.message) != std::string::npos);
  }
  {
    const ScopedEnv empty("SIGIL_UNIT_TEST_EMPTY", "");
    const auto r = sigil::crypto::load_public_key("env://SIGIL_UNIT_TEST_EMPTY");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("is not set") != std::string::npos);
  }
  {
    // A private key given where a public key is expected, and the other way round.
    const ScopedEnv env("SIGIL_UNIT_TEST_SWAPPED", plain_pem(key));
    const auto r = sigil::crypto::load_public_key("env://SIGIL_UNIT_TEST_SWAPPED");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("loading public key env://SIGIL_UNIT_TEST_SWAPPED") != std::string::npos);
    CHECK(r.error().message.find("unsupported pem type PRIVATE KEY") != std::string::npos);
  }
  {
    // A GitLab File variable holds a path: say so, and how to pass it (the value is not echoed).
    const TempDir dir;
    const fs::path path = dir.path() / "SIGIL_PRIVATE_KEY";
    REQUIRE(sigil::util::write_file_atomic({.path = path, .data = as_bytes(plain_pem(key)), .mode = 0600}).has_value());
    const ScopedEnv env("SIGIL_UNIT_TEST_FILE_VARIABLE", path.string());
    const std::string want =
        "key reference env://SIGIL_UNIT_TEST_FILE_VARIABLE: SIGIL_UNIT_TEST_FILE_VARIABLE holds a "
        "file path (as a CI File variable does), not the key: use --key \"$SIGIL_UNIT_TEST_FILE_VARIABLE\"";
    const auto priv = sigil::crypto::load_private_key("env://SIGIL_UNIT_TEST_FILE_VARIABLE", password_is(""));
    REQUIRE_FALSE(priv.has_value());
    CHECK(priv.error().code == ErrorCode::bad_input);
    CHECK(priv.error().message == want);
    const auto pub = sigil::crypto::load_public_key("env://SIGIL_UNIT_TEST_FILE_VARIABLE");
    REQUIRE_FALSE(pub.has_value());
    CHECK(pub.error().message == want);
  }
}

TEST_CASE("load_private_key: key files over 1 MiB and directories are refused")
{
  const TempDir dir;
  const fs::path big = dir.path() / "big.key";
  const std::string pem = plain_pem(make_key());
  REQUIRE(
      sigil::util::write_file_atomic({.path = big, .data = as_bytes(pem + std::string(1 << 20, '\n')), .mode = 0600})
          .has_value());
  const auto r = sigil::crypto::load_private_key(big.string(), password_is(""));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == ErrorCode::bad_input);
  CHECK(r.error().message.find("larger than the limit of 1048576 bytes") != std::string::npos);
  const auto d = sigil::crypto::load_private_key(dir.path().string(), password_is(""));
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().message.find("is a directory") != std::string::npos);
}
