// libpq needs no shims: every function Swift calls is a plain C function (see include/CPostgres.h).
