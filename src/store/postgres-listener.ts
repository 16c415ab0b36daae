import pg from 'pg';
import type { StoreLogger } from './store-logger.js';

export const CHANGE_CHANNEL = 'pgdir_changes';

export interface ListenerEvents {
  readonly onRevision: (revision: number) => void;
  /** After a lost connection was re-established and LISTEN re-issued. */
  readonly onReconnect: () => void;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

/**
 * The LISTEN side of the change feed: one dedicated pg.Client (a pooled connection would be
 * handed back and lose its LISTEN). Notifications sent while it is disconnected are lost, so
 * after every reconnect `onReconnect` tells subscribers to catch up by revision.
 */
export class PostgresListener {
  readonly #config: pg.ClientConfig;
  readonly #events: ListenerEvents;
  readonly #logger: StoreLogger;
  #client: pg.Client | undefined;
  #closed = false;
  #backoff = MIN_BACKOFF_MS;
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<boolean> | undefined;

  constructor(config: pg.ClientConfig, events: ListenerEvents, logger: StoreLogger) {
    this.#config = config;
    this.#events = events;
    this.#logger = logger;
  }

  /** Connects once; a failure here is the caller's (start-up should see it). */
  async start(): Promise<void> {
    await this.#connect();
  }

  /**
   * False when the LISTEN connection did not answer `SELECT 1` within `timeoutMs` (true while it is
   * being re-opened anyway). A connection stalled without FIN/RST (a dead NAT entry, a hung proxy)
   * would otherwise look alive until TCP keepalive gives up, if ever, while notifications silently
   * stop: it is torn down and re-established, and subscribers catch up by revision after the
   * reconnect. One check at a time.
   */
  check(timeoutMs: number): Promise<boolean> {
    this.#checking ??= this.#check(timeoutMs).finally(() => (this.#checking = undefined));
    return this.#checking;
  }

  async #check(timeoutMs: number): Promise<boolean> {
    const client = this.#client;
    if (client === undefined) return true; // already being re-opened (and logged) by the reconnect loop
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([
      client.query('SELECT 1').then(() => true, () => false),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!answered && this.#client === client) {
      this.#lost(client, new Error(`the LISTEN connection did not answer within ${timeoutMs} ms`));
      destroySocket(client);
    }
    return answered;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionTimeoutMillis: 10_000, ...this.#config, keepAlive: true });
    // Both 'error' and 'end' fire when the backend goes away; `lost` acts once per client.
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client));
    client.on('notification', (message) => {
      if (message.channel !== CHANGE_CHANNEL) return;
      const revision = Number(message.payload);
      if (Number.isSafeInteger(revision)) this.#events.onRevision(revision);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners();
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
  }

  #lost(client: pg.Client, error?: Error): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    client.removeAllListeners();
    client.on('error', () => undefined); // late errors from the dead socket
    this.#logger.warn({ err: error }, 'change listener connection lost; reconnecting');
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#retry(), this.#backoff);
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
  }

  async #retry(): Promise<void> {
    try {
      await this.#connect();
    } catch (error) {
      this.#logger.debug({ err: error }, 'change listener reconnect failed');
      this.#schedule();
      return;
    }
    if (this.#closed) return;
    this.#backoff = MIN_BACKOFF_MS;
    this.#logger.info({}, 'change listener reconnected');
    this.#events.onReconnect();
  }
}

/** Drops the socket without the Terminate handshake (which a stalled peer would never complete). */
function destroySocket(client: pg.Client): void {
  const connection = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection;
  connection?.stream?.destroy();
}
