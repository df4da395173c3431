#include "tuf_flags.hpp"

#include "output.hpp"

#include "sigil/core/env.hpp"
#include "sigil/core/version.hpp"
#include "sigil/http/transport.hpp"
#include "sigil/http/url.hpp"
#include "sigil/tuf/cache.hpp"
#include "sigil/tuf/public_good.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/number.hpp"
#include "sigil/util/time.hpp"

#include <fmt/format.h>

#include <chrono>
#include <mutex>

namespace sigil::cli {

namespace {

// "0", "90s", "30m", "24h", "7d".
Result<std::chrono::seconds> parse_duration(std::string_view text)
{
  if (text == "0") {
    return std::chrono::seconds{0};
  }
  const auto unit = text.empty() ? '?' : text.back();
  const std::int64_t scale = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 0;
  const auto n = text.empty() ? std::nullopt : util::parse_uint(text.substr(0, text.size() - 1), 100'000'000);
  if (scale == 0 || !n) {
    return fail(ErrorCode::usage, fmt::format("--tuf-refresh {}: give a duration such as 24h, 30m, 90s or 7d",
                                              util::escape_for_terminal(text)));
  }
  return std::chrono::seconds{static_cast<std::int64_t>(*n) * scale};
}

std::string setting(const std::string& flag, std::string_view variable)
{
  if (!flag.empty()) {
    return flag;
  }
  return core::env::get(variable).value_or("");
}

Result<std::string> initial_root(const TufFlags& f, const std::string& mirror)
{
  const auto path = setting(f.root, "SIGIL_TUF_ROOT");
  if (!path.empty()) {
    auto text = util::read_file(path, 1 << 20);
    if (!text) {
      return fail(text.error().context(fmt::format("reading --tuf-root {}", path)));
    }
    return std::move(*text);
  }
  if (mirror != tuf::k_public_good_mirror) {
    return fail(ErrorCode::usage, fmt::format("--tuf-mirror {} needs --tuf-root FILE (that repository's initial "
                                              "root.json; or SIGIL_TUF_ROOT)",
                                              mirror));
  }
  return std::string{tuf::public_good_root()};
}

// The curl transport, made on the first request: with a fresh cache no request is made, and
// loading libcurl (and its libraries) was most of the time a warm verification took.
class LazyTransport final : public http::Transport {
public:
  explicit LazyTransport(http::TransportOptions options) : m_options(std::move(options)) {}
  std::expected<http::Response, http::TransportError> send(const http::Request& request) override
  {
    std::call_once(m_once, [this] { m_inner = http::make_curl_transport(m_options); });
    return m_inner->send(request);
  }
  [[nodiscard]] std::uint64_t request_count() const override { return m_inner ? m_inner->request_count() : 0; }

private:
  http::TransportOptions m_options;
  std::once_flag m_once;
  std::unique_ptr<http::Transport> m_inner;
};

std::unique_ptr<http::Transport> tuf_transport(bool verbose)
{
  http::TransportOptions options;
  options.user_agent = fmt::format("sigil/{}", core::version());
  options.request_timeout = std::chrono::milliseconds{60'000};
  if (verbose) {
    options.log = [](std::string_view line) { print_info("sigil: http: {}", line); };
  }
  return std::make_unique<LazyTransport>(std::move(options));
}

std::string when(std::int64_t t)
{
  return util::rfc3339_utc(t);
}

} // namespace

void add_tuf_flags(CLI::App* app, TufFlags& f)
{
  const auto* group = "Trust from TUF (when no --trusted-root, SIGSTORE_* variable or --signing-config is given)";
  app->add_option("--tuf-mirror", f.mirror,
                  "TUF repository of the Sigstore trust (default SIGIL_TUF_MIRROR, else "
                  "https://tuf-repo-cdn.sigstore.dev; none: no TUF)")
      ->group(group);
  app->add_option("--tuf-root", f.root,
                  "Initial root.json of the TUF repository (default SIGIL_TUF_ROOT, else the "
                  "public-good root built in)")
      ->group(group);
  app->add_option("--tuf-refresh", f.refresh, "Ask the mirror at most once per DURATION (24h, 30m, 0: every time)")
      ->capture_default_str()
      ->group(group);
}

Result<std::optional<TufTrust>> tuf_trust(const TufFlags& f, const TufOptions& options)
{
  auto mirror = setting(f.mirror, "SIGIL_TUF_MIRROR");
  if (mirror.empty()) {
    mirror = tuf::k_public_good_mirror;
  }
  if (mirror == "none") {
    return std::optional<TufTrust>{};
  }
  // One cache per repository however its URL is written: scheme and host in lowercase, no
  // default port, no trailing slash. A URL that does not parse is refused by the client, below.
  if (auto url = http::parse_url(mirror)) {
    mirror = url->str();
  }
  while (mirror.size() > 1 && mirror.back() == '/') {
    mirror.pop_back();
  }
  SIGIL_TRY_ASSIGN(const auto refresh, parse_duration(f.refresh));
  SIGIL_TRY_ASSIGN(auto root, initial_root(f, mirror));
  SIGIL_TRY_ASSIGN(const auto cache_root, tuf::default_cache_root());
  const auto transport = tuf_transport(options.verbose);
  tuf::UpdateRequest request{
      .transport = transport.get(),
      .mirror = mirror,
      .cache_dir = cache_root / tuf::escape_mirror(mirror),
      .initial_root = std::move(root),
      .now =
          std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count(),
      .refresh_period = refresh,
      .force = options.force};
  auto files = tuf::sigstore_trust(request);
  if (!files) {
    return fail(files.error().context(fmt::format("Sigstore trust from TUF {}", mirror)));
  }
  if (files->freshness == tuf::Freshness::offline) {
    print_warning("TUF mirror {} unreachable: using the cached Sigstore trust of {} (valid until {})", mirror,
                  when(files->last_refresh), when(files->expires));
  }
  return std::optional<TufTrust>{TufTrust{mirror, request.cache_dir, std::move(*files)}};
}

Result<std::shared_ptr<trust::TrustedRoot>> trusted_root_from_tuf(const TufFlags& flags)
{
  SIGIL_TRY_ASSIGN(const auto got, tuf_trust(flags));
  if (!got) {
    return std::shared_ptr<trust::TrustedRoot>{};
  }
  auto root = trust::parse_trusted_root(got->files.trusted_root);
  if (!root) {
    return fail(root.error().context(fmt::format("trusted_root.json from TUF {}", got->mirror)));
  }
  return std::make_shared<trust::TrustedRoot>(std::move(*root));
}

} // namespace sigil::cli
