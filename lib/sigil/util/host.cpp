#include "sigil/util/host.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

namespace sigil::util {

bool is_loopback_host(std::string_view host)
{
  std::string text(host);
  std::ranges::transform(text, text.begin(),
                         [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; });
  if (text == "localhost") {
    return true;
  }
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
    const std::string inner = text.substr(1, text.size() - 2);
    in6_addr address{};
    if (inet_pton(AF_INET6, inner.c_str(), &address) != 1) {
      return false;
    }
    if (std::memcmp(&address, &in6addr_loopback, sizeof address) == 0) {
      return true;
    }
    constexpr std::array<unsigned char, 12> k_mapped_prefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(address.s6_addr, k_mapped_prefix.data(), k_mapped_prefix.size()) == 0 &&
           address.s6_addr[12] == 127;
  }
  // glibc's inet_pton takes strict dotted decimal only: four parts, no leading zeros.
  in_addr address{};
  return inet_pton(AF_INET, text.c_str(), &address) == 1 && (ntohl(address.s_addr) >> 24) == 127;
}

} // namespace sigil::util
