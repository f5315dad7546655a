#define _GNU_SOURCE
#include "CSandbox.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH AUDIT_ARCH_AARCH64
#else
#error "no seccomp architecture for this machine"
#endif

// What a worker does between two requests and during a scan, measured with
// `strace -f -c` on a worker scanning ClamAV's own test files, archives and mail
// (scripts/bench/worker-syscalls.sh). Everything else kills the worker: no socket, connect,
// execve, fork/clone, ptrace, mount, setuid, ... A missing entry shows up as a worker killed
// by SIGSYS, logged as a seccomp violation.
static const int allowed_calls[] = {
    // talking to the milter: one socket, inherited; descriptors arrive with recvmsg
    SYS_recvmsg, SYS_sendmsg, SYS_read, SYS_write, SYS_writev, SYS_close,
    // the message (a mapped memfd) and libclamav's temporary files in the worker's directory
    SYS_openat, SYS_fstat, SYS_newfstatat, SYS_statx, SYS_lseek, SYS_pread64, SYS_pwrite64,
    SYS_ftruncate, SYS_unlinkat, SYS_mkdirat, SYS_getdents64, SYS_fcntl, SYS_fsync, SYS_fdatasync,
    SYS_readlinkat, SYS_faccessat, SYS_faccessat2, SYS_dup, SYS_dup3, SYS_fchmod, SYS_fchmodat,
#ifdef SYS_stat
    SYS_stat, SYS_lstat, SYS_access, SYS_unlink, SYS_mkdir, SYS_rmdir, SYS_open, SYS_readlink, SYS_dup2, SYS_chmod,
#endif
    // memory
    SYS_mmap, SYS_munmap, SYS_mremap, SYS_mprotect, SYS_brk, SYS_madvise,
    // time, limits and the worker's own bookkeeping
    SYS_clock_gettime, SYS_gettimeofday, SYS_nanosleep, SYS_clock_nanosleep, SYS_getrusage,
    SYS_getrlimit, SYS_setrlimit, SYS_prlimit64, SYS_getpid, SYS_gettid, SYS_getuid, SYS_geteuid,
    SYS_getgid, SYS_getegid, SYS_sched_yield, SYS_getrandom, SYS_futex, SYS_uname, SYS_sysinfo,
    SYS_rt_sigprocmask, SYS_rt_sigaction, SYS_rt_sigreturn, SYS_sigaltstack,
    SYS_exit, SYS_exit_group,
#ifdef SYS_time
    SYS_time,
#endif
    // what a dying worker does on its way out (abort, raise): it still dies, by its own signal
    SYS_tgkill, SYS_kill,
};

int scanmilter_seccomp_confine(void) {
    enum { count = sizeof(allowed_calls) / sizeof(allowed_calls[0]) };
    // load arch; kill if foreign; load nr; kill x32; one comparison per allowed call; kill.
    struct sock_filter program[4 + 1 + count * 2 + 1];
    size_t at = 0;
    program[at++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    program[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0);
    program[at++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    program[at++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
    // x32 system calls have bit 30 set; none is allowed.
    program[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, count * 2, 0);
#else
    program[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0);
#endif
    for (size_t i = 0; i < count; i++) {
        program[at++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)allowed_calls[i], 0, 1);
        program[at++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    }
    program[at++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    struct sock_fprog filter = { .len = (unsigned short)at, .filter = program };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter, 0, 0);
}

int scanmilter_landlock_confine(const char *writable_directory) {
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) return -1;
    const __u64 writing = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE
        | LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG
        | LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK
        | LANDLOCK_ACCESS_FS_MAKE_SYM;
    struct landlock_ruleset_attr ruleset = { .handled_access_fs = writing };
    int ruleset_fd = (int)syscall(SYS_landlock_create_ruleset, &ruleset, sizeof(ruleset), 0);
    if (ruleset_fd < 0) return -1;
    int directory = open(writable_directory, O_PATH | O_CLOEXEC | O_DIRECTORY);
    if (directory < 0) {
        int saved = errno;
        close(ruleset_fd);
        errno = saved;
        return -1;
    }
    struct landlock_path_beneath_attr beneath = { .allowed_access = writing, .parent_fd = directory };
    int result = (int)syscall(SYS_landlock_add_rule, ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0);
    int saved = errno;
    close(directory);
    if (result == 0) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
            saved = errno;
            result = -1;
        } else {
            result = (int)syscall(SYS_landlock_restrict_self, ruleset_fd, 0);
            saved = errno;
        }
    }
    close(ruleset_fd);
    errno = saved;
    return result;
}

ssize_t scanmilter_send_with_descriptor(int socket, const void *bytes, size_t length, int descriptor) {
    struct iovec vector = { .iov_base = (void *)bytes, .iov_len = length };
    union {
        char buffer[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof(control));
    struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1 };
    if (descriptor >= 0) {
        message.msg_control = control.buffer;
        message.msg_controllen = sizeof(control.buffer);
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(header), &descriptor, sizeof(int));
    }
    ssize_t sent;
    do {
        sent = sendmsg(socket, &message, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent;
}

ssize_t scanmilter_receive_with_descriptor(int socket, void *bytes, size_t capacity, int *descriptor) {
    *descriptor = -1;
    struct iovec vector = { .iov_base = bytes, .iov_len = capacity };
    union {
        char buffer[CMSG_SPACE(sizeof(int) * 4)];
        struct cmsghdr align;
    } control;
    struct msghdr message = { .msg_iov = &vector, .msg_iovlen = 1, .msg_control = control.buffer, .msg_controllen = sizeof(control.buffer) };
    ssize_t received;
    do {
        received = recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
    } while (received < 0 && errno == EINTR);
    if (received < 0) return -1;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++) {
            int received_descriptor;
            memcpy(&received_descriptor, CMSG_DATA(header) + i * sizeof(int), sizeof(int));
            // Keep the first; a peer that sends more gets the rest closed.
            if (*descriptor < 0) *descriptor = received_descriptor; else close(received_descriptor);
        }
    }
    if (message.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        if (*descriptor >= 0) close(*descriptor);
        *descriptor = -1;
        errno = EMSGSIZE;
        return -1;
    }
    return received;
}

int scanmilter_memfd(const char *name) {
    return memfd_create(name, MFD_CLOEXEC);
}

const char *scanmilter_signal_abbreviation(int signal) {
    return sigabbrev_np(signal);
}
