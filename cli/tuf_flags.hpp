// Where keyless commands get the Sigstore trust when nothing else names it: TUF (cosign's
// `initialize --mirror --root`, sigstore-go's defaults). --tuf-mirror URL (SIGIL_TUF_MIRROR;
// default the public-good https://tuf-repo-cdn.sigstore.dev; "none" turns TUF off),
// --tuf-root FILE (SIGIL_TUF_ROOT; default the public-good root built in, required for another
// mirror), --tuf-refresh DURATION (default 24h: the cache is used without a request while
// younger). The cache is $XDG_CACHE_HOME/sigil/tuf/<mirror>/.
#pragma once

#include "command.hpp"

#include "sigil/trust/trusted_root.hpp"
#include "sigil/tuf/updater.hpp"

#include <memory>
#include <optional>
#include <string>

namespace sigil::cli {

struct TufFlags {
  std::string mirror;
  std::string root;
  std::string refresh = "24h";
};

void add_tuf_flags(CLI::App* app, TufFlags& flags);

struct TufOptions {
  bool force = false;   // sigil trust update: ask the mirror whatever the refresh period says
  bool verbose = false; // log the requests
};

struct TufTrust {
  std::string mirror;
  std::filesystem::path cache_dir;
  tuf::SigstoreTrust files;
};

// nullopt when TUF is turned off. Prints a warning when the cache stood in for the mirror.
[[nodiscard]] Result<std::optional<TufTrust>> tuf_trust(const TufFlags& flags, const TufOptions& options = {});

// The trusted root from TUF; null when TUF is turned off.
[[nodiscard]] Result<std::shared_ptr<trust::TrustedRoot>> trusted_root_from_tuf(const TufFlags& flags);

} // namespace sigil::cli
