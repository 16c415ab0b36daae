/**
 * The text fields of a `multipart/form-data` body (RFC 7578): what a form with a file input
 * sends, so that uploading a file works without JavaScript. Only text is expected (the body has
 * already been decoded as UTF-8 by request-body.ts, which refuses anything else); a repeated
 * name keeps its last value. Undefined when the content type carries no boundary.
 */
export function multipartFields(contentType: string | undefined, text: string): Record<string, string> | undefined {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s"]{1,70}))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined) return undefined;
  const fields: Record<string, string> = {};
  for (const part of text.split(`--${boundary}`).slice(1)) {
    if (part.startsWith('--')) break; // the close delimiter (RFC 2046 §5.1.1)
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const name = /;\s*name="([^"]*)"/i.exec(part.slice(0, split))?.[1];
    if (name === undefined) continue;
    const value = part.slice(split + 4);
    fields[name] = value.endsWith('\r\n') ? value.slice(0, -2) : value;
  }
  return fields;
}
