import { describe, expect, it } from 'vitest';
import { multipartFields } from '../../../src/http/console/multipart-form.js';

/** The multipart/form-data reader behind the SSO page's metadata upload (and its CSRF field). */
describe('multipartFields', () => {
  const body = (boundary: string) =>
    [
      `--${boundary}`,
      'Content-Disposition: form-data; name="_csrf"',
      '',
      'token-1',
      `--${boundary}`,
      'Content-Disposition: form-data; name="metadataFile"; filename="idp.xml"',
      'Content-Type: application/xml',
      '',
      '<a>\r\n  line two\r\n</a>',
      `--${boundary}`,
      'Content-Disposition: form-data; name="empty"',
      '',
      '',
      `--${boundary}--`,
      'epilogue ignored',
    ].join('\r\n');

  it('reads text fields and file contents by name, keeping inner line breaks', () => {
    expect(multipartFields('multipart/form-data; boundary=----x1', body('----x1'))).toEqual({ _csrf: 'token-1', metadataFile: '<a>\r\n  line two\r\n</a>', empty: '' });
    expect(multipartFields('multipart/form-data; boundary="q b"', body('q b'))?.['_csrf']).toBe('token-1');
  });

  it('has nothing to say without a boundary, and ignores parts without a name', () => {
    expect(multipartFields('multipart/form-data', body('x'))).toBeUndefined();
    expect(multipartFields(undefined, body('x'))).toBeUndefined();
    expect(multipartFields('multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--')).toEqual({});
    // filename="…" alone is not a name.
    expect(multipartFields('multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; filename="n"\r\n\r\nv\r\n--b--')).toEqual({});
  });
});
