#include "secrets.hpp"

#include "output.hpp"

#include "sigil/core/env.hpp"
#include "sigil/util/file.hpp"
#include "sigil/util/secure_bytes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include <fcntl.h>
#include <sys/prctl.h>
#include <termios.h>
#include <unistd.h>

namespace sigil::cli {

namespace {

// Where read_password looks, in order, after --password-file (before prompting).
constexpr const char* k_password_variables[] = {"SIGIL_PASSWORD", "COSIGN_PASSWORD"};

constexpr std::uint64_t k_max_password_file = 64 * 1024;

void strip_newline(util::SecureBytes& pass)
{
  if (!pass.empty() && pass.data()[pass.size() - 1] == '\n') {
    pass.pop_back();
    if (!pass.empty() && pass.data()[pass.size() - 1] == '\r') {
      pass.pop_back();
    }
  }
}

class TtyEcho {
public:
  explicit TtyEcho(int fd) : m_fd(fd)
  {
    if (::tcgetattr(fd, &m_saved) == 0) {
      termios quiet = m_saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      m_restore = ::tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
  }
  ~TtyEcho()
  {
    if (m_restore) {
      ::tcsetattr(m_fd, TCSAFLUSH, &m_saved);
    }
  }
  TtyEcho(const TtyEcho&) = delete;
  TtyEcho& operator=(const TtyEcho&) = delete;

private:
  int m_fd;
  termios m_saved{};
  bool m_restore = false;
};

Result<util::SecureBytes> prompt_once(int tty, std::string_view prompt)
{
  (void)!::write(tty, prompt.data(), prompt.size());
  util::SecureBytes line;
  {
    TtyEcho quiet(tty);
    char c = 0;
    while (true) {
      const ssize_t n = ::read(tty, &c, 1);
      if (n <= 0 || c == '\n') {
        break;
      }
      if (line.size() >= k_max_password_file) {
        return fail(ErrorCode::usage, "password too long");
      }
      line.push_back(static_cast<std::uint8_t>(c));
    }
    c = 0;
  }
  (void)!::write(tty, "\n", 1);
  if (!line.empty() && line.data()[line.size() - 1] == '\r') {
    line.pop_back();
  }
  return line;
}

Result<util::SecureBytes> prompt_password(Confirm confirm)
{
  if (::isatty(STDIN_FILENO) != 1) {
    return fail(ErrorCode::usage, "no password for the private key: set SIGIL_PASSWORD (or COSIGN_PASSWORD; set but "
                                  "empty means no password) or pass --password-file FILE");
  }
  const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) {
    return fail(ErrorCode::usage, "no password for the private key and no terminal to ask on: set SIGIL_PASSWORD or "
                                  "pass --password-file FILE");
  }
  auto first = prompt_once(tty, "Enter password for private key: ");
  if (first && confirm == Confirm::yes) {
    auto second = prompt_once(tty, "Enter password for private key again: ");
    if (second && !first->equals(second->view())) {
      ::close(tty);
      return fail(ErrorCode::usage, "passwords do not match");
    }
  }
  ::close(tty);
  return first;
}

} // namespace

namespace {

// The password and where it came from: the wrong-password error names the source, and says
// when SIGIL_PASSWORD was taken over a COSIGN_PASSWORD that is set too.
Result<crypto::Password> read_password_from(const std::string& password_file, Confirm confirm)
{
  if (!password_file.empty()) {
    auto pass = util::read_secret_file(password_file, k_max_password_file);
    if (!pass) {
      return fail(pass.error().context("reading --password-file"));
    }
    strip_newline(*pass);
    return crypto::Password(std::move(*pass), fmt::format("--password-file {}", password_file));
  }
  for (const auto* name : k_password_variables) {
    if (auto value = core::env::get(name)) {
      util::SecureBytes pass(util::as_bytes(*value));
      util::wipe(*value);
      auto other = std::string_view(name) == "SIGIL_PASSWORD" ? core::env::get("COSIGN_PASSWORD") : std::nullopt;
      const bool overrides = other.has_value();
      if (other) {
        util::wipe(*other);
      }
      return crypto::Password(std::move(pass), overrides ? "SIGIL_PASSWORD, which overrides COSIGN_PASSWORD (also set)"
                                                         : std::string(name));
    }
  }
  SIGIL_TRY_ASSIGN(auto typed, prompt_password(confirm));
  return crypto::Password(std::move(typed), "the terminal prompt");
}

} // namespace

Result<util::SecureBytes> read_password(const std::string& password_file, Confirm confirm)
{
  SIGIL_TRY_ASSIGN(auto password, read_password_from(password_file, confirm));
  return std::move(password.bytes);
}

bool password_without_prompt(const std::string& password_file)
{
  return !password_file.empty() ||
         std::any_of(std::begin(k_password_variables), std::end(k_password_variables),
                     [](const char* name) { return core::env::get(name).has_value(); });
}

crypto::PasswordProvider password_provider(const std::string& password_file)
{
  return [password_file]() { return read_password_from(password_file, Confirm::no); };
}

void protect_key_material()
{
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

Result<crypto::PrivateKey> open_signing_key(const std::string& ref, const std::string& password_file,
                                           crypto::KeyFileMode mode)
{
  protect_key_material();
  SIGIL_TRY_ASSIGN(auto loaded, crypto::load_private_key(ref, password_provider(password_file), mode));
  for (const auto& w : loaded.warnings) {
    print_warning("{}", w);
  }
  return std::move(loaded.key);
}

Result<int> write_key_pair_files(const crypto::PrivateKey& key, const KeyPairOutput& out)
{
  SIGIL_TRY_ASSIGN(auto password, read_password(out.password_file, Confirm::yes));
  auto paths = crypto::write_key_pair({.prefix = out.prefix,
                                       .key = key,
                                       .password = password.view(),
                                       .overwrite = out.force ? util::Overwrite::yes : util::Overwrite::no});
  if (!paths) {
    return fail(paths.error().context("writing key pair"));
  }
  print_info("Private key written to {}", paths->private_key);
  print_info("Public key written to {}", paths->public_key);
  return 0;
}

Result<std::unique_ptr<sign::KeyRefSigner>> open_signer(const std::string& ref, const std::string& password_file,
                                                        crypto::KeyFileMode mode)
{
  protect_key_material();
  const auto prepare = password_without_prompt(password_file) ? sign::Prepare::in_background : sign::Prepare::when_asked;
  auto signer = std::make_unique<sign::KeyRefSigner>(
    sign::KeyRefSignerRequest{.ref = ref,
                              .password = password_provider(password_file),
                              .mode = mode,
                              .prepare = prepare,
                              .on_warning = [](std::string_view w) { print_warning("{}", w); }});
  if (prepare == sign::Prepare::when_asked) {
    SIGIL_TRY(signer->key());
  }
  return signer;
}

void add_key_permissions_flag(CLI::App* app, bool& allow)
{
  app->add_flag("--allow-insecure-key-permissions", allow,
                "Sign with a key file that other users can read (a warning is printed; better: chmod 600 KEY)");
}

} // namespace sigil::cli
