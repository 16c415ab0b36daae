import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configError } from './config-error.js';
import type { Raw } from './env-overrides.js';
import { SECRET_KEYS } from './schema.js';

/**
 * Replaces each `<key>_file` of a secret key with the file's content, trimmed (so that a trailing
 * newline from `echo secret > file` does not become part of the secret). Relative paths are taken
 * from `cwd`.
 */
export function resolveSecretFiles(raw: Raw, cwd: string): void {
  for (const keyPath of SECRET_KEYS) {
    const parent = lookupObject(raw, keyPath.slice(0, -1));
    const key = keyPath[keyPath.length - 1] as string;
    const fileKey = `${key}_file`;
    if (parent === undefined || parent[fileKey] === undefined) continue;
    const name = [...keyPath.slice(0, -1), fileKey].join('.');
    if (parent[key] !== undefined) {
      throw configError(name, `set either ${keyPath.join('.')} or ${name}, not both`);
    }
    const file = parent[fileKey];
    if (typeof file !== 'string' || file.trim() === '') throw configError(name, 'must be a file path');
    parent[key] = readSecret(resolve(cwd, file), name);
    delete parent[fileKey];
  }
}

function readSecret(file: string, name: string): string {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw configError(name, `cannot read ${file} (${code})`);
  }
  const secret = content.trim();
  if (secret === '') throw configError(name, `${file} is empty`);
  return secret;
}

function lookupObject(raw: Raw, path: readonly string[]): Raw | undefined {
  let node: unknown = raw;
  for (const segment of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Raw)[segment];
  }
  return node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Raw) : undefined;
}
