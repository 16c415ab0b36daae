import type { Actor } from '../domain/actor.js';
import type { User } from '../domain/model.js';

export type { Actor };

/** The CLI on the server's shell (`cli`) or the directory admin (`admin`): every power. */
export const systemActor = (name = 'cli'): Actor => ({ kind: 'system', name });

/** A signed-in user acting with their current role; `readOnly` for read-only API tokens. */
export const userActor = (user: Pick<User, 'id' | 'role'>, options: { readOnly?: boolean } = {}): Actor => ({
  kind: 'user',
  id: user.id,
  role: user.role,
  readOnly: options.readOnly === true,
});

/** How the audit log names the actor: the user's id, or the system actor's name. */
export const actorLabel = (actor: Actor): string => (actor.kind === 'user' ? actor.id : actor.name);
