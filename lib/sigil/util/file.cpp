#include "sigil/util/file.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <optional>
#include <random>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace sigil::util {

namespace {

std::string errno_text(int err)
{
  return std::strerror(err); // NOLINT(concurrency-mt-unsafe): message only
}

class Fd {
public:
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd()
  {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return m_fd; }
  int release() { return std::exchange(m_fd, -1); }

private:
  int m_fd;
};

constexpr std::size_t k_read_chunk = std::size_t{64} << 10;

// Growing a buffer that may hold a secret: the old storage is wiped before it is freed.
void grow_wiped(std::string& buf, std::size_t size)
{
  if (size <= buf.capacity()) {
    buf.resize(size);
    return;
  }
  std::string bigger;
  bigger.reserve(size);
  bigger.assign(buf);
  bigger.resize(size);
  OPENSSL_cleanse(buf.data(), buf.size());
  buf.swap(bigger);
}

void grow_wiped(SecureBytes& buf, std::size_t size)
{
  buf.resize(size); // SecureBytes wipes its old storage itself
}

// Gives up a buffer that may hold part of a secret.
template <typename Buffer> void wipe_and_clear(Buffer& buf)
{
  wipe(buf);
  buf.clear();
}

struct ReadSource {
  int fd = -1;
  std::string_view what; // for messages
  std::uint64_t max_size = 0;
  std::optional<std::uint64_t> expected_size; // st_size of a regular file
};

std::unexpected<Error> too_large(std::string_view what, std::uint64_t max_size)
{
  return fail(ErrorCode::bad_input, fmt::format("reading {}: larger than the limit of {} bytes", what, max_size));
}

// Reads src to its end directly into out, so there is no intermediate buffer to wipe.
template <typename Buffer> Result<void> read_all(const ReadSource& src, Buffer& out)
{
  // Room for one byte past the limit is enough to see that the input is too large.
  const std::uint64_t cap = std::min<std::uint64_t>(src.max_size, std::numeric_limits<std::size_t>::max() - 1) + 1;
  // A regular file gets its size plus one byte, so that end of file is seen without growing.
  const std::uint64_t first = src.expected_size ? *src.expected_size + 1 : k_read_chunk;
  grow_wiped(out, static_cast<std::size_t>(std::min(first, cap)));
  std::size_t used = 0;
  while (true) {
    if (used == out.size()) { // the file grew, or is not a regular file
      grow_wiped(out, static_cast<std::size_t>(std::min<std::uint64_t>(cap, std::max(2 * used, used + k_read_chunk))));
    }
    const ssize_t n = ::read(src.fd, out.data() + used, out.size() - used);
    if (n < 0) {
      const int err = errno;
      if (err == EINTR) {
        continue;
      }
      wipe_and_clear(out);
      return fail(ErrorCode::bad_input, fmt::format("reading {}: {}", src.what, errno_text(err)));
    }
    if (n == 0) {
      break;
    }
    used += static_cast<std::size_t>(n);
    if (used > src.max_size) {
      wipe_and_clear(out);
      return too_large(src.what, src.max_size);
    }
  }
  out.resize(used); // shrinking keeps the storage (SecureBytes wipes the tail)
  return {};
}

template <typename Buffer> Result<Buffer> read_path(const std::filesystem::path& path, std::uint64_t max_size)
{
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    return fail(ErrorCode::bad_input, fmt::format("cannot open {}: {}", path.string(), errno_text(err)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    const int err = errno;
    return fail(ErrorCode::bad_input, fmt::format("cannot stat {}: {}", path.string(), errno_text(err)));
  }
  if (S_ISDIR(st.st_mode)) {
    return fail(ErrorCode::bad_input, fmt::format("cannot read {}: is a directory", path.string()));
  }
  const std::string what = path.string();
  ReadSource src{.fd = fd.get(), .what = what, .max_size = max_size, .expected_size = std::nullopt};
  if (S_ISREG(st.st_mode) && st.st_size >= 0) {
    src.expected_size = static_cast<std::uint64_t>(st.st_size);
    if (*src.expected_size > max_size) {
      return too_large(what, max_size);
    }
  }
  Buffer out;
  SIGIL_TRY(read_all(src, out));
  return out;
}

std::string random_suffix()
{
  std::random_device rd;
  return fmt::format("{:08x}", rd());
}

} // namespace

Result<std::string> read_file(const std::filesystem::path& path, std::uint64_t max_size)
{
  return read_path<std::string>(path, max_size);
}

Result<SecureBytes> read_secret_file(const std::filesystem::path& path, std::uint64_t max_size)
{
  return read_path<SecureBytes>(path, max_size);
}

Result<std::string> read_stdin(std::uint64_t max_size)
{
  std::string out;
  SIGIL_TRY(read_all(ReadSource{.fd = STDIN_FILENO, .what = "standard input", .max_size = max_size}, out));
  return out;
}

Result<void> write_file_atomic(const AtomicWrite& request)
{
  const auto& path = request.path;
  if (request.overwrite == Overwrite::no && ::access(path.c_str(), F_OK) == 0) {
    return fail(ErrorCode::usage, fmt::format("{} already exists; use --force to overwrite it", path.string()));
  }
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const auto tmp = dir / fmt::format(".{}.tmp-{}", path.filename().string(), random_suffix());
  // O_EXCL + explicit mode; fchmod afterwards so the umask cannot widen or narrow it.
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, request.mode));
  if (fd.get() < 0) {
    return fail(ErrorCode::other, fmt::format("cannot write {}: cannot create a temporary file next to it: {}",
                                              path.string(), errno_text(errno)));
  }
  auto cleanup = [&](const std::string& msg) -> Result<void> {
    ::unlink(tmp.c_str());
    return fail(ErrorCode::other, msg);
  };
  if (::fchmod(fd.get(), request.mode) != 0) {
    return cleanup(fmt::format("cannot write {}: cannot set the mode of its temporary file: {}", path.string(),
                               errno_text(errno)));
  }
  std::size_t written = 0;
  while (written < request.data.size()) {
    const ssize_t n = ::write(fd.get(), request.data.data() + written, request.data.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return cleanup(fmt::format("cannot write {}: {}", path.string(), errno_text(errno)));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) {
    return cleanup(fmt::format("cannot write {}: {}", path.string(), errno_text(errno)));
  }
  if (::close(fd.release()) != 0) {
    return cleanup(fmt::format("cannot write {}: {}", path.string(), errno_text(errno)));
  }
  if (request.overwrite == Overwrite::no) {
    // link() fails if the target appeared meanwhile: never clobber without --force.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      if (err == EEXIST) {
        return fail(ErrorCode::usage, fmt::format("{} already exists; use --force to overwrite it", path.string()));
      }
      return fail(ErrorCode::other, fmt::format("cannot create {}: {}", path.string(), errno_text(err)));
    }
    ::unlink(tmp.c_str());
    return {};
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return cleanup(fmt::format("cannot replace {}: {}", path.string(), errno_text(errno)));
  }
  return {};
}

Result<mode_t> file_mode(const std::filesystem::path& path)
{
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return fail(ErrorCode::bad_input, fmt::format("cannot stat {}: {}", path.string(), errno_text(errno)));
  }
  return st.st_mode & 07777;
}

Result<uid_t> file_owner(const std::filesystem::path& path)
{
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return fail(ErrorCode::bad_input, fmt::format("cannot stat {}: {}", path.string(), errno_text(errno)));
  }
  return st.st_uid;
}

} // namespace sigil::util
