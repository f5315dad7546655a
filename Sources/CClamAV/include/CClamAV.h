// The C side of the ClamAV module: libclamav and libfreshclam.
#ifndef CCLAMAV_H
#define CCLAMAV_H
#include <clamav.h>
#include <libfreshclam.h>
#endif
