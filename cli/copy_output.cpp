#include "copy_output.hpp"

#include "output.hpp"

#include <chrono>
#include <memory>

#include <unistd.h>

namespace sigil::cli {

namespace {

bool g_drawn = false;

struct ProgressState {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last{};
  std::string image;
};

void draw(ProgressState& s, const copy::Progress& p)
{
  const auto now = std::chrono::steady_clock::now();
  if (p.image != s.image) {
    s = ProgressState{};
    s.image = p.image;
  } else if (now - s.last < std::chrono::milliseconds(200) && p.bytes < p.total) {
    return;
  }
  s.last = now;
  const double seconds = std::max(0.001, std::chrono::duration<double>(now - s.start).count());
  const double rate = static_cast<double>(p.bytes) / seconds; // bytes per second
  const double left = rate > 0 && p.total > p.bytes ? static_cast<double>(p.total - p.bytes) / rate : 0.0;
  constexpr double mib = 1024.0 * 1024.0;
  print_prompt("\r\x1b[K{} {:.1f}/{:.1f} MiB {:.1f} MiB/s ETA {:.0f}s", p.image, static_cast<double>(p.bytes) / mib,
               static_cast<double>(p.total) / mib, rate / mib, left);
  g_drawn = true;
}

} // namespace

std::function<void(const copy::Progress&)> terminal_progress()
{
  if (::isatty(STDERR_FILENO) != 1) {
    return {};
  }
  auto state = std::make_shared<ProgressState>();
  return [state](const copy::Progress& p) { draw(*state, p); };
}

void end_progress()
{
  if (g_drawn) {
    print_prompt("\n");
    g_drawn = false;
  }
}

util::OrderedJson report_json(const std::string& source, const std::string& destination, const copy::CopyReport& r)
{
  util::OrderedJson j;
  j["source"] = source;
  j["destination"] = destination;
  j["digest"] = r.digest.str();
  j["mediaType"] = r.media_type;
  j["blobs"] = {{"uploaded", r.blobs_uploaded},
                {"mounted", r.blobs_mounted},
                {"present", r.blobs_present},
                {"bytesUploaded", r.bytes_uploaded}};
  j["manifests"] = {{"written", r.manifests_written}, {"present", r.manifests_present}};
  j["attachments"] = {{"tags", r.signature_tags},
                      {"layersAdded", r.layers_added},
                      {"referrers", r.referrers},
                      {"referrersWritten", r.referrers_written}};
  return j;
}

void print_report(const std::string& source, const std::string& destination, const copy::CopyReport& r)
{
  print_info("{} -> {} ({})", source, destination, r.digest.str());
  print_info("  blobs: {} uploaded ({} bytes), {} mounted, {} already there", r.blobs_uploaded, r.bytes_uploaded,
             r.blobs_mounted, r.blobs_present);
  print_info("  manifests: {} written, {} already there", r.manifests_written, r.manifests_present);
  print_info("  attachments: {} cosign tag(s), {} layer(s) added; {} referrer(s), {} written", r.signature_tags,
             r.layers_added, r.referrers, r.referrers_written);
}

} // namespace sigil::cli
