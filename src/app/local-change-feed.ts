import type { ChangeFeed } from '../daemon/service.js';
import type { Logger } from '../log/create-logger.js';

/** Fan-out of the store's announcements to the services, remembering the latest revision. */
export class LocalChangeFeed implements ChangeFeed {
  revision = 0;
  private readonly listeners = new Set<{ onChange: (revision: number) => void; onReconnect?: (() => void) | undefined }>();

  subscribe(onChange: (revision: number) => void, onReconnect?: () => void): () => void {
    const entry = { onChange, onReconnect };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  publish(revision: number, logger: Logger): void {
    this.revision = Math.max(this.revision, revision);
    logger.debug({ revision }, 'change');
    for (const { onChange } of this.listeners) guard(() => onChange(revision), logger);
  }

  reconnected(logger: Logger): void {
    logger.info('change notifications reconnected; catching up');
    for (const { onReconnect } of this.listeners) guard(() => onReconnect?.(), logger);
  }
}

function guard(fn: () => void, logger: Logger): void {
  try {
    fn();
  } catch (err) {
    logger.error({ err }, 'change listener failed');
  }
}
