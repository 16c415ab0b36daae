import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { configSchema, loadConfig, SECRET_KEYS } from '../../src/config/index.js';

const EXAMPLE = fileURLToPath(new URL('../../config/pgdir.example.yaml', import.meta.url));

/** Every key path the schema knows, from its object shapes (through defaults and optionals). */
function keyPaths(schema: z.ZodType, prefix: string[] = []): string[][] {
  const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType> } }).def;
  if (def.type === 'default' || def.type === 'prefault' || def.type === 'optional') return keyPaths(def.innerType as z.ZodType, prefix);
  if (def.type !== 'object' || def.shape === undefined) return [prefix];
  return Object.entries(def.shape).flatMap(([key, child]) => keyPaths(child, [...prefix, key]));
}

describe('config/pgdir.example.yaml', () => {
  it('loads to exactly the built-in defaults', () => {
    const cwd = fileURLToPath(new URL('../..', import.meta.url));
    const example = loadConfig({ path: EXAMPLE, env: {}, cwd }).config;
    const none = loadConfig({ env: {}, cwd, defaultPath: '/nonexistent' }).config;
    expect(example).toEqual(none);
  });

  it('documents every key (secrets in their _file form), commented out when it has no default', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    const all = keyPaths(configSchema).map((p) => p.join('.'));
    expect(all).toContain('ldap.limits.max_filter_nodes');
    expect(all.length).toBeGreaterThan(30);
    const secrets = new Set(SECRET_KEYS.map((k) => k.join('.')));
    const missing = keyPaths(configSchema)
      .filter((path) => path[0] !== 'connector' || path.length === 1)
      .map((path) => {
        const key = path.join('.');
        const leaf = path[path.length - 1] as string;
        return secrets.has(key) ? `${leaf}_file` : leaf;
      })
      .filter((leaf) => !new RegExp(`^\\s*#?\\s*${leaf}:`, 'm').test(text));
    expect(missing).toEqual([]);
  });
});
