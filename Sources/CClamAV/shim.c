// Shims for libclamav live in include/CClamAV.h as static inline functions.
