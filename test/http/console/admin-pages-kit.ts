import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * What the settings, audit and profile page tests share: Debian's Chromium through
 * playwright-core, signing in through the console's own form, submitting forms the way a person
 * does, screenshots at 1280 and 390 px in test-artifacts/console/, and an axe-core scan.
 */
export const CHROMIUM = process.env['PGDIR_CHROMIUM'] ?? '/usr/bin/chromium';
export const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/console/', import.meta.url));
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function launch(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 60_000 });
}

/** A fresh browser profile; every CSP violation the page reports is collected in `violations`. */
export async function newPage(browser: Browser, width = 1280): Promise<{ context: BrowserContext; page: Page; violations: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return { context, page, violations };
}

/** Clicks a form's button and waits for the answer page; returns its HTTP status (after redirects). */
export async function submit(page: Page, button: string | RegExp): Promise<number> {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('button', { name: button, exact: typeof button === 'string' }).first().click(),
  ]);
  return response?.status() ?? 0;
}

/** Signs in through the console's sign-in form. */
export async function signIn(page: Page, base: string, identifier: string, password: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('Username or email').fill(identifier);
  await page.getByLabel('Password').fill(password);
  await submit(page, 'Sign in');
}

/** Screenshots of the current page at 1280 px and at 390 px (a phone), full length. */
export async function shots(page: Page, name: string): Promise<void> {
  const before = page.viewportSize() ?? { width: 1280, height: 900 };
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    // At 390 px nothing may overflow sideways (the tables scroll inside their own box).
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow, `${name} at ${width}px scrolls sideways`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize(before);
}

interface AxeResult {
  readonly violations: readonly { id: string; impact: string | null; help: string; nodes: readonly { target: unknown }[] }[];
}

/** axe-core (WCAG 2.x A/AA rules) on the current page: no serious or critical violation. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (no inline script needed).
  await page.evaluate(AXE);
  const result = (await page.evaluate(() => (globalThis as unknown as { axe: { run(o: object): Promise<unknown> } }).axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }))) as AxeResult;
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  expect(bad, `axe on ${name}`).toEqual([]);
}

/** The CSRF token of the signed-in page (the hidden field every form carries). */
export const csrfOf = (page: Page): Promise<string> => page.locator('input[name="_csrf"]').first().inputValue();

/** A POST from the page's own origin with its session cookie, as a forged or scripted form would send it. */
export async function postForm(page: Page, path: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await page.request.post(path, { form: fields, maxRedirects: 0 });
  return { status: res.status(), text: await res.text() };
}

/** The focused element's id, text and outline (strings evaluated in the page: the tests have no DOM types). */
export const focused = (page: Page) =>
  page.evaluate<{ id: string; text: string; outline: string }>(
    '({ id: document.activeElement?.id ?? "", text: document.activeElement?.textContent ?? "", outline: getComputedStyle(document.activeElement).outlineStyle })',
  );
