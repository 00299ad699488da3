"""The longevity system's bindings of :mod:`gzkit`: its database, audit trail, officers and
roles, and the privacy rules of 第二十一条."""
