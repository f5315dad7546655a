// Shims for libarchive live in include/CArchive.h as static inline functions.
