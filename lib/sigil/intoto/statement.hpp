// sigil::intoto — in-toto Statements (v1 and v0.1) as cosign writes and reads them.
//
//   {"_type":"https://in-toto.io/Statement/v1",
//    "subject":[{"name":"...","digest":{"sha256":"<hex>"},"annotations":{...}}],
//    "predicateType":"<URI>","predicate":{...}}
//
// Writing: build_statement() emits compact JSON in that field order (name and annotations
// only when non-empty), cosign_sign_statement() the statement `cosign sign` puts in a bundle
// (cosign-spec §5.1), custom_predicate() cosign's "custom" predicate body, and
// predicate_type_uri() maps `--type` names to URIs (cosign-spec §5.3).
//
// Reading: parse_statement() checks the shape and bounds the subject list. It is meant for
// payload bytes whose DSSE signature has already verified; it never re-serialises them.
// Duplicate JSON keys anywhere are refused (see util/json_strict.hpp: two parsers could
// otherwise see different subjects or predicate types in the same signed bytes).
#pragma once

#include "sigil/core/result.hpp"
#include "sigil/oci/reference.hpp"
#include "sigil/util/json.hpp"

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sigil::intoto {

constexpr std::string_view k_statement_v1 = "https://in-toto.io/Statement/v1";
constexpr std::string_view k_statement_v01 = "https://in-toto.io/Statement/v0.1";
// DSSE payloadType of a statement.
constexpr std::string_view k_payload_type = "application/vnd.in-toto+json";
// predicateType of the statement `cosign sign` signs in bundle format.
constexpr std::string_view k_cosign_sign_predicate_type = "https://sigstore.dev/cosign/sign/v1";
// cosign's default `--type custom`.
constexpr std::string_view k_custom_predicate_type = "https://cosign.sigstore.dev/attestation/v1";

struct PredicateTypeName {
  std::string_view name; // as given to --type
  std::string_view uri;
};

// cosign's --type names, in cosign's help order: custom, slsaprovenance, slsaprovenance02,
// slsaprovenance1, spdx, spdxjson, cyclonedx, link, vuln, openvex.
[[nodiscard]] std::span<const PredicateTypeName> predicate_type_names();

// A known name gives its URI; an absolute URI ("scheme:rest", RFC 3986 scheme, no spaces or
// control characters) is returned unchanged; anything else is a usage error listing the names.
[[nodiscard]] Result<std::string> predicate_type_uri(std::string_view name_or_uri);

struct Subject {
  std::string name;                               // optional; omitted when empty
  std::map<std::string, std::string> digest;      // algorithm -> lowercase hex
  std::map<std::string, std::string> annotations; // optional; omitted when empty
};

struct StatementRequest {
  std::string type{k_statement_v1}; // k_statement_v1 or k_statement_v01
  std::vector<Subject> subjects;
  std::string predicate_type;
  std::string predicate_json; // a JSON object's text, embedded as parsed (compact, key order kept)
};

// Compact JSON: _type, subject, predicateType, predicate. Errors (bad_input) when the type is
// not a statement type, there is no subject or a subject has no digest, the predicate type is
// empty, or predicate_json is not a JSON object (or repeats a key).
[[nodiscard]] Result<std::string> build_statement(const StatementRequest& request);

// cosign's custom predicate: {"Data":"<data>","Timestamp":"<rfc3339>"} (invalid UTF-8 in
// data becomes U+FFFD, as Go's json.Marshal does).
[[nodiscard]] std::string custom_predicate(std::string_view data, std::string_view rfc3339_timestamp);

// The statement cosign signs for an image in bundle format:
// {"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"<hex>"},
//  "annotations":{...}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}
// (annotations omitted when empty; a sha512 digest is keyed "sha512").
[[nodiscard]] std::string cosign_sign_statement(const oci::Digest& image_digest,
                                                const std::map<std::string, std::string>& annotations);

struct ParseLimits {
  std::size_t max_subjects = 1024;          // sigstore-go's limit
  std::size_t max_digests_per_subject = 32; // sigstore-go's limit
  int max_depth = util::k_max_json_depth;
};

struct Statement {
  std::string type;
  std::vector<Subject> subjects;
  std::string predicate_type;
  util::Json predicate; // the predicate object; null when the statement has none
  util::Json raw;       // the whole statement, for policies (key order not kept)
};

// Errors are bad_input and name the field. Checks: JSON without duplicate keys; _type is
// k_statement_v1 or k_statement_v01; subject is a non-empty array of at most max_subjects
// objects, each with a non-empty "digest" object of string values (at most
// max_digests_per_subject), an optional string "name" and an optional "annotations" object;
// predicateType is a non-empty string; predicate, when present, is an object.
// Annotation values that are not strings (in-toto v1 allows any JSON) are not copied into
// Subject::annotations; they stay readable in Statement::raw.
[[nodiscard]] Result<Statement> parse_statement(std::string_view json, const ParseLimits& limits = {});

// True when some subject has digest[alg] equal to hex (hex compared case-insensitively:
// both spell the same bytes). Empty alg or hex never match.
[[nodiscard]] bool has_subject_digest(const Statement& statement, std::string_view alg, std::string_view hex);

} // namespace sigil::intoto
