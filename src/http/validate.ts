import type { z } from 'zod';
import { DirectoryError } from '../domain/errors.js';

/**
 * Parses input with a zod schema; the first problem becomes a 400 naming the field by its path
 * (`members.2`), so clients can point at the input that was wrong.
 */
export function validate<T>(schema: z.ZodType<T>, input: unknown, where: 'body' | 'query'): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new DirectoryError('invalid', `the ${where} is invalid`);
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const path = [...issue.path, ...keys.slice(0, 1)].map(String);
  const field = path.length > 0 ? path.join('.') : undefined;
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown field "${keys[0] ?? ''}"`
      : input === undefined && where === 'body'
        ? 'a JSON body is required'
        : issue.message;
  const text = field === undefined || issue.code === 'unrecognized_keys' ? message : `${field}: ${message}`;
  throw new DirectoryError('invalid', text, field === undefined ? {} : { field });
}
