import { hash } from '@node-rs/bcrypt';
import { seededRandom } from './workload.js';

/**
 * The benchmark directory, generated deterministically from a seed: N users (user00001...) in
 * groups of 50 disjoint members, every user with a uuid, email, two-word display name and a
 * uidNumber. A subset has a known password hashed with bcrypt cost 10 ($2b$, salts drawn from the
 * seed, so the hashes too are reproducible); all others share one hash of an unknown password,
 * which keeps generation to ~100 hashes. User 0 has the admin role so that the built-in `admins`
 * group is not empty on any target.
 */

export const BCRYPT_COST = 10;

export interface DatasetUser {
  readonly index: number;
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly displayName: string;
  readonly givenName: string;
  readonly sn: string;
  readonly uidNumber: number;
  readonly role: 'user' | 'admin';
  readonly passwordHash: string;
}

export interface DatasetGroup {
  readonly index: number;
  readonly name: string;
  readonly description: string;
  readonly gidNumber: number;
  /** User indices. */
  readonly members: readonly number[];
}

export interface Dataset {
  readonly users: readonly DatasetUser[];
  readonly groups: readonly DatasetGroup[];
  /** Indices of the users whose password is `userPassword`. */
  readonly bcryptUsers: readonly number[];
  readonly userPassword: string;
  readonly adminPassword: string;
  /** Digits in every username (all usernames have the same length). */
  readonly usernameWidth: number;
}

export interface DatasetOptions {
  readonly users: number;
  readonly groupSize?: number;
  readonly bcryptUsers?: number;
  readonly seed?: number;
}

const FIRST = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Dennis', 'Margaret', 'Linus', 'Sophie', 'Niklaus', 'Karen', 'Tim'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Ritchie', 'Hamilton', 'Torvalds', 'Wilson', 'Wirth', 'Jones', 'Berners'];

export function usernameOf(index: number, width: number): string {
  return `user${String(index + 1).padStart(width, '0')}`;
}

function uuid(random: () => number): string {
  const b = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  b[6] = ((b[6] as number) & 0x0f) | 0x40; // version 4
  b[8] = ((b[8] as number) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function salt(random: () => number): Uint8Array {
  return Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256));
}

export async function generateDataset(options: DatasetOptions): Promise<Dataset> {
  const n = options.users;
  if (!Number.isInteger(n) || n < 1) throw new Error(`dataset size must be a positive integer, got ${n}`);
  const groupSize = options.groupSize ?? 50;
  const random = seededRandom(options.seed ?? 42);
  const width = Math.max(5, String(n).length);
  const userPassword = 'bench-Passw0rd';
  const step = Math.max(1, Math.floor(n / Math.min(n, options.bcryptUsers ?? 100)));
  const bcryptUsers = Array.from({ length: Math.min(n, options.bcryptUsers ?? 100) }, (_, k) => k * step);
  const [shared, ...own] = await Promise.all([
    hash(`unknown-${random()}`, { cost: BCRYPT_COST, salt: salt(random) }),
    ...bcryptUsers.map(() => hash(userPassword, { cost: BCRYPT_COST, salt: salt(random) })),
  ]);
  const hashOf = new Map(bcryptUsers.map((u, k) => [u, own[k] as string]));
  const users = Array.from({ length: n }, (_, index): DatasetUser => {
    const username = usernameOf(index, width);
    const givenName = FIRST[Math.floor(random() * FIRST.length)] as string;
    const sn = LAST[Math.floor(random() * LAST.length)] as string;
    return {
      index, id: uuid(random), username, email: `${username}@example.com`, displayName: `${givenName} ${sn}`,
      givenName, sn, uidNumber: 10000 + index, role: index === 0 ? 'admin' : 'user',
      passwordHash: hashOf.get(index) ?? (shared as string),
    };
  });
  const groups = Array.from({ length: Math.ceil(n / groupSize) }, (_, index): DatasetGroup => ({
    index,
    name: `group${String(index + 1).padStart(4, '0')}`,
    description: `Benchmark group ${index + 1}`,
    gidNumber: 20000 + index,
    members: Array.from({ length: Math.min(groupSize, n - index * groupSize) }, (_, k) => index * groupSize + k),
  }));
  return { users, groups, bcryptUsers, userPassword, adminPassword: 'bench-admin-Secret1', usernameWidth: width };
}
