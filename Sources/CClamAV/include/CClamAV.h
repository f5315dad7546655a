// The C side of the ClamAV module: libclamav and libfreshclam.
#ifndef CCLAMAV_H
#define CCLAMAV_H
#include <clamav.h>
#include <libfreshclam.h>
// libfreshclam's log file stays open across fc_cleanup, so a second session in one process
// would log into the first one's file; libfreshclam exports logg_close (shared/output.h, not in
// its installed headers) to close it. Declared here because no installed header has it.
void logg_close(void);
// libfreshclam prints its errors to the terminal even with FC_CONFIG_MSG_QUIET; its exported
// mprintf_disabled switch (shared/output.h) turns that off while the log file keeps them. A
// function because Swift 6 refuses to touch a mutable C global directly.
extern short mprintf_disabled;
static inline void cclamav_freshclam_silence_terminal(void) { mprintf_disabled = 1; }
// malloc_trim and mallopt(M_ARENA_MAX): the Engine returns a freed engine's heap to the system,
// and the daemon bounds glibc's heap arenas (Glibc's module lacks both).
#include <malloc.h>
#endif
