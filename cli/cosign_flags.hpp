// cosign's spellings for what sigil does anyway (or need not do): accepted with cosign's meaning,
// so that a cosign user's scripts run. The rest are aliases declared where their flag is.
#pragma once

#include "sigil/core/result.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace sigil::cli {

// cosign's --tlog-upload[=BOOL] (sign, sign-blob, attest, attest-blob). With --key sigil never
// uploads to a transparency log, so --tlog-upload=false changes nothing (a note says so);
// keyless signatures are always logged, so --tlog-upload=false is refused there.
struct TlogUploadFlag {
  bool upload = true;
  CLI::Option* option = nullptr;
};

void add_tlog_upload_flag(CLI::App* app, TlogUploadFlag& flag);

// After parsing: `with_key` is whether the command signs with --key (else keyless).
[[nodiscard]] Result<void> check_tlog_upload(const TlogUploadFlag& flag, bool with_key);

// cosign's global --output-file FILE: what the command prints on stdout goes to FILE instead.
void add_output_file_flag(CLI::App& app, std::string& path);
[[nodiscard]] Result<void> redirect_stdout(const std::string& path);

} // namespace sigil::cli
