// Shims for libmilter live in include/CMilter.h as static inline functions; SwiftPM needs one
// C source file in a C target.
