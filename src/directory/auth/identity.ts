/** Who a connection or request is bound as (DESIGN §4–5). */
export type Identity =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'admin'; readonly dn: string }
  | {
      readonly kind: 'service';
      readonly dn: string;
      readonly id: string;
      readonly name: string;
      readonly privileged: boolean;
    }
  /** `app`: signed in through an application's view (issue 16); WhoAmI then answers `app.dn`. */
  | { readonly kind: 'user'; readonly dn: string; readonly id: string; readonly app?: { readonly id: string; readonly name: string; readonly dn: string } }
  /** An application bound as `cn=<app>,ou=apps,<suffix>` (issue 16): sees only its own view. */
  | { readonly kind: 'app'; readonly dn: string; readonly id: string; readonly name: string };

export const ANONYMOUS: Identity = Object.freeze({ kind: 'anonymous' });

/** `ldap.user_search` (DESIGN §5); `self-only-members` is `self` with other members hidden. */
export type UserSearchPolicy = 'self' | 'self-only-members' | 'all' | 'none';
