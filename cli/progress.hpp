// A progress line for long work on a terminal: sign-blob/verify-blob of a large input (bytes,
// rate) and multi-image sign/verify (n/N images). One line on stderr, redrawn with \r at most
// 10 times a second and cleared when the work ends; nothing at all when stderr is not a
// terminal or the caller asked for machine output. The library only reports how far it got
// (a callback from its read loop); everything about terminals is here.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace sigil::cli {

// Inputs smaller than this finish before a progress line would help: none is drawn.
constexpr std::uint64_t k_progress_min_bytes = std::uint64_t{64} << 20;

// True when stderr is a terminal and machine_output is false (-o json given).
[[nodiscard]] bool progress_wanted(bool machine_output);

class Progress {
public:
  // label starts the line ("sign-blob big.iso", "verify"). enabled: progress_wanted(...).
  Progress(std::string label, bool enabled);
  ~Progress(); // clears the line, if one was drawn
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // For reading `input` (a path, or "-"): a callback taking the bytes read so far, drawing
  // "LABEL: 12.0/120.0 MiB, 850.3 MiB/s" (no total for stdin). Empty when disabled or the
  // input is a file under k_progress_min_bytes. The callback must not outlive this object.
  [[nodiscard]] std::function<void(std::uint64_t)> reader(const std::string& input);

  // n of `total` items done: "LABEL: 3/10 images". Thread-safe; drawn for 2 items or more.
  void start_items(std::size_t total);
  void item_done();

  // Clears the line now (before the results are printed).
  void finish();

private:
  void draw_bytes(std::uint64_t done);
  void draw(const std::string& line, bool force);
  void clear();

  std::string m_label;
  bool m_enabled;
  bool m_drawn = false;
  std::uint64_t m_total_bytes = 0; // 0: unknown
  std::size_t m_items = 0;
  std::size_t m_items_done = 0;
  std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point m_last{};
  std::mutex m_mutex;
};

} // namespace sigil::cli
