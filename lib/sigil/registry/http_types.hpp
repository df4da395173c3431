// sigil::registry speaks the transport's types: one place that names them in this namespace.
#pragma once

#include "sigil/http/transport.hpp"

namespace sigil::registry {

using http::Header;
using http::LogSink;
using http::make_curl_transport;
using http::redact_url;
using http::Request;
using http::Response;
using http::Transport;
using http::TransportError;
using http::TransportFailure;
using http::TransportOptions;

} // namespace sigil::registry
