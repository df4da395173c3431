// sigil version
#include "command.hpp"
#include "output.hpp"

#include "sigil/core/version.hpp"
#include "sigil/crypto/openssl.hpp"
#include "sigil/util/json.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

namespace sigil::cli {

void register_version(Commands& commands)
{
  auto* app = commands.add("version", "Print sigil's version, git commit and library versions",
                           "  sigil version\n"
                           "  sigil version -o json\n");
  auto output = std::make_shared<std::string>("text");
  app->add_option("-o,--output", *output, "Output format")->check(CLI::IsMember({"text", "json"}));
  commands.set_run(app, [output]() -> Result<int> {
    // The version built against: libcurl is loaded on first network use (see curl_transport.cpp),
    // and printing the version must not pay for loading it. Same soname, same ABI.
    const std::string curl = LIBCURL_VERSION;
    if (*output == "json") {
      util::OrderedJson j;
      j["version"] = core::version();
      j["gitCommit"] = core::git_commit();
      j["openssl"] = crypto::openssl_version();
      j["libcurl"] = curl;
      print_result(util::dump_json(j) + "\n");
    } else {
      print_text("sigil {}\ngit commit: {}\nopenssl: {}\nlibcurl: {}\n", core::version(), core::git_commit(),
                 crypto::openssl_version(), curl);
    }
    return 0;
  });
}

} // namespace sigil::cli
