// smaps_dump.so: LD_PRELOAD helper for bench/startup. At exit (a destructor, so after main's
// own destructors) it copies /proc/self/smaps and /proc/self/status to $BENCH_SMAPS_OUT.smaps and
// $BENCH_SMAPS_OUT.status, to show which mappings make up a short-lived process's resident set.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void copy(const char* from, const char* to)
{
  int in = open(from, O_RDONLY);
  int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  char buf[65536];
  ssize_t n;
  if (in >= 0 && out >= 0) {
    while ((n = read(in, buf, sizeof buf)) > 0) {
      if (write(out, buf, (size_t)n) != n) {
        break;
      }
    }
  }
  if (in >= 0) {
    close(in);
  }
  if (out >= 0) {
    close(out);
  }
}

__attribute__((destructor)) static void bench_smaps_dump(void)
{
  const char* base = getenv("BENCH_SMAPS_OUT");
  if (base == NULL) {
    return;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s.smaps", base);
  copy("/proc/self/smaps", path);
  snprintf(path, sizeof path, "%s.status", base);
  copy("/proc/self/status", path);
}
