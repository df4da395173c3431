// Tests for sigil::util::SecureBytes: the buffer that holds private keys and passwords.
//
// The wipe tests look at the bytes behind data() after the buffer shrank. SecureBytes never
// frees or moves its allocation when it shrinks (clear() and resize() down keep the
// capacity), so the pointer taken before still points into memory the object owns, and
// reading it is well defined. That is how "key buffers are zeroed" is tested here.
#include "sigil/util/secure_bytes.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

namespace {

using sigil::util::Bytes;
using sigil::util::ByteView;
using sigil::util::SecureBytes;
using sigil::util::to_bytes;

SecureBytes filled(std::size_t size, std::uint8_t value)
{
  const Bytes bytes(size, value);
  return SecureBytes(ByteView(bytes));
}

bool all_equal(const std::uint8_t* p, std::size_t begin, std::size_t end, std::uint8_t value)
{
  for (std::size_t i = begin; i < end; ++i) {
    if (p[i] != value) {
      return false;
    }
  }
  return true;
}

} // namespace

static_assert(!std::is_copy_constructible_v<SecureBytes>, "secrets must not be copied implicitly");
static_assert(!std::is_copy_assignable_v<SecureBytes>, "secrets must not be copied implicitly");
static_assert(std::is_nothrow_move_constructible_v<SecureBytes>);
static_assert(std::is_nothrow_move_assignable_v<SecureBytes>);

TEST_CASE("SecureBytes: construction and accessors")
{
  const SecureBytes empty;
  CHECK(empty.empty());
  CHECK(empty.size() == 0);
  CHECK(empty.view().empty());
  CHECK(empty.chars().empty());

  const SecureBytes sized(std::size_t{16});
  CHECK(sized.size() == 16);
  CHECK(all_equal(sized.data(), 0, 16, 0));

  const SecureBytes text(ByteView(to_bytes("hunter2")));
  CHECK(text.size() == 7);
  CHECK(text.chars() == "hunter2");
  CHECK(text.view().size() == 7);
  CHECK(text.data()[0] == 'h');
}

TEST_CASE("SecureBytes: append, push_back, pop_back")
{
  SecureBytes s;
  s.append(ByteView(to_bytes("abc")));
  s.append(ByteView{}); // no-op
  s.push_back('d');
  CHECK(s.chars() == "abcd");
  // Growing far past the initial capacity keeps the contents.
  for (int i = 0; i < 1000; ++i) {
    s.push_back(static_cast<std::uint8_t>('0' + i % 10));
  }
  CHECK(s.size() == 1004);
  CHECK(s.chars().substr(0, 6) == "abcd01");
  CHECK(s.chars().substr(1000) == "6789");
  s.pop_back();
  CHECK(s.size() == 1003);
  CHECK(s.chars().back() == '8');
  SecureBytes none;
  none.pop_back(); // harmless on an empty buffer
  CHECK(none.empty());
}

TEST_CASE("SecureBytes: move construction and move assignment transfer ownership")
{
  SecureBytes a(ByteView(to_bytes("secret")));
  const std::uint8_t* storage = a.data();

  SecureBytes b(std::move(a));
  CHECK(b.chars() == "secret");
  CHECK(b.data() == storage); // moved, not copied
  CHECK(a.empty());           // NOLINT(bugprone-use-after-move): moved-from state is specified
  CHECK(a.data() == nullptr); // NOLINT(bugprone-use-after-move)

  SecureBytes c(ByteView(to_bytes("other")));
  c = std::move(b);
  CHECK(c.chars() == "secret");
  CHECK(c.data() == storage);
  CHECK(b.empty()); // NOLINT(bugprone-use-after-move)

  // A moved-from buffer is usable again.
  b.append(ByteView(to_bytes("again")));
  CHECK(b.chars() == "again");
}

TEST_CASE("SecureBytes: resize grows with zeros and shrinks")
{
  SecureBytes s(ByteView(to_bytes("abc")));
  s.resize(8);
  CHECK(s.size() == 8);
  CHECK(s.chars().substr(0, 3) == "abc");
  CHECK(all_equal(s.data(), 3, 8, 0));
  s.resize(2);
  CHECK(s.chars() == "ab");
  // Growing again after shrinking must not resurrect the old bytes.
  s.resize(3);
  CHECK(s.data()[2] == 0);
  s.resize(0);
  CHECK(s.empty());
}

TEST_CASE("SecureBytes: resize down wipes the tail in place")
{
  SecureBytes s = filled(64, 0xAA);
  const std::uint8_t* p = s.data();
  s.resize(16);
  REQUIRE(s.data() == p); // same allocation, so p[16..63] is still owned memory
  CHECK(all_equal(p, 0, 16, 0xAA));
  CHECK(all_equal(p, 16, 64, 0x00));
}

TEST_CASE("SecureBytes: clear wipes every byte in place")
{
  SecureBytes s = filled(48, 0x5C);
  const std::uint8_t* p = s.data();
  s.clear();
  CHECK(s.empty());
  REQUIRE(s.data() == p); // clear keeps the allocation
  CHECK(all_equal(p, 0, 48, 0x00));
}

TEST_CASE("SecureBytes: pop_back wipes the removed byte")
{
  SecureBytes s = filled(4, 0x77);
  const std::uint8_t* p = s.data();
  s.pop_back();
  s.pop_back();
  REQUIRE(s.data() == p);
  CHECK(all_equal(p, 0, 2, 0x77));
  CHECK(p[2] == 0);
  CHECK(p[3] == 0);
}

TEST_CASE("SecureBytes: equals compares contents and lengths")
{
  const SecureBytes s(ByteView(to_bytes("password")));
  struct Case {
    std::string_view other;
    bool expected;
  };
  const Case cases[] = {
      {"password", true}, {"passwore", false},  {"Password", false},
      {"passwor", false}, {"password1", false}, {"", false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.other);
    CHECK(s.equals(sigil::util::as_bytes(c.other)) == c.expected);
  }
  const SecureBytes empty;
  CHECK(empty.equals(ByteView{}));
  CHECK_FALSE(empty.equals(ByteView(to_bytes("x"))));
}

TEST_CASE("wipe zeroes a string, a byte vector and SecureBytes, keeping their size")
{
  std::string text = "correct horse";
  sigil::util::wipe(text);
  CHECK(text == std::string(13, '\0'));

  Bytes bytes{1, 2, 3};
  sigil::util::wipe(bytes);
  CHECK(bytes == Bytes{0, 0, 0});

  SecureBytes secure = filled(4, 0xAA);
  sigil::util::wipe(secure);
  REQUIRE(secure.size() == 4);
  CHECK(all_equal(secure.data(), 0, 4, 0));

  std::string empty;
  sigil::util::wipe(empty); // nothing to do, and no null pointer handed to OPENSSL_cleanse
  CHECK(empty.empty());
}
