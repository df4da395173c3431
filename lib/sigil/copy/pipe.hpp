// sigil::copy pipe: a blob downloaded into a sink (push) read by an upload (pull), without
// holding it whole: the download runs on a thread of its own, at most k_pipe_bytes ahead of
// the reader. Dropping the source early cancels the download and joins the thread.
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/registry/client.hpp"
#include "sigil/util/bytes.hpp"

#include <cstddef>
#include <functional>

namespace sigil::copy {

inline constexpr std::size_t k_pipe_bytes = std::size_t{1} << 20;

using Sink = std::function<Result<void>(util::ByteView)>;
// Pushes the whole blob into the sink; its error (or the sink's) ends the stream with it.
using Producer = std::function<Result<void>(const Sink&)>;

[[nodiscard]] registry::BlobSource pipe_source(Producer produce);

} // namespace sigil::copy
