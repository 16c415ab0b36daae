/**
 * The entry of an LDAP worker thread (`ldap.workers` > 1; started by app/ldap-workers.ts). It
 * runs the same createLdapService as the main thread, on a context whose store and use cases are
 * the main thread's (worker-context.ts), listening with SO_REUSEPORT on the ports the main thread
 * bound. Its view is its own, built by the same code, fed by the one change stream.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import type { AutoCreator, ExternalPasswordVerifier } from '../directory/auth/bind-service.js';
import { createLdapService, type LdapService } from '../ldap/ldap-service.js';
import { compactHeap } from './compact-heap.js';
import { SharedConnectionCounts } from '../ldap/server/shared-connection-counts.js';
import { ForwardedChanges, workerContext, type LdapWorkerData } from './worker-context.js';
import { RpcPeer } from './worker-rpc.js';

async function main(): Promise<void> {
  if (parentPort === null) throw new Error('ldap-worker.ts runs as a worker thread');
  const data = workerData as LdapWorkerData;
  const rpc = new RpcPeer(parentPort);
  const changes = new ForwardedChanges(data.revision);
  rpc.on('revision', (revision) => changes.announce(revision as number));
  rpc.on('reconnect', () => changes.reconnected());
  const context = workerContext(rpc, data, changes);
  let service: LdapService | undefined;
  try {
    service = await createLdapService(context, {
      external: data.hasExternal ? rpc.remote<ExternalPasswordVerifier>('external') : undefined,
      autoCreate: data.hasAutoCreate ? rpc.remote<AutoCreator>('autoCreate') : undefined,
      cluster: { reusePort: true, sharedCounts: new SharedConnectionCounts(data.sharedCounts), worker: true },
    });
    await service.start();
    compactHeap(); // this thread's start-up garbage (compact-heap.ts), before it says ready
  } catch (err) {
    rpc.emit('failed', err instanceof Error ? err.message : String(err));
    return;
  }
  const running = service;
  rpc.expose('ldap', {
    settingsApplied: () => running.settingsApplied(),
    reload: (config: Config) => running.reload?.(config),
    close: (deadlineMs: number) => running.close(deadlineMs),
    connections: () => running.server.stats().connections,
  });
  rpc.expose('metrics', { json: () => context.metrics.prometheus.getMetricsAsJSON() });
  rpc.emit('ready');
}

void main();
