#include "sigil/util/file.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

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

Result<std::string> read_fd(int fd, std::uint64_t max_size, const std::string& what)
{
  std::string out;
  std::array<char, 65536> buf{};
  while (true) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(ErrorCode::bad_input, fmt::format("reading {}: {}", what, errno_text(errno)));
    }
    if (n == 0) {
      break;
    }
    if (out.size() + static_cast<std::uint64_t>(n) > max_size) {
      return fail(ErrorCode::bad_input, fmt::format("reading {}: larger than the limit of {} bytes", what, max_size));
    }
    out.append(buf.data(), static_cast<std::size_t>(n));
  }
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
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    return fail(err == ENOENT ? ErrorCode::bad_input : ErrorCode::bad_input,
                fmt::format("cannot open {}: {}", path.string(), errno_text(err)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return fail(ErrorCode::bad_input, fmt::format("cannot read {}: is a directory", path.string()));
  }
  return read_fd(fd.get(), max_size, path.string());
}

Result<std::string> read_stdin(std::uint64_t max_size)
{
  return read_fd(STDIN_FILENO, max_size, "standard input");
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
    return fail(ErrorCode::other, fmt::format("cannot create {}: {}", tmp.string(), errno_text(errno)));
  }
  auto cleanup = [&](const std::string& msg) -> Result<void> {
    ::unlink(tmp.c_str());
    return fail(ErrorCode::other, msg);
  };
  if (::fchmod(fd.get(), request.mode) != 0) {
    return cleanup(fmt::format("cannot set mode of {}: {}", tmp.string(), errno_text(errno)));
  }
  std::size_t written = 0;
  while (written < request.data.size()) {
    const ssize_t n = ::write(fd.get(), request.data.data() + written, request.data.size() - written);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return cleanup(fmt::format("writing {}: {}", tmp.string(), errno_text(errno)));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) {
    return cleanup(fmt::format("writing {}: {}", tmp.string(), errno_text(errno)));
  }
  if (::close(fd.release()) != 0) {
    return cleanup(fmt::format("writing {}: {}", tmp.string(), errno_text(errno)));
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

} // namespace sigil::util
