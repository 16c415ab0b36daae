import { DirectoryError } from '../domain/errors.js';

/**
 * The API names some inputs differently from the use cases (`fullName` for `name`): errors raised
 * below are renamed so that `error.field` always names what the client sent.
 */
export async function withFieldNames<T>(
  names: Readonly<Record<string, string>> | ((field: string) => string | undefined),
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof DirectoryError) || error.field === undefined) throw error;
    const renamed = typeof names === 'function' ? names(error.field) : names[error.field];
    if (renamed === undefined) throw error;
    const message = error.message.startsWith(`${error.field} `) ? `${renamed}${error.message.slice(error.field.length)}` : error.message;
    throw new DirectoryError(error.kind, message, { field: renamed, resultCode: error.resultCode, cause: error });
  }
}

export const USER_FIELDS = { name: 'fullName' } as const;

/** `members[2]` (group use case) → `userIds.2` (API body). */
export const memberField = (field: string): string | undefined => /^members\[(\d+)\]$/.exec(field)?.[1]?.replace(/^/, 'userIds.');
