// Running one task per item on a few threads (the CLI's multi-image commands).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace sigil::cli {

// Calls task(i) for every i in [0, count), on at most max_workers threads (this one included);
// returns when all are done. Tasks write their own results (one slot per i).
template <typename Task> void for_each_parallel(std::size_t count, int max_workers, const Task& task)
{
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      task(i);
    }
  };
  const auto workers = std::min(static_cast<std::size_t>(std::max(max_workers, 1)), count);
  std::vector<std::jthread> pool;
  for (std::size_t w = 1; w < workers; ++w) {
    pool.emplace_back(worker);
  }
  worker();
} // the jthreads join here

} // namespace sigil::cli
