#include "cosign_flags.hpp"

#include "output.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace sigil::cli {

void add_tlog_upload_flag(CLI::App* app, TlogUploadFlag& flag)
{
  flag.option = app->add_flag("--tlog-upload", flag.upload,
                              "cosign's flag: --tlog-upload=false is a no-op with --key (sigil never uploads key "
                              "signatures); keyless signatures are always logged");
}

Result<void> check_tlog_upload(const TlogUploadFlag& flag, bool with_key)
{
  if (flag.option == nullptr || flag.option->count() == 0) {
    return {};
  }
  if (with_key && !flag.upload) {
    print_note("--tlog-upload=false changes nothing: sigil does not upload signatures made with --key to a "
               "transparency log");
  } else if (with_key) {
    print_warning("--tlog-upload: sigil does not upload signatures made with --key to a transparency log; sign "
                  "keyless for a log entry");
  } else if (!flag.upload) {
    return fail(ErrorCode::usage,
                "--tlog-upload=false: keyless signatures are always logged in Rekor (the certificate is valid for "
                "minutes, and the log entry proves the signature was made while it was); drop the flag, or sign "
                "with --key");
  }
  return {};
}

void add_output_file_flag(CLI::App& app, std::string& path)
{
  app.add_option("--output-file", path, "Write what the command prints on standard output to FILE (as cosign does)");
}

Result<void> redirect_stdout(const std::string& path)
{
  if (path.empty()) {
    return {};
  }
  std::fflush(stdout);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return fail(ErrorCode::bad_input, fmt::format("cannot write --output-file {}: {}", path, std::strerror(errno)));
  }
  const bool ok = ::dup2(fd, STDOUT_FILENO) >= 0;
  ::close(fd);
  if (!ok) {
    return fail(ErrorCode::other, fmt::format("cannot write --output-file {}: {}", path, std::strerror(errno)));
  }
  return {};
}

} // namespace sigil::cli
