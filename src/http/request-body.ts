import type { IncomingMessage } from 'node:http';
import { assertNoNul } from '../domain/storable-text.js';
import { HttpError } from './http-error.js';

/** The media type without parameters, lower case (`application/json; charset=utf-8` → `application/json`). */
export const mediaType = (req: IncomingMessage): string => (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

const isJson = (type: string): boolean => type === 'application/json' || type.endsWith('+json');

export const tooLarge = (limit: number): HttpError =>
  new HttpError(413, 'payload_too_large', `the request body is larger than ${limit} bytes`, { headers: { connection: 'close' } });

/**
 * Reads the whole body, refusing more than `limit` bytes: a declared Content-Length over the limit
 * is refused before reading, an undeclared (chunked) body as soon as it passes the limit.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

const hasBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * A JSON body: 415 for another media type, 400 for malformed JSON or text that is not UTF-8.
 * An absent body reads as `undefined` (the schema decides whether that is allowed).
 */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  if (!hasBody(req)) return undefined;
  const type = mediaType(req);
  if (!isJson(type)) {
    throw new HttpError(415, 'unsupported_media_type', `send the body as application/json (got ${type === '' ? 'no content type' : type})`);
  }
  const text = decodeUtf8(await readBody(req, limit));
  if (text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, 'invalid', `the body is not valid JSON: ${(error as Error).message}`);
  }
  // `\u0000` escapes decode to NUL, which the store cannot hold (storable-text.ts).
  assertNoNul(parsed, 'body');
  return parsed;
}

/** A text body of one of `types` (415 otherwise). */
export async function readText(req: IncomingMessage, types: readonly string[], limit: number): Promise<{ contentType: string; text: string }> {
  const type = mediaType(req);
  if (!types.includes(type)) {
    throw new HttpError(415, 'unsupported_media_type', `send the body as one of ${types.join(', ')} (got ${type === '' ? 'no content type' : type})`);
  }
  const text = decodeUtf8(await readBody(req, limit));
  assertNoNul(text, 'body');
  // A form's `%00` decodes to NUL only in the handler: check the decoded fields here.
  if (type === 'application/x-www-form-urlencoded') assertNoNul(Object.fromEntries(new URLSearchParams(text)), 'body');
  return { contentType: type, text };
}

function decodeUtf8(buffer: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buffer);
  } catch {
    throw new HttpError(400, 'invalid', 'the body is not valid UTF-8');
  }
}
