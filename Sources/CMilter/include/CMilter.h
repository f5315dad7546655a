// The C side of the Milter module: libmilter's API, plus shims where Swift cannot call it directly.
#ifndef CMILTER_H
#define CMILTER_H
#include <stddef.h>
#include <libmilter/mfapi.h>

/// The most lines libmilter's smfi_setmlreply accepts (MAXREPLIES in libmilter/smfi.c).
#define CMILTER_MAX_REPLY_LINES 32

/// Calls smfi_setmlreply with `count` lines taken from an array.
///
/// Why a shim: smfi_setmlreply is variadic (`...`, terminated by NULL) and Swift cannot call C
/// variadic functions. libmilter reads its arguments up to the first NULL, so we pass a fixed
/// list of 32 slots padded with NULL and one NULL terminator after them.
/// Returns MI_FAILURE for a count outside 1...32 without calling libmilter.
static inline int cmilter_setmlreply(SMFICTX *ctx, const char *rcode, const char *xcode,
                                     const char *const *lines, int count) {
    const char *l[CMILTER_MAX_REPLY_LINES];
    if (lines == NULL || count < 1 || count > CMILTER_MAX_REPLY_LINES) {
        return MI_FAILURE;
    }
    for (int i = 0; i < CMILTER_MAX_REPLY_LINES; i++) {
        l[i] = i < count ? lines[i] : NULL;
    }
    return smfi_setmlreply(ctx, rcode, xcode,
        l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7],
        l[8], l[9], l[10], l[11], l[12], l[13], l[14], l[15],
        l[16], l[17], l[18], l[19], l[20], l[21], l[22], l[23],
        l[24], l[25], l[26], l[27], l[28], l[29], l[30], l[31], (const char *)NULL);
}

/// SMFI_VERSION, the libmilter API version these headers describe (compile time).
static inline unsigned int cmilter_compile_time_version(void) {
    return (unsigned int)SMFI_VERSION;
}

#endif
