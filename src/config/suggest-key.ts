import type { z } from 'zod';

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}
const defOf = (schema: z.ZodType): Def => (schema as unknown as { def: Def }).def;

/** The keys the schema allows in the mapping at `path` (through defaults and optionals). */
export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.ZodType | undefined = schema;
  for (const segment of [...path, undefined]) {
    let def = defOf(node);
    while ((def.type === 'default' || def.type === 'prefault' || def.type === 'optional') && def.innerType !== undefined) {
      node = def.innerType;
      def = defOf(node);
    }
    if (def.type !== 'object' || def.shape === undefined) return [];
    if (segment === undefined) return Object.keys(def.shape);
    node = def.shape[String(segment)];
    if (node === undefined) return [];
  }
  return [];
}

/** The known key closest to a misspelt one (edit distance ≤ 2, or one contains the other). */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(unknown.toLowerCase(), key);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitute));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
