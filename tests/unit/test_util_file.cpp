// Tests for sigil::util files: bounded reads and atomic writes with exact modes.
#include "sigil/util/file.hpp"
#include "sigil/util/stream.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using sigil::ErrorCode;
using sigil::util::as_bytes;
using sigil::util::AtomicWrite;
using sigil::util::Overwrite;
using sigil::util::read_file;
using sigil::util::write_file_atomic;

using sigil::test::TempDir;

class ScopedUmask {
public:
  explicit ScopedUmask(mode_t mask) : m_old(::umask(mask)) {}
  ~ScopedUmask() { ::umask(m_old); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

private:
  mode_t m_old;
};

} // namespace

TEST_CASE("write_file_atomic then read_file round-trips bytes, NULs included")
{
  const TempDir dir;
  const fs::path target = dir.path() / "out.bin";
  const std::string data("a\0b\nc\xff", 6);
  REQUIRE(write_file_atomic({target, as_bytes(data)}).has_value());
  const auto back = read_file(target);
  REQUIRE(back.has_value());
  CHECK(*back == data);
  CHECK(dir.entries() == std::vector<std::string>{"out.bin"}); // no temporary left behind

  REQUIRE(write_file_atomic({target, as_bytes("")}).has_value());
  const auto empty = read_file(target);
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
}

TEST_CASE("write_file_atomic sets the requested mode whatever the umask")
{
  const TempDir dir;
  struct Case {
    mode_t umask;
    mode_t mode;
  };
  const Case cases[] = {{022, 0600}, {0, 0600}, {077, 0644}, {0, 0644}, {027, 0640}};
  int i = 0;
  for (const auto& c : cases) {
    CAPTURE(c.umask);
    CAPTURE(c.mode);
    const ScopedUmask mask(c.umask);
    const fs::path target = dir.path() / ("f" + std::to_string(i++));
    REQUIRE(write_file_atomic({.path = target, .data = as_bytes("k"), .mode = c.mode}).has_value());
    const auto mode = sigil::util::file_mode(target);
    REQUIRE(mode.has_value());
    CHECK(*mode == c.mode);
  }
}

TEST_CASE("write_file_atomic: Overwrite::no refuses an existing file and leaves it untouched")
{
  const TempDir dir;
  const fs::path target = dir.path() / "cosign.key";
  REQUIRE(write_file_atomic({.path = target, .data = as_bytes("first"), .mode = 0600, .overwrite = Overwrite::no})
              .has_value());
  const auto again =
      write_file_atomic({.path = target, .data = as_bytes("second"), .mode = 0600, .overwrite = Overwrite::no});
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == ErrorCode::usage);
  CHECK(again.error().message.find("already exists; use --force to overwrite it") != std::string::npos);
  CHECK(read_file(target).value_or("") == "first");
  CHECK(dir.entries() == std::vector<std::string>{"cosign.key"});

  REQUIRE(write_file_atomic({.path = target, .data = as_bytes("third"), .mode = 0600, .overwrite = Overwrite::yes})
              .has_value());
  CHECK(read_file(target).value_or("") == "third");
  CHECK(dir.entries() == std::vector<std::string>{"cosign.key"});
}

TEST_CASE("write_file_atomic: a missing directory is an error")
{
  const TempDir dir;
  const auto r = write_file_atomic({dir.path() / "no" / "such" / "file", as_bytes("x")});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("cannot create a temporary file next to it") != std::string::npos);
}

TEST_CASE("read_file: limits and errors")
{
  const TempDir dir;
  const fs::path target = dir.path() / "data";
  const std::string data(100000, 'q'); // larger than one read chunk
  REQUIRE(write_file_atomic({target, as_bytes(data)}).has_value());

  const auto exact = read_file(target, data.size());
  REQUIRE(exact.has_value());
  CHECK(exact->size() == data.size());

  const auto over = read_file(target, data.size() - 1);
  REQUIRE_FALSE(over.has_value());
  CHECK(over.error().code == ErrorCode::bad_input);
  CHECK(over.error().message.find("larger than the limit of 99999 bytes") != std::string::npos);

  const auto missing = read_file(dir.path() / "missing");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == ErrorCode::bad_input);
  CHECK(missing.error().message.find("cannot open") != std::string::npos);
  CHECK(missing.error().message.find("missing") != std::string::npos);

  const auto directory = read_file(dir.path());
  REQUIRE_FALSE(directory.has_value());
  CHECK(directory.error().message.find("is a directory") != std::string::npos);

  const auto no_mode = sigil::util::file_mode(dir.path() / "missing");
  REQUIRE_FALSE(no_mode.has_value());
  CHECK(no_mode.error().code == ErrorCode::bad_input);
}

TEST_CASE("read_secret_file: same contents, limits and errors as read_file")
{
  const TempDir dir;
  const fs::path target = dir.path() / "cosign.key";
  const std::string data = std::string(70000, 's') + std::string("\0end", 4); // over one read chunk
  REQUIRE(write_file_atomic({.path = target, .data = as_bytes(data), .mode = 0600}).has_value());

  const auto exact = sigil::util::read_secret_file(target, data.size());
  REQUIRE(exact.has_value());
  CHECK(exact->chars() == data);

  const auto over = sigil::util::read_secret_file(target, data.size() - 1);
  REQUIRE_FALSE(over.has_value());
  CHECK(over.error().code == ErrorCode::bad_input);
  CHECK(over.error().message.find("larger than the limit of 70003 bytes") != std::string::npos);

  REQUIRE(write_file_atomic({target, as_bytes("")}).has_value());
  const auto empty = sigil::util::read_secret_file(target, 10);
  REQUIRE(empty.has_value());
  CHECK(empty->empty());

  const auto missing = sigil::util::read_secret_file(dir.path() / "missing", 10);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message.find("cannot open") != std::string::npos);
  const auto directory = sigil::util::read_secret_file(dir.path(), 10);
  REQUIRE_FALSE(directory.has_value());
  CHECK(directory.error().message.find("is a directory") != std::string::npos);
}

TEST_CASE("read_file: a file larger than fstat said is read whole, within the limit")
{
  // /proc files report st_size 0 but have contents: the buffer sized from fstat must grow.
  const auto status = read_file("/proc/self/status");
  REQUIRE(status.has_value());
  CHECK(status->starts_with("Name:"));
  CHECK(status->find("\nPid:") != std::string::npos);
  const auto secret = sigil::util::read_secret_file("/proc/self/status", 1 << 20);
  REQUIRE(secret.has_value());
  CHECK(secret->chars().starts_with("Name:"));
  // And the limit still holds while reading, whatever fstat said.
  const auto capped = read_file("/proc/self/status", 10);
  REQUIRE_FALSE(capped.has_value());
  CHECK(capped.error().message.find("larger than the limit of 10 bytes") != std::string::npos);
  const auto zero = read_file("/proc/self/status", 0);
  REQUIRE_FALSE(zero.has_value());
  CHECK(zero.error().message.find("larger than the limit of 0 bytes") != std::string::npos);
}

TEST_CASE("read_file: an endless device stops at the limit")
{
  const auto zeros = read_file("/dev/zero", 200000);
  REQUIRE_FALSE(zeros.has_value());
  CHECK(zeros.error().message.find("reading /dev/zero: larger than the limit of 200000 bytes") != std::string::npos);
}

TEST_CASE("RereadableInput: a file is read again from its start; a pipe is spooled and read again")
{
  // Pure Ed25519 signing reads the message twice in chunks (constant memory for any size).
  using sigil::util::RereadableInput;
  const sigil::test::TempDir dir;
  const auto path = (dir.path() / "artifact.bin").string();
  std::string before(3 * 1024 * 1024 + 7, 'a');
  before[1234567] = 'x';
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    REQUIRE(std::fwrite(before.data(), 1, before.size(), f) == before.size());
    std::fclose(f);
  }
  auto collect = [](RereadableInput& in) {
    std::string seen;
    const auto n =
        in.pass([&](sigil::util::ByteView c) { seen.append(reinterpret_cast<const char*>(c.data()), c.size()); });
    REQUIRE(n.has_value());
    CHECK(*n == seen.size());
    return seen;
  };
  auto file = RereadableInput::open(path);
  REQUIRE(file.has_value());
  CHECK(collect(*file) == before);
  {
    std::FILE* f = std::fopen(path.c_str(), "r+b"); // rewritten in place between the passes
    REQUIRE(f != nullptr);
    REQUIRE(std::fwrite("b", 1, 1, f) == 1);
    std::fclose(f);
  }
  auto moved = std::move(*file);
  const auto second = collect(moved);
  CHECK(second.size() == before.size());
  CHECK(second[0] == 'b'); // why sign-blob compares the digests of its two passes

  const auto fifo = (dir.path() / "fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::thread writer([&] {
    std::FILE* f = std::fopen(fifo.c_str(), "wb");
    if (f != nullptr) {
      std::fwrite(before.data(), 1, before.size(), f);
      std::fclose(f);
    }
  });
  auto piped = RereadableInput::open(fifo);
  REQUIRE(piped.has_value());
  CHECK(collect(*piped) == before);
  writer.join();
  CHECK(collect(*piped) == before); // from the private copy: the pipe is empty now
  CHECK(collect(*piped) == before);

  const auto missing = RereadableInput::open((dir.path() / "missing").string());
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == sigil::ErrorCode::bad_input);
}
