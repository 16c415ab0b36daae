import { invalid } from './errors.js';
import { printable } from './name-syntax.js';

/**
 * Permission levels on a team or on the organisation, lowest to highest. A total order: each
 * level includes every level below it. The product brief describes `admin` as "editor plus team
 * metadata" while listing `publisher` below it; pgdir deliberately reads that as admin including
 * publisher (docs/teams.md), so "at least L" is a single comparison.
 */
export const LEVELS = ['viewer', 'user', 'editor', 'publisher', 'admin'] as const;
export type Level = (typeof LEVELS)[number];

/** Position in the order, viewer = 0 … admin = 4. */
export const levelRank = (level: Level): number => LEVELS.indexOf(level);

export const isLevel = (value: unknown): value is Level =>
  typeof value === 'string' && (LEVELS as readonly string[]).includes(value);

/** True when `level` is `floor` or higher; a missing level (null) reaches nothing. */
export const atLeast = (level: Level | null | undefined, floor: Level): boolean =>
  level !== null && level !== undefined && levelRank(level) >= levelRank(floor);

/** The higher of two levels (null = no level). */
export function maxLevel(a: Level | null, b: Level | null): Level | null {
  if (a === null) return b;
  if (b === null) return a;
  return levelRank(a) >= levelRank(b) ? a : b;
}

/** Every level at or below `level`, lowest first (the derived groups a holder is in). */
export const levelsUpTo = (level: Level): readonly Level[] => LEVELS.slice(0, levelRank(level) + 1);

/** Parses a level name (case-insensitive, trimmed); the error names every allowed level (400). */
export function parseLevel(input: unknown, field = 'level'): Level {
  const value = typeof input === 'string' ? input.trim().toLowerCase() : input;
  if (isLevel(value)) return value;
  const shown = typeof input === 'string' ? `"${printable(input)}"` : String(input);
  throw invalid(`unknown level ${shown}; allowed levels are ${LEVELS.join(', ')}`, field);
}
