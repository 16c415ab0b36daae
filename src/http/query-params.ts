import { z } from 'zod';

/** Query-string pieces shared by list endpoints (values arrive as strings). */

export const MAX_PER_PAGE = 1000;
export const DEFAULT_PER_PAGE = 50;

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,15}$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be from ${min} to ${max}`);

export const paging = {
  page: integer(1, Number.MAX_SAFE_INTEGER).optional().describe('1-based page number (default 1)'),
  per_page: integer(1, MAX_PER_PAGE).optional().describe(`items per page (default ${DEFAULT_PER_PAGE}, at most ${MAX_PER_PAGE})`),
};

export const booleanParam = z.enum(['true', 'false']).transform((v) => v === 'true');

/** limit/offset for a validated page. */
export function pageWindow(query: { page?: number | undefined; per_page?: number | undefined }): { page: number; perPage: number; offset: number } {
  const page = query.page ?? 1;
  const perPage = query.per_page ?? DEFAULT_PER_PAGE;
  return { page, perPage, offset: (page - 1) * perPage };
}
