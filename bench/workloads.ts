import type { Dataset } from './dataset.js';
import { Tag, bindOp, filter, message, pagedControls, searchOp, template } from './ldap-messages.js';
import type { Session, Workload } from './workload.js';

/**
 * The benchmark's operations. Every session checks its answers (result code and entry count), so
 * a target that answers fast but wrong shows errors instead of a good figure.
 */

/** What a typical application asks for a user (same list on every target, no userPassword). */
export const USER_ATTRS = [
  'objectClass', 'cn', 'uid', 'mail', 'displayName', 'givenName', 'sn', 'uidNumber', 'gidNumber',
  'homeDirectory', 'loginShell', 'memberOf', 'entryUUID',
];
export const GROUP_ATTRS = ['cn', 'gidNumber', 'description', 'member', 'uniqueMember', 'memberUid'];
export const PAGE_SIZE = 500;

const simple = (name: string, bindAsAdmin: boolean, session: Workload['session']): Workload => ({ name, bindAsAdmin, session });

/** Search ou=users for (uid=<random user>); exactly one entry expected. */
export function pointSearch(dataset: Dataset): Workload {
  const placeholder = dataset.users[0]?.username ?? '';
  const names = dataset.users.map((u) => Buffer.from(u.username));
  return simple('point search', true, (target, random) => {
    const op = searchOp({ base: `ou=users,${target.baseDn}`, scope: 2, filter: filter.equals('uid', placeholder), attributes: USER_ATTRS });
    const t = template(op, placeholder);
    return {
      next: (id) => t.render(id, names[Math.floor(random() * names.length)]),
      done: (r, entries) => r.tag === Tag.searchDone && r.resultCode === 0 && entries === 1,
    };
  });
}

function bindSession(requests: readonly ((id: number) => Buffer)[], random: () => number): Session {
  return {
    next: (id) => (requests[Math.floor(random() * requests.length)] as (id: number) => Buffer)(id),
    done: (r) => r.tag === Tag.bindResponse && r.resultCode === 0,
  };
}

/** Simple bind as the directory admin (a plain secret on slapd: the cheap-bind path). */
export const adminBind = (): Workload =>
  simple('simple bind (admin)', false, (target, random) => {
    const t = template(bindOp(target.adminDn, target.adminPassword));
    return bindSession([(id) => t.render(id)], random);
  });

/** Simple bind as a random user whose password is a bcrypt cost-10 hash. */
export const bcryptBind = (dataset: Dataset): Workload =>
  simple('bcrypt bind', false, (target, random) => {
    const templates = dataset.bcryptUsers.map((i) => template(bindOp(target.userDn(i), target.userPassword)));
    return bindSession(templates.map((t) => (id: number) => t.render(id)), random);
  });

/** Every group under ou=groups with its members (the dataset's groups plus `users` and `admins`). */
export function groupListing(dataset: Dataset): Workload {
  const expected = dataset.groups.length + 2;
  return simple('group listing', true, (target) => {
    const op = searchOp({ base: `ou=groups,${target.baseDn}`, scope: 2, filter: filter.equals('objectClass', 'groupOfNames'), attributes: GROUP_ATTRS });
    const t = template(op);
    return {
      next: (id) => t.render(id),
      done: (r, entries) => r.tag === Tag.searchDone && r.resultCode === 0 && entries === expected,
    };
  });
}

/**
 * Paged scan of every user, 500 per page (RFC 2696): one operation is one page; the session
 * follows the cookie and starts over when the server returns an empty one, checking that each
 * whole scan returned every user. The full-scan time is reported as pages per scan x mean page
 * latency, because at 32 connections a single scan can outlast the measured window.
 */
export function pagedScan(dataset: Dataset): Workload {
  const pagesPerScan = Math.ceil(dataset.users.length / PAGE_SIZE);
  const measured = { pages: 0, latencyMs: 0, scans: 0 };
  return {
    name: 'paged scan',
    bindAsAdmin: true,
    session(target) {
      const op = searchOp({ base: `ou=users,${target.baseDn}`, scope: 2, filter: filter.equals('objectClass', 'inetOrgPerson'), attributes: USER_ATTRS });
      let cookie: Buffer = Buffer.alloc(0);
      let scanned = 0;
      return {
        next: (id) => message(id, op, pagedControls(PAGE_SIZE, cookie)),
        done(r, entries, latencyMs, inWindow) {
          if (r.tag !== Tag.searchDone || r.resultCode !== 0 || !r.cookie || entries > PAGE_SIZE) return false;
          if (inWindow) {
            measured.pages++;
            measured.latencyMs += latencyMs;
          }
          scanned += entries;
          cookie = r.cookie;
          if (cookie.length > 0) return true;
          const complete = scanned === dataset.users.length;
          if (complete && inWindow) measured.scans++;
          scanned = 0;
          return complete;
        },
      };
    },
    extra: () => ({
      'scans completed': measured.scans,
      'full scan ms (pages x mean page latency)': measured.pages ? (pagesPerScan * measured.latencyMs) / measured.pages : NaN,
    }),
  };
}

/**
 * Issue 16: the same point search through the application view `ou=bench,ou=apps` (its users are
 * the members of the first groups, pgdir-store-load.ts), for the ratio against `search`.
 */
export function appPointSearch(dataset: Dataset, app: string, groups: number): Workload {
  const members = dataset.groups.slice(0, groups).flatMap((g) => g.members);
  const placeholder = dataset.users[members[0] ?? 0]?.username ?? '';
  const names = members.map((m) => Buffer.from(dataset.users[m]?.username ?? ''));
  return simple('point search (app view)', true, (target, random) => {
    const op = searchOp({ base: `ou=users,ou=${app},ou=apps,${target.baseDn}`, scope: 2, filter: filter.equals('uid', placeholder), attributes: USER_ATTRS });
    const t = template(op, placeholder);
    return {
      next: (id) => t.render(id, names[Math.floor(random() * names.length)]),
      done: (r, entries) => r.tag === Tag.searchDone && r.resultCode === 0 && entries === 1,
    };
  });
}
