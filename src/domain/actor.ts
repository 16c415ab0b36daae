import type { Role } from './model.js';

/**
 * Who performs a directory change (DESIGN §7).
 * - `system`: the CLI on the server's shell or the directory admin — every power, no self.
 * - `user`: a signed-in person acting with their role; `readOnly` for read-only API tokens.
 */
export type Actor =
  | { readonly kind: 'system'; readonly name: string }
  | { readonly kind: 'user'; readonly id: string; readonly role: Role; readonly readOnly?: boolean };
