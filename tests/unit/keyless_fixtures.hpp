// Helpers for the keyless unit tests (x509, timestamp, trusted root, trust verify): they read
// shared/conformance in place (never copied, never edited) and skip with a MESSAGE when it is
// absent.
#pragma once

#include "sigil/crypto/timestamp.hpp"
#include "sigil/crypto/x509.hpp"
#include "sigil/util/encoding.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/number.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sigil::test {

inline std::filesystem::path conformance_dir()
{
  return std::filesystem::path(SIGIL_SHARED_DIR) / "conformance";
}

// True when the conformance fixtures are present; otherwise says so (MESSAGE) once per call.
inline bool have_conformance()
{
  if (std::filesystem::exists(conformance_dir() / "cases.json")) {
    return true;
  }
  MESSAGE("shared/conformance is absent: skipped");
  return false;
}

inline std::string read_conformance(const std::string& relative)
{
  auto text = util::read_file(conformance_dir() / relative);
  REQUIRE_MESSAGE(text.has_value(), relative);
  return *text;
}

inline util::Json conformance_json(const std::string& relative)
{
  auto json = util::parse_json(read_conformance(relative));
  REQUIRE_MESSAGE(json.has_value(), relative);
  return *json;
}

// "sigstore-conformance/bundle-verify/<name>/<file>"
inline std::string bundle_case(const std::string& name, const std::string& file = "bundle.sigstore.json")
{
  return "sigstore-conformance/bundle-verify/" + name + "/" + file;
}

inline crypto::Certificate cert_from_b64(const std::string& b64)
{
  auto der = util::base64_decode(b64);
  REQUIRE(der.has_value());
  auto cert = crypto::Certificate::from_der(*der);
  REQUIRE_MESSAGE(cert.has_value(), (cert ? "" : cert.error().message));
  return *cert;
}

// The certificates of a bundle's verification material: `certificate` (v0.3) or
// `x509CertificateChain.certificates` (v0.1/v0.2), in order.
inline std::vector<crypto::Certificate> bundle_certificates(const util::Json& bundle)
{
  std::vector<crypto::Certificate> out;
  const auto& material = bundle.at("verificationMaterial");
  if (material.contains("certificate")) {
    out.push_back(cert_from_b64(material.at("certificate").at("rawBytes").get<std::string>()));
  } else if (material.contains("x509CertificateChain")) {
    for (const auto& c : material.at("x509CertificateChain").value("certificates", util::Json::array())) {
      out.push_back(cert_from_b64(c.at("rawBytes").get<std::string>()));
    }
  }
  return out;
}

// The DER of each rfc3161Timestamps[].signedTimestamp.
inline std::vector<util::Bytes> bundle_timestamps(const util::Json& bundle)
{
  std::vector<util::Bytes> out;
  const auto& material = bundle.at("verificationMaterial");
  if (!material.contains("timestampVerificationData")) {
    return out;
  }
  for (const auto& t : material.at("timestampVerificationData").value("rfc3161Timestamps", util::Json::array())) {
    auto der = util::base64_decode(t.at("signedTimestamp").get<std::string>());
    REQUIRE(der.has_value());
    out.push_back(*der);
  }
  return out;
}

// The bytes a Sigstore timestamp covers: the message signature, or the DSSE signature.
inline util::Bytes bundle_signature(const util::Json& bundle)
{
  std::string b64;
  if (bundle.contains("messageSignature")) {
    b64 = bundle.at("messageSignature").at("signature").get<std::string>();
  } else {
    b64 = bundle.at("dsseEnvelope").at("signatures").at(0).at("sig").get<std::string>();
  }
  auto sig = util::base64_decode(b64);
  REQUIRE(sig.has_value());
  return *sig;
}

// integratedTime of the first tlog entry, when there is one.
inline std::optional<std::int64_t> bundle_integrated_time(const util::Json& bundle)
{
  const auto& entries = bundle.at("verificationMaterial").value("tlogEntries", util::Json::array());
  if (entries.empty() || !entries.at(0).contains("integratedTime")) {
    return std::nullopt;
  }
  const auto& t = entries.at(0).at("integratedTime");
  if (!t.is_string()) {
    return t.get<std::int64_t>();
  }
  const auto value = util::parse_uint(t.get<std::string>());
  REQUIRE(value.has_value());
  return static_cast<std::int64_t>(*value);
}

} // namespace sigil::test
