import { invalid } from '../../domain/errors.js';

/** One uploaded file of a form: its name as the browser sent it, its media type and its text. */
export interface UploadedFile {
  readonly filename: string;
  readonly contentType: string;
  readonly text: string;
}

export interface MultipartForm {
  /** Plain fields (the last value of a repeated name wins, as formOf does). */
  readonly fields: Record<string, string>;
  readonly files: Record<string, UploadedFile>;
}

/** The boundary parameter of a `multipart/form-data` Content-Type (RFC 2046 §5.1.1). */
export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType ?? '');
  return match?.[1] ?? match?.[2];
}

/** `name="x"; filename="y"` of a Content-Disposition line (browsers escape `"` as %22, WHATWG HTML §4.10.21.8). */
function dispositionParam(line: string, param: string): string | undefined {
  return new RegExp(`;\\s*${param}="([^"]*)"`, 'i').exec(line)?.[1]?.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
}

function headerOf(head: string, name: string): string {
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name}:`));
  return line === undefined ? '' : line.slice(name.length + 1).trim();
}

/**
 * A `multipart/form-data` body (RFC 7578) already read as UTF-8 text (request-body.ts refuses
 * anything else): the console's file upload, which needs no JavaScript. Each part is delimited by
 * CRLF `--boundary`; its headers end at the first empty line.
 */
export function parseMultipart(text: string, contentType: string | undefined): MultipartForm {
  const boundary = boundaryOf(contentType);
  if (boundary === undefined) throw invalid('the form has no multipart boundary');
  const parts = `\r\n${text}`.split(`\r\n--${boundary}`);
  const fields: Record<string, string> = {};
  const files: Record<string, UploadedFile> = {};
  for (const part of parts.slice(1)) {
    if (part.startsWith('--')) break; // the close delimiter
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd < 0) throw invalid('the form is malformed (a part without headers)');
    const head = part.slice(0, headEnd).replace(/^[ \t]*\r\n/, '');
    const body = part.slice(headEnd + 4);
    const disposition = headerOf(head, 'content-disposition');
    const name = dispositionParam(disposition, 'name');
    if (name === undefined) continue;
    const filename = dispositionParam(disposition, 'filename');
    if (filename === undefined) fields[name] = body;
    else files[name] = { filename, contentType: headerOf(head, 'content-type').toLowerCase(), text: body };
  }
  return { fields, files };
}

/**
 * Every field of a multipart form as text, files included under their field name (the SSO page
 * reads an uploaded metadata file like a pasted one). Undefined when the body is not a valid
 * multipart form.
 */
export function multipartFields(contentType: string | undefined, text: string): Record<string, string> | undefined {
  try {
    const form = parseMultipart(text, contentType);
    const files = Object.fromEntries(Object.entries(form.files).map(([name, file]) => [name, file.text]));
    return { ...form.fields, ...files };
  } catch {
    return undefined;
  }
}
