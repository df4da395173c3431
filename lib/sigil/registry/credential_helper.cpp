#include "sigil/registry/credential_helper.hpp"

#include "sigil/registry/token.hpp"
#include "sigil/util/json.hpp"
#include "sigil/util/redact.hpp"
#include "sigil/util/secure_bytes.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>

extern char** environ; // NOLINT(readability-redundant-declaration): for posix_spawnp

namespace sigil::registry {

namespace {

using util::Json;
using util::wipe;
using CredentialPtr = std::shared_ptr<const Credential>;

constexpr std::string_view k_token_username = "<token>"; // docker-credential-helpers
constexpr std::size_t k_max_helper_error_chars = 200;

class Fd {
public:
  explicit Fd(int fd = -1) : m_fd(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return m_fd; }
  void reset()
  {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
    m_fd = -1;
  }

private:
  int m_fd;
};

struct HelperOutput {
  int exit_status = -1;
  std::string out; // may hold the secret: wiped by the caller
  std::string err;
  ~HelperOutput() { wipe(out); }
  HelperOutput() = default;
  HelperOutput(const HelperOutput&) = delete;
  HelperOutput& operator=(const HelperOutput&) = delete;
  HelperOutput(HelperOutput&&) = default;
  HelperOutput& operator=(HelperOutput&&) = default;
};

using SteadyTime = std::chrono::steady_clock::time_point;

int remaining_ms(SteadyTime deadline)
{
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 60'000));
}

// Reads stdout and stderr of the helper until both are closed, the deadline or the cap.
Result<void> collect(int out_fd, int err_fd, SteadyTime deadline, HelperOutput& output)
{
  std::array<pollfd, 2> fds{pollfd{out_fd, POLLIN, 0}, pollfd{err_fd, POLLIN, 0}};
  std::array<std::string*, 2> sinks{&output.out, &output.err};
  std::array<char, 4096> buf{};
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    const int wait = remaining_ms(deadline);
    if (wait == 0) {
      return fail(ErrorCode::auth, fmt::format("timed out after {} s", k_credential_helper_timeout.count()));
    }
    if (::poll(fds.data(), fds.size(), wait) < 0 && errno != EINTR) {
      return fail(ErrorCode::auth, fmt::format("poll: {}", std::strerror(errno)));
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) {
        continue;
      }
      const ssize_t n = ::read(fds[i].fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        fds[i].fd = -1;
        continue;
      }
      if (sinks[i]->size() + static_cast<std::size_t>(n) > k_max_credential_helper_output) {
        return fail(ErrorCode::auth, fmt::format("output larger than {} bytes", k_max_credential_helper_output));
      }
      sinks[i]->append(buf.data(), static_cast<std::size_t>(n));
    }
  }
  OPENSSL_cleanse(buf.data(), buf.size());
  return {};
}

// Waits for the child until the deadline, then kills it. Returns the wait status or -1.
int reap(pid_t pid, SteadyTime deadline, bool kill_now)
{
  int status = 0;
  while (!kill_now) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      return status;
    }
    if ((r < 0 && errno != EINTR) || remaining_ms(deadline) == 0) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return -1;
}

Result<pid_t> spawn(const std::string& program, std::array<int, 3> child_fds)
{
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int target = 0; target < 3; ++target) {
    posix_spawn_file_actions_adddup2(&actions, child_fds[static_cast<std::size_t>(target)], target);
  }
  std::string arg0 = program;
  std::string arg1 = "get";
  std::array<char*, 3> argv{arg0.data(), arg1.data(), nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc == ENOENT) {
    return fail(ErrorCode::auth, "not found in PATH; install it or remove it from the docker config");
  }
  if (rc != 0) {
    return fail(ErrorCode::auth, fmt::format("cannot run it: {}", std::strerror(rc)));
  }
  return pid;
}

// Runs `program get` with input on stdin; bounded in time and output.
Result<HelperOutput> run_helper(const std::string& program, std::string_view input)
{
  std::array<int, 2> in{-1, -1};
  std::array<int, 2> out{-1, -1};
  std::array<int, 2> err{-1, -1};
  // A socket for stdin: send(MSG_NOSIGNAL) cannot raise SIGPIPE if the helper exits early.
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in.data()) != 0 || ::pipe2(out.data(), O_CLOEXEC) != 0 ||
      ::pipe2(err.data(), O_CLOEXEC) != 0) {
    const int e = errno;
    for (const int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) {
      Fd close_it(fd);
    }
    return fail(ErrorCode::auth, fmt::format("cannot create pipes: {}", std::strerror(e)));
  }
  Fd in_parent(in[0]);
  Fd out_parent(out[0]);
  Fd err_parent(err[0]);
  Fd in_child(in[1]);
  Fd out_child(out[1]);
  Fd err_child(err[1]);
  const auto deadline = std::chrono::steady_clock::now() + k_credential_helper_timeout;
  SIGIL_TRY_ASSIGN(auto pid, spawn(program, {in[1], out[1], err[1]}));
  in_child.reset();
  out_child.reset();
  err_child.reset();
  // A short write only matters if the helper stopped reading; it then fails on its own.
  [[maybe_unused]] const auto sent = ::send(in_parent.get(), input.data(), input.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  in_parent.reset();
  HelperOutput output;
  const auto collected = collect(out_parent.get(), err_parent.get(), deadline, output);
  const int status = reap(pid, deadline, !collected.has_value());
  if (!collected) {
    return fail(collected.error());
  }
  if (status < 0) {
    return fail(ErrorCode::auth, fmt::format("timed out after {} s", k_credential_helper_timeout.count()));
  }
  output.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return output;
}

std::string first_line(std::string_view text)
{
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) {
    return "no message";
  }
  text = text.substr(start);
  text = text.substr(0, std::min(text.find_first_of("\r\n"), k_max_helper_error_chars));
  return std::string(text);
}

Result<CredentialPtr> parse_helper_output(Json& json, std::string source)
{
  auto username = util::json_string(json, "Username");
  const auto secret = json.find("Secret");
  if (!username || secret == json.end() || !secret->is_string()) {
    return fail(ErrorCode::auth, "answer lacks the string fields Username and Secret");
  }
  auto& secret_text = secret->get_ref<std::string&>();
  CredentialPtr credential;
  if (!secret_text.empty()) {
    const bool token = *username == k_token_username;
    auto made = std::make_shared<Credential>();
    made->username = token ? std::string() : *username;
    made->secret = util::SecureBytes(util::as_bytes(secret_text));
    made->kind = token ? Credential::Kind::identity_token : Credential::Kind::basic;
    made->source = std::move(source);
    util::remember_secret(secret_text);
    util::remember_secret(query_escape(secret_text));
    credential = std::move(made);
  }
  wipe(secret_text);
  return credential;
}

} // namespace

Result<CredentialPtr> credential_helper_get(std::string_view helper, std::string_view server_url)
{
  const std::string program = fmt::format("docker-credential-{}", helper);
  auto fail_helper = [&](const Error& e) { return fail(e.context(fmt::format("credential helper {}", program))); };
  if (helper.empty() || helper.find('/') != std::string_view::npos) {
    return fail_helper(Error{ErrorCode::auth, "invalid helper name in the docker config"});
  }
  auto output = run_helper(program, server_url);
  if (!output) {
    return fail_helper(output.error());
  }
  if (output->exit_status != 0) {
    if (output->out.find("credentials not found") != std::string::npos) {
      return CredentialPtr{};
    }
    const std::string message = output->out.empty() ? output->err : output->out;
    return fail_helper(
        Error{ErrorCode::auth, fmt::format("exit status {}: {}", output->exit_status, first_line(message))});
  }
  auto json = util::parse_json(output->out);
  if (!json) {
    return fail_helper(Error{ErrorCode::auth, "answer is not valid JSON"});
  }
  auto credential = parse_helper_output(*json, fmt::format("credential helper {}", program));
  if (!credential) {
    return fail_helper(credential.error());
  }
  return credential;
}

} // namespace sigil::registry
