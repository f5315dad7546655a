// Shims for libmagic live in include/CMagic.h as static inline functions.
