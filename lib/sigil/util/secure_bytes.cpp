#include "sigil/util/secure_bytes.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <utility>

namespace sigil::util {

SecureBytes::SecureBytes(ByteView data)
{
  append(data);
}

SecureBytes::SecureBytes(std::size_t size)
{
  resize(size);
}

SecureBytes::~SecureBytes()
{
  if (m_data != nullptr) {
    OPENSSL_cleanse(m_data, m_capacity);
    ::operator delete(m_data);
  }
}

SecureBytes::SecureBytes(SecureBytes&& other) noexcept
  : m_data(std::exchange(other.m_data, nullptr)),
    m_size(std::exchange(other.m_size, 0)),
    m_capacity(std::exchange(other.m_capacity, 0))
{
}

SecureBytes& SecureBytes::operator=(SecureBytes&& other) noexcept
{
  if (this != &other) {
    SecureBytes old(std::move(*this));
    m_data = std::exchange(other.m_data, nullptr);
    m_size = std::exchange(other.m_size, 0);
    m_capacity = std::exchange(other.m_capacity, 0);
  }
  return *this;
}

void SecureBytes::reserve(std::size_t capacity)
{
  if (capacity <= m_capacity) {
    return;
  }
  const std::size_t new_capacity = std::max(capacity, m_capacity * 2);
  auto* fresh = static_cast<std::uint8_t*>(::operator new(new_capacity));
  std::memset(fresh, 0, new_capacity);
  if (m_data != nullptr) {
    std::memcpy(fresh, m_data, m_size);
    OPENSSL_cleanse(m_data, m_capacity);
    ::operator delete(m_data);
  }
  m_data = fresh;
  m_capacity = new_capacity;
}

void SecureBytes::append(ByteView data)
{
  if (data.empty()) {
    return;
  }
  reserve(m_size + data.size());
  std::memcpy(m_data + m_size, data.data(), data.size());
  m_size += data.size();
}

void SecureBytes::push_back(std::uint8_t b)
{
  append(ByteView(&b, 1));
}

void SecureBytes::pop_back()
{
  if (m_size > 0) {
    --m_size;
    OPENSSL_cleanse(m_data + m_size, 1);
  }
}

void SecureBytes::resize(std::size_t size)
{
  if (size > m_size) {
    reserve(size);
    std::memset(m_data + m_size, 0, size - m_size);
  } else if (size < m_size) {
    OPENSSL_cleanse(m_data + size, m_size - size);
  }
  m_size = size;
}

void SecureBytes::clear()
{
  resize(0);
}

bool SecureBytes::equals(ByteView other) const
{
  if (other.size() != m_size) {
    return false;
  }
  if (m_size == 0) {
    return true;
  }
  return CRYPTO_memcmp(m_data, other.data(), m_size) == 0;
}

void wipe(std::string& text)
{
  if (!text.empty()) {
    OPENSSL_cleanse(text.data(), text.size());
  }
}

void wipe(Bytes& bytes)
{
  if (!bytes.empty()) {
    OPENSSL_cleanse(bytes.data(), bytes.size());
  }
}

void wipe(SecureBytes& bytes)
{
  if (!bytes.empty()) {
    OPENSSL_cleanse(bytes.data(), bytes.size());
  }
}

} // namespace sigil::util
