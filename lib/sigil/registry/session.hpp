// sigil::registry::Session — one transport (connection pool), credential store,
// authenticator and client per process, wired together.
#pragma once

#include "sigil/registry/auth.hpp"
#include "sigil/registry/client.hpp"
#include "sigil/registry/credentials.hpp"
#include "sigil/registry/http_types.hpp"

#include <memory>

namespace sigil::registry {

struct SessionOptions {
  TransportOptions transport;
  ClientOptions client;
  CredentialFlags credentials;
};

class Session {
public:
  explicit Session(SessionOptions options)
    : m_transport(make_curl_transport(std::move(options.transport))),
      m_credentials(std::move(options.credentials)),
      m_auth(*m_transport, m_credentials),
      m_client(*m_transport, m_auth, options.client)
  {
  }

  // Over a transport of the caller's (an OCI layout served in process, for --local).
  Session(SessionOptions options, std::unique_ptr<Transport> transport)
    : m_transport(std::move(transport)),
      m_credentials(std::move(options.credentials)),
      m_auth(*m_transport, m_credentials),
      m_client(*m_transport, m_auth, options.client)
  {
  }

  [[nodiscard]] Client& client() { return m_client; }
  [[nodiscard]] Transport& transport() { return *m_transport; }

private:
  std::unique_ptr<Transport> m_transport;
  CredentialStore m_credentials;
  Authenticator m_auth;
  Client m_client;
};

} // namespace sigil::registry
