// evaluate_image: one rule, one read of the signatures, one of the attestations, N of M counted.
#include "sigil/verify/policy_eval.hpp"

#include "sigil/verify/image.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace sigil::verify {

std::string_view outcome_name(PolicyOutcome outcome)
{
  switch (outcome) {
  case PolicyOutcome::pass: return "pass";
  case PolicyOutcome::fail: return "fail";
  case PolicyOutcome::audit_fail: return "audit-fail";
  case PolicyOutcome::skipped: return "skipped";
  }
  return "fail";
}

namespace {

std::optional<std::size_t> key_of(const SignatureReport& r)
{
  if (r.key_index) {
    return r.key_index;
  }
  if (r.keyless && r.keyless->matched_key) {
    return r.keyless->matched_key;
  }
  return std::nullopt;
}

// Whether a verified signature or attestation counts for an authority, and if not, why.
std::optional<std::string> mismatch(const PreparedAuthority& a, const SignatureReport& r)
{
  if (a.key_index) {
    const auto k = key_of(r);
    if (k && *k == *a.key_index) {
      return std::nullopt;
    }
    return std::string{"verified with another key or identity"};
  }
  if (!r.keyless || !r.keyless->identity) {
    return std::string{"key-signed, not keyless"};
  }
  auto ok = keyless::check_identity(*a.identity, *r.keyless->identity);
  return ok ? std::nullopt : std::optional<std::string>{ok.error().message};
}

// Who signed a verified report: for a key, the key (two signatures by one key are one signer);
// keyless, the certificate's identity, SAN and issuer (every signature gets a fresh
// certificate, so the certificate would make one person signing twice two signers).
std::string signer_of(const SignatureReport& r, std::size_t index)
{
  if (const auto k = key_of(r)) {
    return fmt::format("key {}", *k);
  }
  if (r.keyless && r.keyless->identity) {
    // Length-prefixed: no subject/issuer pair can spell another pair's name.
    const auto& id = *r.keyless->identity;
    return fmt::format("identity {}:{}{}", id.subject.size(), id.subject, id.issuer);
  }
  return fmt::format("report {}", index); // neither: only itself
}

// Authorities x distinct signers: edges, then a maximum matching so that one signer counts for
// one authority only (two authorities satisfied by one signer, with one signature or several,
// are one signer, not two).
struct Counting {
  std::vector<std::vector<std::size_t>> edges; // per authority: the signers that satisfy it
  std::vector<std::optional<std::size_t>> owner; // per signer: the authority it counts for
  std::vector<std::optional<std::size_t>> match; // per authority: its signer

  bool augment(std::size_t a, std::vector<char>& seen)
  {
    for (const auto s : edges[a]) {
      if (seen[s] != 0) {
        continue;
      }
      seen[s] = 1;
      if (!owner[s] || augment(*owner[s], seen)) { // depth bounded by the number of authorities
        owner[s] = a;
        match[a] = s;
        return true;
      }
    }
    return false;
  }

  std::size_t solve(std::size_t signers)
  {
    owner.assign(signers, std::nullopt);
    match.assign(edges.size(), std::nullopt);
    std::size_t n = 0;
    for (std::size_t a = 0; a < edges.size(); ++a) {
      std::vector<char> seen(signers, 0);
      n += augment(a, seen) ? 1 : 0;
    }
    return n;
  }
};

std::string unsatisfied_reason(const std::vector<SignatureReport>& reports, const std::vector<std::string>& why,
                               bool had_edges, std::string_view what)
{
  if (reports.empty()) {
    return fmt::format("no {} found", what);
  }
  if (had_edges) {
    return std::string{"its signers counted for other authorities (each signer counts for one authority only)"};
  }
  for (std::size_t i = 0; i < reports.size(); ++i) {
    if (!why[i].empty()) {
      return fmt::format("{} considered, none by this authority: {}", reports.size(), why[i]);
    }
  }
  return fmt::format("{} considered, none verified: {}", reports.size(), reports.front().reason);
}

struct Evaluation {
  registry::Client& client;
  const PreparedRule& rule;
  PolicyVerdict& verdict;
  oci::Reference image;
  std::vector<std::string> failures;

  Result<void> signatures()
  {
    VerifyImageRequest request{.image = image, .keys = rule.keys, .sigstore = rule.sigstore};
    SIGIL_TRY_ASSIGN(auto result, verify_image(client, request));
    image = result.image;
    verdict.digest = result.image.digest()->str();
    const auto& sigs = rule.signatures;
    const auto n = match_authorities(sigs, result.signatures, [](const SignatureReport&) { return true; },
                                     "signatures", verdict.signatures);
    if (n < sigs.count) {
      failures.push_back(fmt::format("signatures: {} of {} authorities verified, {} required", n,
                                     sigs.authorities.size(), sigs.count));
    }
    verdict.signature_reports = std::move(result.signatures);
    return {};
  }

  Result<void> attestations()
  {
    if (rule.attestations.empty()) {
      return {};
    }
    VerifyAttestationRequest request{.image = image, .keys = rule.keys, .predicate_type = "", .sigstore = rule.sigstore};
    SIGIL_TRY_ASSIGN(auto result, verify_image_attestations(client, request));
    verdict.digest = result.image.digest()->str();
    for (const auto& a : rule.attestations) {
      AttestationVerdict v{a.name, a.predicate_type, false, {}, {}};
      const auto passes = [&](const SignatureReport& r) {
        return decide(std::vector<SignatureReport>{r}, a.predicate_type, a.policy).ok;
      };
      const auto n = match_authorities(a.signatures, result.attestations, passes, "attestations", v.authorities);
      v.satisfied = n >= a.signatures.count;
      v.reason = fmt::format("{} of {} authorities, {} required", n, a.signatures.authorities.size(), a.signatures.count);
      if (!v.satisfied) {
        const auto d = decide(result.attestations, a.predicate_type, a.policy);
        failures.push_back(fmt::format("attestation \"{}\": {}{}", a.name, v.reason, d.ok ? "" : ": " + d.message));
      }
      verdict.attestations.push_back(std::move(v));
    }
    verdict.attestation_reports = std::move(result.attestations);
    return {};
  }
};

void conclude(PolicyVerdict& v, bool ok, ErrorCode code, std::string reason)
{
  if (ok) {
    v.outcome = PolicyOutcome::pass;
    v.code = ErrorCode::other;
  } else {
    v.outcome = v.mode == policy::Mode::audit ? PolicyOutcome::audit_fail : PolicyOutcome::fail;
    v.code = code;
  }
  v.reason = std::move(reason);
}

} // namespace

std::size_t match_authorities(const PreparedSignatures& sigs, const std::vector<SignatureReport>& reports,
                              const std::function<bool(const SignatureReport&)>& eligible, std::string_view what,
                              std::vector<AuthorityVerdict>& out)
{
  std::vector<std::string> signers; // distinct, in the order first seen
  std::vector<std::size_t> signer(reports.size());
  for (std::size_t r = 0; r < reports.size(); ++r) {
    auto id = signer_of(reports[r], r);
    const auto it = std::ranges::find(signers, id);
    signer[r] = static_cast<std::size_t>(it - signers.begin());
    if (it == signers.end()) {
      signers.push_back(std::move(id));
    }
  }
  Counting c;
  std::vector<std::vector<std::string>> why(sigs.authorities.size(), std::vector<std::string>(reports.size()));
  // per authority and signer: the first report that satisfied it (named in the verdict)
  std::vector<std::vector<std::optional<std::size_t>>> via(sigs.authorities.size(),
                                                           std::vector<std::optional<std::size_t>>(signers.size()));
  for (std::size_t a = 0; a < sigs.authorities.size(); ++a) {
    c.edges.emplace_back();
    for (std::size_t r = 0; r < reports.size(); ++r) {
      if (!reports[r].verified || !eligible(reports[r])) {
        continue;
      }
      if (auto miss = mismatch(sigs.authorities[a], reports[r])) {
        why[a][r] = std::move(*miss);
      } else if (!via[a][signer[r]]) {
        via[a][signer[r]] = r;
        c.edges.back().push_back(signer[r]);
      }
    }
  }
  const auto n = c.solve(signers.size());
  for (std::size_t a = 0; a < sigs.authorities.size(); ++a) {
    AuthorityVerdict v{sigs.authorities[a].name, c.match[a].has_value(), {}};
    v.reason = v.satisfied ? fmt::format("verified: {}", reports[*via[a][*c.match[a]]].source)
                           : unsatisfied_reason(reports, why[a], !c.edges[a].empty(), what);
    out.push_back(std::move(v));
  }
  return n;
}

PolicyVerdict evaluate_image(registry::Client& client, const PreparedPolicy& policy, const oci::Reference& image,
                             const EvaluateOptions& options)
{
  PolicyVerdict v;
  v.image = image.str();
  if (image.digest()) {
    v.digest = image.digest()->str();
  }
  const auto selection = policy.policy.select(image.name());
  const auto* rule = policy.prepared(selection.rule);
  if (rule == nullptr) {
    conclude(v, false, ErrorCode::policy_failed,
             fmt::format("no rule of the policy matches {} and it has no spec.default", image.name()));
    return v;
  }
  v.rule = rule->rule->name;
  v.pattern = selection.pattern != nullptr ? selection.pattern->text : "";
  v.mode = rule->rule->mode;
  if (v.mode == policy::Mode::skip) {
    v.outcome = PolicyOutcome::skipped;
    v.reason = fmt::format("rule \"{}\" is mode skip: nothing verified", v.rule);
    return v;
  }
  Evaluation e{client, *rule, v, image, {}};
  auto done = options.signatures ? e.signatures() : Result<void>{};
  if (done && options.attestations) {
    done = e.attestations();
  }
  if (!done) {
    conclude(v, false, done.error().code, done.error().message);
    return v;
  }
  if (!e.failures.empty()) {
    std::string reason;
    for (const auto& f : e.failures) {
      reason += reason.empty() ? f : "; " + f;
    }
    conclude(v, false, ErrorCode::policy_failed, std::move(reason));
    return v;
  }
  conclude(v, true, ErrorCode::other,
           fmt::format("rule \"{}\": {}{}", v.rule,
                       options.signatures ? fmt::format("{} of {} signature authorities", 
                                                        std::ranges::count_if(v.signatures, [](const auto& s) { return s.satisfied; }),
                                                        v.signatures.size())
                                          : std::string{"attestations only"},
                       v.attestations.empty() ? "" : fmt::format(", {} attestation(s) satisfied", v.attestations.size())));
  return v;
}

} // namespace sigil::verify
