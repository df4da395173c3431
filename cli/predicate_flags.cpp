#include "predicate_flags.hpp"

#include "secrets.hpp"

#include "sigil/intoto/statement.hpp"
#include "sigil/util/file.hpp"

namespace sigil::cli {

namespace {

constexpr std::uint64_t k_max_predicate = std::uint64_t{32} << 20;

} // namespace

std::string predicate_type_choices()
{
  std::string names;
  for (const auto& p : intoto::predicate_type_names()) {
    names += names.empty() ? "" : ",";
    names += p.name;
  }
  return "TYPE:{" + names + "}";
}

Result<sign::PredicateInput> read_predicate(const PredicateFlags& o)
{
  auto content = o.predicate == "-" ? util::read_stdin(k_max_predicate) : util::read_file(o.predicate, k_max_predicate);
  SIGIL_TRY_CONTEXT(content, "reading --predicate");
  return sign::PredicateInput{o.type, std::move(*content),
                              o.statement_version == "v0.1" ? "https://in-toto.io/Statement/v0.1"
                                                            : "https://in-toto.io/Statement/v1"};
}

void add_predicate_flags(CLI::App* app, PredicateFlags& o)
{
  app->add_option("--key", o.key, "Private key (path or env://VAR); without it, keyless signing");
  app->add_option("--predicate", o.predicate, "Predicate file (JSON object; any text for --type custom), - for stdin")
      ->required();
  app->add_option("--type", o.type, "Predicate type: one of the names listed, or a URI")
      ->type_name(predicate_type_choices())
      ->capture_default_str();
  app->add_option("--statement-version", o.statement_version, "in-toto Statement version")
      ->check(CLI::IsMember({"v1", "v0.1"}))
      ->capture_default_str();
  app->add_option("--password-file", o.password_file, "Read the key's password from FILE");
  add_key_permissions_flag(app, o.allow_insecure_key_permissions);
  add_keyless_sign_flags(app, o.keyless);
  add_tlog_upload_flag(app, o.tlog_upload);
}

Result<OpenedSigner> open_predicate_signer(const PredicateFlags& o, const GlobalOptions& global, std::string_view what,
                                           bool legacy_output)
{
  SIGIL_TRY(check_tlog_upload(o.tlog_upload, !o.key.empty()));
  return open_any_signer({o.key, o.password_file, o.allow_insecure_key_permissions, o.keyless, legacy_output}, global,
                         what);
}

} // namespace sigil::cli
