// sigil env: the environment variables sigil reads (the core/env table), with their state.
// Secret values are never printed; sigil-environment(7) is checked against this listing.
#include "command.hpp"
#include "output.hpp"

#include "sigil/core/env.hpp"
#include "sigil/util/json.hpp"

#include <fmt/format.h>

namespace sigil::cli {

namespace {

Text state_text(const core::env::Variable& v)
{
  const auto value = core::env::get(v.name);
  if (!value) {
    return Text::format("unset");
  }
  if (v.secret == core::env::Secret::yes) {
    return Text::format("set (secret, not shown)");
  }
  return Text::format("\"{}\"", *value);
}

util::OrderedJson entry_json(const core::env::Variable& v)
{
  const auto value = core::env::get(v.name);
  util::OrderedJson j;
  j["name"] = v.name;
  j["description"] = v.description;
  j["secret"] = v.secret == core::env::Secret::yes;
  j["set"] = value.has_value();
  if (value && v.secret == core::env::Secret::no) {
    j["value"] = *value;
  }
  return j;
}

} // namespace

void register_env(Commands& commands)
{
  auto* app =
      commands.add("env", "List the environment variables sigil reads, with their state (secret values never shown)",
                   "  sigil env\n"
                   "  sigil env -o json | jq -r '.[].name'\n");
  auto output = std::make_shared<std::string>("text");
  app->add_option("-o,--output", *output, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  commands.set_run(app, [output]() -> Result<int> {
    if (*output == "json") {
      util::OrderedJson array = util::OrderedJson::array();
      for (const auto& v : core::env::variables()) {
        array.push_back(entry_json(v));
      }
      print_result(util::dump_json(array) + "\n");
      return 0;
    }
    Text text;
    for (const auto& v : core::env::variables()) {
      text += Text::format("{}: {}\n    {}\n", v.name, state_text(v), v.description);
    }
    print_text(text);
    return 0;
  });
}

} // namespace sigil::cli
