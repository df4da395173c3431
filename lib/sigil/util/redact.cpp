#include "sigil/util/redact.hpp"

#include "sigil/util/secure_bytes.hpp"

#include <algorithm>
#include <deque>
#include <mutex>

namespace sigil::util {

namespace {

constexpr std::size_t k_min_secret = 3;
constexpr std::size_t k_max_secrets = 256;

struct Secrets {
  std::mutex mutex;
  std::deque<SecureBytes> values; // wiped when dropped
};

Secrets& secrets()
{
  static Secrets s;
  return s;
}

std::string_view view_of(const SecureBytes& bytes)
{
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

} // namespace

void remember_secret(std::string_view secret)
{
  if (secret.size() < k_min_secret) {
    return;
  }
  auto& s = secrets();
  const std::lock_guard guard(s.mutex);
  if (std::ranges::any_of(s.values, [&](const SecureBytes& v) { return view_of(v) == secret; })) {
    return;
  }
  if (s.values.size() == k_max_secrets) {
    s.values.pop_front();
  }
  s.values.emplace_back(as_bytes(secret));
}

std::string redact_secrets(std::string_view text)
{
  std::string out(text);
  auto& s = secrets();
  const std::lock_guard guard(s.mutex);
  std::vector<std::string_view> order;
  order.reserve(s.values.size());
  for (const auto& v : s.values) {
    order.push_back(view_of(v));
  }
  std::ranges::sort(order, [](std::string_view a, std::string_view b) { return a.size() > b.size(); });
  for (const auto secret : order) {
    for (auto at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3)) {
      out.replace(at, secret.size(), "***");
    }
  }
  return out;
}

} // namespace sigil::util
