// The C side of the FileMagic module: libmagic.
#ifndef CMAGIC_H
#define CMAGIC_H
#include <magic.h>
#endif
