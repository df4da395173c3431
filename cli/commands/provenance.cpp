// sigil provenance
#include "command.hpp"
#include "output.hpp"

#include "sigil/oci/reference.hpp"
#include "sigil/provenance/gitlab.hpp"
#include "sigil/util/file.hpp"

#include <fmt/format.h>

#include <chrono>

namespace sigil::cli {

namespace {

struct Options {
  bool gitlab = false;
  std::vector<std::string> artifacts;
  std::string image;
  bool statement = false;
  std::string output;
};

struct Subjects {
  std::vector<intoto::Subject> files;
  std::vector<intoto::Subject> images;
};

Result<Subjects> subjects(const Options& o)
{
  Subjects out;
  for (const auto& path : o.artifacts) {
    auto subject = provenance::file_subject(path);
    if (!subject) {
      return fail(subject.error().context("--artifact"));
    }
    out.files.push_back(std::move(*subject));
  }
  if (!o.image.empty()) {
    auto ref = oci::Reference::parse(o.image);
    if (!ref) {
      return fail(ref.error().context(fmt::format("--image {}", o.image)));
    }
    auto subject = provenance::image_subject(*ref);
    if (!subject) {
      return fail(subject.error().context("--image"));
    }
    out.images.push_back(std::move(*subject));
  }
  return out;
}

// Without --statement, what to attest with the predicate, on stderr.
void print_subject_hints(const Subjects& list, const std::string& output)
{
  const std::string file = output.empty() || output == "-" ? "FILE" : output;
  for (const auto& s : list.files) {
    for (const auto& [alg, hex] : s.digest) {
      print_info("{}:{}  {}", alg, hex, s.name);
    }
    print_info("  to attest: sigil attest-blob {} --type slsaprovenance1 --predicate {} --key KEY --bundle BUNDLE",
               s.name, file);
  }
  for (const auto& s : list.images) {
    for (const auto& [alg, hex] : s.digest) {
      print_info("{}@{}:{}", s.name, alg, hex);
      print_info("  to attest: sigil attest {}@{}:{} --type slsaprovenance1 --predicate {} --key KEY", s.name, alg, hex,
                 file);
    }
  }
}

Result<int> run(const Options& o)
{
  if (!o.gitlab) {
    return fail(ErrorCode::usage, "say where the provenance comes from: --gitlab (the only source so far)");
  }
  SIGIL_TRY_ASSIGN(auto list, subjects(o));
  std::vector<intoto::Subject> all = list.files;
  all.insert(all.end(), list.images.begin(), list.images.end());
  if (o.statement && all.empty()) {
    return fail(ErrorCode::usage,
                "--statement needs the statement's subjects: pass --artifact FILE and/or --image IMAGE@DIGEST");
  }
  const provenance::GitlabProvenanceRequest request{.finished_on = std::chrono::system_clock::now()};
  SIGIL_TRY_ASSIGN(auto text, o.statement ? provenance::gitlab_provenance_statement(request, all)
                                          : provenance::gitlab_provenance_predicate(request));
  const std::string what = o.statement ? "in-toto statement" : "SLSA v1 predicate";
  if (o.output.empty() || o.output == "-") {
    print_result(text + "\n");
  } else {
    const std::string data = text + "\n";
    SIGIL_TRY_CONTEXT(util::write_file_atomic({o.output, util::as_bytes(data), 0644, util::Overwrite::yes}),
                      fmt::format("writing {}", o.output));
    print_info("Wrote {} to {}", what, o.output);
  }
  if (!o.statement) {
    print_subject_hints(list, o.output);
  }
  return 0;
}

} // namespace

void register_provenance(Commands& commands)
{
  auto* app = commands.add(
      "provenance",
      "Write SLSA v1 provenance for what this GitLab CI job built, from GitLab's predefined variables.\n"
      "Prints the predicate, ready for 'sigil attest --type slsaprovenance1 --predicate FILE'; with\n"
      "--statement, a whole in-toto Statement v1 whose subjects are the --artifact files and --image.\n"
      "Only an allow-list of GitLab variables is read (see sigil-environment(7)); masked variables,\n"
      "tokens and passwords are never copied. The provenance is written by the job itself, so it is\n"
      "as trustworthy as the job's script (SLSA Build L1) and is meant to be signed by 'sigil attest'.",
      "  sigil provenance --gitlab -o provenance.json\n"
      "  sigil attest --key env://SIGNING_KEY --type slsaprovenance1 --predicate provenance.json "
      "\"$CI_REGISTRY_IMAGE@$DIGEST\"\n"
      "  sigil provenance --gitlab --artifact dist/app.tar.gz -o provenance.json   # also prints the sha256 to attest\n"
      "  sigil provenance --gitlab --statement --artifact dist/app.tar.gz --image \"$CI_REGISTRY_IMAGE@$DIGEST\"\n");
  auto o = std::make_shared<Options>();
  app->add_flag("--gitlab", o->gitlab, "Read GitLab CI's predefined variables (required: the only source so far)");
  app->add_option("--artifact", o->artifacts,
                  "A file the job built: its sha256 is printed, or made a subject with --statement")
      ->type_name("FILE");
  app->add_option("--image", o->image, "An image the job built, by digest (IMAGE@sha256:...)")->type_name("IMAGE");
  app->add_flag("--statement", o->statement,
                "Write an in-toto Statement v1 with the subjects instead of the predicate");
  app->add_option("-o,--output", o->output, "Write to FILE (atomically) instead of standard output")
      ->type_name("FILE");
  commands.set_run(app, [o] { return run(*o); });
}

} // namespace sigil::cli
