#!/usr/bin/env python3
"""The layering rules of ARCHITECTURE.md, checked on every #include of lib/ and cli/.

  1. Dependencies point downward: a folder of lib/sigil/ includes only folders of a lower
     layer, or of its own layer where LAYERS below allows it (no cycles either way).
  2. lib/ never includes cli/ (the CLI is the only printer and the only reader of argv).
  3. curl is included in one file only (the transport), and <curl/...> nowhere else in lib/.
  4. lib/ never prints (no std::cout/cerr, printf, fmt::print) and reads the environment only
     through core/env (no getenv outside it).
  5. Every folder of lib/sigil/ is in LAYERS: a new folder is placed on purpose.

Usage: check_layers.py SOURCE_DIR [--self-test]
Prints one line per violation and a closing "N passed, N failed" line.
"""
import os
import re
import sys

# Layer of each folder (higher may include lower). Folders in SIBLINGS may include these
# named peers of their own layer; any other same-layer include is a violation.
LAYERS = {
    "core": 0,
    "util": 1,
    "crypto": 2, "oci": 2, "http": 2,
    "registry": 3, "payload": 3, "dsse": 3, "intoto": 3, "bundle": 3, "policy": 3,
    "provenance": 3, "tlog": 3,
    "keyless": 4, "trust": 4, "attachments": 4, "tuf": 4,
    "sign": 5, "verify": 5, "gate": 6, "copy": 5,
}
SIBLINGS = {
    "oci": {"crypto"},  # a content digest is crypto's sha256 (oci::sha256_digest)
    "bundle": {"dsse"},
    "provenance": {"intoto"},
    "trust": {"keyless"},
    "keyless": set(),
}
# Formats never do I/O: they may not include the registry or the transport.
NO_IO = {"payload", "dsse", "intoto", "bundle", "policy", "provenance", "tlog", "oci", "crypto"}
IO = {"registry", "http"}
CURL_FILES = {"lib/sigil/http/curl_transport.cpp",
              "cli/commands/version.cpp"}

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
PRINTS = re.compile(r'\b(std::cout|std::cerr|std::printf|fmt::print|(?<![\w:])printf\s*\(|puts\s*\()')
GETENV = re.compile(r'\b(getenv|secure_getenv)\s*\(')


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def check_file(rel, text):
    problems = []
    parts = rel.split("/")
    code = strip_comments(text)
    includes = INCLUDE.findall(code)
    if parts[0] == "lib":
        folder = parts[2] if len(parts) > 3 else None
        if folder is not None and folder not in LAYERS:
            problems.append("%s: folder lib/sigil/%s is not in the layer table" % (rel, folder))
            return problems
        for inc in includes:
            if inc.startswith("cli/") or inc.endswith("command.hpp") and "/" not in inc:
                problems.append("%s: lib/ includes the CLI (%s)" % (rel, inc))
            if inc.startswith("curl/") and rel not in CURL_FILES:
                problems.append("%s: includes <%s>; curl belongs to the transport only" % (rel, inc))
            m = re.match(r"sigil/([a-z_]+)/", inc)
            if not m or folder is None:
                continue
            dep = m.group(1)
            if dep == folder:
                continue
            if dep not in LAYERS:
                problems.append("%s: includes %s from an unknown folder" % (rel, inc))
            elif LAYERS[dep] > LAYERS[folder]:
                problems.append("%s: %s (layer %d) includes %s (layer %d): dependencies point downward"
                                % (rel, folder, LAYERS[folder], inc, LAYERS[dep]))
            elif LAYERS[dep] == LAYERS[folder] and dep not in SIBLINGS.get(folder, set()):
                problems.append("%s: %s includes %s of its own layer (not an allowed sibling)" % (rel, folder, inc))
            elif folder in NO_IO and dep in IO:
                problems.append("%s: format %s includes %s: formats do no I/O" % (rel, folder, inc))
        if PRINTS.search(code):
            problems.append("%s: lib/ prints (the CLI is the only printer)" % rel)
        if GETENV.search(code) and not rel.startswith("lib/sigil/core/env"):
            problems.append("%s: reads the environment outside core/env" % rel)
    else:
        for inc in includes:
            if inc.startswith("curl/") and rel not in CURL_FILES:
                problems.append("%s: includes <%s>; curl belongs to the transport only" % (rel, inc))
    return problems


def sources(root):
    for top in ("lib", "cli"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if f.endswith((".cpp", ".hpp", ".h", ".cpp.in")):
                    path = os.path.join(dirpath, f)
                    yield os.path.relpath(path, root), path


def self_test():
    """Each rule catches a deliberate bad include (so the check cannot rot into a no-op)."""
    bad = {
        "lib/sigil/oci/x.cpp": '#include "sigil/registry/client.hpp"\n',
        "lib/sigil/dsse/x.cpp": '#include "sigil/intoto/statement.hpp"\n',
        "lib/sigil/payload/x.cpp": '#include "sigil/http/url.hpp"\n',
        "lib/sigil/util/x.cpp": '#include <curl/curl.h>\n',
        "lib/sigil/crypto/x.cpp": 'void f() { std::cout << 1; }\n',
        "lib/sigil/registry/x.cpp": 'const char* f() { return getenv("HOME"); }\n',
        "lib/sigil/newfolder/x.cpp": '#include "sigil/core/result.hpp"\n',
        "lib/sigil/verify/x.cpp": '#include "sigil/sign/image.hpp"\n',
    }
    ok = True
    for rel, text in bad.items():
        if not check_file(rel, text):
            print("self-test: the rule missed %s" % rel)
            ok = False
    good = ("lib/sigil/registry/x.cpp", '#include "sigil/http/url.hpp"\n// std::cout in a comment\n')
    if check_file(*good):
        print("self-test: a good file was refused")
        ok = False
    return ok


def main():
    root = sys.argv[1]
    failed = 0 if self_test() else 1
    files = 0
    for rel, path in sources(root):
        files += 1
        with open(path, encoding="utf-8", errors="replace") as f:
            for p in check_file(rel, f.read()):
                print(p)
                failed += 1
    print("%d files checked against the layer rules" % files)
    print("%d passed, %d failed" % (files + 1 - min(failed, files + 1), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
