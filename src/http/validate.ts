import type { z } from 'zod';
import { HttpError, type Problem } from './http-error.js';

/** What was wrong: every problem, and a one-line `summary` of the first for `error.message`. */
export interface Invalid {
  readonly ok: false;
  readonly problems: readonly Problem[];
  readonly summary: string;
}

export type Checked<T> = { readonly ok: true; readonly data: T } | Invalid;

/**
 * Parses input with a zod schema and, when it fails, lists every problem zod found, each naming
 * its field by path (`members.2`), so a client can mark all the wrong inputs at once. `sentAs`
 * maps a current field name to the deprecated one the client used (name-aliases.ts).
 */
export function check<T>(schema: z.ZodType<T>, input: unknown, where: 'body' | 'query', sentAs: Readonly<Record<string, string>> = {}): Checked<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  if (input === undefined && where === 'body') return invalid([{ problem: { message: 'a JSON body is required' }, text: 'a JSON body is required' }]);
  const found = result.error.issues.flatMap((issue) => problemsOf(issue, sentAs));
  return invalid(found.length > 0 ? found : [{ problem: { message: `the ${where} is invalid` }, text: `the ${where} is invalid` }]);
}

interface Found {
  readonly problem: Problem;
  /** How the problem reads on its own, naming its field. */
  readonly text: string;
}

const invalid = (found: readonly Found[]): Invalid => ({ ok: false, problems: found.map((f) => f.problem), summary: found[0]?.text ?? 'the request is invalid' });

function problemsOf(issue: z.core.$ZodIssue, sentAs: Readonly<Record<string, string>>): Found[] {
  const at = (path: readonly PropertyKey[]): string | undefined => {
    const [head, ...rest] = path.map(String);
    return head === undefined ? undefined : [sentAs[head] ?? head, ...rest].join('.');
  };
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const message = `unknown field "${key}"`;
      return { problem: { field: at([...issue.path, key]) ?? key, message }, text: message };
    });
  }
  const field = at(issue.path);
  if (field === undefined) return [{ problem: { message: issue.message }, text: issue.message }];
  return [{ problem: { field, message: issue.message }, text: `${field}: ${issue.message}` }];
}

/**
 * The 400 for a request with problems: `message` and `field` describe the first (as before the
 * list existed, so older clients keep working), `problems` lists them all.
 */
export function invalidRequest(failures: readonly Invalid[]): HttpError {
  const problems = failures.flatMap((f) => f.problems);
  const field = problems[0]?.field;
  const message = failures[0]?.summary ?? 'the request is invalid';
  return new HttpError(400, 'invalid', message, { ...(field === undefined ? {} : { field }), problems });
}

/** Parses input with a zod schema; a 400 listing every problem otherwise. */
export function validate<T>(schema: z.ZodType<T>, input: unknown, where: 'body' | 'query', sentAs: Readonly<Record<string, string>> = {}): T {
  const checked = check(schema, input, where, sentAs);
  if (!checked.ok) throw invalidRequest([checked]);
  return checked.data;
}
