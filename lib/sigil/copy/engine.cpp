#include "sigil/copy/engine.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>
#include <set>

namespace sigil::copy {

namespace {

// An index of indexes of images is as deep as anything real gets.
constexpr int k_max_depth = 3;
// Blobs of one manifest copied at a time (skopeo: 6); each holds at most copy::k_pipe_bytes.
constexpr std::size_t k_parallel_blobs = 4;

bool nondistributable(const oci::Descriptor& d)
{
  return d.media_type.find("foreign") != std::string::npos || d.media_type.find("nondistributable") != std::string::npos;
}

// What one manifest needs at the destination before it: its blobs (an image) or its children
// (an index, planned before it).
struct Node {
  StoredManifest manifest;
  std::vector<oci::Descriptor> blobs;
};

class Copier {
public:
  explicit Copier(const CopyRequest& request) : m_r(request) {}

  Result<CopyReport> run();

private:
  Result<StoredManifest> fetch(Store& store, const std::string& tag_or_digest);
  Result<void> plan(Store& src, StoredManifest m, int depth, std::vector<Node>& out);
  Result<void> copy_nodes(Store& src, Store& dst, const std::vector<Node>& nodes);
  Result<void> copy_blob(Store& src, Store& dst, const oci::Descriptor& blob);
  Result<void> copy_blob_caught(Store& src, Store& dst, const oci::Descriptor& blob);
  Result<void> copy_blobs(Store& src, Store& dst, const std::vector<oci::Descriptor>& blobs);
  void advance(std::uint64_t n);
  Result<StoredManifest> select_platform(StoredManifest top);
  Result<void> check_destination_tag(const StoredManifest& top);
  Result<void> copy_attachments(const oci::Digest& image);
  Result<void> copy_referrers(const oci::Digest& image);

  const CopyRequest& m_r;
  CopyReport m_report;
  Progress m_progress;
  std::mutex m_mutex; // m_report's blob counters, m_progress, m_done_blobs (blob workers)
  std::set<std::string> m_done_blobs; // digests handled in this run
};

Result<StoredManifest> Copier::fetch(Store& store, const std::string& tag_or_digest)
{
  SIGIL_TRY_ASSIGN(auto found, store.find_manifest(tag_or_digest));
  if (!found) {
    return fail(ErrorCode::not_found, fmt::format("{} has no manifest {}", store.name(), tag_or_digest));
  }
  return std::move(*found);
}

Result<void> Copier::plan(Store& src, StoredManifest m, int depth, std::vector<Node>& out)
{
  if (depth > k_max_depth) {
    return fail(ErrorCode::bad_input, fmt::format("{} in {} nests indexes more than {} deep", m.digest.str(), src.name(),
                                                  k_max_depth));
  }
  Node node{.manifest = std::move(m), .blobs = {}};
  if (node.manifest.kind == oci::ManifestKind::index) {
    SIGIL_TRY_ASSIGN(auto index, oci::parse_index(node.manifest.bytes));
    for (const auto& child : index.manifests) {
      SIGIL_TRY_ASSIGN(auto c, fetch(src, child.digest.str()));
      SIGIL_TRY(plan(src, std::move(c), depth + 1, out));
    }
  } else {
    SIGIL_TRY_ASSIGN(auto image, oci::parse_manifest(node.manifest.bytes));
    node.blobs.push_back(image.config);
    for (auto& layer : image.layers) {
      if (!nondistributable(layer)) {
        node.blobs.push_back(std::move(layer));
      }
    }
    for (const auto& b : node.blobs) {
      m_progress.total += static_cast<std::uint64_t>(std::max<std::int64_t>(b.size, 0));
    }
  }
  out.push_back(std::move(node));
  return {};
}

Result<void> Copier::copy_blob(Store& src, Store& dst, const oci::Descriptor& blob)
{
  const auto size = static_cast<std::uint64_t>(std::max<std::int64_t>(blob.size, 0));
  {
    const std::lock_guard lock(m_mutex);
    if (!m_done_blobs.insert(blob.digest.str()).second) {
      return {};
    }
  }
  SIGIL_TRY_ASSIGN(const bool present, dst.has_blob(blob.digest));
  if (present) {
    const std::lock_guard lock(m_mutex);
    ++m_report.blobs_present;
    advance(size);
    return {};
  }
  std::uint64_t moved = 0; // by the current attempt
  const registry::BlobOpener open = [&]() -> Result<registry::BlobSource> {
    {
      const std::lock_guard lock(m_mutex);
      m_progress.bytes -= moved; // an attempt starts over
      moved = 0;
    }
    SIGIL_TRY_ASSIGN(auto source, src.open_blob(blob));
    return registry::BlobSource([this, &moved, source = std::move(source)](std::span<std::uint8_t> buffer) -> Result<std::size_t> {
      SIGIL_TRY_ASSIGN(const std::size_t n, source(buffer));
      const std::lock_guard lock(m_mutex);
      moved += n;
      advance(n);
      return n;
    });
  };
  SIGIL_TRY_ASSIGN(const auto how, dst.put_blob(blob, open, src));
  const std::lock_guard lock(m_mutex);
  m_progress.bytes -= moved;
  advance(size);
  if (how == BlobOutcome::mounted) {
    ++m_report.blobs_mounted;
  } else {
    ++m_report.blobs_uploaded;
    m_report.bytes_uploaded += size;
  }
  return {};
}

// copy_blob, with an exception (the caller's progress callback's, an allocation's) turned into
// this blob's error: a worker thread must never let one escape (that is std::terminate).
Result<void> Copier::copy_blob_caught(Store& src, Store& dst, const oci::Descriptor& blob)
{
  try {
    return copy_blob(src, dst, blob);
  } catch (const std::exception& e) {
    return fail(ErrorCode::internal, fmt::format("copying blob {}: {}", blob.digest.str(), e.what()));
  } catch (...) {
    return fail(ErrorCode::internal, fmt::format("copying blob {}: an unknown exception", blob.digest.str()));
  }
}

// Up to k_parallel_blobs blobs at a time (each streamed through its own bounded pipe); the
// first failure (an error or an exception) stops handing out more and is the result. A thread
// that cannot be started leaves its share to the others (this thread, when none started).
Result<void> Copier::copy_blobs(Store& src, Store& dst, const std::vector<oci::Descriptor>& blobs)
{
  std::atomic<std::size_t> next{0};
  std::mutex failed_mutex;
  std::optional<Error> failed;
  std::atomic<bool> lost{false}; // a failure that could not even be recorded
  const auto work = [&]() noexcept {
    try {
      for (std::size_t k = next++; k < blobs.size(); k = next++) {
        auto ok = copy_blob_caught(src, dst, blobs[k]);
        const std::lock_guard lock(failed_mutex);
        if (!ok && !failed) {
          failed = ok.error();
        }
        if (failed) {
          return;
        }
      }
    } catch (...) { // only what formatting an error may throw (bad_alloc): recorded, never escapes
      try {
        const std::lock_guard lock(failed_mutex);
        if (!failed) {
          failed = Error{ErrorCode::internal, "copying blobs: out of memory"};
        }
      } catch (...) {
        lost = true;
        next = blobs.size(); // the others stop at their next blob
      }
    }
  };
  std::vector<std::jthread> threads; // joined when this scope ends, however it ends
  const std::size_t workers = std::min(blobs.size(), k_parallel_blobs);
  for (std::size_t w = 0; w < workers && workers > 1; ++w) {
    try {
      threads.emplace_back(work);
    } catch (const std::system_error&) {
      break;
    }
  }
  if (threads.empty()) {
    work();
  }
  threads.clear(); // join
  if (!failed && lost) {
    return fail(ErrorCode::internal, "copying blobs: a worker failed and its error was lost");
  }
  return failed ? Result<void>(fail(*failed)) : Result<void>{};
}

// With m_mutex held.
void Copier::advance(std::uint64_t n)
{
  m_progress.bytes += n;
  if (m_r.progress) {
    m_r.progress(m_progress);
  }
}

// Children before the index that names them; each image's blobs before the image.
Result<void> Copier::copy_nodes(Store& src, Store& dst, const std::vector<Node>& nodes)
{
  for (const auto& node : nodes) {
    SIGIL_TRY_ASSIGN(const bool present, dst.has_manifest(node.manifest.digest));
    if (present) { // written after everything it names: its blobs are there too
      ++m_report.manifests_present;
      const std::lock_guard lock(m_mutex);
      for (const auto& b : node.blobs) {
        m_done_blobs.insert(b.digest.str());
        advance(static_cast<std::uint64_t>(std::max<std::int64_t>(b.size, 0)));
      }
      continue;
    }
    SIGIL_TRY(copy_blobs(src, dst, node.blobs));
    SIGIL_TRY(dst.put_manifest(node.manifest.digest.str(), node.manifest));
    ++m_report.manifests_written;
  }
  return {};
}

Result<StoredManifest> Copier::select_platform(StoredManifest top)
{
  if (!m_r.platform) {
    return top;
  }
  if (top.kind != oci::ManifestKind::index) {
    return fail(ErrorCode::usage, fmt::format("--platform {}: {} is a single-platform image, not an index; leave "
                                              "--platform out",
                                              *m_r.platform, m_r.source_ref));
  }
  SIGIL_TRY_ASSIGN(auto index, oci::parse_index(top.bytes));
  std::vector<std::string> offered;
  for (const auto& child : index.manifests) {
    if (!child.platform) {
      continue;
    }
    const std::string p = child.platform->str();
    const std::string os_arch = child.platform->os + "/" + child.platform->architecture;
    if (p == *m_r.platform || (os_arch == *m_r.platform)) {
      return fetch(m_r.source, child.digest.str());
    }
    offered.push_back(p);
  }
  return fail(ErrorCode::not_found, fmt::format("{} has no {} image (it has: {}); give one of those to --platform",
                                                m_r.source_ref, *m_r.platform, fmt::join(offered, ", ")));
}

Result<void> Copier::check_destination_tag(const StoredManifest& top)
{
  if (!m_r.dest_tag || m_r.force) {
    return {};
  }
  SIGIL_TRY_ASSIGN(auto there, m_r.destination.find_manifest(*m_r.dest_tag));
  if (there && there->digest != top.digest) {
    return fail(ErrorCode::usage, fmt::format("{}:{} already names {}, not {}; give -f to move the tag",
                                              m_r.destination.name(), *m_r.dest_tag, there->digest.str(),
                                              top.digest.str()));
  }
  return {};
}

Result<void> Copier::copy_attachments(const oci::Digest& image)
{
  Store& src = m_r.source.attachments();
  Store& dst = m_r.destination.attachments();
  constexpr std::array kinds{attachments::TagKind::signatures, attachments::TagKind::attestations,
                             attachments::TagKind::sboms};
  const std::array wanted{m_r.only.signatures, m_r.only.attestations, m_r.only.sboms};
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if (!wanted[i]) {
      continue;
    }
    SIGIL_TRY_ASSIGN(auto tag, src.attachment_tag(image, kinds[i]));
    if (!tag) {
      continue;
    }
    ++m_report.signature_tags;
    std::vector<Node> nodes;
    SIGIL_TRY(plan(src, *tag, k_max_depth, nodes));
    SIGIL_TRY(copy_blobs(src, dst, nodes.back().blobs)); // the manifest goes through the merge
    SIGIL_TRY_ASSIGN(const std::size_t added, dst.put_attachment_tag(image, kinds[i], *tag));
    m_report.layers_added += added;
  }
  return m_r.only.referrers ? copy_referrers(image) : Result<void>{};
}

Result<void> Copier::copy_referrers(const oci::Digest& image)
{
  Store& src = m_r.source.attachments();
  Store& dst = m_r.destination.attachments();
  SIGIL_TRY_ASSIGN(const auto listed, src.referrers(image));
  for (const auto& entry : listed) {
    SIGIL_TRY_ASSIGN(auto found, src.find_manifest(entry.digest.str()));
    if (!found) {
      continue; // listed but gone
    }
    ++m_report.referrers;
    std::vector<Node> nodes;
    SIGIL_TRY(plan(src, std::move(*found), 1, nodes));
    const std::size_t before = m_report.manifests_written;
    SIGIL_TRY(copy_nodes(src, dst, nodes));
    m_report.referrers_written += m_report.manifests_written > before ? 1 : 0;
    SIGIL_TRY(dst.link_referrer(image, entry));
  }
  return {};
}

Result<CopyReport> Copier::run()
{
  SIGIL_TRY_ASSIGN(auto top, fetch(m_r.source, m_r.source_ref));
  SIGIL_TRY_ASSIGN(top, select_platform(std::move(top)));
  SIGIL_TRY(check_destination_tag(top));
  m_report.digest = top.digest;
  m_report.media_type = top.media_type;
  m_progress.image = fmt::format("{}@{}", m_r.source.name(), top.digest.str());
  std::vector<Node> nodes;
  SIGIL_TRY(plan(m_r.source, top, 0, nodes));
  SIGIL_TRY(copy_nodes(m_r.source, m_r.destination, nodes));
  if (m_r.dest_tag) {
    SIGIL_TRY_ASSIGN(auto there, m_r.destination.find_manifest(*m_r.dest_tag));
    if (!there || there->digest != top.digest) {
      SIGIL_TRY(m_r.destination.put_manifest(*m_r.dest_tag, top));
    }
  } else {
    SIGIL_TRY(m_r.destination.keep_untagged(top));
  }
  SIGIL_TRY(m_r.destination.flush());
  // Attachments only once their image is complete at the destination.
  SIGIL_TRY(copy_attachments(top.digest));
  if (m_r.recursive) {
    for (std::size_t i = 0; i + 1 < nodes.size(); ++i) {
      SIGIL_TRY(copy_attachments(nodes[i].manifest.digest));
    }
  }
  SIGIL_TRY(m_r.destination.flush());
  SIGIL_TRY(m_r.destination.attachments().flush());
  return m_report;
}

} // namespace

Result<Only> parse_only(std::string_view text)
{
  Only only{false, false, false, false};
  std::vector<std::string_view> words;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    words.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  for (const auto word : words) {
    if (word == "sig") {
      only.signatures = true;
    } else if (word == "att") {
      only.attestations = true;
    } else if (word == "sbom") {
      only.sboms = true;
    } else if (word == "referrers") {
      only.referrers = true;
    } else {
      return fail(ErrorCode::usage,
                  fmt::format("--only: unknown kind '{}'; give a comma-separated list of sig, att, sbom, referrers", word));
    }
  }
  return only;
}

Result<CopyReport> copy_image(const CopyRequest& request)
{
  Copier copier(request);
  return copier.run();
}

} // namespace sigil::copy
