#!/bin/sh
# Installs and starts what the test suite needs on a Debian machine (run as root; idempotent):
# OpenLDAP's clients and slapd (real peers for the LDAP and connector tests), python3-ldap3, and a
# PostgreSQL server on 127.0.0.1:5432 with trust auth for user postgres.
set -eu
need=""
command -v ldapsearch >/dev/null 2>&1 || need="$need ldap-utils"
command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ] || need="$need slapd"
python3 -c 'import ldap3' >/dev/null 2>&1 || need="$need python3-ldap3"
command -v openssl >/dev/null 2>&1 || need="$need openssl"
command -v pg_ctlcluster >/dev/null 2>&1 || need="$need postgresql"
if [ -n "$need" ]; then
  if [ "$(id -u)" != 0 ]; then echo "test/setup.sh: missing$need; run as root or install them" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q $need >/dev/null
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  v=$(ls /etc/postgresql | head -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$v" main start
  for _ in 1 2 3 4 5 6 7 8 9 10; do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "test/setup.sh: PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }
