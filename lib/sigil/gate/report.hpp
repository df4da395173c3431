// sigil::gate reports: JSON (-o json) and JUnit XML (--junit FILE, one test case per unique
// image, as GitLab's `artifacts: reports: junit` shows them in a merge request).
#pragma once

#include "sigil/gate/gate.hpp"

#include <string>
#include <string_view>

namespace sigil::gate {

// "pass", "fail", "audit", or "error" for an image that could not be decided.
[[nodiscard]] std::string_view outcome_name(const GateImage& image);

// One JSON object, one line, ending in a newline:
//   {"status":15,"allowed":false,"decisions":2,"images":[{"image":..,"digest":..,"verdict":..,
//    "rule":..,"reasons":[..],"error":{"code":..,"message":..},"occurrences":[{"file":..,
//    "document":..,"kind":..,"name":..,"field":..,"container":..,"line":..,"column":..,"text":..}]}],
//    "notChecked":["FILE: document N: KIND/NAME (line L)",..]}
[[nodiscard]] std::string report_json(const GateReport& report);

// {"occurrences":[...]} (the occurrence objects above), for `sigil gate --list -o json`.
[[nodiscard]] std::string report_json_occurrences(const GateReport& report);

// A JUnit XML document: <testsuites><testsuite name="sigil gate"> with a <testcase> per unique
// image; a refused image has a <failure>, an undecided one an <error>, both with the reasons
// and where the image came from; an object not checked (GateReport::not_checked) is a
// <skipped> test case. Text is escaped; bytes that XML 1.0 cannot carry (controls,
// invalid UTF-8) are written as \xNN.
[[nodiscard]] std::string report_junit(const GateReport& report);

// XML character data / attribute value escaping (exposed for the unit tests).
[[nodiscard]] std::string xml_escape(std::string_view text);

} // namespace sigil::gate
