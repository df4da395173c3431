// sigil::verify payload budget: how many payload bytes one image's report may hold. A payload
// is kept only when its signature verified (the report prints it, as cosign does); one that did
// not is dropped right after its check. The ones kept count against a per-image budget, so that
// the memory a verification holds is bounded whatever the registry serves (DESIGN.md §3 rule 5):
// at most k_payload_budget_factor × the payload cap, plus the one payload being checked.
#pragma once

#include "sigil/verify/image.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace sigil::verify {

inline constexpr std::uint64_t k_payload_budget_factor = 16;

class PayloadBudget {
public:
  explicit PayloadBudget(std::uint64_t max_payload_bytes)
    : m_limit(max_payload_bytes > std::numeric_limits<std::uint64_t>::max() / k_payload_budget_factor
                ? std::numeric_limits<std::uint64_t>::max()
                : max_payload_bytes * k_payload_budget_factor)
  {
  }

  // Why a payload that declares `size` bytes is not read, when reading it could take the
  // payloads held past the budget.
  [[nodiscard]] std::optional<std::string> refuse(std::int64_t size) const
  {
    const auto want = size < 0 ? std::uint64_t{0} : static_cast<std::uint64_t>(size);
    if (want > m_limit - m_held) {
      return fmt::format("not read: payload budget of {} bytes for this image is spent", m_limit);
    }
    return std::nullopt;
  }

  // After the check: a payload that did not verify is dropped (its memory freed); one that did
  // is kept and counted.
  void settle(SignatureReport& report)
  {
    if (!report.verified) {
      std::string{}.swap(report.payload);
      return;
    }
    const auto size = static_cast<std::uint64_t>(report.payload.size());
    m_held = size > m_limit - m_held ? m_limit : m_held + size;
  }

private:
  std::uint64_t m_limit;
  std::uint64_t m_held = 0;
};

} // namespace sigil::verify
