// The C side of the Postgres module: libpq, PostgreSQL's own client library (Debian's
// libpq-dev). The header lives in /usr/include/postgresql, which is not on the default search
// path and SwiftPM takes no absolute header paths, so it is named with its directory here; its
// own quoted includes (postgres_ext.h, pg_config_ext.h) resolve beside it.
#ifndef CPOSTGRES_H
#define CPOSTGRES_H
#include <postgresql/libpq-fe.h>
#endif
