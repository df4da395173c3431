// Running one task per item on a few threads (the CLI's multi-image commands).
#pragma once

#include "sigil/core/result.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

namespace sigil::cli {

// Calls task(i) for every i in [0, count), on at most max_workers threads (this one included),
// and returns the results in order. task returns a Result<T>. An exception thrown by one task
// is that item's failure (ErrorCode::internal), never the process's: it cannot escape a
// worker thread (where it would call std::terminate) or stop the other items.
template <typename Task> auto map_parallel(std::size_t count, int max_workers, const Task& task)
{
  using R = std::invoke_result_t<const Task&, std::size_t>;
  std::vector<std::optional<R>> slots(count);
  std::atomic<std::size_t> next{0};
  const auto run_one = [&](std::size_t i) {
    try {
      slots[i].emplace(task(i));
    } catch (const std::exception& e) {
      slots[i].emplace(fail(ErrorCode::internal, fmt::format("internal error: {}", e.what())));
    } catch (...) {
      slots[i].emplace(fail(ErrorCode::internal, "internal error: unknown exception"));
    }
  };
  const auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      run_one(i);
    }
  };
  const auto workers = std::min(static_cast<std::size_t>(std::max(max_workers, 1)), count);
  {
    std::vector<std::jthread> pool;
    for (std::size_t w = 1; w < workers; ++w) {
      pool.emplace_back(worker);
    }
    worker();
  } // the jthreads join here
  std::vector<R> out;
  out.reserve(count);
  for (auto& slot : slots) {
    out.push_back(std::move(*slot));
  }
  return out;
}

} // namespace sigil::cli
