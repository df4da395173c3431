// Tests for sigil::registry::signature_repository: where signatures live (cosign's
// COSIGN_REPOSITORY), decided once for every command.
#include "sigil/registry/signature_repository.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string_view>

namespace {

using sigil::ErrorCode;
using sigil::oci::Reference;
using sigil::registry::Repository;
using sigil::registry::signature_repository;
using sigil::registry::target_repository;

Reference image()
{
  return *Reference::parse("registry.example:5000/team/app@sha256:" + std::string(64, 'a'));
}

} // namespace

TEST_CASE("without an override, signatures live in the image's own repository")
{
  for (const auto& none : {std::optional<std::string_view>{}, std::optional<std::string_view>{""}}) {
    const auto repo = signature_repository(image(), none);
    REQUIRE(repo);
    CHECK(repo->registry == "registry.example:5000");
    CHECK(repo->path == "team/app");
  }
}

TEST_CASE("an override names the repository signatures are read from and written to")
{
  const auto repo = signature_repository(image(), std::string_view("other.example/sigs/store"));
  REQUIRE(repo);
  CHECK(repo->registry == "other.example");
  CHECK(repo->path == "sigs/store");
}

TEST_CASE("an override with a tag or a digest is a usage error that says what is wrong")
{
  for (const std::string& text :
       {std::string("other.example/sigs/store:latest"), "other.example/sigs/store@sha256:" + std::string(64, 'b'),
        std::string("Not A Reference")}) {
    const auto repo = signature_repository(image(), std::string_view(text));
    REQUIRE_FALSE(repo);
    CHECK(repo.error().code == ErrorCode::usage);
    CHECK(repo.error().message.find("must name a repository") != std::string::npos);
  }
}

TEST_CASE("a request's explicit repository wins over the environment")
{
  const Repository mine{"mine.example", "sigs"};
  const auto repo = target_repository(image(), mine);
  REQUIRE(repo);
  CHECK(repo->registry == "mine.example");
  CHECK(repo->path == "sigs");
}
