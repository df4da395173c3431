#!/usr/bin/python3
"""Process timing and statistics for sigil's benchmark scripts (stdlib only).

  measure.py once [--out F] [--err F] [--in F] [--timeout S] [--label L] [--set K=V ...]
                  [--record FILE] -- ARGV...
      Runs ARGV once (through runproc, a small static launcher: see runproc.c), prints one JSON object
      {"label", "wall", "user", "sys", "rss_kb", "rc"} (wall/user/sys in seconds, rss_kb = the
      child's peak resident set from wait4) and appends it to --record FILE if given, with
      every --set K=V merged in. Exits 0 unless the process could not be started.
  measure.py loop --runs N [--warmup W] [--label L] [--record FILE] [--timeout S] -- ARGV...
      Same, N times (after W unrecorded warm-up runs); stdout/stderr to /dev/null.
      once/loop --reglog LOG [--ua SUBSTR]: also count the HTTP requests the run sent, from a
      docker-registry access log (Apache combined lines; only those whose user agent contains
      SUBSTR): adds "requests", "resp_bytes" (response bodies) and "methods" to the record.
      once --watch-pid PID: also record "peer_cpu", the CPU seconds (user+sys) process PID
      (e.g. the registry) used while the command ran.
  measure.py table FILE [--metric NAME[:UNIT[:SCALE[:TITLE]]] ...] [--label L ...] [--title T]
      One row per label of FILE (JSON lines): n, median, min, p25, p75, max and the relative
      spread ((p75-p25)/median) of each metric. --label picks and orders rows. Default metric:
      wall in ms.
  measure.py summary FILE LABEL METRIC
      Prints the median of METRIC over LABEL's rows (for ratios in shell scripts).
"""
import argparse
import json
import os
import re
import subprocess
import statistics
import sys
import time


def runproc_path():
    path = os.environ.get("BENCH_RUNPROC")
    if path and os.access(path, os.X_OK):
        return path
    sys.exit("measure.py: BENCH_RUNPROC must name the built bench/lib/runproc.c "
             "(bench/lib/common.sh builds it)")


def run_once(argv, out=None, err=None, stdin=None, timeout=None, env=None):
    cmd = [runproc_path(), stdin or "/dev/null", out or "/dev/null", err or "/dev/null",
           str(timeout or 0), "--"] + list(argv)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, env=env, check=False)
    fields = r.stdout.decode().split()
    if r.returncode != 0 or len(fields) != 6:
        sys.exit("measure.py: runproc failed for %r" % (argv,))
    wall, user, sys_t = (float(x) for x in fields[:3])
    res = {"wall": wall, "user": user, "sys": sys_t, "rss_kb": int(fields[3]), "rc": int(fields[4])}
    if fields[5] != "0":
        res["timeout"] = True
    return res


ACCESS_RE = re.compile(r'^\S+ - \S+ \[[^\]]*\] "(\S+) (\S+) [^"]*" (\d+) (\d+) "[^"]*" "([^"]*)"')


def log_size(path):
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def reglog_count(path, start, ua):
    # The registry writes its access line after the handler returns; the client may be gone
    # by then. Wait until the log has been quiet for 60 ms (at most 1 s).
    last, quiet_since, deadline = log_size(path), time.monotonic(), time.monotonic() + 1.0
    while time.monotonic() < deadline:
        time.sleep(0.01)
        now = log_size(path)
        if now != last:
            last, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since >= 0.06:
            break
    n, resp, methods = 0, 0, {}
    with open(path, "rb") as f:
        f.seek(start)
        for raw in f:
            m = ACCESS_RE.match(raw.decode("utf-8", "replace"))
            if not m or (ua and ua not in m.group(5)):
                continue
            n += 1
            resp += int(m.group(4))
            methods[m.group(1)] = methods.get(m.group(1), 0) + 1
    return {"requests": n, "resp_bytes": resp,
            "methods": ",".join("%s:%d" % kv for kv in sorted(methods.items()))}


def proc_cpu(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def record(path, obj):
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(obj) + "\n")


def parse_sets(items):
    extra = {}
    for item in items or []:
        k, _, v = item.partition("=")
        try:
            extra[k] = json.loads(v)
        except ValueError:
            extra[k] = v
    return extra


def pct(sorted_vals, q):
    if not sorted_vals:
        return float("nan")
    if len(sorted_vals) == 1:
        return sorted_vals[0]
    pos = (len(sorted_vals) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (pos - lo)


def fmt(v):
    if v != v:  # nan
        return "-"
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    if abs(v) >= 1:
        return "%.2f" % v
    return "%.3f" % v


def table(path, metrics, labels, title):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    order = labels or list(dict.fromkeys(r.get("label", "?") for r in rows))
    specs = []
    for m in metrics or ["wall:ms:1000"]:
        parts = m.split(":")
        name = parts[0]
        unit = parts[1] if len(parts) > 1 else ""
        scale = float(parts[2]) if len(parts) > 2 and parts[2] else 1.0
        shown = parts[3] if len(parts) > 3 else name
        specs.append((name, unit, scale, shown))
    if title:
        print(title)
    width = max([len(l) for l in order] + [5])
    head = "| %-*s | %3s |" % (width, "what", "n")
    sep = "|-%s-|-----|" % ("-" * width)
    for _, unit, _, shown in specs:
        col = "%s%s" % (shown, " (%s)" % unit if unit else "")
        head += " %s median | min | p25 | p75 | max | spread |" % col
        sep += "---|---|---|---|---|---|"
    print(head)
    print(sep)
    for label in order:
        sel = [r for r in rows if r.get("label") == label]
        line = "| %-*s | %3d |" % (width, label, len(sel))
        for name, _, scale, _ in specs:
            vals = sorted(float(r[name]) * scale for r in sel if r.get(name) is not None)
            if not vals:
                line += " - | - | - | - | - | - |"
                continue
            med = statistics.median(vals)
            p25, p75 = pct(vals, 0.25), pct(vals, 0.75)
            spread = "%.0f%%" % (100 * (p75 - p25) / med) if med else "-"
            line += " %s | %s | %s | %s | %s | %s |" % (fmt(med), fmt(vals[0]), fmt(p25), fmt(p75),
                                                       fmt(vals[-1]), spread)
        print(line)
    bad = [r for r in rows if r.get("rc", 0) != 0 and (not labels or r.get("label") in labels)]
    if bad:
        print("(%d run(s) exited non-zero: %s)" % (len(bad), ", ".join(
            sorted({"%s rc=%s" % (r.get("label"), r.get("rc")) for r in bad}))))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    o = sub.add_parser("once")
    o.add_argument("--out")
    o.add_argument("--err")
    o.add_argument("--in", dest="stdin")
    o.add_argument("--timeout", type=float, default=600)
    o.add_argument("--label", default="")
    o.add_argument("--set", action="append")
    o.add_argument("--record")
    o.add_argument("--reglog")
    o.add_argument("--ua", default="")
    o.add_argument("--watch-pid", type=int)
    o.add_argument("argv", nargs=argparse.REMAINDER)
    lp = sub.add_parser("loop")
    lp.add_argument("--runs", type=int, required=True)
    lp.add_argument("--warmup", type=int, default=0)
    lp.add_argument("--timeout", type=float, default=600)
    lp.add_argument("--label", default="")
    lp.add_argument("--set", action="append")
    lp.add_argument("--record")
    lp.add_argument("argv", nargs=argparse.REMAINDER)
    t = sub.add_parser("table")
    t.add_argument("file")
    t.add_argument("--metric", action="append")
    t.add_argument("--label", action="append")
    t.add_argument("--title")
    s = sub.add_parser("summary")
    s.add_argument("file")
    s.add_argument("label")
    s.add_argument("metric")
    a = ap.parse_args()

    if a.cmd in ("once", "loop"):
        argv = a.argv[1:] if a.argv and a.argv[0] == "--" else a.argv
        if not argv:
            ap.error("no command")
        extra = parse_sets(a.set)
        if a.cmd == "once":
            start = log_size(a.reglog) if a.reglog else 0
            peer0 = proc_cpu(a.watch_pid) if a.watch_pid else None
            res = run_once(argv, a.out, a.err, a.stdin, a.timeout)
            peer1 = proc_cpu(a.watch_pid) if a.watch_pid else None
            res = {"label": a.label, **res, **extra}
            if peer0 is not None and peer1 is not None:
                res["peer_cpu"] = peer1 - peer0
            if a.reglog:
                res.update(reglog_count(a.reglog, start, a.ua))
            record(a.record, res)
            print(json.dumps(res))
            return 0
        for _ in range(a.warmup):
            run_once(argv, timeout=a.timeout)
        for _ in range(a.runs):
            res = {"label": a.label, **run_once(argv, timeout=a.timeout), **extra}
            record(a.record, res)
        return 0
    if a.cmd == "table":
        table(a.file, a.metric, a.label, a.title)
        return 0
    if a.cmd == "summary":
        vals = [float(json.loads(l)[a.metric]) for l in open(a.file)
                if l.strip() and json.loads(l).get("label") == a.label and json.loads(l).get(a.metric) is not None]
        print("%.6g" % statistics.median(vals) if vals else "nan")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
