import { z } from 'zod';
import { actorLabel, type Actor } from '../../domain/actor.js';
import { DirectoryError } from '../../domain/errors.js';
import { assertMay } from '../../domain/permissions.js';
import type { ApiContext } from '../api-context.js';
import { defineRoute, type AnyRoute } from '../route.js';

const smtpView = z.object({
  configured: z.boolean(),
  locked: z.boolean().describe('set in the configuration file (smtp:)'),
  settings: z
    .object({ host: z.string(), port: z.int(), secure: z.boolean(), username: z.string().nullable(), hasPassword: z.boolean(), from: z.string(), publicUrl: z.string().nullable() })
    .nullable(),
});

export const smtpBody = z.strictObject({
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  secure: z.boolean().describe('implicit TLS (465); otherwise STARTTLS when offered'),
  username: z.string().max(320).nullable().optional(),
  password: z.string().max(1024).nullable().optional().describe('absent: keep the stored one; null: none'),
  from: z.string().trim().min(3).max(320).refine((v) => !/[\r\n]/.test(v), 'no line breaks'),
  publicUrl: z.url({ protocol: /^https?$/ }).max(500).nullable().optional().describe('base of links in mails; needed for "forgot password" mails'),
});

/** The test mail (settings.write): 409 when SMTP is not set up, 503 naming what the server said. */
export async function sendTestMail(api: ApiContext, actor: Actor, to: string): Promise<void> {
  assertMay(actor, 'settings.write');
  const mailer = await api.directory.lifecycle.mail.current();
  if (mailer === undefined) throw new DirectoryError('conflict', 'SMTP is not configured', { field: 'smtp' });
  const text = 'This is a test mail from pgdir: SMTP works.';
  await mailer.send({ to, subject: 'pgdir test mail', text, html: `<p>${text}</p>` }).catch((error: unknown) => {
    throw new DirectoryError('unavailable', `the mail could not be sent: ${(error as Error).message}`);
  });
}

/** SMTP through the API (the YAML `smtp:` mapping pins it). The password is never returned. */
export function smtpSettingsRoutes(api: ApiContext): AnyRoute[] {
  const { mail } = api.directory.lifecycle;
  const show = async () => {
    const settings = (await mail.read()) ?? null;
    return { configured: mail.pinned() || settings !== null, locked: mail.pinned(), settings };
  };
  return [
    defineRoute({
      method: 'GET', path: '/api/v1/settings/smtp', summary: 'The SMTP server for invite, reset and 2FA mails', tag: 'settings', auth: 'user', response: smtpView,
      handle: async ({ caller }) => {
        assertMay(caller.actor, 'settings.read');
        return { body: await show() };
      },
    }),
    defineRoute({
      method: 'PUT', path: '/api/v1/settings/smtp', summary: 'Set (or, with null, remove) the SMTP server', tag: 'settings', auth: 'user', body: smtpBody.nullable(), response: smtpView,
      handle: async ({ caller, body }) => {
        assertMay(caller.actor, 'settings.write');
        await mail.write(body, actorLabel(caller.actor));
        return { body: await show() };
      },
    }),
    defineRoute({
      method: 'POST', path: '/api/v1/settings/smtp/test', summary: 'Send a test mail to the given address', tag: 'settings', auth: 'user',
      body: z.strictObject({ to: z.email() }), status: 202, response: z.object({ sentTo: z.string() }),
      handle: async ({ caller, body }) => {
        await sendTestMail(api, caller.actor, body.to);
        return { status: 202, body: { sentTo: body.to } };
      },
    }),
  ];
}
