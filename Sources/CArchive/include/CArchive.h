// The C side of the Archives module: libarchive.
#ifndef CARCHIVE_H
#define CARCHIVE_H
#include <archive.h>
#include <archive_entry.h>
#endif
