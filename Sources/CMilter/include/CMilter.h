// The C side of the Milter module: libmilter's API, plus shims where Swift cannot call it directly.
#ifndef CMILTER_H
#define CMILTER_H
#include <libmilter/mfapi.h>
#endif
