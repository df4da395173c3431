// sigil::Result — errors as values.
//
// Every library function that can fail returns Result<T> (std::expected<T, Error>).
// An Error carries a code, which the CLI maps to an exit status (DESIGN.md §5), and a
// lowercase message to which each layer prepends its context:
//   "pushing signature for r.example/app@sha256:...: 401 unauthorized: ..."
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace sigil {

enum class ErrorCode {
  other,          // exit 1
  usage,          // exit 2
  no_signatures,  // exit 10
  not_found,      // exit 11: image or tag not found
  none_verified,  // exit 12: signatures found, none verified
  no_certificate, // exit 13
  no_attestation, // exit 14
  policy_failed,  // exit 15
  registry,       // exit 20: registry or network failure after retries
  auth,           // exit 21
  bad_input,      // exit 30: bad key, bundle, predicate, wrong password
  internal,       // exit 70
};

struct Error {
  ErrorCode code = ErrorCode::other;
  std::string message;

  // Returns a copy whose message is "context: message".
  [[nodiscard]] Error context(std::string_view ctx) const;
};

template <typename T> using Result = std::expected<T, Error>;

// The usual way to fail: `return fail(ErrorCode::bad_input, "key file is empty");`
[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, std::string message)
{
  return std::unexpected<Error>(Error{code, std::move(message)});
}

[[nodiscard]] inline std::unexpected<Error> fail(Error error)
{
  return std::unexpected<Error>(std::move(error));
}

// Adds context to the error of a failed result: `return with_context(r, "loading key")`.
template <typename T>
[[nodiscard]] std::unexpected<Error> with_context(const Result<T>& result, std::string_view ctx)
{
  return std::unexpected<Error>(result.error().context(ctx));
}

// Straight happy paths (ccache's TRY is the model): each macro evaluates a Result once and, on
// failure, returns its error from the enclosing function (which returns a Result of any type).
//   SIGIL_TRY(client.put_blob(repo, digest, bytes));              // Result<void> or any Result
//   SIGIL_TRY_ASSIGN(auto key, crypto::load_public_key(path));     // declares key = *result
//   SIGIL_TRY_CONTEXT(upload(x), fmt::format("pushing {}", ref));  // error gets "context: "
#define SIGIL_TRY(expr)                                                                                 \
  do {                                                                                                  \
    auto&& sigil_try_result_ = (expr);                                                                  \
    if (!sigil_try_result_) {                                                                           \
      return ::sigil::fail(std::move(sigil_try_result_).error());                                       \
    }                                                                                                   \
  } while (false)
#define SIGIL_TRY_CONTEXT(expr, ctx)                                                                    \
  do {                                                                                                  \
    auto&& sigil_try_result_ = (expr);                                                                  \
    if (!sigil_try_result_) {                                                                           \
      return ::sigil::fail(sigil_try_result_.error().context(ctx));                                     \
    }                                                                                                   \
  } while (false)
#define SIGIL_TRY_CONCAT_(a, b) a##b
#define SIGIL_TRY_NAME_(line) SIGIL_TRY_CONCAT_(sigil_try_value_, line)
#define SIGIL_TRY_ASSIGN(decl, expr)                                                                    \
  auto SIGIL_TRY_NAME_(__LINE__) = (expr);                                                              \
  if (!SIGIL_TRY_NAME_(__LINE__)) {                                                                     \
    return ::sigil::fail(std::move(SIGIL_TRY_NAME_(__LINE__)).error());                                 \
  }                                                                                                     \
  decl = std::move(*SIGIL_TRY_NAME_(__LINE__))

// Exit status for an error code (DESIGN.md §5).
[[nodiscard]] int exit_status(ErrorCode code);

// Stable short name ("bad_input") for JSON output and tests.
[[nodiscard]] std::string_view error_code_name(ErrorCode code);

} // namespace sigil
