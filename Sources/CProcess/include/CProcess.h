#ifndef HUBKERNEL_CPROCESS_H
#define HUBKERNEL_CPROCESS_H
// Starting a child kernel the way a kernel manager must: fork and exec with only async-signal-safe calls in
// between (the parent has many threads), which Foundation's Process cannot do with a process group and a
// parent-death signal.
#include <sys/types.h>

/// Starts `argv[0]` (looked up in PATH when it has no slash) with `envp`, in its own process group, with
/// stdin from /dev/null, stdout and stderr on `out_fd`/`err_fd`, and no other descriptor inherited.
/// The child gets SIGKILL when the calling *thread* exits (PR_SET_PDEATHSIG): call it from a thread that
/// lives as long as the process. Returns the pid, or -errno when fork failed; exec failures make the child
/// exit with status 127 after writing "exec failed: <reason>" to `err_fd`.
pid_t hk_spawn(char *const argv[], char *const envp[], int out_fd, int err_fd);

#endif
