// sigil::gate the deploy gate.
#include "sigil/gate/gate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <thread>

namespace sigil::gate {

namespace {

// Runs task(i) for i in [0, count) on at most `workers` threads (this one included). An
// exception of one task is recorded by `on_throw(i, what)`, never the process's.
template <typename Task, typename OnThrow>
void parallel_for(std::size_t count, int workers, const Task& task, const OnThrow& on_throw)
{
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      try {
        task(i);
      } catch (const std::exception& e) {
        on_throw(i, fmt::format("internal error: {}", e.what()));
      } catch (...) {
        on_throw(i, std::string("internal error: unknown exception"));
      }
    }
  };
  const auto n = std::min(static_cast<std::size_t>(std::max(workers, 1)), count);
  std::vector<std::jthread> pool;
  for (std::size_t w = 1; w < n; ++w) {
    pool.emplace_back(worker);
  }
  worker();
}

// Unique references in order of first occurrence (canonical form: a tag+digest is its digest).
std::vector<GateImage> group(const std::vector<ImageOccurrence>& occurrences)
{
  std::vector<GateImage> images;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < occurrences.size(); ++i) {
    const auto key = occurrences[i].image.str();
    const auto [it, inserted] = index.try_emplace(key, images.size());
    if (inserted) {
      images.push_back({.image = occurrences[i].image, .by_digest = std::nullopt, .occurrences = {}, .rule = {}});
    }
    images[it->second].occurrences.push_back(i);
  }
  return images;
}

void resolve_all(registry::Client& client, std::vector<GateImage>& images, int workers)
{
  parallel_for(
    images.size(), workers,
    [&](std::size_t i) {
      auto& image = images[i];
      if (const auto& digest = image.image.digest()) {
        image.by_digest = image.image.with_digest(*digest);
        return;
      }
      auto resolved = client.resolve(image.image);
      if (!resolved) {
        image.outcome = fail(resolved.error().context(fmt::format("resolving {}", image.image.str())));
        return;
      }
      image.by_digest = image.image.with_digest(resolved->digest);
    },
    [&](std::size_t i, std::string what) { images[i].outcome = fail(ErrorCode::internal, std::move(what)); });
}

} // namespace

std::string_view verdict_name(Verdict verdict)
{
  switch (verdict) {
  case Verdict::pass: return "pass";
  case Verdict::audit: return "audit";
  case Verdict::fail: break;
  }
  return "fail";
}

bool GateReport::allowed(const GateImage& image) const
{
  return image.outcome && image.outcome->verdict != Verdict::fail;
}

int GateReport::exit_status() const
{
  int worst = 0;
  for (const auto& image : images) {
    if (!image.outcome) {
      worst = std::max(worst, sigil::exit_status(image.outcome.error().code));
    } else if (image.outcome->verdict == Verdict::fail) {
      worst = std::max(worst, sigil::exit_status(ErrorCode::policy_failed));
    }
  }
  return worst;
}

GateReport run_gate(registry::Client& client, GateRequest request, const ImageDecider& decider)
{
  GateReport report{.occurrences = std::move(request.occurrences), .images = {}, .decisions = 0};
  report.images = group(report.occurrences);
  resolve_all(client, report.images, request.max_workers);
  // One decision per (rule, digest); every image that resolved to it shares it.
  std::map<std::pair<std::string, std::string>, std::size_t> memo;
  std::vector<std::size_t> first; // image index that carries each decision
  std::vector<std::size_t> decision_of(report.images.size(), SIZE_MAX);
  for (std::size_t i = 0; i < report.images.size(); ++i) {
    auto& image = report.images[i];
    if (!image.by_digest) {
      continue;
    }
    try {
      image.rule = decider.rule_for(*image.by_digest);
    } catch (const std::exception& e) {
      image.outcome = fail(ErrorCode::internal, fmt::format("internal error: choosing the rule: {}", e.what()));
      continue;
    }
    const auto [it, inserted] = memo.try_emplace(std::pair{image.rule, image.by_digest->str()}, first.size());
    if (inserted) {
      first.push_back(i);
    }
    decision_of[i] = it->second;
  }
  std::vector<Result<ImageDecision>> decisions(first.size(), fail(ErrorCode::internal, "not decided"));
  parallel_for(
    first.size(), request.max_workers,
    [&](std::size_t d) { decisions[d] = decider.decide(*report.images[first[d]].by_digest); },
    [&](std::size_t d, std::string what) { decisions[d] = fail(ErrorCode::internal, std::move(what)); });
  for (std::size_t i = 0; i < report.images.size(); ++i) {
    if (decision_of[i] != SIZE_MAX) {
      report.images[i].outcome = decisions[decision_of[i]];
    }
  }
  report.decisions = first.size();
  return report;
}

} // namespace sigil::gate
