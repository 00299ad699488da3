"""The pool's bindings of :mod:`gzkit`: its database, audit trail, users, roles and secrecy."""
