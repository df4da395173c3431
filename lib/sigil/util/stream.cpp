#include "sigil/util/stream.hpp"

#include "sigil/util/file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace sigil::util {

namespace {

std::string errno_text()
{
  return std::strerror(errno); // NOLINT(concurrency-mt-unsafe): message only
}

std::string input_label(const std::string& input)
{
  return input == "-" ? "standard input" : input;
}

struct InputFd {
  int fd = -1;
  bool owned = false;
  ~InputFd()
  {
    if (owned && fd >= 0) {
      ::close(fd);
    }
  }
};

Result<void> open_input(const std::string& input, InputFd& out)
{
  if (input == "-") {
    out.fd = STDIN_FILENO;
    return {};
  }
  out.fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
  if (out.fd < 0) {
    return fail(ErrorCode::bad_input, fmt::format("cannot open {}: {}", input, errno_text()));
  }
  out.owned = true;
  struct stat st {};
  if (::fstat(out.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    return fail(ErrorCode::bad_input, fmt::format("cannot read {}: is a directory", input));
  }
  return {};
}

// Reads fd to its end, chunk by chunk.
Result<std::uint64_t> stream_fd(int fd, const std::string& label, const std::function<void(ByteView)>& sink)
{
  const auto buffer = std::make_unique<std::uint8_t[]>(k_stream_chunk);
  std::uint64_t total = 0;
  while (true) {
    const ssize_t n = ::read(fd, buffer.get(), k_stream_chunk);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(ErrorCode::bad_input, fmt::format("reading {}: {}", label, errno_text()));
    }
    if (n == 0) {
      return total;
    }
    sink(ByteView(buffer.get(), static_cast<std::size_t>(n)));
    total += static_cast<std::uint64_t>(n);
  }
}

} // namespace

Result<std::uint64_t> stream_input(const std::string& input, const std::function<void(ByteView)>& sink)
{
  InputFd in;
  SIGIL_TRY(open_input(input, in));
  if (in.owned) {
    ::posix_fadvise(in.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  return stream_fd(in.fd, input_label(input), sink);
}

namespace {

// A file no other process can open: O_TMPFILE where the file system has it, else mkstemp
// and unlink at once.
Result<int> private_temp_file()
{
  std::error_code ec;
  const auto dir = std::filesystem::temp_directory_path(ec); // $TMPDIR, else /tmp
  if (ec) {
    return fail(ErrorCode::other, fmt::format("no temporary directory to hold a copy of the piped input ({}); set "
                                              "TMPDIR to a writable directory",
                                              ec.message()));
  }
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    std::string name = (dir / "sigil-spool-XXXXXX").string();
    fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd >= 0) {
      ::unlink(name.c_str());
    }
  }
  if (fd < 0) {
    return fail(ErrorCode::other, fmt::format("cannot create a temporary file in {} to hold the piped input: {}; set "
                                              "TMPDIR to a writable directory",
                                              dir.string(), errno_text()));
  }
  return fd;
}

Result<void> write_all(int fd, ByteView data)
{
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return fail(ErrorCode::other, fmt::format("cannot copy the piped input to a temporary file: {}; set TMPDIR to a "
                                                "directory with room for the whole input",
                                                n < 0 ? errno_text() : "nothing written"));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

// Reads fd from offset start to its end with pread, chunk by chunk.
Result<std::uint64_t> pread_all(int fd, off_t start, const std::string& label,
                                const std::function<void(ByteView)>& sink)
{
  const auto buffer = std::make_unique<std::uint8_t[]>(k_stream_chunk);
  std::uint64_t total = 0;
  while (true) {
    const ssize_t n = ::pread(fd, buffer.get(), k_stream_chunk, start + static_cast<off_t>(total));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return fail(ErrorCode::bad_input, fmt::format("reading {}: {}", label, errno_text()));
    }
    if (n == 0) {
      return total;
    }
    sink(ByteView(buffer.get(), static_cast<std::size_t>(n)));
    total += static_cast<std::uint64_t>(n);
  }
}

} // namespace

Result<RereadableInput> RereadableInput::open(const std::string& input)
{
  RereadableInput in;
  in.m_name = input;
  InputFd src;
  SIGIL_TRY(open_input(input, src));
  in.m_fd = src.fd;
  in.m_owned = src.owned;
  src.owned = false; // now closed by in
  struct stat st {};
  if (::fstat(in.m_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    SIGIL_TRY_ASSIGN(in.m_spool, private_temp_file());
  } else {
    // Standard input redirected from a file starts where the shell left it, as for read().
    in.m_start = in.m_owned ? 0 : std::max<off_t>(0, ::lseek(in.m_fd, 0, SEEK_CUR));
    ::posix_fadvise(in.m_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  return in;
}

Result<std::uint64_t> RereadableInput::spooling_pass(const std::function<void(ByteView)>& sink)
{
  std::optional<Error> write_error;
  auto total = stream_fd(m_fd, input_label(m_name), [&](ByteView chunk) {
    sink(chunk);
    if (!write_error) {
      if (auto w = write_all(m_spool, chunk); !w) {
        write_error = w.error();
      }
    }
  });
  if (!total) {
    return total;
  }
  if (write_error) {
    return fail(*write_error);
  }
  if (m_owned) {
    ::close(m_fd);
  }
  m_fd = std::exchange(m_spool, -1);
  m_owned = true;
  m_start = 0;
  return total;
}

Result<std::uint64_t> RereadableInput::pass(const std::function<void(ByteView)>& sink)
{
  if (m_spool >= 0) {
    return spooling_pass(sink);
  }
  return pread_all(m_fd, m_start, input_label(m_name), sink);
}

RereadableInput::~RereadableInput()
{
  if (m_owned && m_fd >= 0) {
    ::close(m_fd);
  }
  if (m_spool >= 0) {
    ::close(m_spool);
  }
}

RereadableInput::RereadableInput(RereadableInput&& other) noexcept
    : m_name(std::move(other.m_name)), m_fd(std::exchange(other.m_fd, -1)),
      m_owned(std::exchange(other.m_owned, false)), m_spool(std::exchange(other.m_spool, -1)), m_start(other.m_start)
{
}

} // namespace sigil::util
