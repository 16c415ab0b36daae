#!/bin/sh
# Installs and starts what the test suite needs on a Debian machine (run as root; idempotent):
# OpenLDAP's clients and slapd (real peers for the LDAP and connector tests), python3-ldap3,
# Chromium (the browser that test/pages-browser.test.ts drives through playwright-core), zbar-tools
# (an independent QR reader for test/qr-code.test.ts), zsh and fish (test/cli-completion.test.ts
# loads pgdir's completion scripts into them) and a
# PostgreSQL server on 127.0.0.1:5432 with trust auth for user postgres.
set -eu
need=""
command -v ldapsearch >/dev/null 2>&1 || need="$need ldap-utils"
command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ] || need="$need slapd"
/usr/bin/python3 -c 'import ldap3' >/dev/null 2>&1 || need="$need python3-ldap3"
command -v openssl >/dev/null 2>&1 || need="$need openssl"
command -v pg_ctlcluster >/dev/null 2>&1 || need="$need postgresql"
[ -x /usr/bin/chromium ] || need="$need chromium"
command -v zbarimg >/dev/null 2>&1 || need="$need zbar-tools"
command -v zsh >/dev/null 2>&1 || need="$need zsh"
command -v fish >/dev/null 2>&1 || need="$need fish"
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
# Tests skip themselves when a tool is missing (for a developer without it); here, where everything
# was just installed, a missing one is an error, so CI never passes by skipping.
for tool in ldapsearch ldapwhoami ldappasswd ldapcompare /usr/sbin/slapd /usr/sbin/slapadd /usr/bin/chromium zbarimg openssl zsh fish; do
  command -v "$tool" >/dev/null 2>&1 || { echo "test/setup.sh: $tool is still missing after installing" >&2; exit 1; }
done
/usr/bin/python3 -c 'import ldap3' || { echo "test/setup.sh: /usr/bin/python3 cannot import ldap3" >&2; exit 1; }
