import { z } from 'zod';

/**
 * Query-string pieces shared by list endpoints. Values arrive as strings; they are turned into the
 * type they stand for before validation, so the OpenAPI document (generated from the input side of
 * these schemas) says `integer` and `boolean`, not `string`.
 */

export const MAX_PER_PAGE = 1000;
export const DEFAULT_PER_PAGE = 50;

/** Only plain decimal digits count as a number (no `1e3`, `0x10`, blanks or signs). */
const digits = (value: unknown): unknown => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value);

export const integerParam = (min: number, max: number) =>
  z.preprocess(
    digits,
    z
      .int({ error: 'must be a whole number' })
      .min(min, `must be from ${min} to ${max}`)
      .max(max, `must be from ${min} to ${max}`),
  );

export const paging = {
  page: integerParam(1, Number.MAX_SAFE_INTEGER).optional().describe('1-based page number (default 1)'),
  perPage: integerParam(1, MAX_PER_PAGE).optional().describe(`items per page (default ${DEFAULT_PER_PAGE}, at most ${MAX_PER_PAGE})`),
};

export const booleanParam = z.preprocess(
  (value) => (value === 'true' ? true : value === 'false' ? false : value),
  z.boolean({ error: 'must be true or false' }),
);

/** limit/offset for a validated page. */
export function pageWindow(query: { page?: number | undefined; perPage?: number | undefined }): { page: number; perPage: number; offset: number } {
  const page = query.page ?? 1;
  const perPage = query.perPage ?? DEFAULT_PER_PAGE;
  return { page, perPage, offset: (page - 1) * perPage };
}
