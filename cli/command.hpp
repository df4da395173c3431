// The CLI's command registry. Each cli/commands/<name>.cpp declares its flags, help and
// examples, and a run function that builds a request, calls one lib function and renders
// the result. main.cpp is the only place that prints errors and maps them to exit statuses.
#pragma once

#include "sigil/core/result.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sigil::cli {

// Options every command sees.
struct GlobalOptions {
  bool verbose = false;
};

struct Command {
  CLI::App* app = nullptr;
  std::function<Result<int>()> run;
};

class Commands {
public:
  explicit Commands(CLI::App& root, GlobalOptions& global) : m_root(root), m_global(global) {}

  // Creates a subcommand with a description and an Examples section in its --help.
  CLI::App* add(const std::string& name, const std::string& description, const std::string& examples);
  void set_run(CLI::App* app, std::function<Result<int>()> run);
  // A subcommand of a subcommand (download signature), made by the caller.
  void add_nested(CLI::App* app) { m_commands.push_back(Command{app, {}}); }

  [[nodiscard]] const std::vector<Command>& all() const { return m_commands; }
  [[nodiscard]] GlobalOptions& global() { return m_global; }

private:
  CLI::App& m_root;
  GlobalOptions& m_global;
  std::vector<Command> m_commands;
};

// One registration function per command file.
void register_version(Commands& commands);
void register_generate_key_pair(Commands& commands);
void register_import_key_pair(Commands& commands);
void register_public_key(Commands& commands);
void register_sign_blob(Commands& commands);
void register_verify_blob(Commands& commands);
void register_resolve(Commands& commands);
void register_triangulate(Commands& commands);
void register_tree(Commands& commands);
void register_login(Commands& commands);
void register_env(Commands& commands);
void register_sign(Commands& commands);
void register_verify(Commands& commands);
void register_download(Commands& commands);
void register_clean(Commands& commands);
void register_attest(Commands& commands);
void register_provenance(Commands& commands);
void register_attest_blob(Commands& commands);
void register_verify_attestation(Commands& commands);
void register_verify_blob_attestation(Commands& commands);
void register_trusted_root(Commands& commands);
void register_signing_config(Commands& commands);
void register_trust(Commands& commands);
void register_gate(Commands& commands);
void register_policy(Commands& commands);
void register_copy(Commands& commands);
void register_save(Commands& commands);
void register_load(Commands& commands);

} // namespace sigil::cli
