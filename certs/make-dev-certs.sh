#!/bin/sh
# Makes a development CA and a server certificate signed by it, for pgdir's ldaps:// listener.
# NOT for production: the CA key sits next to the certificates, unencrypted.
#
#   certs/make-dev-certs.sh [OUT_DIR] [EXTRA_NAME...]
#
# OUT_DIR defaults to certs/dev. The server certificate's subjectAltName always holds
# DNS:localhost, IP:127.0.0.1 and IP:::1; each EXTRA_NAME adds a DNS name or an IP address
# (e.g. ldap.example.test 192.168.1.10). An existing server certificate is kept unless FORCE=1;
# an existing CA is always kept, so that clients which already trust it keep working (delete
# OUT_DIR to start over). Needs the openssl CLI (1.1.1 or later).
set -eu

out=${1:-certs/dev}
[ $# -gt 0 ] && shift
days=${DAYS:-825}

command -v openssl >/dev/null 2>&1 || { echo "make-dev-certs: openssl is not installed" >&2; exit 1; }
if [ -e "$out/server.crt" ] && [ "${FORCE:-0}" != 1 ]; then
  echo "make-dev-certs: $out/server.crt exists; set FORCE=1 to replace it" >&2
  exit 1
fi
mkdir -p "$out"
chmod 700 "$out"
umask 077

san="DNS:localhost,IP:127.0.0.1,IP:::1"
for name in "$@"; do
  case "$name" in
    *[!0-9.]*) case "$name" in *:*) san="$san,IP:$name" ;; *) san="$san,DNS:$name" ;; esac ;;
    *) san="$san,IP:$name" ;;
  esac
done

# 1. The CA: self-signed, allowed to sign certificates and nothing else.
if [ ! -e "$out/ca.key" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$out/ca.key" -out "$out/ca.crt" -days "$days" -sha256 \
    -subj "/CN=pgdir development CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

# 2. The server key and certificate, for TLS server authentication only.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$out/server.key" -out "$out/server.csr" -subj "/CN=localhost" 2>/dev/null
printf '%s\n' \
  "basicConstraints=critical,CA:FALSE" \
  "keyUsage=critical,digitalSignature,keyEncipherment" \
  "extendedKeyUsage=serverAuth" \
  "subjectAltName=$san" > "$out/server.ext"
openssl x509 -req -in "$out/server.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
  -out "$out/server.crt" -days "$days" -sha256 -extfile "$out/server.ext" 2>/dev/null
rm -f "$out/server.csr" "$out/server.ext" "$out/ca.srl"
chmod 600 "$out/ca.key" "$out/server.key"
chmod 644 "$out/ca.crt" "$out/server.crt"

openssl verify -CAfile "$out/ca.crt" "$out/server.crt" >/dev/null
echo "CA:          $out/ca.crt   (give this to clients)"
echo "certificate: $out/server.crt"
echo "key:         $out/server.key"
echo "names:       $san"
