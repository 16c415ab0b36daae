import { performance } from 'node:perf_hooks';
import type { Client } from 'ldapts';
import { ADMIN_DN, SUFFIX, type ReplicaCluster } from './replicas-cluster.js';

/**
 * The constant load of the fault scenarios: on each target replica one ldapts client (a real LDAP
 * client over TLS) searching by uid as the admin and one binding as known users, back to back;
 * and an API writer creating a user every `pauseMs`. Outcomes are counted per phase (before,
 * outage, after…) and errors by kind, so a scenario can say what was answered when.
 */
export interface KnownUser {
  readonly uid: string;
  readonly dn: string;
  readonly password: string;
}

export interface PhaseTally {
  searches: number;
  binds: number;
  errors: Record<string, number>;
}

export interface WriteTally {
  created: number;
  /** Answers other than 201, by status and message ("503 the database is unavailable"). */
  refused: Record<string, number>;
  /** The slowest answer that was not a 201, ms: a write must fail fast, not hang. */
  slowestRefusalMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function kindOf(error: unknown): string {
  const e = error as { code?: unknown; message?: string; name?: string };
  if (typeof e.code === 'number') return `LDAP ${e.code}`;
  if (typeof e.code === 'string') return `connection ${e.code}`;
  return (e.message ?? String(error)).replace(/\d+/g, 'N').slice(0, 60);
}

export class LdapLoad {
  readonly #cluster: ReplicaCluster;
  readonly #users: readonly KnownUser[];
  #admin: string;
  #phase = 'before';
  readonly #tallies = new Map<string, PhaseTally>();
  #running = false;
  #workers: Promise<void>[] = [];

  constructor(cluster: ReplicaCluster, users: readonly KnownUser[], adminPassword: string) {
    this.#cluster = cluster;
    this.#users = users;
    this.#admin = adminPassword;
  }

  phase(name: string): void {
    this.#phase = name;
  }

  tally(phase: string): PhaseTally {
    let t = this.#tallies.get(phase);
    if (t === undefined) this.#tallies.set(phase, (t = { searches: 0, binds: 0, errors: {} }));
    return t;
  }

  phases(): ReadonlyMap<string, PhaseTally> {
    return this.#tallies;
  }

  start(targets: readonly number[]): void {
    this.#running = true;
    for (const i of targets) this.#workers.push(this.#loop(i, 'search'), this.#loop(i, 'bind'));
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#workers);
    this.#workers = [];
  }

  async #loop(replica: number, what: 'search' | 'bind'): Promise<void> {
    let client: Client | undefined;
    let n = replica * 7;
    while (this.#running) {
      const phase = this.#phase;
      const user = this.#users[n++ % this.#users.length];
      if (user === undefined) return;
      try {
        if (client === undefined) {
          client = this.#cluster.client(replica);
          if (what === 'search') await client.bind(ADMIN_DN, this.#admin);
        }
        if (what === 'search') {
          const { searchEntries } = await client.search(`ou=users,${SUFFIX}`, { scope: 'sub', filter: `(uid=${user.uid})`, attributes: ['uid', 'mail'] });
          if (searchEntries.length !== 1) throw new Error(`wrong answer: ${searchEntries.length} entries`);
          this.tally(phase).searches++;
        } else {
          await client.bind(user.dn, user.password);
          this.tally(phase).binds++;
        }
      } catch (error) {
        const t = this.tally(phase);
        const kind = `${what}: ${kindOf(error)}`;
        t.errors[kind] = (t.errors[kind] ?? 0) + 1;
        await client?.unbind().catch(() => undefined);
        client = undefined;
        await sleep(50);
      }
    }
    await client?.unbind().catch(() => undefined);
  }
}

/** Creates a user through the API every `pauseMs` on the target replicas in turn. */
export class ApiWriter {
  readonly #cluster: ReplicaCluster;
  readonly #token: string;
  readonly #prefix: string;
  #phase = 'before';
  readonly #tallies = new Map<string, WriteTally>();
  /** Usernames the API confirmed (201), refused (answered otherwise) or left unanswered (the write may have committed). */
  readonly confirmed = new Set<string>();
  readonly refused = new Set<string>();
  readonly unanswered = new Set<string>();
  #running = false;
  #loop: Promise<void> | undefined;

  constructor(cluster: ReplicaCluster, token: string, prefix: string) {
    this.#cluster = cluster;
    this.#token = token;
    this.#prefix = prefix;
  }

  phase(name: string): void {
    this.#phase = name;
  }

  tally(phase: string): WriteTally {
    let t = this.#tallies.get(phase);
    if (t === undefined) this.#tallies.set(phase, (t = { created: 0, refused: {}, slowestRefusalMs: 0 }));
    return t;
  }

  phases(): ReadonlyMap<string, WriteTally> {
    return this.#tallies;
  }

  start(targets: readonly number[], pauseMs = 150): void {
    this.#running = true;
    this.#loop = (async () => {
      for (let i = 0; this.#running; i++) {
        await this.write(targets[i % targets.length] ?? 0, `${this.#prefix}${i}`);
        await sleep(pauseMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  /** One write; true when it was confirmed. */
  async write(replica: number, username: string): Promise<boolean> {
    const phase = this.#phase;
    const started = performance.now();
    let outcome: string;
    let answered = false;
    try {
      const res = await fetch(`${this.#cluster.replicas[replica]?.httpUrl}/api/v1/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ username, email: `${username}@example.com`, password: `${username} password 1` }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
      answered = true;
      outcome = res.status === 201 ? 'created' : `${res.status} ${body.error?.message ?? ''}`.trim();
    } catch (error) {
      const e = error as { name?: string; cause?: { code?: string } };
      outcome = e.name === 'TimeoutError' ? 'no answer within 15 s' : `connection ${e.cause?.code ?? e.name}`;
    }
    const t = this.tally(phase);
    if (outcome === 'created') {
      t.created++;
      this.confirmed.add(username);
      return true;
    }
    t.refused[outcome] = (t.refused[outcome] ?? 0) + 1;
    t.slowestRefusalMs = Math.max(t.slowestRefusalMs, performance.now() - started);
    (answered ? this.refused : this.unanswered).add(username);
    return false;
  }
}
