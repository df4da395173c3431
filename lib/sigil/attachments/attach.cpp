#include "sigil/attachments/attach.hpp"

#include "sigil/oci/media_types.hpp"
#include "sigil/attachments/manifest.hpp"

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
  auto found = client.find_manifest(r.repo, r.tag);
  if (!found) {
    return fail(found.error());
  }
  if (!*found) {
    return Current{};
  }
  const auto unreadable = [&](const Error& e) {
    return fail(e.context(fmt::format("{}:{} cannot be read; refusing to overwrite it", r.repo.name(), r.tag)));
  };
  if (r.container == Container::referrers_index) {
    auto index = (*found)->kind == oci::ManifestKind::index ? oci::parse_index((*found)->bytes)
                                                          : fail(ErrorCode::registry, "not an index");
    if (!index) {
      return unreadable(index.error());
    }
    return Current{std::move((*found)->bytes), std::move(index->manifests)};
  }
  auto parsed = (*found)->kind == oci::ManifestKind::image ? oci::parse_manifest((*found)->bytes)
                                                          : fail(ErrorCode::registry, "not an image manifest");
  if (!parsed) {
    return unreadable(parsed.error());
  }
  return Current{std::move((*found)->bytes), std::move(parsed->layers)};
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

bool has_layer(const Current& c, const AttachRequest& r)
{
  return contains(c.layers, r.layer, r);
}

// The longest another writer can wait between its PUT and its last confirming read: a settle
// of up to 2 x settle_max, then, contended, up to 1.5 x settle_max before its third sighting.
// A write of ours whose re-read-to-PUT window was longer may have dropped an entry whose writer
// confirmed and exited meanwhile; nobody is left to put it back, and we cannot see it.
std::chrono::milliseconds confirm_horizon(const AttachRequest& r)
{
  return 2 * r.settle_max + r.settle_max * 3 / 2;
}

// Uploads the config blob of a signature manifest with these layers, unless the last one
// uploaded (`uploaded`) is the same: the config depends only on the layers' digests.
Result<void> upload_config(registry::Client& client, const AttachRequest& r, const SignatureManifest& m,
                           std::optional<oci::Digest>& uploaded)
{
  if (uploaded && *uploaded == m.config_descriptor.digest) {
    return {};
  }
  if (auto ok = client.put_blob(r.repo, m.config_descriptor.digest, util::as_bytes(m.config)); !ok) {
    return fail(ok.error());
  }
  uploaded = m.config_descriptor.digest;
  return {};
}

// The document to PUT for these entries: (bytes, media type), with the config uploaded first.
Result<std::pair<std::string, std::string_view>> render(registry::Client& client, const AttachRequest& r,
                                                        std::vector<oci::Descriptor> entries,
                                                        std::optional<oci::Digest>& uploaded_config)
{
  if (r.container == Container::referrers_index) {
    std::sort(entries.begin(), entries.end(),
              [](const oci::Descriptor& a, const oci::Descriptor& b) { return a.digest.str() < b.digest.str(); });
    oci::Index index;
    index.media_type = std::string(oci::media_type::oci_index);
    index.manifests = std::move(entries);
    return std::make_pair(oci::serialize_index(index), oci::media_type::oci_index);
  }
  SignatureManifest m = build_signature_manifest(entries);
  if (auto ok = upload_config(client, r, m, uploaded_config); !ok) {
    return fail(ok.error());
  }
  return std::make_pair(std::move(m.manifest), oci::media_type::oci_manifest);
}

// Merges our layer into what is there and writes it, unless the tag moved meanwhile.
// Returns false when the tag changed between the read and the write (try again).
// `span` receives the time from the re-read to the end of the PUT: another writer's window
// for clobbering us is about as long, which sizes the settle interval.
Result<bool> write_merged(registry::Client& client, const AttachRequest& r, const Current& current,
                          const std::vector<oci::Descriptor>& additions, std::chrono::milliseconds& span,
                          std::string& written, std::optional<oci::Digest>& uploaded_config)
{
  if (current.layers.size() + additions.size() > oci::k_max_descriptors) {
    return fail(ErrorCode::registry, fmt::format("{}:{} already holds {} layers, the limit", r.repo.name(), r.tag,
                                                 current.layers.size()));
  }
  std::vector<oci::Descriptor> layers = current.layers;
  layers.insert(layers.end(), additions.begin(), additions.end());
  auto document = render(client, r, std::move(layers), uploaded_config);
  if (!document) {
    return fail(document.error());
  }
  const auto started = std::chrono::steady_clock::now();
  auto again = read_current(client, r);
  if (!again) {
    return fail(again.error());
  }
  if (again->bytes != current.bytes) {
    return false;
  }
  auto put = client.put_manifest(r.repo, r.tag, document->first, document->second);
  if (!put) {
    return fail(put.error());
  }
  span = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  written = std::move(document->first);
  return true;
}

} // namespace

Result<AttachResult> attach_layer(registry::Client& client, const AttachRequest& request)
{
  AttachRequest r = request; // r.layer is completed by complete_layer, when set
  std::optional<oci::Digest> uploaded_config;
  bool deduped = false; // the dedupe check ran (on the first manifest read)
  AttachResult result;
  int seen_present = 0;
  int transient = 0;
  bool contended = false; // other writers seen: confirm a third time, after longer
  std::string ours;       // the document of our last successful PUT
  // Every entry any read showed us. A writer stalled between its re-read and its PUT can drop
  // entries written meanwhile, also after their own writer has confirmed and exited; every
  // writer still running that saw them puts them back (a union only grows, so writers
  // converge). The price: an entry deleted (sigil clean) while a signer runs may come back.
  std::vector<oci::Descriptor> seen;
  std::chrono::milliseconds span{0};
  std::chrono::milliseconds slowest_read{0};
  const auto window = [&] { return std::max(span, 2 * slowest_read); }; // another writer's clobbering window
  const auto started = std::chrono::steady_clock::now();
  // Registries whose storage is not atomic answer concurrent writers with transient errors
  // (distribution's filesystem driver: 500 "invalid checksum digest format" on a tag being
  // rewritten, 400 DIGEST_INVALID on a PUT racing a blob link). Those end the round, not
  // the attach; auth, not-found and bad-content errors are final.
  const auto retry_transient = [&](const Error& e) {
    const bool time_left = std::chrono::steady_clock::now() - started < r.max_time;
    if (e.code != ErrorCode::registry || ++transient > r.max_transient_errors || !time_left) {
      return false;
    }
    std::this_thread::sleep_for(random_between(std::chrono::milliseconds(20), std::chrono::milliseconds(200)));
    return true;
  };
  for (result.rounds = 1; result.rounds <= r.max_rounds; ++result.rounds) {
    const auto read_started = std::chrono::steady_clock::now();
    auto current = read_current(client, r);
    // A slow read means a loaded machine or registry, where another writer's window between
    // its re-read and its PUT is as slow: the settle intervals scale with the slowest read.
    slowest_read = std::max(slowest_read, std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - read_started));
    if (!current) {
      if (retry_transient(current.error())) {
        continue;
      }
      return fail(current.error());
    }
    result.layers = current->layers.size();
    if (r.complete_layer) {
      // Everything that needs no annotations first: the config for the layers there now plus
      // ours (by digest), so that the manifest PUT after the wait usually needs no upload.
      if (r.container == Container::signature_manifest) {
        std::vector<oci::Descriptor> layers = current->layers;
        layers.push_back(r.layer);
        if (auto ok = upload_config(client, r, build_signature_manifest(layers), uploaded_config); !ok) {
          if (retry_transient(ok.error())) {
            continue;
          }
          return fail(ok.error());
        }
      }
      auto completed = r.complete_layer();
      if (!completed) {
        return fail(completed.error());
      }
      r.layer = std::move(*completed);
      r.complete_layer = nullptr;
    }
    const bool present = has_layer(*current, r);
    // Dedupe on the first manifest read, before we have written anything.
    if (!present && r.is_duplicate && !deduped &&
        std::any_of(current->layers.begin(), current->layers.end(), r.is_duplicate)) {
      result.already_present = true;
      return result;
    }
    deduped = true;
    std::vector<oci::Descriptor> additions;
    for (const auto& e : seen) {
      if (!contains(current->layers, e, r) && !contains(additions, e, r)) {
        additions.push_back(e);
      }
    }
    for (const auto& e : current->layers) {
      if (!contains(seen, e, r)) {
        seen.push_back(e);
      }
    }
    if (!additions.empty()) {
      contended = true; // someone's entry vanished: a stale writer clobbered it
    }
    if (present && additions.empty()) {
      // More than we wrote: someone else wrote after us, and others may still be about to.
      contended = contended || (!ours.empty() && current->bytes != ours);
      if (++seen_present >= (contended ? 3 : 2)) {
        return result;
      }
      if (contended && seen_present == 2) {
        const auto wait = std::clamp(10 * window(), r.contended_settle_min, r.settle_max);
        std::this_thread::sleep_for(random_between(wait, wait + wait / 2));
        continue;
      }
      const auto settle = std::clamp(3 * window(), r.settle_min, r.settle_max);
      std::this_thread::sleep_for(random_between(settle, 2 * settle));
      continue;
    }
    if (!ours.empty()) {
      contended = true; // we wrote, and our layer (or one we saw) is gone again: clobbered
    }
    seen_present = 0;
    if (!present && !contains(additions, r.layer, r)) { // once: `seen` may hold it already
      additions.push_back(r.layer);
    }
    auto written = write_merged(client, r, *current, additions, span, ours, uploaded_config);
    if (!written) {
      if (retry_transient(written.error())) {
        continue;
      }
      return fail(written.error());
    }
    if (!*written) {
      contended = true; // the tag moved between our read and our write
      std::this_thread::sleep_for(random_between(std::chrono::milliseconds(5), std::chrono::milliseconds(60)));
      continue;
    }
    if (span > confirm_horizon(r)) {
      return fail(ErrorCode::registry,
                  fmt::format("{}:{}: our write cannot be confirmed safe: its PUT ended {} ms after our last read of "
                              "the tag, longer than the {} ms other signers wait to confirm theirs, so it may have "
                              "overwritten signatures other signers wrote meanwhile; check with sigil verify that "
                              "every expected signature is there and sign again where one is missing",
                              r.repo.name(), r.tag, span.count(), confirm_horizon(r).count()));
    }
    // Our own successful PUT is the first sighting; one settled re-read confirms it.
    seen_present = 1;
    const auto settle = std::clamp(3 * window(), r.settle_min, r.settle_max);
    std::this_thread::sleep_for(random_between(settle, 2 * settle));
  }
  return fail(ErrorCode::registry, fmt::format("{}:{}: our layer did not stay in the manifest after {} rounds (too many "
                                               "concurrent writers?)",
                                               r.repo.name(), r.tag, r.max_rounds));
}

} // namespace sigil::attachments
