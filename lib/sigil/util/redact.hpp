// sigil::util — the secrets this process holds, kept out of everything it shows.
//
// A server can echo what it was sent: a registry or token endpoint that answers "bad password
// hunter2 for alice (Basic YWxpY2U6aHVudGVyMg==)" would otherwise put the password on the
// terminal and in CI logs, where the base64 form even slips past CI variable masking. Each
// secret is remembered where it is first used (registry passwords and tokens, the Basic
// headers made of them, tokens from a token endpoint), and the CLI's one output path passes
// every argument through redact_secrets, which shows each as "***".
#pragma once

#include <string>
#include <string_view>

namespace sigil::util {

// Remembers a secret (thread-safe). Secrets shorter than 3 bytes are not remembered: they
// would match everywhere. At most 256 are kept (the oldest go first).
void remember_secret(std::string_view secret);

// text with every remembered secret replaced by "***" (longest first).
[[nodiscard]] std::string redact_secrets(std::string_view text);

} // namespace sigil::util
