import { escapeHtml } from '../domain/escape-html.js';
import type { MailMessage } from '../directory/lifecycle/mailer.js';


const when = (date: Date): string => date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

function linkMail(to: string, subject: string, intro: string, action: string, link: string, expiresAt: Date): MailMessage {
  const outro = `The link works once, until ${when(expiresAt)}. If you did not expect this mail, ignore it.`;
  return {
    to,
    subject,
    text: `${intro}\n\n${action}:\n${link}\n\n${outro}\n`,
    html: `<!doctype html><html><body><p>${escapeHtml(intro)}</p><p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p><p>${escapeHtml(outro)}</p></body></html>`,
  };
}

/** The mails of the account lifecycle (DESIGN §7), each with a plain-text and an HTML body. */
export const lifecycleMails = {
  invite: (to: string, link: string, expiresAt: Date): MailMessage =>
    linkMail(to, 'You are invited to pgdir', 'An account was created for you.', 'Choose your username and password', link, expiresAt),
  reset: (to: string, link: string, expiresAt: Date): MailMessage =>
    linkMail(to, 'Reset your pgdir password', 'Someone asked to reset the password of your account.', 'Set a new password', link, expiresAt),
  registration: (to: string, link: string, expiresAt: Date): MailMessage =>
    linkMail(to, 'Finish creating your pgdir account', 'Someone asked to create an account with this address.', 'Choose your username and password', link, expiresAt),
  totpDisabled: (to: string, username: string): MailMessage => {
    const text = `Two-factor authentication was turned off for the account ${username}. If this was not you, tell your administrator.`;
    return { to, subject: 'Two-factor authentication was turned off', text: `${text}\n`, html: `<!doctype html><html><body><p>${escapeHtml(text)}</p></body></html>` };
  },
};
