// The C side of the ScanWorkers module: the kernel interfaces a scan worker confines itself
// with (seccomp, Landlock) and the descriptor passing between the milter and its workers.
#ifndef CSANDBOX_H
#define CSANDBOX_H
#include <stddef.h>
#include <sys/types.h>

// Installs a seccomp filter that allows only the system calls a scan needs (the list is in
// sandbox.c, measured with strace) and kills the whole process on any other, after setting
// no_new_privs. Returns 0, or -1 with errno set.
int scanmilter_seccomp_confine(void);

// Restricts writing and making files to `writable_directory` (and below) with Landlock.
// Returns 0; -1 with errno ENOSYS or EOPNOTSUPP when the kernel has no Landlock (the caller
// decides what that means); -1 with another errno on failure.
int scanmilter_landlock_confine(const char *writable_directory);

// Sends `length` bytes and, when `descriptor` >= 0, that descriptor (SCM_RIGHTS) as one
// datagram of a SOCK_SEQPACKET socket. Returns bytes sent or -1 with errno set.
ssize_t scanmilter_send_with_descriptor(int socket, const void *bytes, size_t length, int descriptor);

// Receives one datagram of at most `capacity` bytes and, if one came with it, a descriptor
// into `*descriptor` (else -1; received descriptors are close-on-exec). Returns the datagram's
// length, 0 at end of stream, or -1 with errno set; a datagram longer than `capacity` fails
// with EMSGSIZE.
ssize_t scanmilter_receive_with_descriptor(int socket, void *bytes, size_t capacity, int *descriptor);

// A close-on-exec memfd for content handed to a worker. Returns the descriptor or -1 with errno.
int scanmilter_memfd(const char *name);

// The abbreviation of a signal ("SEGV"), or NULL when unknown.
const char *scanmilter_signal_abbreviation(int signal);
#endif
