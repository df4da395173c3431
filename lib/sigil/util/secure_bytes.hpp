// sigil::util::SecureBytes — a byte buffer for secrets (private keys, passwords).
//
// Zeroed with OPENSSL_cleanse on destruction, on clear() and before every reallocation;
// move-only so a secret is never silently duplicated; compared in constant time.
#pragma once

#include "sigil/util/bytes.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sigil::util {

class SecureBytes {
public:
  SecureBytes() = default;
  explicit SecureBytes(ByteView data);
  explicit SecureBytes(std::size_t size);
  ~SecureBytes();
  SecureBytes(SecureBytes&& other) noexcept;
  SecureBytes& operator=(SecureBytes&& other) noexcept;
  SecureBytes(const SecureBytes&) = delete;
  SecureBytes& operator=(const SecureBytes&) = delete;

  [[nodiscard]] std::uint8_t* data() { return m_data; }
  [[nodiscard]] const std::uint8_t* data() const { return m_data; }
  [[nodiscard]] std::size_t size() const { return m_size; }
  [[nodiscard]] bool empty() const { return m_size == 0; }
  [[nodiscard]] ByteView view() const { return {m_data, m_size}; }
  [[nodiscard]] std::string_view chars() const { return as_chars(view()); }

  void append(ByteView data);
  void push_back(std::uint8_t b);
  void pop_back();
  void resize(std::size_t size); // new bytes are zero; shrinking wipes the tail
  void clear();

  // Constant-time comparison of contents (lengths are not secret).
  [[nodiscard]] bool equals(ByteView other) const;

private:
  void reserve(std::size_t capacity);

  std::uint8_t* m_data = nullptr;
  std::size_t m_size = 0;
  std::size_t m_capacity = 0;
};

// The one wiper (Bitcoin Core's support/cleanse.h): zeroes the contents with OPENSSL_cleanse,
// which the compiler may not optimise away. The size is kept; callers clear() if they mean to.
void wipe(std::string& text);
void wipe(Bytes& bytes);
void wipe(SecureBytes& bytes);

} // namespace sigil::util
