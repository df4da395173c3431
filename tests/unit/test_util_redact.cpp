// Tests for sigil::util::redact_secrets: remembered secrets never reach what sigil shows.
#include "sigil/util/redact.hpp"

#include <doctest/doctest.h>

#include <string>

using sigil::util::redact_secrets;
using sigil::util::remember_secret;

TEST_CASE("redact_secrets shows every remembered secret as ***, longest first")
{
  remember_secret("hunter2-redact-test");
  remember_secret("aHVudGVyMi1yZWRhY3QtdGVzdA=="); // its base64 form
  remember_secret("ab");                           // too short: would match everywhere
  CHECK(redact_secrets("bad password hunter2-redact-test (Basic aHVudGVyMi1yZWRhY3QtdGVzdA==)") ==
        "bad password *** (Basic ***)");
  CHECK(redact_secrets("hunter2-redact-testhunter2-redact-test") == "******");
  CHECK(redact_secrets("nothing secret, ab") == "nothing secret, ab");
  remember_secret("hunter2-redact"); // a prefix of a longer one: the longer is replaced whole
  CHECK(redact_secrets("x hunter2-redact-test y hunter2-redact z") == "x *** y *** z");
}
