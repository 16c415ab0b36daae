import type { Role } from './model.js';

/**
 * Who performs a directory change (DESIGN §7).
 * - `system`: the CLI on the server's shell or the directory admin — every power, no self.
 * - `user`: a signed-in person acting with their role; `readOnly` for read-only API tokens.
 */
export type Actor =
  | { readonly kind: 'system'; readonly name: string }
  | { readonly kind: 'user'; readonly id: string; readonly role: Role; readonly readOnly?: boolean };

/** The CLI on the server's shell (`cli`) or the directory admin (`admin`): every power. */
export const systemActor = (name = 'cli'): Actor => ({ kind: 'system', name });

/** A signed-in user acting with their current role; `readOnly` for read-only API tokens. */
export const userActor = (user: { readonly id: string; readonly role: Role }, options: { readOnly?: boolean } = {}): Actor => ({
  kind: 'user',
  id: user.id,
  role: user.role,
  readOnly: options.readOnly === true,
});

/** How the audit log names the actor: the user's id, or the system actor's name. */
export const actorLabel = (actor: Actor): string => (actor.kind === 'user' ? actor.id : actor.name);
