import { conflict, DirectoryError } from '../../domain/errors.js';
import type { Mailer, MailerFactory } from './mailer.js';
import type { Store } from '../../store/store.js';
import { SettingKey } from '../settings/setting-keys.js';
import type { SecretBox } from '../../crypto/secret-box.js';

/** Setting key of the SMTP server set through the API (the YAML `smtp:` mapping wins). */
export const SMTP_SETTING = SettingKey.smtp;

export interface SmtpSettingsView {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly username: string | null;
  readonly hasPassword: boolean;
  readonly from: string;
  readonly publicUrl: string | null;
}

interface Stored extends Omit<SmtpSettingsView, 'hasPassword'> {
  /** Sealed with the data directory's key, like TOTP secrets: never stored or returned in clear. */
  readonly password: string | null;
}

export interface SmtpSettingsInput {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly username?: string | null | undefined;
  /** Absent: keep the stored one. */
  readonly password?: string | null | undefined;
  readonly from: string;
  readonly publicUrl?: string | null | undefined;
}

export interface MailSettings {
  /** The mailer to use now: the YAML's, else one from the stored settings, else none. */
  current(): Promise<Mailer | undefined>;
  pinned(): boolean;
  /** Base URL for links in mails; undefined: links use the requesting admin's address. */
  publicUrl(): Promise<string | undefined>;
  read(): Promise<SmtpSettingsView | undefined>;
  write(input: SmtpSettingsInput | null, actor: string): Promise<SmtpSettingsView | undefined>;
}

const view = (s: Stored): SmtpSettingsView => ({ host: s.host, port: s.port, secure: s.secure, username: s.username, hasPassword: s.password !== null, from: s.from, publicUrl: s.publicUrl ?? null });

/** Without a factory (tests that never store a server) a stored server cannot be used. */
const noFactory: MailerFactory = () => {
  throw new DirectoryError('internal', 'this process was started without a mail adapter');
};

export function createMailSettings(store: Store, box: SecretBox, yaml: Mailer | undefined, yamlPublicUrl?: string, make: MailerFactory = noFactory): MailSettings {
  const stored = () => store.getSetting<Stored>(SMTP_SETTING);
  return {
    async current() {
      if (yaml !== undefined) return yaml;
      const s = await stored();
      if (s === undefined) return undefined;
      const password = s.password === null ? undefined : await box.open(s.password);
      return make({ host: s.host, port: s.port, secure: s.secure, username: s.username ?? undefined, password, from: s.from, publicUrl: s.publicUrl ?? null });
    },
    pinned: () => yaml !== undefined,
    publicUrl: async () => (yaml !== undefined ? yamlPublicUrl : ((await stored())?.publicUrl ?? undefined))?.replace(/\/+$/, ''),
    read: async () => {
      const s = await stored();
      return s && view(s);
    },
    async write(input, actor) {
      if (yaml !== undefined) throw conflict('SMTP is set in the configuration file (smtp:); change it there', 'smtp');
      const before = await stored();
      const next: Stored | undefined =
        input === null
          ? undefined
          : {
              host: input.host,
              port: input.port,
              secure: input.secure,
              username: input.username ?? null,
              from: input.from,
              publicUrl: input.publicUrl ?? null,
              password: input.password === undefined ? (before?.password ?? null) : input.password === null ? null : await box.seal(input.password),
            };
      await store.write(async (tx) => {
        if (next === undefined) await tx.deleteSetting(SMTP_SETTING);
        else await tx.setSetting(SMTP_SETTING, next);
        await tx.appendAudit({ actor, action: 'settings.smtp', target: SMTP_SETTING, details: { after: next && view(next) } });
      });
      return next && view(next);
    },
  };
}
