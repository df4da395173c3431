// sigil::util streaming input: files far larger than memory are read in fixed chunks.
//
// An input name is a file path or "-" for standard input.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/util/bytes.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace sigil::util {

constexpr std::size_t k_stream_chunk = std::size_t{1} << 20; // 1 MiB

// Calls sink for each chunk; returns the total number of bytes read.
[[nodiscard]] Result<std::uint64_t> stream_input(const std::string& input, const std::function<void(ByteView)>& sink);

// The whole input in memory: mapped read-only for regular files, read (up to max_size)
// for pipes. For algorithms that cannot work on a digest (pure Ed25519).
class WholeInput {
public:
  // map: a regular file is mapped, so a change to the file while it is in use shows through
  // (fine for verifying: the answer is about the bytes read). snapshot: a regular file is
  // copied into private memory, so the bytes cannot change while they are used; for signing
  // with pure Ed25519, which reads the message twice (nonce, then challenge): two signatures
  // whose nonce came from the same bytes and whose challenge did not would give away the key.
  enum class Mode { map, snapshot };
  [[nodiscard]] static Result<WholeInput> open(const std::string& input, std::uint64_t max_size, Mode mode = Mode::map);
  ~WholeInput();
  WholeInput(WholeInput&& other) noexcept;
  WholeInput& operator=(WholeInput&&) = delete;
  WholeInput(const WholeInput&) = delete;
  WholeInput& operator=(const WholeInput&) = delete;
  [[nodiscard]] ByteView bytes() const { return m_view; }

private:
  WholeInput() = default;
  void* m_map = nullptr;
  std::size_t m_map_size = 0;
  std::string m_buffer;
  ByteView m_view;
};

} // namespace sigil::util
