#include "suggest.hpp"

#include <algorithm>
#include <numeric>

namespace sigil::cli {

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b)
{
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

} // namespace

std::string nearest_name(std::string_view typed, const std::vector<std::string>& candidates)
{
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(typed, c);
    if (d < best_distance && d * 2 < typed.size()) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::vector<std::string> option_names(const CLI::App& app)
{
  std::vector<std::string> out;
  for (const CLI::Option* opt : app.get_options()) {
    for (const auto& name : opt->get_lnames()) {
      out.push_back("--" + name);
    }
    for (const auto& name : opt->get_snames()) {
      out.push_back("-" + name);
    }
  }
  return out;
}

std::vector<std::string> command_names(const CLI::App& root)
{
  std::vector<std::string> out;
  for (const CLI::App* sub : root.get_subcommands({})) {
    out.push_back(sub->get_name());
  }
  return out;
}

const CLI::App& parsed_command(const CLI::App& root)
{
  const CLI::App* app = &root;
  for (std::size_t depth = 0; depth < 4; ++depth) { // sigil's commands nest one level (download signature)
    const auto parsed = app->get_subcommands();
    if (parsed.empty()) {
      break;
    }
    app = parsed.front();
  }
  return *app;
}

std::string help_hint(const CLI::App& root)
{
  std::string command;
  for (const CLI::App* app = &parsed_command(root); app != nullptr && app != &root; app = app->get_parent()) {
    command = app->get_name() + (command.empty() ? "" : " " + command);
  }
  return command.empty() ? "run 'sigil --help' for usage" : "run 'sigil " + command + " --help' for usage";
}

} // namespace sigil::cli
