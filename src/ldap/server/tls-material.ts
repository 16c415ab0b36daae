import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContext } from 'node:tls';

/** Where the server certificate comes from: PEM files (re-read on reload) or PEM in memory. */
export type TlsSource =
  | { readonly certFile: string; readonly keyFile: string }
  | { readonly cert: Buffer | string; readonly key: Buffer | string };

/**
 * Holds the current TLS context. New handshakes (ldaps accept, StartTLS) take `current()`;
 * connections already established keep the context they were made with, so a reload never drops
 * anyone (DESIGN §10, SIGHUP).
 */
export class TlsMaterial {
  private context: SecureContext | undefined;

  constructor(private readonly source: TlsSource) {}

  /** Loads (or re-loads) the certificate and key; on any failure the previous context stays. */
  async load(): Promise<void> {
    const { cert, key, origin } = await this.read();
    try {
      // createSecureContext checks that the key matches the certificate.
      this.context = createSecureContext({ cert, key, minVersion: 'TLSv1.2' });
    } catch (e) {
      throw new Error(`TLS certificate/key from ${origin} rejected: ${(e as Error).message}`, { cause: e });
    }
  }

  current(): SecureContext {
    if (this.context === undefined) throw new Error('TLS material not loaded');
    return this.context;
  }

  private async read(): Promise<{ cert: Buffer | string; key: Buffer | string; origin: string }> {
    if ('cert' in this.source) return { cert: this.source.cert, key: this.source.key, origin: 'configuration' };
    const { certFile, keyFile } = this.source;
    try {
      const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
      return { cert, key, origin: `${certFile} and ${keyFile}` };
    } catch (e) {
      throw new Error(`cannot read TLS certificate/key: ${(e as Error).message}`, { cause: e });
    }
  }
}
