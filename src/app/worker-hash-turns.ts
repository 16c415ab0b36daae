import type { HashGate } from '../directory/auth/hash-gate.js';
import type { RpcPeer } from './worker-rpc.js';

interface HashTurns {
  acquire(source: string, urgent: boolean): Promise<number>;
  release(id: number): void;
}

/**
 * An LDAP worker thread's hashing turns, taken in the main thread's hash gate (`ldap.workers` > 1):
 * the bcrypt pool is the main thread's, so its slots, the round-robin between sources and the
 * urgent queue are shared by every thread — a storm landing on one worker cannot starve binds on
 * another, and the pool never holds more than its threads' worth of jobs (auth/hash-gate.ts). The
 * turn costs one round trip to the main thread, next to a bcrypt hash of tens of milliseconds.
 */
export function remoteHashTurns(rpc: RpcPeer): (source: string, urgent: boolean) => Promise<() => void> {
  const turns = rpc.remote<{ acquire(source: string, urgent: boolean): Promise<number>; release(id: number): Promise<void> }>('hashTurns');
  return async (source, urgent) => {
    const id = await turns.acquire(source, urgent);
    let held = true;
    return () => {
      if (held) void turns.release(id).catch(() => undefined);
      held = false;
    };
  };
}

/**
 * The main thread's side for one worker: turns it holds are given back when it dies (`forget`), and
 * a turn granted after that is given back at once, so a crashed worker never keeps a bcrypt slot.
 */
export function exposeHashTurns(rpc: RpcPeer, gate: Pick<HashGate, 'turn'>): { forget(): void } {
  const held = new Map<number, () => void>();
  let nextId = 0;
  let gone = false;
  const turns: HashTurns = {
    async acquire(source, urgent) {
      const release = await gate.turn(source, urgent);
      if (gone) {
        release();
        throw new Error('the LDAP worker exited');
      }
      const id = ++nextId;
      held.set(id, release);
      return id;
    },
    release(id) {
      held.get(id)?.();
      held.delete(id);
    },
  };
  rpc.expose('hashTurns', turns);
  return {
    forget() {
      gone = true;
      for (const release of held.values()) release();
      held.clear();
    },
  };
}
