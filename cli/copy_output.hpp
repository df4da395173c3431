// What copy, save and load share in the CLI: the progress line on a terminal, and the report
// (text on stderr with --verbose, JSON on stdout with -o json).
#pragma once

#include "sigil/copy/engine.hpp"
#include "sigil/util/json.hpp"

#include <functional>
#include <string>
#include <vector>

namespace sigil::cli {

// A progress callback that redraws one line on stderr at most 5 times a second (bytes, rate,
// ETA), or nothing when stderr is not a terminal (CI logs stay quiet).
[[nodiscard]] std::function<void(const copy::Progress&)> terminal_progress();
// Ends the progress line, when one was drawn.
void end_progress();

[[nodiscard]] util::OrderedJson report_json(const std::string& source, const std::string& destination,
                                            const copy::CopyReport& report);
// One line per image: what moved and how.
void print_report(const std::string& source, const std::string& destination, const copy::CopyReport& report);

} // namespace sigil::cli
