#include "sigil/util/encoding.hpp"

#include "sigil/util/secure_bytes.hpp"

#include <openssl/crypto.h>

#include <array>
#include <utility>

namespace sigil::util {

namespace {

constexpr std::string_view k_std_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view k_url_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int, 256> make_table(std::string_view alphabet)
{
  std::array<int, 256> table{};
  for (auto& t : table) {
    t = -1;
  }
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  }
  return table;
}

constexpr auto k_std_table = make_table(k_std_alphabet);
constexpr auto k_url_table = make_table(k_url_alphabet);

enum class Padding { required, optional };

bool is_line_break(char c)
{
  return c == '\n' || c == '\r';
}

// Wipes a partly decoded secret before failing.
std::unexpected<Error> wipe_and_fail(Bytes& out, std::string message)
{
  wipe(out);
  return fail(ErrorCode::bad_input, std::move(message));
}

// Where the data of base64 text ends, line breaks not counted.
struct Extent {
  std::size_t data_chars = 0; // significant characters before the padding
  std::size_t pad = 0;        // trailing '=' (at most two)
  std::size_t data_end = 0;   // offset in the text where the padding starts
};

Extent measure(std::string_view text)
{
  std::size_t significant = 0;
  for (const char c : text) {
    significant += is_line_break(c) ? 0 : 1;
  }
  // Up to two trailing '=' (line breaks may sit between them); data ends where they start.
  Extent e{.data_chars = 0, .pad = 0, .data_end = text.size()};
  for (std::size_t i = text.size(); i > 0 && e.pad < 2; --i) {
    const char c = text[i - 1];
    if (is_line_break(c)) {
      continue;
    }
    if (c != '=') {
      break;
    }
    ++e.pad;
    e.data_end = i - 1;
  }
  e.data_chars = significant - e.pad;
  return e;
}

// Decodes text where it lies, skipping line breaks, so that no copy of it is made.
Result<Bytes> decode(std::string_view text, const std::array<int, 256>& table, Padding padding)
{
  const auto [data_chars, pad, data_end] = measure(text);
  const bool complete_groups = (data_chars + pad) % 4 == 0;
  switch (padding) {
  case Padding::required:
    if (!complete_groups) {
      return fail(ErrorCode::bad_input, "invalid base64: length is not a multiple of 4");
    }
    break;
  case Padding::optional:
    if (pad > 0 && !complete_groups) {
      return fail(ErrorCode::bad_input, "invalid base64: padding does not complete the last group of 4");
    }
    break;
  }
  if (data_chars % 4 == 1) {
    return fail(ErrorCode::bad_input, "invalid base64: truncated input");
  }
  Bytes out;
  out.reserve(data_chars * 3 / 4); // exact, so the vector never reallocates (and copies)
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : text.substr(0, data_end)) {
    if (is_line_break(c)) {
      continue;
    }
    const int v = table[static_cast<unsigned char>(c)];
    if (v < 0) {
      return wipe_and_fail(out, "invalid base64: unexpected character");
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xffU));
    }
  }
  // Leftover bits must be zero (canonical encoding), as Go's Strict() decoders require.
  if (bits > 0 && (acc & ((1U << bits) - 1U)) != 0) {
    return wipe_and_fail(out, "invalid base64: non-zero padding bits");
  }
  return out;
}

} // namespace

std::string base64_encode(ByteView data)
{
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    out.push_back(k_std_alphabet[(n >> 18) & 63]);
    out.push_back(k_std_alphabet[(n >> 12) & 63]);
    out.push_back(k_std_alphabet[(n >> 6) & 63]);
    out.push_back(k_std_alphabet[n & 63]);
  }
  const std::size_t rest = data.size() - i;
  if (rest == 1) {
    const std::uint32_t n = std::uint32_t{data[i]} << 16;
    out.push_back(k_std_alphabet[(n >> 18) & 63]);
    out.push_back(k_std_alphabet[(n >> 12) & 63]);
    out.append("==");
  } else if (rest == 2) {
    const std::uint32_t n = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
    out.push_back(k_std_alphabet[(n >> 18) & 63]);
    out.push_back(k_std_alphabet[(n >> 12) & 63]);
    out.push_back(k_std_alphabet[(n >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

Result<Bytes> base64_decode(std::string_view text)
{
  return decode(text, k_std_table, Padding::required);
}

Result<Bytes> base64url_decode(std::string_view text)
{
  return decode(text, k_url_table, Padding::optional);
}

Result<Bytes> base64_decode_any(std::string_view text)
{
  auto std_result = base64_decode(text);
  if (std_result) {
    return std_result;
  }
  return base64url_decode(text);
}

std::string hex_encode(ByteView data)
{
  constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (const auto b : data) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

Result<Bytes> hex_decode(std::string_view text)
{
  if (text.size() % 2 != 0) {
    return fail(ErrorCode::bad_input, "invalid hex: odd length");
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  };
  Bytes out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = nibble(text[i]);
    const int lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) {
      return fail(ErrorCode::bad_input, "invalid hex: unexpected character");
    }
    out.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
  }
  return out;
}

bool is_lower_hex(std::string_view text)
{
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

} // namespace sigil::util
