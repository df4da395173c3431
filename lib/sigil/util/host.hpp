// sigil::util — the one loopback rule for host names.
//
// It decides where plain HTTP is allowed without a flag (registries, token realms, redirect
// and Link targets, Sigstore services), as docker does for localhost.
#pragma once

#include <string_view>

namespace sigil::util {

// localhost (any case), 127.0.0.0/8 in strict dotted-decimal form (no "127.1", no leading
// zeros, octal or hex), [::1], and IPv4-mapped [::ffff:127.x.y.z] (Go's net.IP.IsLoopback).
// `host` has no port; an IPv6 address is in brackets.
[[nodiscard]] bool is_loopback_host(std::string_view host);

} // namespace sigil::util
