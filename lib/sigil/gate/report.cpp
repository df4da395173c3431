// sigil::gate reports.
#include "sigil/gate/report.hpp"

#include "sigil/util/json.hpp"

#include <fmt/format.h>

namespace sigil::gate {

namespace {

// Length of the valid UTF-8 sequence at text[i] (1-4), or 0 when it is not valid.
std::size_t utf8_length(std::string_view text, std::size_t i)
{
  const auto c = static_cast<unsigned char>(text[i]);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2, cp = c & 0x1fu;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3, cp = c & 0x0fu;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4, cp = c & 0x07u;
  } else {
    return 0;
  }
  if (i + n > text.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(text[i + k]);
    if ((cc & 0xc0u) != 0x80u) {
      return 0;
    }
    cp = (cp << 6) | (cc & 0x3fu);
  }
  const bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  const bool not_xml = (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff || cp > 0x10ffff;
  return overlong || not_xml ? 0 : n;
}

util::Json occurrence_json(const ImageOccurrence& o)
{
  return {{"file", o.file},   {"document", o.document}, {"kind", o.kind}, {"name", o.name},
          {"field", o.field}, {"container", o.container}, {"line", o.line}, {"column", o.column},
          {"text", o.text}};
}

util::Json image_json(const GateReport& report, const GateImage& image)
{
  util::Json j{{"image", image.image.str()}, {"verdict", outcome_name(image)}, {"rule", image.rule}};
  j["digest"] = image.by_digest ? util::Json(image.by_digest->digest()->str()) : util::Json(nullptr);
  j["reasons"] = util::Json::array();
  if (image.outcome) {
    for (const auto& r : image.outcome->reasons) {
      j["reasons"].push_back(r);
    }
  } else {
    j["error"] = {{"code", error_code_name(image.outcome.error().code)}, {"message", image.outcome.error().message}};
  }
  j["occurrences"] = util::Json::array();
  for (const auto i : image.occurrences) {
    j["occurrences"].push_back(occurrence_json(report.occurrences[i]));
  }
  return j;
}

std::string where_lines(const GateReport& report, const GateImage& image)
{
  std::string out;
  for (const auto i : image.occurrences) {
    out += fmt::format("{}: {}\n", report.occurrences[i].where(), report.occurrences[i].text);
  }
  return out;
}

std::string testcase(const GateReport& report, const GateImage& image)
{
  const auto name = xml_escape(image.image.str());
  const auto file = xml_escape(report.occurrences[image.occurrences.front()].file);
  std::string body;
  if (!image.outcome) {
    const auto& e = image.outcome.error();
    body = fmt::format("<error message=\"{}\" type=\"{}\">{}</error>", xml_escape(e.message),
                       error_code_name(e.code), xml_escape(where_lines(report, image)));
  } else if (image.outcome->verdict == Verdict::fail) {
    const auto& reasons = image.outcome->reasons;
    std::string text;
    for (const auto& r : reasons) {
      text += r + "\n";
    }
    body = fmt::format("<failure message=\"{}\" type=\"{}\">{}{}</failure>",
                       xml_escape(reasons.empty() ? "refused" : reasons.front()), xml_escape(image.rule),
                       xml_escape(text), xml_escape(where_lines(report, image)));
  }
  std::string out_text = image.outcome ? fmt::format("{}: {}\n", outcome_name(image), image.rule) : std::string{};
  if (image.outcome) {
    for (const auto& r : image.outcome->reasons) {
      out_text += r + "\n";
    }
  }
  out_text += where_lines(report, image);
  return fmt::format("    <testcase classname=\"sigil.gate\" name=\"{}\" file=\"{}\">{}<system-out>{}</system-out>"
                     "</testcase>\n",
                     name, file, body, xml_escape(out_text));
}

} // namespace

std::string_view outcome_name(const GateImage& image)
{
  return image.outcome ? verdict_name(image.outcome->verdict) : "error";
}

std::string report_json(const GateReport& report)
{
  util::Json j{{"status", report.exit_status()}, {"allowed", report.exit_status() == 0},
               {"decisions", report.decisions}};
  j["images"] = util::Json::array();
  for (const auto& image : report.images) {
    j["images"].push_back(image_json(report, image));
  }
  j["notChecked"] = report.not_checked;
  return util::dump_json(j) + "\n";
}

std::string report_json_occurrences(const GateReport& report)
{
  util::Json j{{"occurrences", util::Json::array()}};
  for (const auto& o : report.occurrences) {
    auto item = occurrence_json(o);
    item["image"] = o.image.str();
    j["occurrences"].push_back(std::move(item));
  }
  return util::dump_json(j) + "\n";
}

std::string report_junit(const GateReport& report)
{
  std::size_t failures = 0;
  std::size_t errors = 0;
  std::string cases;
  for (const auto& image : report.images) {
    failures += image.outcome && image.outcome->verdict == Verdict::fail ? 1 : 0;
    errors += image.outcome ? 0 : 1;
    cases += testcase(report, image);
  }
  // An object the gate did not check is a skipped test case: a merge request shows it.
  for (const auto& object : report.not_checked) {
    cases += fmt::format("    <testcase classname=\"sigil.gate\" name=\"{}\"><skipped message=\"kind unknown to the "
                         "gate (--allow-unknown-kinds)\"/></testcase>\n",
                         xml_escape(object));
  }
  const auto tests = report.images.size() + report.not_checked.size();
  const auto counts = fmt::format("tests=\"{}\" failures=\"{}\" errors=\"{}\"", tests, failures, errors);
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sigil gate\" {}>\n"
                     "  <testsuite name=\"sigil gate\" {} skipped=\"{}\">\n{}  </testsuite>\n</testsuites>\n",
                     counts, counts, report.not_checked.size(), cases);
}

std::string xml_escape(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const auto n = utf8_length(text, i);
      out += n == 0 ? fmt::format("\\x{:02x}", c) : std::string(text.substr(i, n));
      i += n == 0 ? 1 : n;
      continue;
    }
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&apos;"; break;
    case '\n': out += "&#10;"; break;
    case '\t': out += "&#9;"; break;
    default: out += c < 0x20 || c == 0x7f ? fmt::format("\\x{:02x}", c) : std::string(1, static_cast<char>(c));
    }
    ++i;
  }
  return out;
}

} // namespace sigil::gate
