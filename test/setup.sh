#!/bin/sh
# Installs and starts what the test suite needs on a Debian machine (run as root; idempotent):
# OpenLDAP's clients and slapd (real peers for the LDAP and connector tests), python3-ldap3,
# Chromium (the browser that test/http/pages/pages-browser.test.ts drives through playwright-core), zbar-tools
# (an independent QR reader for test/directory/lifecycle/qr-code.test.ts), zsh and fish (test/cli/cli-completion.test.ts
# loads pgdir's completion scripts into them), the real LDAP clients of test/clients/
# (python-ldap, PHP ldap, Perl Net::LDAP, Apache, Dovecot, Postfix, nslcd, SSSD, pamtester), 389-ds-base's ldclt
# (the benchmark's C load generator) and a
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
# SAML (test/e2e/saml-sso.test.ts): SimpleSAMLphp as the IdP under php -S (it needs php-xml's DOM and
# mbstring), xmlsec1 as the independent signer of crafted responses (test/helpers/saml-responses.ts).
[ -d /usr/share/simplesamlphp/www ] || need="$need simplesamlphp"
php -r 'exit(class_exists("DOMDocument") && function_exists("mb_strlen") ? 0 : 1);' >/dev/null 2>&1 || need="$need php-cli php-xml php-mbstring"
command -v xmlsec1 >/dev/null 2>&1 || need="$need xmlsec1"
command -v ss >/dev/null 2>&1 || need="$need iproute2" # test/e2e/replicas.test.ts finds a replica's LISTEN backend by its ports
clients=""
/usr/bin/python3 -c 'import ldap' >/dev/null 2>&1 || clients="$clients python3-ldap"
php -r 'exit(function_exists("ldap_connect") ? 0 : 1);' >/dev/null 2>&1 || clients="$clients php-cli php-ldap"
perl -MNet::LDAP -MIO::Socket::SSL -e1 >/dev/null 2>&1 || clients="$clients libnet-ldap-perl libio-socket-ssl-perl"
[ -f /usr/lib/apache2/modules/mod_authnz_ldap.so ] || clients="$clients apache2"
[ -f /usr/lib/dovecot/modules/auth/libauthdb_ldap.so ] || clients="$clients dovecot-core dovecot-ldap"
[ -f /usr/lib/postfix/postfix-ldap.so ] || clients="$clients postfix postfix-ldap"
[ -x /usr/sbin/nslcd ] && [ -f /lib/x86_64-linux-gnu/libnss_ldap.so.2 ] || clients="$clients nslcd libnss-ldapd libpam-ldapd"
[ -x /usr/sbin/sssd ] && [ -f /usr/lib/x86_64-linux-gnu/sssd/libsss_ldap.so ] || clients="$clients sssd-common sssd-ldap libnss-sss libpam-sss"
command -v pamtester >/dev/null 2>&1 || clients="$clients pamtester"
# HAProxy runs the load-balancer example of docs/scaling.md (test/e2e/replicas-haproxy.test.ts);
# installed with the client daemons, so policy-rc.d keeps its service from starting.
[ -x /usr/sbin/haproxy ] || clients="$clients haproxy"
# ldclt, 389-ds-base's C load generator: `BENCH_LOADGEN=ldclt npm run bench` (bench/ldclt.ts).
[ -x /usr/bin/ldclt ] || clients="$clients 389-ds-base"
if [ -n "$need$clients" ]; then
  if [ "$(id -u)" != 0 ]; then echo "test/setup.sh: missing$need$clients; run as root or install them" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  [ -z "$need" ] || apt-get install -y -q $need >/dev/null
fi
if [ -n "$clients" ]; then
  export DEBIAN_FRONTEND=noninteractive
  # The client daemons are started by the tests themselves, in the foreground: keep the packages
  # from starting them (policy-rc.d), from rewiring this machine's name service and PAM stack
  # (nsswitch.conf is restored, pam_ldap/pam_sss disabled again), and Postfix unconfigured.
  policy=/usr/sbin/policy-rc.d
  [ -e $policy ] || { printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy && added_policy=1; }
  cp /etc/nsswitch.conf /tmp/pgdir-setup-nsswitch.conf
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get install -y -q --no-install-recommends $clients >/dev/null
  cp /tmp/pgdir-setup-nsswitch.conf /etc/nsswitch.conf
  pam-auth-update --disable ldap sss 2>/dev/null || true
  [ -z "${added_policy:-}" ] || rm -f $policy
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  v=$(ls /etc/postgresql | head -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$v" main start
  for _ in 1 2 3 4 5 6 7 8 9 10; do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "test/setup.sh: PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }
# Tests skip themselves when a tool is missing (for a developer without it); here, where everything
# was just installed, a missing one is an error, so CI never passes by skipping.
for tool in ldapsearch ldapwhoami ldappasswd ldapcompare /usr/sbin/slapd /usr/sbin/slapadd /usr/bin/chromium zbarimg openssl zsh fish \
  php perl /usr/sbin/apache2 /usr/lib/apache2/modules/mod_authnz_ldap.so dovecot doveadm /usr/lib/dovecot/modules/auth/libauthdb_ldap.so \
  postmap /usr/lib/postfix/postfix-ldap.so /usr/sbin/haproxy /usr/sbin/nslcd /usr/sbin/sssd /usr/lib/x86_64-linux-gnu/sssd/libsss_ldap.so pamtester unshare /usr/bin/ldclt; do
  command -v "$tool" >/dev/null 2>&1 || { echo "test/setup.sh: $tool is still missing after installing" >&2; exit 1; }
done
/usr/bin/python3 -c 'import ldap3' || { echo "test/setup.sh: /usr/bin/python3 cannot import ldap3" >&2; exit 1; }
/usr/bin/python3 -c 'import ldap' || { echo "test/setup.sh: /usr/bin/python3 cannot import ldap (python3-ldap)" >&2; exit 1; }
php -r 'exit(function_exists("ldap_connect") ? 0 : 1);' || { echo "test/setup.sh: php has no ldap extension" >&2; exit 1; }
perl -MNet::LDAP -MIO::Socket::SSL -e1 || { echo "test/setup.sh: perl cannot load Net::LDAP with IO::Socket::SSL" >&2; exit 1; }
