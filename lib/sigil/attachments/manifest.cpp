#include "sigil/attachments/manifest.hpp"

#include "sigil/crypto/digest.hpp"
#include "sigil/oci/media_types.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/json.hpp"

namespace sigil::attachments {

namespace {

constexpr std::string_view k_zero_time = "0001-01-01T00:00:00Z";

} // namespace

std::string build_config(const std::vector<oci::Descriptor>& layers)
{
  util::OrderedJson j;
  j["architecture"] = "";
  j["created"] = k_zero_time;
  util::OrderedJson history = util::OrderedJson::array();
  util::OrderedJson diff_ids = util::OrderedJson::array();
  for (const auto& l : layers) {
    history.push_back({{"created", k_zero_time}});
    diff_ids.push_back(l.digest.str());
  }
  j["history"] = history;
  j["os"] = "";
  j["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  j["config"] = util::OrderedJson::object();
  return util::dump_json(j);
}

SignatureManifest build_signature_manifest(const std::vector<oci::Descriptor>& layers)
{
  SignatureManifest out;
  out.config = build_config(layers);
  out.config_descriptor = oci::Descriptor{std::string(oci::media_type::oci_config), oci::sha256_digest(out.config),
                                          static_cast<std::int64_t>(out.config.size()), {}, {}, std::nullopt, std::nullopt};
  oci::Manifest m;
  m.media_type = std::string(oci::media_type::oci_manifest);
  m.config = out.config_descriptor;
  m.layers = layers;
  out.manifest = oci::serialize_manifest(m);
  return out;
}

oci::Descriptor make_layer(std::string_view media_type, util::ByteView blob, std::map<std::string, std::string> annotations)
{
  return oci::Descriptor{std::string(media_type), oci::sha256_digest(blob), static_cast<std::int64_t>(blob.size()),
                         std::move(annotations), {}, std::nullopt, std::nullopt};
}

bool same_layer(const oci::Descriptor& a, const oci::Descriptor& b)
{
  return a.digest == b.digest && a.media_type == b.media_type && a.annotations == b.annotations;
}

} // namespace sigil::attachments
