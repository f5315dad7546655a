// The C side of the ClamAV module: libclamav and libfreshclam.
#ifndef CCLAMAV_H
#define CCLAMAV_H
#include <clamav.h>
#include <libfreshclam.h>
// malloc_trim: the Engine returns a freed engine's heap to the system (Glibc's module lacks it).
#include <malloc.h>
#endif
