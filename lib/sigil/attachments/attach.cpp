#include "sigil/attachments/attach.hpp"

#include "sigil/attachments/manifest.hpp"
#include "sigil/oci/media_types.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <thread>

namespace sigil::attachments {

namespace {

std::chrono::milliseconds random_between(std::chrono::milliseconds lo, std::chrono::milliseconds hi)
{
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<std::int64_t> d(lo.count(), std::max(lo.count(), hi.count()));
  return std::chrono::milliseconds(d(rng));
}

struct Current {
  std::string bytes; // empty: no manifest yet
  std::vector<oci::Descriptor> layers;
};

Result<Current> read_current(registry::Client& client, const AttachRequest& r)
{
  SIGIL_TRY_ASSIGN(auto found, client.find_manifest(r.repo, r.tag));
  if (!found) {
    return Current{};
  }
  const auto unreadable = [&](const Error& e) {
    return fail(e.context(fmt::format("{}:{} cannot be read; refusing to overwrite it", r.repo.name(), r.tag)));
  };
  if (r.container == Container::referrers_index) {
    auto index = found->kind == oci::ManifestKind::index ? oci::parse_index(found->bytes)
                                                         : fail(ErrorCode::registry, "not an index");
    if (!index) {
      return unreadable(index.error());
    }
    return Current{std::move(found->bytes), std::move(index->manifests)};
  }
  auto parsed = found->kind == oci::ManifestKind::image ? registry::image_manifest(*found)
                                                        : fail(ErrorCode::registry, "not an image manifest");
  if (!parsed) {
    return unreadable(parsed.error());
  }
  return Current{std::move(found->bytes), std::move(parsed->layers)};
}

bool same_entry(const oci::Descriptor& a, const oci::Descriptor& b, const AttachRequest& r)
{
  // Index entries are identified by digest: other tools may rewrite descriptor fields.
  return r.container == Container::referrers_index ? a.digest == b.digest : same_layer(a, b);
}

bool contains(const std::vector<oci::Descriptor>& entries, const oci::Descriptor& e, const AttachRequest& r)
{
  return std::any_of(entries.begin(), entries.end(), [&](const oci::Descriptor& l) { return same_entry(l, e, r); });
}

// Our entries: the layer and any more.
std::vector<oci::Descriptor> ours(const AttachRequest& r)
{
  std::vector<oci::Descriptor> all{r.layer};
  all.insert(all.end(), r.more_layers.begin(), r.more_layers.end());
  return all;
}

bool has_layer(const Current& c, const AttachRequest& r)
{
  const auto all = ours(r);
  return std::all_of(all.begin(), all.end(), [&](const oci::Descriptor& e) { return contains(c.layers, e, r); });
}

// The longest another writer can wait between its PUT and its last confirming read: a settle
// of up to 2 x settle_max, then, contended, up to 1.5 x settle_max before its third sighting.
// A write of ours whose re-read-to-PUT window was longer may have dropped an entry whose writer
// confirmed and exited meanwhile; nobody is left to put it back, and we cannot see it.
std::chrono::milliseconds confirm_horizon(const AttachRequest& r)
{
  return 2 * r.settle_max + r.settle_max * 3 / 2;
}

// What a step decided: go on with this round, start the next one, or the attach is done.
enum class Next { proceed, round, done };

// One attach: the loop's state across rounds, and the loop cut into its steps.
class Attacher {
public:
  Attacher(registry::Client& client, const AttachRequest& request) : m_client(client), m_r(request) {}

  Result<AttachResult> run();

private:
  using Clock = std::chrono::steady_clock;

  Result<Next> round();
  Result<Current> read_timed();
  Result<Next> complete_layer(const Current& current);
  std::vector<oci::Descriptor> merge_seen(const Current& current);
  Next confirm_present(const Current& current);
  Result<Next> write(const Current& current, bool present, std::vector<oci::Descriptor> additions);
  Result<bool> put_merged(const Current& current, const std::vector<oci::Descriptor>& additions);
  Result<std::pair<std::string, std::string_view>> render(std::vector<oci::Descriptor> entries);
  Result<void> upload_config(const SignatureManifest& m);
  Result<Next> retry_or_fail(const Error& e);
  void settle();

  // Another writer's clobbering window.
  std::chrono::milliseconds window() const { return std::max(m_span, 2 * m_slowest_read); }

  registry::Client& m_client;
  AttachRequest m_r; // m_r.layer is completed by complete_layer, when set
  std::optional<oci::Digest> m_uploaded_config;
  bool m_deduped = false; // the dedupe check ran (on the first manifest read)
  AttachResult m_result;
  int m_seen_present = 0;
  int m_transient = 0;
  bool m_contended = false; // other writers seen: confirm a third time, after longer
  std::string m_ours;       // the document of our last successful PUT
  // Every entry any read showed us. A writer stalled between its re-read and its PUT can drop
  // entries written meanwhile, also after their own writer has confirmed and exited; every
  // writer still running that saw them puts them back (a union only grows, so writers
  // converge). The price: an entry deleted (sigil clean) while a signer runs may come back.
  std::vector<oci::Descriptor> m_seen;
  std::chrono::milliseconds m_span{0}; // our last re-read-to-PUT time
  std::chrono::milliseconds m_slowest_read{0};
  Clock::time_point m_started = Clock::now();
};

Result<AttachResult> Attacher::run()
{
  for (m_result.rounds = 1; m_result.rounds <= m_r.max_rounds; ++m_result.rounds) {
    SIGIL_TRY_ASSIGN(const Next next, round());
    if (next == Next::done) {
      return m_result;
    }
  }
  return fail(ErrorCode::registry,
              fmt::format("{}:{}: our layer did not stay in the manifest after {} rounds (too many "
                          "concurrent writers?)",
                          m_r.repo.name(), m_r.tag, m_r.max_rounds));
}

// Read, complete our layer (once), dedupe (once), merge what we have seen, then either
// confirm our layer's presence or write.
Result<Next> Attacher::round()
{
  auto current = read_timed();
  if (!current) {
    return retry_or_fail(current.error());
  }
  m_result.layers = current->layers.size();
  if (m_r.complete_layer) {
    SIGIL_TRY_ASSIGN(const Next next, complete_layer(*current));
    if (next != Next::proceed) {
      return next;
    }
  }
  const bool present = has_layer(*current, m_r);
  // Dedupe on the first manifest read, before we have written anything.
  if (!present && m_r.is_duplicate && !m_deduped &&
      std::any_of(current->layers.begin(), current->layers.end(), m_r.is_duplicate)) {
    m_result.already_present = true;
    return Next::done;
  }
  m_deduped = true;
  auto additions = merge_seen(*current);
  if (present && additions.empty()) {
    return confirm_present(*current);
  }
  return write(*current, present, std::move(additions));
}

Result<Current> Attacher::read_timed()
{
  const auto read_started = Clock::now();
  auto current = read_current(m_client, m_r);
  // A slow read means a loaded machine or registry, where another writer's window between
  // its re-read and its PUT is as slow: the settle intervals scale with the slowest read.
  m_slowest_read =
      std::max(m_slowest_read, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - read_started));
  return current;
}

Result<Next> Attacher::complete_layer(const Current& current)
{
  // Everything that needs no annotations first: the config for the layers there now plus
  // ours (by digest), so that the manifest PUT after the wait usually needs no upload.
  if (m_r.container == Container::signature_manifest) {
    std::vector<oci::Descriptor> layers = current.layers;
    layers.push_back(m_r.layer);
    if (auto ok = upload_config(build_signature_manifest(layers)); !ok) {
      return retry_or_fail(ok.error());
    }
  }
  SIGIL_TRY_ASSIGN(auto completed, m_r.complete_layer());
  m_r.layer = std::move(completed);
  m_r.complete_layer = nullptr;
  return Next::proceed;
}

// The entries we have seen that the tag lost (to put back); `m_seen` grows by the tag's.
std::vector<oci::Descriptor> Attacher::merge_seen(const Current& current)
{
  std::vector<oci::Descriptor> additions;
  for (const auto& e : m_seen) {
    if (!contains(current.layers, e, m_r) && !contains(additions, e, m_r)) {
      additions.push_back(e);
    }
  }
  for (const auto& e : current.layers) {
    if (!contains(m_seen, e, m_r)) {
      m_seen.push_back(e);
    }
  }
  if (!additions.empty()) {
    m_contended = true; // someone's entry vanished: a stale writer clobbered it
  }
  return additions;
}

// Our layer is there and nothing we saw is missing: one more sighting, then settle.
Next Attacher::confirm_present(const Current& current)
{
  // More than we wrote: someone else wrote after us, and others may still be about to.
  m_contended = m_contended || (!m_ours.empty() && current.bytes != m_ours);
  if (++m_seen_present >= (m_contended ? 3 : 2)) {
    return Next::done;
  }
  if (m_contended && m_seen_present == 2) {
    const auto wait = std::clamp(10 * window(), m_r.contended_settle_min, m_r.settle_max);
    std::this_thread::sleep_for(random_between(wait, wait + wait / 2));
    return Next::round;
  }
  settle();
  return Next::round;
}

// Our layer (or one we saw) is missing: merge and write, then settle before confirming.
Result<Next> Attacher::write(const Current& current, bool present, std::vector<oci::Descriptor> additions)
{
  if (!m_ours.empty()) {
    m_contended = true; // we wrote, and our layer (or one we saw) is gone again: clobbered
  }
  m_seen_present = 0;
  for (const auto& e : ours(m_r)) { // once each: `m_seen` may hold them already
    if (!present && !contains(current.layers, e, m_r) && !contains(additions, e, m_r)) {
      additions.push_back(e);
    }
  }
  auto written = put_merged(current, additions);
  if (!written) {
    return retry_or_fail(written.error());
  }
  if (!*written) {
    m_contended = true; // the tag moved between our read and our write
    std::this_thread::sleep_for(random_between(std::chrono::milliseconds(5), std::chrono::milliseconds(60)));
    return Next::round;
  }
  if (m_span > confirm_horizon(m_r)) {
    return fail(ErrorCode::registry,
                fmt::format("{}:{}: our write cannot be confirmed safe: its PUT ended {} ms after our last read of "
                            "the tag, longer than the {} ms other signers wait to confirm theirs, so it may have "
                            "overwritten signatures other signers wrote meanwhile; check with sigil verify that "
                            "every expected signature is there and sign again where one is missing",
                            m_r.repo.name(), m_r.tag, m_span.count(), confirm_horizon(m_r).count()));
  }
  // Our own successful PUT is the first sighting; one settled re-read confirms it.
  m_seen_present = 1;
  settle();
  return Next::round;
}

// Merges the additions into what is there and writes it, unless the tag moved meanwhile.
// Returns false when the tag changed between the read and the write (try again).
// `m_span` receives the time from the re-read to the end of the PUT: another writer's window
// for clobbering us is about as long, which sizes the settle interval.
Result<bool> Attacher::put_merged(const Current& current, const std::vector<oci::Descriptor>& additions)
{
  if (current.layers.size() + additions.size() > oci::k_max_descriptors) {
    return fail(ErrorCode::registry, fmt::format("{}:{} already holds {} layers, the limit", m_r.repo.name(), m_r.tag,
                                                 current.layers.size()));
  }
  std::vector<oci::Descriptor> layers = current.layers;
  layers.insert(layers.end(), additions.begin(), additions.end());
  const auto all = ours(m_r);
  const bool only_ours = std::all_of(additions.begin(), additions.end(),
                                     [&](const oci::Descriptor& e) { return contains(all, e, m_r); });
  std::pair<std::string, std::string_view> document;
  if (m_r.initial_document && current.bytes.empty() && only_ours) {
    document = {m_r.initial_document->first, m_r.initial_document->second};
  } else {
    SIGIL_TRY_ASSIGN(document, render(std::move(layers)));
  }
  const auto started = Clock::now();
  SIGIL_TRY_ASSIGN(const auto again, read_current(m_client, m_r));
  if (again.bytes != current.bytes) {
    return false;
  }
  SIGIL_TRY(m_client.put_manifest(m_r.repo, m_r.tag, document.first, document.second));
  m_span = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  m_ours = std::move(document.first);
  return true;
}

// The document to PUT for these entries: (bytes, media type), with the config uploaded first.
Result<std::pair<std::string, std::string_view>> Attacher::render(std::vector<oci::Descriptor> entries)
{
  if (m_r.container == Container::referrers_index) {
    std::sort(entries.begin(), entries.end(),
              [](const oci::Descriptor& a, const oci::Descriptor& b) { return a.digest.str() < b.digest.str(); });
    oci::Index index;
    index.media_type = std::string(oci::media_type::oci_index);
    index.manifests = std::move(entries);
    return std::make_pair(oci::serialize_index(index), oci::media_type::oci_index);
  }
  SignatureManifest m = build_signature_manifest(entries);
  SIGIL_TRY(upload_config(m));
  return std::make_pair(std::move(m.manifest), oci::media_type::oci_manifest);
}

// Uploads the config blob of a signature manifest with these layers, unless the last one
// uploaded is the same: the config depends only on the layers' digests.
Result<void> Attacher::upload_config(const SignatureManifest& m)
{
  if (m_uploaded_config && *m_uploaded_config == m.config_descriptor.digest) {
    return {};
  }
  SIGIL_TRY(m_client.put_blob(m_r.repo, m.config_descriptor.digest, util::as_bytes(m.config)));
  m_uploaded_config = m.config_descriptor.digest;
  return {};
}

// Registries whose storage is not atomic answer concurrent writers with transient errors
// (distribution's filesystem driver: 500 "invalid checksum digest format" on a tag being
// rewritten, 400 DIGEST_INVALID on a PUT racing a blob link). Those end the round, not
// the attach; auth, not-found and bad-content errors are final.
Result<Next> Attacher::retry_or_fail(const Error& e)
{
  const bool time_left = Clock::now() - m_started < m_r.max_time;
  if (e.code != ErrorCode::registry || ++m_transient > m_r.max_transient_errors || !time_left) {
    return fail(e);
  }
  std::this_thread::sleep_for(random_between(std::chrono::milliseconds(20), std::chrono::milliseconds(200)));
  return Next::round;
}

// Waits for a write to settle: three times another writer's window, randomised, bounded.
void Attacher::settle()
{
  const auto settle = std::clamp(3 * window(), m_r.settle_min, m_r.settle_max);
  std::this_thread::sleep_for(random_between(settle, 2 * settle));
}

} // namespace

Result<AttachResult> attach_layer(registry::Client& client, const AttachRequest& request)
{
  return Attacher(client, request).run();
}

} // namespace sigil::attachments
