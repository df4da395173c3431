// sigil::gate --pin.
#include "sigil/gate/pin.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sigil::gate {

std::string pinned_text(const ImageOccurrence& occurrence, const oci::Digest& digest)
{
  if (occurrence.image.digest()) {
    return occurrence.text;
  }
  const std::string_view text = occurrence.text;
  const auto slash = text.rfind('/');
  const auto colon = text.find(':', slash == std::string_view::npos ? 0 : slash + 1);
  const auto name = text.substr(0, colon);
  return fmt::format("{}@{}", name, digest.str());
}

Result<std::string> apply_pins(std::string_view text, std::vector<PinEdit> edits)
{
  std::ranges::sort(edits, {}, &PinEdit::offset);
  const auto same_offset = [](const PinEdit& a, const PinEdit& b) { return a.offset == b.offset; };
  edits.erase(std::unique(edits.begin(), edits.end(), same_offset), edits.end()); // aliases
  std::string out;
  out.reserve(text.size() + edits.size() * 80);
  std::size_t copied = 0;
  for (const auto& edit : edits) {
    const std::size_t start = edit.offset + (edit.quoting == Quoting::plain ? 0 : 1);
    if (start < copied) {
      return fail(ErrorCode::internal, fmt::format("pin edits overlap at byte {}", edit.offset));
    }
    if (start > text.size() || text.substr(start, edit.old_text.size()) != edit.old_text) {
      return fail(ErrorCode::internal,
                  fmt::format("the text at byte {} is no longer {:?}; was the file changed while sigil read it?",
                              start, edit.old_text));
    }
    out.append(text.substr(copied, start - copied));
    out.append(edit.new_text);
    copied = start + edit.old_text.size();
  }
  out.append(text.substr(copied));
  return out;
}

} // namespace sigil::gate
