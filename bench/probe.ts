import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from './client.js';
import { filter, message, searchOp } from './ldap-messages.js';
import type { ServerProcess } from './server-process.js';
import type { Target } from './target.js';

/**
 * Checks that a target answers correctly: the admin binds, a uid search under ou=users returns
 * exactly one entry, and (optionally) a bcrypt user binds with the dataset password.
 */
export async function probe(target: Target, username: string, bcryptUser?: number): Promise<void> {
  const client = await Client.open(target);
  try {
    await client.bind(target.adminDn, target.adminPassword);
    const op = searchOp({ base: `ou=users,${target.baseDn}`, scope: 2, filter: filter.equals('uid', username), attributes: ['uid'] });
    const reply = await client.send((id) => message(id, op));
    if (reply.error) throw reply.error;
    if (reply.response.resultCode !== 0 || reply.entries !== 1) {
      throw new Error(`search for uid=${username} gave result code ${reply.response.resultCode} with ${reply.entries} entries`);
    }
    if (bcryptUser !== undefined) await client.bind(target.userDn(bcryptUser), target.userPassword);
  } finally {
    client.close();
  }
}

/** Retries `probe` until it passes (the server is up and has loaded its data) or the deadline passes. */
export async function waitUntilServing(
  target: Target,
  username: string,
  server: ServerProcess,
  timeoutMs: number,
  /** Returns a reason to stop waiting early (e.g. the server says it is ready but has no listener). */
  hopeless?: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const exited = server.exited();
    if (exited) throw new Error(`${target.name} exited (${exited}) during start-up:\n${server.output()}`);
    const reason = hopeless?.();
    if (reason) throw new Error(`${target.name}: ${reason}`);
    try {
      await probe(target, username);
      return;
    } catch (err) {
      last = err;
      await sleep(25);
    }
  }
  throw new Error(`${target.name} did not answer within ${timeoutMs} ms: ${String(last)}\n${server.output()}`);
}
