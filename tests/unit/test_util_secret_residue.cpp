// Tests that reading a secret leaves no copy of it in freed heap memory: base64 decoding,
// PEM parsing, read_file / read_secret_file / read_stdin-style reads of pipes, and
// load_private_key end to end.
//
// To see freed memory, this file replaces the global operator new and delete for the whole
// test binary. While a FreedMemoryWatch is alive on a thread, every block that thread frees
// through operator delete is searched for the watched bytes before it goes back to malloc,
// and blocks it allocates are zeroed first, so that what is found was written during the
// watch, not left over from an earlier use of the memory. Otherwise the replacements are
// plain malloc and free. OpenSSL allocates with malloc
// directly, so its copies are out of reach here (it wipes key material itself).
#include "sigil/crypto/key.hpp"
#include "sigil/crypto/key_file.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/pem.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <malloc.h>
#include <new>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>

namespace {

thread_local std::string_view t_needle;
thread_local bool t_seen = false;

void inspect_freed(void* block)
{
  if (block == nullptr || t_needle.empty()) {
    return;
  }
  const std::string_view bytes(static_cast<const char*>(block), ::malloc_usable_size(block));
  if (bytes.find(t_needle) != std::string_view::npos) { // std::string_view::find does not allocate
    t_seen = true;
  }
}

} // namespace

void* operator new(std::size_t size)
{
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  if (!t_needle.empty()) {
    std::memset(p, 0, ::malloc_usable_size(p));
  }
  return p;
}

// The nothrow forms too (std::stable_sort's temporary buffer uses them): every block this test
// frees through operator delete must come from this malloc, or AddressSanitizer reports an
// alloc-dealloc mismatch.
void* operator new(std::size_t size, const std::nothrow_t& /*tag*/) noexcept
{
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p != nullptr && !t_needle.empty()) {
    std::memset(p, 0, ::malloc_usable_size(p));
  }
  return p;
}

void operator delete(void* p, const std::nothrow_t& /*tag*/) noexcept
{
  inspect_freed(p);
  std::free(p);
}

void operator delete(void* p) noexcept
{
  inspect_freed(p);
  std::free(p);
}

void operator delete(void* p, std::size_t /*size*/) noexcept
{
  inspect_freed(p);
  std::free(p);
}

namespace {

namespace fs = std::filesystem;
using sigil::util::as_bytes;
using sigil::util::as_chars;
using sigil::util::Bytes;

// Reports whether a block freed on this thread while it was alive contained needle. The
// needle must outlive the watch, and must not be freed inside it.
class FreedMemoryWatch {
public:
  explicit FreedMemoryWatch(std::string_view needle)
  {
    t_seen = false;
    t_needle = needle;
  }
  ~FreedMemoryWatch() { t_needle = {}; }
  FreedMemoryWatch(const FreedMemoryWatch&) = delete;
  FreedMemoryWatch& operator=(const FreedMemoryWatch&) = delete;
  // Stops watching and says whether the needle was seen.
  [[nodiscard]] bool seen()
  {
    t_needle = {};
    return t_seen;
  }
};

// Bytes that occur nowhere by chance: a counter mixed into a fixed pattern.
Bytes secret(std::size_t size)
{
  Bytes out(size);
  std::uint32_t x = 0x9e3779b9U;
  for (auto& b : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<std::uint8_t>(x);
  }
  return out;
}

using sigil::test::TempDir;

// A pipe whose read end is opened by path (/dev/fd/N) while a thread writes data into it.
class PipeFeed {
public:
  explicit PipeFeed(std::string_view data)
  {
    int fds[2] = {-1, -1};
    REQUIRE(::pipe(fds) == 0);
    m_read = fds[0];
    m_path = "/dev/fd/" + std::to_string(m_read);
    m_writer = std::thread([fd = fds[1], data] {
      std::size_t done = 0;
      while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n <= 0) {
          break; // the reader gave up (EPIPE)
        }
        done += static_cast<std::size_t>(n);
      }
      ::close(fd);
    });
  }
  ~PipeFeed()
  {
    // Drain what a reader that stopped early left, so that the writer can finish.
    std::array<char, 4096> buf{};
    while (::read(m_read, buf.data(), buf.size()) > 0) {
    }
    m_writer.join();
    ::close(m_read);
  }
  PipeFeed(const PipeFeed&) = delete;
  PipeFeed& operator=(const PipeFeed&) = delete;
  [[nodiscard]] const std::string& path() const { return m_path; }

private:
  int m_read = -1;
  std::string m_path;
  std::thread m_writer;
};

} // namespace

TEST_CASE("secret residue: the watch sees a string freed unwiped")
{
  const std::string text(200, 'k');
  const std::string needle(100, 'k');
  FreedMemoryWatch watch(needle);
  {
    std::string copy = text;
    CHECK(copy.size() == 200); // keeps the copy from being optimised away
  }
  CHECK(watch.seen());
}

TEST_CASE("secret residue: base64 decoding makes no copy of the text, and wipes on failure")
{
  const Bytes key = secret(300);
  std::string wrapped;
  const std::string flat = sigil::util::base64_encode(key);
  for (std::size_t i = 0; i < flat.size(); i += 64) {
    wrapped += flat.substr(i, 64) + "\r\n";
  }
  const std::string needle = flat.substr(0, 48);
  SUBCASE("decoded")
  {
    FreedMemoryWatch watch(needle);
    auto decoded = sigil::util::base64_decode(wrapped);
    const bool seen = watch.seen();
    REQUIRE(decoded.has_value());
    CHECK(*decoded == key);
    CHECK_FALSE(seen);
  }
  SUBCASE("a bad character at the end: what was decoded is wiped")
  {
    const std::string bad = flat.substr(0, 396) + "!!!!";
    const std::string raw_needle(as_chars(key).substr(0, 32));
    FreedMemoryWatch watch(raw_needle);
    const auto decoded = sigil::util::base64_decode(bad);
    const bool seen = watch.seen();
    CHECK_FALSE(decoded.has_value());
    CHECK_FALSE(seen);
  }
  SUBCASE("non-zero trailing bits: what was decoded is wiped")
  {
    const std::string bad = flat.substr(0, 396) + "AAB=";
    const std::string raw_needle(as_chars(key).substr(0, 32));
    FreedMemoryWatch watch(raw_needle);
    const auto decoded = sigil::util::base64_decode(bad);
    const bool seen = watch.seen();
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error().message.find("non-zero padding bits") != std::string::npos);
    CHECK_FALSE(seen);
  }
}

TEST_CASE("secret residue: parse_pem leaves no copy of the body")
{
  const Bytes key = secret(1000); // 21 lines of base64: the body grows many times
  const std::string pem = sigil::util::encode_pem("PRIVATE KEY", key);
  const std::string line = pem.substr(pem.find('\n') + 1, 64);
  SUBCASE("parsed")
  {
    FreedMemoryWatch watch(line);
    auto blocks = sigil::util::parse_pem(pem);
    const bool seen = watch.seen();
    REQUIRE(blocks.has_value());
    CHECK(blocks->front().der.equals(key));
    CHECK_FALSE(seen);
  }
  SUBCASE("decoded bytes are not left behind either")
  {
    const std::string raw_needle(as_chars(key).substr(0, 32));
    FreedMemoryWatch watch(raw_needle);
    auto blocks = sigil::util::parse_pem(pem);
    const bool seen = watch.seen();
    REQUIRE(blocks.has_value());
    CHECK_FALSE(seen);
  }
  SUBCASE("refused for a header after the body")
  {
    std::string with_header = pem;
    with_header.insert(with_header.find("-----END"), "Proc-Type: 4,ENCRYPTED\n");
    FreedMemoryWatch watch(line);
    const auto blocks = sigil::util::parse_pem(with_header);
    const bool seen = watch.seen();
    CHECK_FALSE(blocks.has_value());
    CHECK_FALSE(seen);
  }
  SUBCASE("refused for a bad character at the end of the body")
  {
    std::string bad = pem;
    bad.insert(bad.find("-----END"), "!!!!\n");
    FreedMemoryWatch watch(line);
    const auto blocks = sigil::util::parse_pem(bad);
    const bool seen = watch.seen();
    CHECK_FALSE(blocks.has_value());
    CHECK_FALSE(seen);
  }
}

TEST_CASE("secret residue: read_file and read_secret_file of a regular file read into one buffer")
{
  const TempDir dir;
  const Bytes data = secret(300000); // several 64 KiB reads
  const fs::path path = dir.path() / "big.key";
  REQUIRE(sigil::util::write_file_atomic({path, data, 0600}).has_value());
  const std::string needle(as_chars(data).substr(0, 64));
  {
    FreedMemoryWatch watch(needle);
    auto text = sigil::util::read_file(path);
    const bool seen = watch.seen();
    REQUIRE(text.has_value());
    CHECK(as_bytes(*text).size() == data.size());
    CHECK_FALSE(seen);
  }
  {
    FreedMemoryWatch watch(needle);
    auto bytes = sigil::util::read_secret_file(path, data.size());
    const bool seen = watch.seen();
    REQUIRE(bytes.has_value());
    CHECK(bytes->equals(data));
    CHECK_FALSE(seen);
  }
}

TEST_CASE("secret residue: reading a pipe grows the buffer without leaving copies")
{
  const Bytes data = secret(300000); // more than a pipe holds: the reader must grow its buffer
  const std::string_view text = as_chars(data);
  const std::string needle(text.substr(0, 64));
  SUBCASE("read_file")
  {
    const PipeFeed feed(text);
    FreedMemoryWatch watch(needle);
    auto read = sigil::util::read_file(feed.path());
    const bool seen = watch.seen();
    REQUIRE(read.has_value());
    CHECK(*read == text);
    CHECK_FALSE(seen);
  }
  SUBCASE("read_secret_file")
  {
    const PipeFeed feed(text);
    FreedMemoryWatch watch(needle);
    auto read = sigil::util::read_secret_file(feed.path(), data.size());
    const bool seen = watch.seen();
    REQUIRE(read.has_value());
    CHECK(read->equals(data));
    CHECK_FALSE(seen);
  }
  SUBCASE("over the limit: what was read is wiped")
  {
    const PipeFeed feed(text);
    FreedMemoryWatch watch(needle);
    const auto read = sigil::util::read_file(feed.path(), 200000);
    const bool seen = watch.seen();
    REQUIRE_FALSE(read.has_value());
    CHECK(read.error().message.find("larger than the limit of 200000 bytes") != std::string::npos);
    CHECK_FALSE(seen);
  }
}

TEST_CASE("secret residue: load_private_key of an unencrypted PEM key leaves no copy of it")
{
  const TempDir dir;
  auto key = sigil::crypto::PrivateKey::generate(sigil::crypto::KeyKind::ecdsa_p384);
  REQUIRE(key.has_value());
  auto der = key->pkcs8_der();
  REQUIRE(der.has_value());
  const std::string pem = sigil::util::encode_pem("PRIVATE KEY", der->view());
  const fs::path path = dir.path() / "plain.key";
  REQUIRE(sigil::util::write_file_atomic({path, as_bytes(pem), 0600}).has_value());
  const std::string needle = pem.substr(pem.find('\n') + 1, 48);
  const auto no_password = []() -> sigil::Result<sigil::util::SecureBytes> {
    return sigil::fail(sigil::ErrorCode::usage, "no password expected");
  };
  FreedMemoryWatch watch(needle);
  {
    auto loaded = sigil::crypto::load_private_key(path.string(), no_password);
    REQUIRE(loaded.has_value()); // REQUIRE frees nothing when it passes
  }
  CHECK_FALSE(watch.seen());
}
