import type { Application } from '../../domain/application.js';
import type { Level } from '../../domain/levels.js';
import type { User } from '../../domain/model.js';

/**
 * What access rules read of the directory state (AccessState has it; named here so that the
 * records holding the index need not import the state).
 */
export interface AccessState {
  readonly records: {
    readonly users: ReadonlyMap<string, User>;
    /** A user's groups (IdLinks in the view: only `get` is read). */
    readonly userGroups: { get(userId: string): ReadonlySet<string> | undefined };
    readonly groupUsers: { get(groupId: string): ReadonlySet<string> | undefined };
    readonly apps: { readonly access: AppAccessIndex };
  };
  readonly teams: { levelOnTeam(userId: string, team: string): Level | null };
}

/**
 * Who may use each application (issue 16), precomputed as one bit per user, addressed by the
 * user's uidNumber (unique and stable, DESIGN §3): a search through an app view then checks a
 * user with one array read instead of a group lookup in a 100,000-entry map (measured in
 * bench/app-view.ts). At 100,000 users a rule costs ~14 KB, so 50 apps add under 1 MB.
 *
 * Never stale: `rule` (the app's rule without the admin/everyone shortcuts, app-access.ts) is the
 * one definition; a rule's bits are built from it on first use for that application record (a
 * changed rule is a new record), and every batch of changes re-evaluates it for each user whose
 * role, listing, memberships or team levels the batch may have moved (DirectoryState.rebuild),
 * or drops the bits of team rules when a level everyone has moved. A user's bit is therefore
 * always computed after the user's last change; bits of deleted users are unreachable (their
 * uidNumber is never reused, and a user given one is re-evaluated on arrival).
 */
export type Rule = (state: AccessState, app: Application, user: User) => boolean;

/** uidNumbers beyond this (a directory imported with odd numbers) are evaluated on each check. */
const MAX_BITS = 1 << 22;

interface Bits {
  readonly app: Application;
  words: Uint32Array;
}

export class AppAccessIndex {
  private readonly byApp = new Map<string, Bits>();
  /** The bits last read: a search checks one app's bits once per candidate. Forgotten with them. */
  private last: Bits | undefined;

  constructor(private readonly rule: Rule) {}

  /** Whether the rule (not counting admins and `everyone`) admits `user`. */
  admits(state: AccessState, app: Application, user: User): boolean {
    const n = user.uidNumber;
    if (!(n >= 0 && n < MAX_BITS)) return this.rule(state, app, user);
    const { words } = this.bitsOf(state, app);
    const word = n >>> 5;
    return word < words.length && ((words[word] as number) & (1 << (n & 31))) !== 0;
  }

  /** An application's record changed or went: its bits go with the old record. */
  drop(appId: string): void {
    this.byApp.delete(appId);
    if (this.last?.app.id === appId) this.last = undefined;
  }

  /**
   * After a batch: `userIds` are the users whose access may have moved; `allLevels`: a team
   * level everyone has moved, so rules naming teams are rebuilt when next used.
   */
  followed(state: AccessState, userIds: ReadonlySet<string>, allLevels: boolean): void {
    for (const [id, bits] of this.byApp) {
      if (allLevels && bits.app.access.teams.length > 0) {
        this.byApp.delete(id);
        if (this.last === bits) this.last = undefined;
        continue;
      }
      for (const userId of userIds) {
        const user = state.records.users.get(userId);
        if (user !== undefined) set(bits, user.uidNumber, this.rule(state, bits.app, user));
      }
    }
  }

  private bitsOf(state: AccessState, app: Application): Bits {
    const last = this.last;
    if (last !== undefined && last.app === app) return last;
    const held = this.byApp.get(app.id);
    if (held !== undefined && held.app === app) return (this.last = held);
    const bits: Bits = { app, words: new Uint32Array(0) };
    const { users, groupUsers } = state.records;
    if (app.access.teams.length === 0) {
      // A rule of groups only admits exactly their members: no need to look at everyone else.
      for (const groupId of app.access.groups) {
        for (const userId of groupUsers.get(groupId) ?? []) {
          const user = users.get(userId);
          if (user !== undefined) set(bits, user.uidNumber, this.rule(state, app, user));
        }
      }
    } else {
      for (const user of users.values()) set(bits, user.uidNumber, this.rule(state, app, user));
    }
    this.byApp.set(app.id, bits);
    return (this.last = bits);
  }
}

function set(bits: Bits, n: number, on: boolean): void {
  if (!(n >= 0 && n < MAX_BITS)) return;
  const word = n >>> 5;
  if (word >= bits.words.length) {
    if (!on) return;
    const grown = new Uint32Array(Math.min(MAX_BITS >>> 5, Math.max(word + 1, bits.words.length * 2, 1024)));
    grown.set(bits.words);
    bits.words = grown;
  }
  if (on) bits.words[word] = (bits.words[word] as number) | (1 << (n & 31));
  else bits.words[word] = (bits.words[word] as number) & ~(1 << (n & 31));
}
