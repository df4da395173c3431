// sigil_registry_probe — a test-only driver of the registry library, for shell tests against
// real registries (tests/integration/test_registry_client.sh).
//
// Each subcommand calls registry::Client operations through one registry::Session, prints its
// result as one JSON line on stdout, and exits with sigil's exit status for the error code
// (the message on stderr, as "error: ..."). Whatever happens, the last stderr line is
// "requests: N": the number of HTTP requests the transport sent.
//
//   push-layout OCI_DIR TAG REF      push an OCI image layout (blobs, children, then the top)
//   resolve REF                      tag or digest -> descriptor
//   get-manifest REF [--out FILE]    manifest bytes (digest checked by the library)
//   get-blob REPO_REF DIGEST SIZE [--out FILE]   streamed, digest and size checked
//   put-blob REPO_REF FILE [--mount-from REPO_REF] [--chunked-threshold N] [--chunk-size N]
//   put-manifest REF FILE [--media-type T]   FILE's bytes as they are, to REF's tag or digest
//                                    (media type: --media-type, else FILE's "mediaType", else OCI)
//   list-tags REPO_REF
//   referrers REF [--artifact-type T]
//   delete REF
//   index-children REF               child manifests of an index, with platforms
//   ping REGISTRY
// Registry flags as sigil's; --repeat N --pause S runs the operation N times in one session.
#include "sigil/core/env.hpp"
#include "sigil/core/result.hpp"
#include "sigil/core/version.hpp"
#include "sigil/crypto/digest.hpp"
#include "sigil/oci/manifest.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/registry/session.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/json.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>

namespace {

using namespace sigil;
namespace fs = std::filesystem;
using util::OrderedJson;

struct Flags {
  std::string username;
  std::string password;
  std::string token;
  std::string ca_file;
  bool allow_insecure = false;
  bool allow_http = false;
  bool verbose = false;
  int max_attempts = 5;
  double timeout_seconds = 120;
  std::uint64_t chunked_threshold = 0; // 0: the library's default
  std::uint64_t chunk_size = 0;
  int repeat = 1;
  double pause_seconds = 0;
};

struct Args {
  std::string ref;
  std::string path; // OCI_DIR or FILE
  std::string tag;
  std::string digest;
  std::int64_t size = 0;
  std::string out;
  std::string mount_from;
  std::string artifact_type;
  std::string media_type;
};

using Operation = std::function<Result<OrderedJson>(registry::Client&)>;

// --- helpers ------------------------------------------------------------------------------------

Result<oci::Reference> parse_ref(const std::string& text)
{
  auto ref = oci::Reference::parse(text);
  if (!ref) {
    return fail(ErrorCode::usage, ref.error().message);
  }
  return ref;
}

// The reference by digest: as given, or resolved from its tag.
Result<oci::Reference> by_digest(registry::Client& client, const oci::Reference& ref)
{
  if (ref.digest()) {
    return ref;
  }
  auto resolved = client.resolve(ref);
  if (!resolved) {
    return fail(resolved.error());
  }
  return ref.with_digest(resolved->digest);
}

OrderedJson descriptor_json(const oci::Descriptor& d)
{
  OrderedJson j;
  j["digest"] = d.digest.str();
  j["mediaType"] = d.media_type;
  j["size"] = d.size;
  if (d.artifact_type) {
    j["artifactType"] = *d.artifact_type;
  }
  if (d.platform) {
    j["platform"] = d.platform->str();
  }
  return j;
}

// --- push-layout --------------------------------------------------------------------------------

// Reads a blob of an OCI layout and checks that its bytes hash to the digest naming it.
Result<std::string> read_layout_blob(const fs::path& dir, const oci::Digest& digest)
{
  if (digest.algorithm != oci::DigestAlgorithm::sha256) {
    return fail(ErrorCode::bad_input, fmt::format("layout blob {}: only sha256 is supported", digest.str()));
  }
  auto bytes = util::read_file(dir / "blobs" / "sha256" / digest.hex);
  if (!bytes) {
    return fail(bytes.error().context(fmt::format("layout blob {}", digest.str())));
  }
  if (crypto::sha256_digest_string(util::as_bytes(*bytes)) != digest.str()) {
    return fail(ErrorCode::bad_input, fmt::format("layout blob {} does not match its digest", digest.str()));
  }
  return bytes;
}

struct PushCounts {
  int manifests = 0;
  int blobs = 0;
};

Result<oci::Digest> push_manifest_tree(registry::Client& client, const fs::path& dir, const registry::Repository& repo,
                                       const oci::Descriptor& desc, const std::string& put_as, PushCounts& counts,
                                       int depth);

Result<void> push_image_blobs(registry::Client& client, const fs::path& dir, const registry::Repository& repo,
                              const oci::Manifest& manifest, PushCounts& counts)
{
  std::vector<const oci::Descriptor*> blobs{&manifest.config};
  for (const auto& layer : manifest.layers) {
    blobs.push_back(&layer);
  }
  for (const auto* blob : blobs) {
    auto bytes = read_layout_blob(dir, blob->digest);
    if (!bytes) {
      return fail(bytes.error());
    }
    auto ok = client.put_blob(repo, blob->digest, util::as_bytes(*bytes));
    if (!ok) {
      return fail(ok.error());
    }
    ++counts.blobs;
  }
  return {};
}

// Pushes what desc names — blobs (an image) or children (an index) first — then its bytes.
Result<oci::Digest> push_manifest_tree(registry::Client& client, const fs::path& dir, const registry::Repository& repo,
                                       const oci::Descriptor& desc, const std::string& put_as, PushCounts& counts,
                                       int depth)
{
  if (depth > 4) {
    return fail(ErrorCode::bad_input, "layout: indexes nested too deeply");
  }
  auto bytes = read_layout_blob(dir, desc.digest);
  if (!bytes) {
    return fail(bytes.error());
  }
  auto kind = oci::manifest_kind(*bytes, desc.media_type);
  if (!kind) {
    return fail(kind.error());
  }
  std::string media_type = desc.media_type;
  switch (*kind) {
  case oci::ManifestKind::image: {
    auto manifest = oci::parse_manifest(*bytes);
    if (!manifest) {
      return fail(manifest.error());
    }
    auto ok = push_image_blobs(client, dir, repo, *manifest, counts);
    if (!ok) {
      return fail(ok.error());
    }
    break;
  }
  case oci::ManifestKind::index: {
    auto index = oci::parse_index(*bytes);
    if (!index) {
      return fail(index.error());
    }
    for (const auto& child : index->manifests) {
      auto pushed = push_manifest_tree(client, dir, repo, child, child.digest.str(), counts, depth + 1);
      if (!pushed) {
        return fail(pushed.error());
      }
    }
    break;
  }
  }
  auto digest = client.put_manifest(repo, put_as, *bytes, media_type);
  if (!digest) {
    return fail(digest.error());
  }
  ++counts.manifests;
  return digest;
}

Result<OrderedJson> push_layout(registry::Client& client, const Args& a)
{
  auto ref = parse_ref(a.ref);
  if (!ref) {
    return fail(ref.error());
  }
  const fs::path dir = a.path;
  auto index_bytes = util::read_file(dir / "index.json");
  if (!index_bytes) {
    return fail(index_bytes.error());
  }
  auto index = oci::parse_index(*index_bytes);
  if (!index) {
    return fail(index.error().context("index.json"));
  }
  const auto top = std::find_if(index->manifests.begin(), index->manifests.end(), [&](const oci::Descriptor& d) {
    const auto it = d.annotations.find("org.opencontainers.image.ref.name");
    return it != d.annotations.end() && it->second == a.tag;
  });
  if (top == index->manifests.end()) {
    return fail(ErrorCode::usage, fmt::format("{}/index.json has no manifest named {}", a.path, a.tag));
  }
  PushCounts counts;
  auto digest = push_manifest_tree(client, dir, registry::Repository::of(*ref), *top, ref->identifier(), counts, 0);
  if (!digest) {
    return fail(digest.error());
  }
  OrderedJson j;
  j["reference"] = ref->with_digest(*digest).str();
  j["digest"] = digest->str();
  j["mediaType"] = top->media_type;
  j["manifests"] = counts.manifests;
  j["blobs"] = counts.blobs;
  return j;
}

// --- the other operations -----------------------------------------------------------------------

Result<OrderedJson> resolve(registry::Client& client, const Args& a)
{
  auto ref = parse_ref(a.ref);
  if (!ref) {
    return fail(ref.error());
  }
  auto resolved = client.resolve(*ref);
  if (!resolved) {
    return fail(resolved.error());
  }
  OrderedJson j;
  j["reference"] = ref->with_digest(resolved->digest).str();
  j["digest"] = resolved->digest.str();
  j["mediaType"] = resolved->media_type;
  j["size"] = resolved->size;
  return j;
}

Result<OrderedJson> get_manifest(registry::Client& client, const Args& a)
{
  auto ref = parse_ref(a.ref);
  if (!ref) {
    return fail(ref.error());
  }
  auto m = client.get_manifest(*ref);
  if (!m) {
    return fail(m.error());
  }
  if (!a.out.empty()) {
    auto ok = util::write_file_atomic({.path = a.out, .data = util::as_bytes(m->bytes)});
    if (!ok) {
      return fail(ok.error());
    }
  }
  OrderedJson j;
  j["digest"] = m->digest.str();
  j["mediaType"] = m->media_type;
  j["kind"] = m->kind == oci::ManifestKind::index ? "index" : "image";
  j["size"] = m->bytes.size();
  return j;
}

// Streams into FILE.part, renamed to FILE only once the library has checked digest and size.
Result<OrderedJson> get_blob(registry::Client& client, const Args& a)
{
  auto ref = parse_ref(a.ref);
  auto digest = oci::parse_digest(a.digest);
  if (!ref || !digest) {
    return fail(ErrorCode::usage, !ref ? ref.error().message : digest.error().message);
  }
  const oci::Descriptor blob{.media_type = "application/octet-stream", .digest = *digest, .size = a.size};
  const std::string part = a.out.empty() ? std::string{} : a.out + ".part";
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(part.empty() ? nullptr : std::fopen(part.c_str(), "wb"),
                                                       &std::fclose);
  if (!part.empty() && !file) {
    return fail(ErrorCode::other, fmt::format("cannot create {}", part));
  }
  std::uint64_t received = 0;
  auto ok = client.get_blob_to(registry::Repository::of(*ref), blob, [&](util::ByteView chunk) -> Result<void> {
    received += chunk.size();
    if (file && std::fwrite(chunk.data(), 1, chunk.size(), file.get()) != chunk.size()) {
      return fail(ErrorCode::other, fmt::format("writing {} failed", part));
    }
    return {};
  });
  const bool closed = !file || std::fclose(file.release()) == 0;
  if (!ok || !closed) {
    if (!part.empty()) {
      fs::remove(part);
    }
    return fail(ok ? Error{ErrorCode::other, fmt::format("writing {} failed", part)} : ok.error());
  }
  if (!part.empty()) {
    fs::rename(part, a.out);
  }
  OrderedJson j;
  j["digest"] = digest->str();
  j["size"] = received;
  return j;
}

Result<OrderedJson> put_blob(registry::Client& client, const Args& a)
{
  auto ref = parse_ref(a.ref);
  if (!ref) {
    return fail(ref.error());
  }
  std::optional<registry::Repository> mount_from;
  if (!a.mount_from.empty()) {
    auto from = parse_ref(a.mount_from);
    if (!from) {
      return fail(from.error());
    }
    mount_from = registry::Repository::of(*from);
  }
  auto data = util::read_file(a.path);
  if (!data) {
    return fail(data.error());
  }
  auto digest = oci::parse_digest(crypto::sha256_digest_string(util::as_bytes(*data)));
  if (!digest) {
    return fail(ErrorCode::internal, digest.error().message);
  }
  auto ok = client.put_blob(registry::Repository::of(*ref), *digest, util::as_bytes(*data), mount_from);
  if (!ok) {
    return fail(ok.error());
  }
  OrderedJson j;
  j["digest"] = digest->str();
  j["size"] = data->size();
  return j;
}

// Puts FILE's bytes unchanged (crafted or copied manifests for hostile-registry tests).
Result<OrderedJson> put_manifest(registry::Client& client, const Args& a)
{
  auto ref = parse_ref(a.ref);
  if (!ref) {
    return fail(ref.error());
  }
  auto bytes = util::read_file(a.path);
  if (!bytes) {
    return fail(bytes.error());
  }
  std::string media_type = a.media_type;
  if (media_type.empty()) {
    auto doc = util::parse_json(*bytes);
    if (doc && doc->is_object() && doc->contains("mediaType") && (*doc)["mediaType"].is_string()) {
      media_type = (*doc)["mediaType"].get<std::string>();
    } else {
      media_type = std::string(oci::media_type::oci_manifest);
    }
  }
  auto digest = client.put_manifest(registry::Repository::of(*ref), ref->identifier(), *bytes, media_type);
  if (!digest) {
    return fail(digest.error());
  }
  OrderedJson j;
  j["reference"] = ref->with_digest(*digest).str();
  j["digest"] = digest->str();
  j["mediaType"] = media_type;
  j["size"] = bytes->size();
  return j;
}

Result<OrderedJson> list_tags(registry::Client& client, const Args& a)
{
  auto ref = parse_ref(a.ref);
  if (!ref) {
    return fail(ref.error());
  }
  auto tags = client.list_tags(registry::Repository::of(*ref));
  if (!tags) {
    return fail(tags.error());
  }
  std::sort(tags->begin(), tags->end());
  OrderedJson j;
  j["repository"] = ref->name();
  j["tags"] = *tags;
  return j;
}

Result<OrderedJson> referrers(registry::Client& client, const Args& a)
{
  auto ref = parse_ref(a.ref);
  if (!ref) {
    return fail(ref.error());
  }
  auto subject = by_digest(client, *ref);
  if (!subject) {
    return fail(subject.error());
  }
  const auto type = a.artifact_type.empty() ? std::nullopt : std::optional<std::string>(a.artifact_type);
  auto refs = client.referrers(registry::Repository::of(*subject), *subject->digest(), type);
  if (!refs) {
    return fail(refs.error());
  }
  OrderedJson j;
  j["subject"] = subject->digest()->str();
  j["api"] = refs->api;
  j["manifests"] = OrderedJson::array();
  for (const auto& d : refs->index.manifests) {
    j["manifests"].push_back(descriptor_json(d));
  }
  return j;
}

Result<OrderedJson> delete_manifest(registry::Client& client, const Args& a)
{
  auto ref = parse_ref(a.ref);
  if (!ref) {
    return fail(ref.error());
  }
  auto target = by_digest(client, *ref);
  if (!target) {
    return fail(target.error());
  }
  auto ok = client.delete_manifest(registry::Repository::of(*target), *target->digest());
  if (!ok) {
    return fail(ok.error());
  }
  OrderedJson j;
  j["deleted"] = target->str();
  return j;
}

Result<OrderedJson> index_children(registry::Client& client, const Args& a)
{
  auto ref = parse_ref(a.ref);
  if (!ref) {
    return fail(ref.error());
  }
  auto m = client.get_manifest(*ref);
  if (!m) {
    return fail(m.error());
  }
  if (m->kind != oci::ManifestKind::index) {
    return fail(ErrorCode::bad_input, fmt::format("{} is an image manifest, not an index", ref->str()));
  }
  auto index = oci::parse_index(m->bytes);
  if (!index) {
    return fail(index.error());
  }
  OrderedJson j;
  j["digest"] = m->digest.str();
  j["mediaType"] = m->media_type;
  j["children"] = OrderedJson::array();
  for (const auto& d : index->manifests) {
    j["children"].push_back(descriptor_json(d));
  }
  return j;
}

Result<OrderedJson> ping(registry::Client& client, const Args& a)
{
  auto ok = client.ping(a.ref);
  if (!ok) {
    return fail(ok.error());
  }
  OrderedJson j;
  j["registry"] = a.ref;
  j["ok"] = true;
  return j;
}

// --- main ---------------------------------------------------------------------------------------

void add_flags(CLI::App& app, Flags& f)
{
  app.add_option("--registry-username", f.username);
  app.add_option("--registry-password", f.password);
  app.add_option("--registry-token", f.token);
  app.add_option("--ca-file", f.ca_file);
  app.add_flag("--allow-insecure-registry", f.allow_insecure);
  app.add_flag("--allow-http-registry", f.allow_http);
  app.add_flag("--verbose,-d", f.verbose);
  app.add_option("--max-attempts", f.max_attempts)->check(CLI::Range(1, 20));
  app.add_option("--timeout", f.timeout_seconds)->check(CLI::Range(0.1, 3600.0));
  app.add_option("--repeat", f.repeat, "Run the operation N times in one session")->check(CLI::Range(1, 10));
  app.add_option("--pause", f.pause_seconds, "Seconds between repetitions")->check(CLI::Range(0.0, 60.0));
}

registry::SessionOptions session_options(const Flags& f)
{
  registry::SessionOptions o;
  o.transport.user_agent = fmt::format("sigil/{} (registry probe)", core::version());
  o.transport.ca_file = !f.ca_file.empty() ? f.ca_file : core::env::get("SSL_CERT_FILE").value_or("");
  o.transport.insecure_skip_tls_verify = f.allow_insecure;
  const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(f.timeout_seconds * 1000));
  o.transport.request_timeout = timeout;
  o.client.retry.max_total = timeout;
  o.client.retry.max_attempts = f.max_attempts;
  o.client.allow_http = f.allow_http;
  if (f.chunked_threshold > 0) {
    o.client.chunked_upload_threshold = f.chunked_threshold;
    o.client.chunk_size = f.chunk_size > 0 ? f.chunk_size : f.chunked_threshold;
  }
  if (f.verbose) {
    o.transport.log = [](std::string_view line) { fmt::print(stderr, "sigil: http: {}\n", line); };
  }
  o.credentials = registry::CredentialFlags{f.username, f.password, f.token};
  return o;
}

int run(const Flags& f, const Operation& op)
{
  if (f.allow_insecure) {
    fmt::print(stderr, "warning: --allow-insecure-registry: registry TLS certificates are NOT verified; anyone on the "
                       "network path can impersonate the registry\n");
  }
  registry::Session session(session_options(f));
  int status = 0;
  for (int i = 0; i < f.repeat; ++i) {
    if (i > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<std::int64_t>(f.pause_seconds * 1000)));
    }
    auto result = op(session.client());
    if (!result) {
      fmt::print(stderr, "error: {}\n", result.error().message);
      status = exit_status(result.error().code);
      break;
    }
    fmt::print("{}\n", util::dump_json(*result));
    std::fflush(stdout);
  }
  fmt::print(stderr, "requests: {}\n", session.transport().request_count());
  return status;
}

} // namespace

int main(int argc, char** argv)
{
  CLI::App app{"sigil_registry_probe: drives sigil's registry library for integration tests"};
  app.require_subcommand(1);
  Flags flags;
  Args args;
  add_flags(app, flags);
  Operation op;
  const auto sub = [&](const char* name, Result<OrderedJson> (*fn)(registry::Client&, const Args&)) {
    CLI::App* s = app.add_subcommand(name);
    s->fallthrough();
    s->callback([&op, &args, fn] { op = [&args, fn](registry::Client& c) { return fn(c, args); }; });
    return s;
  };
  auto* push = sub("push-layout", push_layout);
  push->add_option("oci_dir", args.path)->required();
  push->add_option("tag", args.tag)->required();
  push->add_option("ref", args.ref)->required();
  sub("resolve", resolve)->add_option("ref", args.ref)->required();
  auto* get_m = sub("get-manifest", get_manifest);
  get_m->add_option("ref", args.ref)->required();
  get_m->add_option("--out", args.out);
  auto* get_b = sub("get-blob", get_blob);
  get_b->add_option("repo_ref", args.ref)->required();
  get_b->add_option("digest", args.digest)->required();
  get_b->add_option("size", args.size)->required();
  get_b->add_option("--out", args.out);
  auto* put_b = sub("put-blob", put_blob);
  put_b->add_option("repo_ref", args.ref)->required();
  put_b->add_option("file", args.path)->required();
  put_b->add_option("--mount-from", args.mount_from);
  put_b->add_option("--chunked-threshold", flags.chunked_threshold);
  put_b->add_option("--chunk-size", flags.chunk_size);
  auto* put_m = sub("put-manifest", put_manifest);
  put_m->add_option("ref", args.ref)->required();
  put_m->add_option("file", args.path)->required();
  put_m->add_option("--media-type", args.media_type);
  sub("list-tags", list_tags)->add_option("repo_ref", args.ref)->required();
  auto* refs = sub("referrers", referrers);
  refs->add_option("ref", args.ref)->required();
  refs->add_option("--artifact-type", args.artifact_type);
  sub("delete", delete_manifest)->add_option("ref", args.ref)->required();
  sub("index-children", index_children)->add_option("ref", args.ref)->required();
  sub("ping", ping)->add_option("registry", args.ref)->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return e.get_exit_code() == 0 ? app.exit(e) : (app.exit(e), exit_status(ErrorCode::usage));
  }
  return run(flags, op);
}
