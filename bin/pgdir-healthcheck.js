#!/usr/bin/env node
// The container's HEALTHCHECK: GET /readyz on pgdir's own HTTP listener. Much lighter than
// `pgdir healthcheck` (no CLI, no config validation, no store code loaded), so running it every
// 30 s costs little. Exits 0 when /readyz answers 200, 1 otherwise, with one line saying why.
//
// Where to ask, first match wins:
//   PGDIR_HEALTHCHECK_URL                  e.g. https://127.0.0.1:8443/readyz
//   PGDIR_HTTP__LISTEN, else http.listen in the config file ($PGDIR_CONFIG, else
//   /etc/pgdir/pgdir.yaml), else 127.0.0.1:8080; a wildcard address (0.0.0.0, ::) means loopback;
//   HTTPS when PGDIR_HTTP__TLS__CERT_FILE or http.tls.cert_file is set. The certificate is not
//   verified: this asks the local process whether it is ready, not who it is.
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const env = process.env;
const TIMEOUT_MS = 5_000;

function configFile() {
  const file = env.PGDIR_CONFIG || '/etc/pgdir/pgdir.yaml';
  if (!existsSync(file)) return {};
  return import('yaml').then(({ parse }) => parse(readFileSync(file, 'utf8'))?.http ?? {});
}

async function target() {
  if (env.PGDIR_HEALTHCHECK_URL) return new URL(env.PGDIR_HEALTHCHECK_URL);
  const fileHttp = env.PGDIR_HTTP__LISTEN && env.PGDIR_HTTP__TLS__CERT_FILE ? {} : await configFile();
  const listen = env.PGDIR_HTTP__LISTEN || fileHttp.listen || '127.0.0.1:8080';
  const tls = Boolean(env.PGDIR_HTTP__TLS__CERT_FILE || fileHttp.tls?.cert_file);
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(String(listen).trim());
  if (match === null) throw new Error(`cannot read the HTTP address ${JSON.stringify(listen)}`);
  const given = match[1] ?? match[2];
  const host = given === '0.0.0.0' ? '127.0.0.1' : given === '::' ? '[::1]' : given.includes(':') ? `[${given}]` : given;
  return new URL(`${tls ? 'https' : 'http'}://${host}:${match[3]}/readyz`);
}

function get(url) {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { timeout: TIMEOUT_MS, rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

let url;
try {
  url = await target();
  const status = await get(url);
  if (status !== 200) throw new Error(`answered ${status}`);
  console.log(`healthy: ${url.href} answered 200`);
} catch (err) {
  console.error(`unhealthy: ${url?.href ?? 'pgdir'} ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
