#include "progress.hpp"

#include "output.hpp"

#include <filesystem>
#include <system_error>

#include <unistd.h>

namespace sigil::cli {

namespace {

constexpr auto k_redraw = std::chrono::milliseconds(100); // at most 10 redraws a second
constexpr double k_mib = 1024.0 * 1024.0;

} // namespace

bool progress_wanted(bool machine_output)
{
  return !machine_output && ::isatty(STDERR_FILENO) == 1;
}

Progress::Progress(std::string label, bool enabled) : m_label(std::move(label)), m_enabled(enabled) {}

Progress::~Progress()
{
  clear();
}

void Progress::finish()
{
  const std::scoped_lock lock(m_mutex);
  clear();
}

void Progress::clear()
{
  if (m_drawn) {
    print_prompt("\r\x1b[K");
    m_drawn = false;
  }
}

std::function<void(std::uint64_t)> Progress::reader(const std::string& input)
{
  if (!m_enabled) {
    return {};
  }
  if (input != "-") {
    std::error_code ec;
    const auto size = std::filesystem::file_size(input, ec);
    if (ec || size < k_progress_min_bytes) {
      return {}; // small, or not a regular file (a digest given as sha256:HEX)
    }
    m_total_bytes = size;
  }
  return [this](std::uint64_t done) { draw_bytes(done); };
}

void Progress::draw_bytes(std::uint64_t done)
{
  if (m_total_bytes == 0 && done < k_progress_min_bytes) {
    return; // stdin: only once it is large
  }
  if (m_total_bytes != 0 && done >= m_total_bytes) {
    clear(); // read through: what follows (a log upload, the result) prints on a clean line
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (m_drawn && now - m_last < k_redraw) {
    return;
  }
  const double seconds = std::max(0.001, std::chrono::duration<double>(now - m_start).count());
  const double rate = static_cast<double>(done) / seconds / k_mib;
  const std::string line = m_total_bytes == 0
                               ? fmt::format("{:.1f} MiB, {:.1f} MiB/s", static_cast<double>(done) / k_mib, rate)
                               : fmt::format("{:.1f}/{:.1f} MiB, {:.1f} MiB/s", static_cast<double>(done) / k_mib,
                                             static_cast<double>(m_total_bytes) / k_mib, rate);
  draw(line, false);
}

void Progress::start_items(std::size_t total)
{
  const std::scoped_lock lock(m_mutex);
  m_items = total;
  if (m_enabled && m_items >= 2) {
    draw(fmt::format("0/{} images", m_items), true);
  }
}

void Progress::item_done()
{
  const std::scoped_lock lock(m_mutex);
  ++m_items_done;
  if (m_enabled && m_items >= 2) {
    draw(fmt::format("{}/{} images", m_items_done, m_items), m_items_done == 1);
  }
}

void Progress::draw(const std::string& line, bool force)
{
  const auto now = std::chrono::steady_clock::now();
  if (!force && m_drawn && now - m_last < k_redraw) {
    return;
  }
  m_last = now;
  m_drawn = true;
  print_prompt("\r\x1b[K{}: {}", m_label, line);
}

} // namespace sigil::cli
