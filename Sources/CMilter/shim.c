// Shims for libmilter live in include/CMilter.h as static inline functions.
