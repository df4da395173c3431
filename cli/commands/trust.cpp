// sigil trust update|show: the Sigstore trust that keyless commands get from TUF when no
// --trusted-root, SIGSTORE_* variable or --signing-config names it. update asks the mirror now
// (whatever --tuf-refresh says); show prints each certificate authority, transparency log, CT
// log and timestamp authority of the trusted root with its validity window.
#include "command.hpp"
#include "output.hpp"
#include "tuf_flags.hpp"

#include "sigil/trust/trusted_root.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/time.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

struct Options {
  TufFlags tuf;
  bool json = false;
};

std::string bound(const std::optional<std::int64_t>& t, std::string_view open)
{
  return t ? util::rfc3339_utc(*t) : std::string{open};
}

std::string_view freshness_name(tuf::Freshness f)
{
  switch (f) {
  case tuf::Freshness::updated: return "updated";
  case tuf::Freshness::cached: return "cached";
  case tuf::Freshness::offline: return "offline";
  }
  return "updated";
}

util::OrderedJson validity_json(const trust::Validity& v)
{
  util::OrderedJson j = util::OrderedJson::object();
  if (v.start) {
    j["start"] = util::rfc3339_utc(*v.start);
  }
  if (v.end) {
    j["end"] = util::rfc3339_utc(*v.end);
  }
  return j;
}

util::OrderedJson show_json(const TufTrust& t, const trust::TrustedRoot& root)
{
  util::OrderedJson j;
  j["mirror"] = t.mirror;
  j["cache"] = t.cache_dir.string();
  j["freshness"] = freshness_name(t.files.freshness);
  j["rootVersion"] = t.files.root_version;
  j["timestampVersion"] = t.files.timestamp_version;
  j["expires"] = util::rfc3339_utc(t.files.expires);
  j["signingConfig"] = t.files.signing_config.has_value();
  const auto cas = [](const std::vector<trust::CertificateAuthority>& list) {
    util::OrderedJson a = util::OrderedJson::array();
    for (const auto& ca : list) {
      a.push_back({{"uri", ca.uri}, {"certificates", ca.chain.size()}, {"validFor", validity_json(ca.valid_for)}});
    }
    return a;
  };
  const auto logs = [](const std::vector<trust::TransparencyLog>& list) {
    util::OrderedJson a = util::OrderedJson::array();
    for (const auto& log : list) {
      a.push_back({{"baseUrl", log.base_url},
                   {"keyId", util::hex_encode(log.key_id)},
                   {"keyDetails", log.key_details},
                   {"validFor", validity_json(log.valid_for)}});
    }
    return a;
  };
  j["certificateAuthorities"] = cas(root.certificate_authorities);
  j["tlogs"] = logs(root.tlogs);
  j["ctlogs"] = logs(root.ctlogs);
  j["timestampAuthorities"] = cas(root.timestamp_authorities);
  return j;
}

Text show_text(const TufTrust& t, const trust::TrustedRoot& root)
{
  auto text = Text::format("TUF mirror {} (root version {}, timestamp version {}, {}; valid until {})\n", t.mirror,
                           t.files.root_version, t.files.timestamp_version, freshness_name(t.files.freshness),
                           util::rfc3339_utc(t.files.expires));
  for (const auto& ca : root.certificate_authorities) {
    text += Text::format("certificate authority {} ({} certificates): {} .. {}\n", ca.uri, ca.chain.size(),
                         bound(ca.valid_for.start, "always"), bound(ca.valid_for.end, "now"));
  }
  const auto logs = [&text](std::string_view kind, const std::vector<trust::TransparencyLog>& list) {
    for (const auto& log : list) {
      text += Text::format("{} {} (key id {}, {}): {} .. {}\n", kind, log.base_url, util::hex_encode(log.key_id),
                           log.key_details, bound(log.valid_for.start, "always"), bound(log.valid_for.end, "now"));
    }
  };
  logs("transparency log", root.tlogs);
  logs("CT log", root.ctlogs);
  for (const auto& tsa : root.timestamp_authorities) {
    text += Text::format("timestamp authority {} ({} certificates): {} .. {}\n", tsa.uri, tsa.chain.size(),
                         bound(tsa.valid_for.start, "always"), bound(tsa.valid_for.end, "now"));
  }
  text += Text::format("signing config: {}\n", t.files.signing_config ? "yes" : "none in the repository");
  return text;
}

Result<int> run(const Options& o, bool update, const GlobalOptions& global)
{
  SIGIL_TRY_ASSIGN(const auto got, tuf_trust(o.tuf, {.force = update, .verbose = global.verbose}));
  if (!got) {
    return fail(ErrorCode::usage, "TUF is turned off (--tuf-mirror or SIGIL_TUF_MIRROR is none)");
  }
  auto root = trust::parse_trusted_root(got->files.trusted_root);
  if (root) { // verifications decode only the authorities they use: a broken certificate shows here
    if (auto checked = trust::check_certificates(*root); !checked) {
      root = fail(checked.error());
    }
  }
  if (!root) {
    return fail(root.error().context(fmt::format("trusted_root.json from TUF {}", got->mirror)));
  }
  if (o.json) {
    print_result(util::dump_json(show_json(*got, *root)) + "\n");
  } else if (update) {
    print_info("Updated the Sigstore trust from TUF {}: root version {}, timestamp version {}, valid until {}",
               got->mirror, got->files.root_version, got->files.timestamp_version,
               util::rfc3339_utc(got->files.expires));
  } else {
    print_text(show_text(*got, *root));
  }
  return 0;
}

void register_trust_action(Commands& commands, CLI::App* parent, const std::string& name, const std::string& about,
                           bool update)
{
  auto* app = parent->add_subcommand(name, about);
  app->footer(fmt::format("\nExamples:\n  sigil trust {0}\n  sigil trust {0} --tuf-mirror https://tuf.example "
                          "--tuf-root root.json --json\n",
                          name));
  app->fallthrough();
  commands.add_nested(app);
  auto o = std::make_shared<Options>();
  add_tuf_flags(app, o->tuf);
  app->add_flag("--json", o->json, "Print JSON on stdout");
  commands.set_run(app, [o, update, &global = commands.global()]() -> Result<int> { return run(*o, update, global); });
}

} // namespace

void register_trust(Commands& commands)
{
  auto* app = commands.add("trust", "The Sigstore trust from TUF: refresh it, or show what is trusted",
                           "  sigil trust update\n"
                           "  sigil trust show\n"
                           "  sigil trust show --json | jq '.tlogs[].baseUrl'\n");
  app->require_subcommand(1);
  register_trust_action(commands, app, "update", "Ask the TUF mirror now and cache the verified trust", true);
  register_trust_action(commands, app, "show",
                        "Print each CA, transparency log, CT log and TSA trusted, with its validity window", false);
}

} // namespace sigil::cli
