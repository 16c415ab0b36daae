import type { Identity, UserSearchPolicy } from './auth/identity.js';

/** What a search may see, decided once per search from the bound identity (DESIGN §5). */
export type Visibility =
  /** rootDSE and cn=Subschema only: everything else answers 32 so existence stays hidden. */
  | { readonly kind: 'none' }
  /**
   * Every user, group, container and service account entry; the applications under ou=apps too,
   * but not for a user (`user`: ldap.user_search all; issue 16, view/app-tree.ts).
   */
  | { readonly kind: 'all'; readonly user?: true }
  /**
   * The user's own entry, every group and the containers (ldap.user_search: self); with
   * `ownMembersOnly` (self-only-members) groups list only the user among their members (member-mask.ts).
   */
  | { readonly kind: 'self'; readonly normDn: string; readonly ownMembersOnly?: true }
  /**
   * An application bound as itself (issue 16): only its own view, whatever the base — users with
   * access, every group with members limited to them, no service accounts (view/app-search.ts).
   */
  | { readonly kind: 'app'; readonly appId: string };

export function searchVisibility(identity: Identity, userSearch: UserSearchPolicy): Visibility {
  switch (identity.kind) {
    case 'anonymous':
      return { kind: 'none' };
    case 'admin':
    case 'service':
      return { kind: 'all' };
    case 'app':
      return { kind: 'app', appId: identity.id };
    case 'user':
      if (userSearch === 'all') return { kind: 'all', user: true };
      if (userSearch === 'self') return { kind: 'self', normDn: identity.dn.toLowerCase() };
      if (userSearch === 'self-only-members') return { kind: 'self', normDn: identity.dn.toLowerCase(), ownMembersOnly: true };
      return { kind: 'none' };
  }
}

export type EntryKind = 'user' | 'group' | 'container' | 'system';

/** Whether one entry is visible; `normDn` is the entry's normalised DN. */
export function isVisible(visibility: Visibility, kind: EntryKind, normDn: string): boolean {
  switch (visibility.kind) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'app':
      // Narrowed per entry by the app's access rule (view/app-search.ts); never ou=system.
      return kind !== 'system';
    case 'self':
      // Service accounts stay hidden from plain users; their own entry, groups and containers
      // are what Gitea, nslcd and Home Assistant read after a user bind (clients.md §1.16).
      return kind === 'group' || kind === 'container' || (kind === 'user' && normDn === visibility.normDn);
  }
}

/**
 * Password Modify (RFC 3062) on someone else's entry: the directory admin and privileged
 * service accounts only (DESIGN §5); users may change only their own.
 */
export function maySetOthersPassword(identity: Identity): boolean {
  return identity.kind === 'admin' || (identity.kind === 'service' && identity.privileged);
}
