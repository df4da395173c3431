// runproc: run one command and report its wall time, CPU time and peak RSS.
//
//   runproc STDIN STDOUT STDERR TIMEOUT_S -- ARGV...
//   prints: wall_s user_s sys_s maxrss_kb exit_code timed_out
//
// Why not Python's subprocess/posix_spawn: Linux keeps the pre-exec address space's RSS
// high-water mark in ru_maxrss (exec_mmap -> setmax_mm_hiwater_rss), so a child vforked or forked
// from a 15 MB Python process reports at least 15 MB. This launcher is linked statically and is
// small, so the floor it adds is a few hundred KiB. bench/lib/measure.py builds and uses it.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t timed_out = 0;
static pid_t child = -1;

static void on_alarm(int sig)
{
  (void)sig;
  timed_out = 1;
  if (child > 0) {
    kill(-child, SIGKILL);
  }
}

static int redirect(const char* path, int fd, int flags)
{
  int f = open(path, flags, 0644);
  if (f < 0) {
    return -1;
  }
  if (f != fd) {
    if (dup2(f, fd) < 0) {
      return -1;
    }
    close(f);
  }
  return 0;
}

int main(int argc, char** argv)
{
  if (argc < 7 || strcmp(argv[5], "--") != 0) {
    fprintf(stderr, "usage: runproc STDIN STDOUT STDERR TIMEOUT_S -- ARGV...\n");
    return 2;
  }
  const char* in = argv[1];
  const char* out = argv[2];
  const char* err = argv[3];
  double limit = atof(argv[4]);
  char** cmd = argv + 6;

  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  child = fork();
  if (child < 0) {
    perror("runproc: fork");
    return 1;
  }
  if (child == 0) {
    setpgid(0, 0);
    if (redirect(in, 0, O_RDONLY) < 0 || redirect(out, 1, O_WRONLY | O_CREAT | O_TRUNC) < 0 ||
        redirect(err, 2, O_WRONLY | O_CREAT | O_TRUNC) < 0) {
      _exit(126);
    }
    execvp(cmd[0], cmd);
    _exit(127);
  }
  setpgid(child, child);
  if (limit > 0) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it;
    memset(&it, 0, sizeof it);
    it.it_value.tv_sec = (time_t)limit;
    it.it_value.tv_usec = (suseconds_t)((limit - (double)(time_t)limit) * 1e6);
    setitimer(ITIMER_REAL, &it, NULL);
  }
  int status = 0;
  struct rusage ru;
  pid_t r;
  do {
    r = wait4(child, &status, 0, &ru);
  } while (r < 0 && errno == EINTR);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (r < 0) {
    perror("runproc: wait4");
    return 1;
  }
  int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%.6f %.6f %.6f %ld %d %d\n", wall, (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss, rc, (int)timed_out);
  return 0;
}
