/**
 * Just enough of a MIME reader for the capture server's assertions, independent of the code that
 * wrote the mail: unfolds headers (RFC 5322 §2.2.3), decodes encoded words (RFC 2047 §4, B and Q,
 * whitespace between adjacent words dropped per §6.2) and the text/plain and text/html parts of a
 * multipart/alternative body (base64, quoted-printable, 7bit or 8bit). `raw` holds one char per byte.
 */
export interface DecodedMail {
  readonly headers: ReadonlyMap<string, string>;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const utf8 = (latin1: string): string => Buffer.from(latin1, 'latin1').toString('utf8');

function qp(text: string, header: boolean): string {
  const soft = header ? text.replace(/_/g, ' ') : text.replace(/=\r\n/g, '');
  return utf8(soft.replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))));
}

/** RFC 2047 encoded words to text; anything not inside one is taken as UTF-8 bytes. */
export function decodeWords(value: string): string {
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  const joined = value.replace(/(\?=)\s+(?==\?)/g, '$1');
  let out = '';
  let last = 0;
  for (const m of joined.matchAll(word)) {
    out += utf8(joined.slice(last, m.index));
    const [, charset = '', kind = '', payload = ''] = m;
    if (charset.toUpperCase() !== 'UTF-8') throw new Error(`unexpected charset ${charset}`);
    out += kind.toUpperCase() === 'B' ? Buffer.from(payload, 'base64').toString('utf8') : qp(payload, true);
    last = (m.index ?? 0) + m[0].length;
  }
  return out + utf8(joined.slice(last));
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r\n(?=[ \t])/g, '').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function split(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  return end < 0 ? { headers: parseHeaders(raw), body: '' } : { headers: parseHeaders(raw.slice(0, end)), body: raw.slice(end + 4) };
}

function decodeBody(headers: ReadonlyMap<string, string>, body: string): string {
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (cte === 'base64') return Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8');
  if (cte === 'quoted-printable') return qp(body, false);
  return utf8(body);
}

export function decodeMime(raw: string): DecodedMail {
  const { headers, body } = split(raw);
  const subject = decodeWords(headers.get('subject') ?? '');
  const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  const parts = boundary === undefined ? [{ headers, body }] : body.split(`--${boundary}`).slice(1, -1).map((p) => split(p.replace(/^\r\n/, '').replace(/\r\n$/, '')));
  const part = (type: string) => {
    const found = parts.find((p) => (p.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith(type));
    // Text lines end in CRLF in canonical form (RFC 2046 §4.1.1); a reader shows them as lines.
    return found === undefined ? '' : decodeBody(found.headers, found.body).replace(/\r\n/g, '\n');
  };
  return { headers, subject, text: part('text/plain'), html: part('text/html') };
}
