// Tests for copy/engine: blobs are copied by worker threads; an exception thrown on one (here
// by the caller's progress callback) becomes the copy's error instead of std::terminate, and
// the other workers stop. Real layout stores on both sides.
#include "sigil/copy/engine.hpp"
#include "sigil/copy/layout_store.hpp"
#include "sigil/copy/pipe.hpp"
#include "sigil/oci/layout.hpp"
#include "sigil/oci/media_types.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <stdexcept>
#include <string>

namespace {

using namespace sigil;

// A layout in dir holding one image tagged v1: a config and `layers` layers of 64 KiB each.
oci::Digest make_image(const std::filesystem::path& dir, int layers)
{
  auto layout = oci::Layout::open_or_create(dir);
  REQUIRE(layout);
  const auto blob = [&](const std::string& bytes, std::string media_type) {
    const auto d = oci::sha256_digest(bytes);
    REQUIRE(layout->write_blob(d, bytes));
    return oci::Descriptor{.media_type = std::move(media_type), .digest = d,
                           .size = static_cast<std::int64_t>(bytes.size())};
  };
  oci::Manifest m;
  m.media_type = std::string(oci::media_type::oci_manifest);
  m.config = blob("{}", std::string(oci::media_type::oci_config));
  for (int i = 0; i < layers; ++i) {
    m.layers.push_back(blob(std::string(std::size_t{64} << 10, static_cast<char>('a' + i)),
                            "application/vnd.oci.image.layer.v1.tar"));
  }
  const auto bytes = oci::serialize_manifest(m);
  auto top = blob(bytes, std::string(oci::media_type::oci_manifest));
  layout->set_entry(top, std::string{"v1"});
  REQUIRE(layout->save_index());
  return top.digest;
}

} // namespace

TEST_CASE("copy: an exception on a blob worker is the copy's error, not std::terminate")
{
  const test::TempDir tmp;
  const auto digest = make_image(tmp.path() / "src", 6);
  auto src = copy::open_layout_store(tmp.path() / "src");
  auto dst = copy::create_layout_store(tmp.path() / "dst");
  REQUIRE(src);
  REQUIRE(dst);
  std::atomic<int> calls{0};
  copy::CopyRequest request{.source = **src, .destination = **dst, .source_ref = "v1", .dest_tag = "v1",
                            .only = {}, .platform = {},
                            .progress = [&](const copy::Progress& p) {
                              if (++calls == 3 && p.bytes > 0) {
                                throw std::runtime_error("progress display failed");
                              }
                            }};
  const auto report = copy::copy_image(request);
  REQUIRE_FALSE(report);
  CHECK(report.error().code == ErrorCode::internal);
  CHECK(report.error().message.starts_with("copying blob sha256:"));
  CHECK(report.error().message.ends_with(": progress display failed"));
  // Nothing half-way: the image's manifest is written only after all its blobs, so it is absent.
  auto dst_again = copy::open_layout_store(tmp.path() / "dst");
  REQUIRE(dst_again);
  auto found = (*dst_again)->find_manifest(digest.str());
  REQUIRE(found);
  CHECK_FALSE(found->has_value());
  // Without the failing callback the same copy completes.
  request.progress = nullptr;
  auto dst2 = copy::create_layout_store(tmp.path() / "dst2");
  REQUIRE(dst2);
  copy::CopyRequest again{.source = **src, .destination = **dst2, .source_ref = "v1", .dest_tag = "v1"};
  const auto ok = copy::copy_image(again);
  REQUIRE(ok);
  CHECK(ok->digest == digest);
}

TEST_CASE("copy: an exception in a pipe's download thread ends the stream with it")
{
  auto source = copy::pipe_source([](const copy::Sink& sink) -> Result<void> {
    const std::string chunk = "first";
    SIGIL_TRY(sink(util::as_bytes(std::string_view{chunk})));
    throw std::runtime_error("connection object broke");
  });
  std::array<std::uint8_t, 64> buffer{};
  std::string got;
  Result<std::size_t> n = std::size_t{1};
  for (int i = 0; i < 10 && n && *n > 0; ++i) {
    n = source(buffer);
    if (n) {
      got.append(reinterpret_cast<const char*>(buffer.data()), *n);
    }
  }
  CHECK(got == "first");
  REQUIRE_FALSE(n);
  CHECK(n.error().code == ErrorCode::internal);
  CHECK(n.error().message == "reading a blob: connection object broke");
}
