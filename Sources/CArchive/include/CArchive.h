// The C side of the Archives module: libarchive.
#ifndef CARCHIVE_H
#define CARCHIVE_H
#include <archive.h>
#include <archive_entry.h>

// AE_IFREG and AE_IFDIR are macros with a cast (`((__LA_MODE_T)0100000)`), which Swift does
// not import; these compare an entry's file type with them on the C side.
static inline int carchive_entry_is_regular(struct archive_entry *entry) {
    return archive_entry_filetype(entry) == AE_IFREG;
}

static inline int carchive_entry_is_directory(struct archive_entry *entry) {
    return archive_entry_filetype(entry) == AE_IFDIR;
}
#endif
