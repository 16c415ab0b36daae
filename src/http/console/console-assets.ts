import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { HttpError } from '../http-error.js';
import { defineRoute, type AnyRoute, type Reply } from '../route.js';

/**
 * The console's two static files, served by pgdir itself (no CDN, no build step): the stylesheet
 * from src/http/console/assets/ (the same path from src/ and dist/, both three levels below the
 * package root) and htmx from the exact-pinned `htmx.org` package in node_modules. Both URLs carry
 * a content hash, so browsers may keep them for a year (RFC 9111 §5.2.2.1) and an upgrade is
 * fetched at once.
 */
const CSS_FILE = new URL('../../../src/http/console/assets/console.css', import.meta.url);
const HTMX_FILE = createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js');

interface Asset {
  readonly path: string;
  readonly text: string;
  readonly contentType: string;
}

const hashOf = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12);

function load(file: string | URL, name: string, ext: string, contentType: string): Asset {
  const text = readFileSync(file, 'utf8');
  return { path: `/assets/${name}-${hashOf(text)}.${ext}`, text, contentType };
}

const css = load(CSS_FILE, 'console', 'css', 'text/css; charset=utf-8');
const htmx = load(HTMX_FILE, 'htmx', 'js', 'text/javascript; charset=utf-8');

export const ASSETS = { css: css.path, htmx: htmx.path } as const;

const reply = (asset: Asset): Reply => ({
  text: asset.text,
  contentType: asset.contentType,
  headers: { 'cache-control': 'public, max-age=31536000, immutable', 'cross-origin-resource-policy': 'same-origin' },
});

/** GET /assets/:file: the stylesheet and htmx (no authentication: the sign-in page needs them). */
export function assetRoutes(): AnyRoute[] {
  const byPath = new Map([css, htmx].map((asset) => [asset.path, asset]));
  return [
    defineRoute({
      method: 'GET',
      path: '/assets/:file',
      summary: 'Console assets: the stylesheet and htmx (names carry a content hash)',
      tag: 'console',
      auth: 'none',
      textResponse: { types: ['text/css', 'text/javascript'] },
      errors: { 404: 'No such file (an older hash: reload the page)' },
      handle: async ({ params }) => {
        const asset = byPath.get(`/assets/${params['file'] ?? ''}`);
        if (asset === undefined) throw new HttpError(404, 'not_found', 'no such file');
        return reply(asset);
      },
    }),
  ];
}
