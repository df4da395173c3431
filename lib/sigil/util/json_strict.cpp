#include "sigil/util/json_strict.hpp"

#include <fmt/format.h>

#include <set>
#include <string>
#include <vector>

namespace sigil::util {

namespace {

constexpr std::size_t k_max_key_in_message = 64;

// A key as it may appear in an error message: JSON-quoted (so control characters are
// escaped) and truncated, since it comes from hostile input.
std::string quote_untrusted_key(std::string_view key)
{
  const bool truncated = key.size() > k_max_key_in_message;
  const Json quoted(std::string(key.substr(0, k_max_key_in_message)));
  return dump_json(quoted) + (truncated ? "..." : "");
}

// Parser callback state: the keys seen so far in each open object, and the first problem.
struct StrictState {
  int max_depth = k_max_json_depth;
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  bool duplicate_found = false;
  bool too_deep = false;

  [[nodiscard]] bool failed() const { return duplicate_found || too_deep; }
};

template <typename J> bool on_event(StrictState& state, int depth, nlohmann::detail::parse_event_t event, J& parsed)
{
  using Event = nlohmann::detail::parse_event_t;
  if (state.failed()) {
    return false; // the result is an error anyway; discard everything that follows
  }
  switch (event) {
  case Event::object_start:
  case Event::array_start:
    // depth counts the containers already open, so the outermost one has depth 0.
    if (depth >= state.max_depth) {
      state.too_deep = true;
      return false;
    }
    if (event == Event::object_start) {
      state.open_objects.emplace_back();
    }
    return true;
  case Event::key: {
    const auto* key = parsed.template get_ptr<const typename J::string_t*>();
    if (key != nullptr && !state.open_objects.empty() && !state.open_objects.back().insert(*key).second) {
      state.duplicate_found = true;
      state.duplicate = *key;
    }
    return true;
  }
  case Event::object_end:
    if (!state.open_objects.empty()) {
      state.open_objects.pop_back();
    }
    return true;
  case Event::array_end:
  case Event::value: return true;
  }
  return true;
}

template <typename J> Result<J> parse_strict(std::string_view text, int max_depth)
{
  SIGIL_TRY(valid_json_bytes(text));
  StrictState state;
  state.max_depth = max_depth;
  const auto callback = [&state](int depth, nlohmann::detail::parse_event_t event, J& parsed) {
    return on_event(state, depth, event, parsed);
  };
  J value = J::parse(text, callback, /*allow_exceptions=*/false);
  if (state.too_deep) {
    return fail(ErrorCode::bad_input, fmt::format("invalid JSON: nested deeper than {} levels", max_depth));
  }
  if (value.is_discarded()) {
    return fail(ErrorCode::bad_input, "invalid JSON");
  }
  if (state.duplicate_found) {
    return fail(ErrorCode::bad_input,
                fmt::format("invalid JSON: duplicate key {} in an object (refused: parsers disagree on which "
                            "value wins)",
                            quote_untrusted_key(state.duplicate)));
  }
  return value;
}

} // namespace

Result<Json> parse_json_strict(std::string_view text, int max_depth)
{
  return parse_strict<Json>(text, max_depth);
}

Result<OrderedJson> parse_ordered_json_strict(std::string_view text, int max_depth)
{
  return parse_strict<OrderedJson>(text, max_depth);
}

} // namespace sigil::util
