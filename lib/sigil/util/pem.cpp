#include "sigil/util/pem.hpp"

#include "sigil/util/encoding.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

namespace sigil::util {

namespace {

constexpr std::string_view k_begin = "-----BEGIN ";
constexpr std::string_view k_end = "-----END ";
constexpr std::string_view k_dashes = "-----";

std::string_view trim(std::string_view s)
{
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

} // namespace

SecureBytes take_secure(Bytes&& bytes)
{
  SecureBytes out(bytes);
  wipe(bytes);
  bytes.clear();
  return out;
}

Result<std::vector<PemBlock>> parse_pem(std::string_view text)
{
  std::vector<PemBlock> blocks;
  std::size_t pos = 0;
  while (true) {
    const auto begin = text.find(k_begin, pos);
    if (begin == std::string_view::npos) {
      break;
    }
    const auto type_start = begin + k_begin.size();
    const auto type_end = text.find(k_dashes, type_start);
    const auto line_end = text.find('\n', type_start);
    if (type_end == std::string_view::npos || (line_end != std::string_view::npos && type_end > line_end)) {
      return fail(ErrorCode::bad_input, "invalid pem: malformed BEGIN line");
    }
    std::string type(text.substr(type_start, type_end - type_start));
    const std::string end_marker = fmt::format("{}{}{}", k_end, type, k_dashes);
    const auto body_start = type_end + k_dashes.size();
    const auto end = text.find(end_marker, body_start);
    if (end == std::string_view::npos) {
      return fail(ErrorCode::bad_input, fmt::format("invalid pem: no END line for {}", type));
    }
    std::string_view rest = text.substr(body_start, end - body_start);
    // The base64 of a private key: SecureBytes wipes it on every return. Sized for the whole
    // body up front (then emptied, keeping the capacity) so appending never reallocates.
    SecureBytes body(rest.size());
    body.clear();
    while (!rest.empty()) {
      const auto nl = rest.find('\n');
      const auto line = trim(rest.substr(0, nl));
      if (line.find(':') != std::string_view::npos) {
        return fail(ErrorCode::bad_input,
                    fmt::format("invalid pem: {} has headers (legacy encrypted pem is not supported)", type));
      }
      body.append(as_bytes(line));
      rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    }
    auto der = base64_decode(body.chars());
    if (!der) {
      return fail(ErrorCode::bad_input, fmt::format("invalid pem: body of {} is not base64", type));
    }
    blocks.push_back(PemBlock{std::move(type), take_secure(std::move(*der))});
    pos = end + end_marker.size();
  }
  if (blocks.empty()) {
    return fail(ErrorCode::bad_input, "invalid pem: no PEM block found");
  }
  return blocks;
}

std::string encode_pem(std::string_view type, ByteView der)
{
  const std::string b64 = base64_encode(der);
  std::string out = fmt::format("-----BEGIN {}-----\n", type);
  for (std::size_t i = 0; i < b64.size(); i += 64) {
    out.append(b64, i, 64);
    out.push_back('\n');
  }
  out += fmt::format("-----END {}-----\n", type);
  return out;
}

} // namespace sigil::util
