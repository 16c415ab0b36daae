import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { StoreMode } from '../../helpers/databases.js';
import { PASSWORD, startApi, type Api } from '../http-fixture.js';

/**
 * The one set-up every console browser test shares: Debian's Chromium through playwright-core,
 * the API on a real store, a fresh browser profile per test whose CSP violations fail the test,
 * signing in through the console's own form, screenshots at 1280 and 390 px into
 * test-artifacts/console/, and an axe-core scan. `useConsoleBrowser` registers the hooks.
 */
export const CHROMIUM = process.env['PGDIR_CHROMIUM'] ?? '/usr/bin/chromium';
export const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/console/', import.meta.url));
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function launch(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 60_000 });
}

export interface OpenPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every CSP violation the page reported (there must be none). */
  readonly violations: string[];
}

/** A fresh browser profile; `javaScriptEnabled: false` for the no-JavaScript paths. */
export async function newPage(browser: Browser, width = 1280, options: { javaScriptEnabled?: boolean } = {}): Promise<OpenPage> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, ...options });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
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

/** Clicks a submit button; returns the status of the POST itself (a 303 stays a 303) once the next page loaded. */
export async function submitPost(page: Page, name: string): Promise<number> {
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest());
  const loaded = page.waitForEvent('load');
  await page.getByRole('button', { name, exact: true }).click();
  const status = (await answer).status();
  await loaded;
  return status;
}

/** Signs in through the console's sign-in form; returns the final status. */
export async function signIn(page: Page, base: string, identifier: string, password = PASSWORD): Promise<number> {
  await page.goto(`${base}/`);
  await page.getByLabel('Username or email').fill(identifier);
  await page.getByLabel('Password').fill(password);
  return submitPost(page, 'Sign in');
}

/** Screenshots of the current page at 1280 px and at 390 px (a phone), full length; nothing may scroll sideways. */
export async function shots(page: Page, name: string): Promise<void> {
  const before = page.viewportSize() ?? { width: 1280, height: 900 };
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow, `${name} at ${width}px scrolls sideways`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize(before);
}

interface AxeResult {
  readonly violations: readonly { id: string; impact: string | null; help: string; nodes: readonly { target: unknown }[] }[];
}

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/**
 * axe-core on the current page: no serious or critical violation. Evaluated through the DevTools
 * protocol, which the page's CSP does not govern, so the page keeps its real CSP. `all`: every
 * rule axe runs by default; otherwise the WCAG 2.x A/AA and best-practice rules.
 */
export async function expectAccessible(page: Page, name: string, rules: 'all' | 'wcag' = 'wcag'): Promise<void> {
  await page.evaluate(AXE);
  const options = rules === 'all' ? {} : { runOnly: WCAG };
  const result = (await page.evaluate((o) => (globalThis as unknown as { axe: { run(o: object): Promise<unknown> } }).axe.run(o), options)) as AxeResult;
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  expect(bad, `axe on ${name}`).toEqual([]);
}

/** What every console page gets: the axe scan (every default rule) and both screenshots. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await expectAccessible(page, name, 'all');
  await shots(page, name);
}

/** The CSRF token of the signed-in page (the hidden field every form carries). */
export const csrfOf = (page: Page): Promise<string> => page.locator('input[name="_csrf"]').first().inputValue();

/** A POST from the page's own origin with its session cookie, as a forged or scripted form would send it. */
export async function postForm(page: Page, path: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await page.request.post(path, { form: fields, maxRedirects: 0 });
  return { status: res.status(), text: await res.text() };
}

/** The focused element's id, text and outline. */
export const focused = (page: Page) =>
  page.evaluate<{ id: string; text: string; outline: string }>(
    '({ id: document.activeElement?.id ?? "", text: document.activeElement?.textContent ?? "", outline: getComputedStyle(document.activeElement).outlineStyle })',
  );

let fileBrowser: Browser | undefined;

/**
 * Call at a test file's top level when it has several `useConsoleBrowser` blocks (such as one per
 * store): they then share one Chromium instead of launching one each (a launch costs seconds on a
 * loaded machine). Every test still gets its own browser profile.
 */
export function shareBrowser(): void {
  beforeAll(async () => {
    fileBrowser = await launch();
  }, 120_000);
  afterAll(async () => {
    await fileBrowser?.close();
    fileBrowser = undefined;
  }, 120_000);
}

export interface ConsoleBrowserOptions {
  readonly mode: StoreMode;
  /** How the API starts (default: startApi(mode)). */
  readonly start?: (mode: StoreMode) => Promise<Api>;
  /** Users and data the tests of the block share, made once after the API started. */
  readonly setup?: (api: Api) => Promise<void>;
  /** Screenshot names get this prefix (default: the store mode and a dash). */
  readonly prefix?: string;
  /** Fail a test on CSP violations (default true). */
  readonly checkCsp?: boolean;
}

export interface ConsoleBrowser {
  /** The API of the block (a test may replace it, such as with a new owner token). */
  api: Api;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Another browser profile for this test (closed after it, CSP checked like the main one). */
  open(options?: { javaScriptEnabled?: boolean; width?: number }): Promise<OpenPage>;
  /** Signs the main page in through the form; returns the status of the POST. */
  signIn(identifier: string, password?: string): Promise<number>;
  /** Axe scan plus screenshots of the main page, named with the prefix. */
  check(name: string): Promise<void>;
  /** Screenshots only. */
  shot(name: string): Promise<void>;
}

/**
 * Registers the hooks of a describe block: Chromium (unless the file shares one, `shareBrowser`)
 * and the API once, a fresh profile per test, and after each test: no CSP violation anywhere,
 * every profile closed.
 */
export function useConsoleBrowser(options: ConsoleBrowserOptions): ConsoleBrowser {
  let api: Api | undefined;
  let browser: Browser | undefined;
  let main: OpenPage | undefined;
  const extra: OpenPage[] = [];
  const prefix = options.prefix ?? `${options.mode.mode}-`;
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not ready (used outside a test?)`);
    return value;
  };
  let ownBrowser = false;
  beforeAll(async () => {
    ownBrowser = fileBrowser === undefined;
    browser = fileBrowser ?? (await launch());
    api = await (options.start ?? startApi)(options.mode);
    await options.setup?.(api);
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    if (ownBrowser) await browser?.close();
  }, 120_000);
  beforeEach(async () => {
    main = await newPage(need(browser, 'the browser'));
  }, 120_000);
  afterEach(async () => {
    const pages = [...(main === undefined ? [] : [main]), ...extra.splice(0)];
    main = undefined;
    for (const p of pages) await p.context.close();
    if (options.checkCsp !== false) expect(pages.flatMap((p) => p.violations)).toEqual([]);
  }, 120_000);
  return {
    get api() {
      return need(api, 'the API');
    },
    set api(value: Api) {
      api = value;
    },
    get browser() {
      return need(browser, 'the browser');
    },
    get context() {
      return need(main, 'the page').context;
    },
    get page() {
      return need(main, 'the page').page;
    },
    async open(o = {}) {
      const opened = await newPage(need(browser, 'the browser'), o.width ?? 1280, o.javaScriptEnabled === undefined ? {} : { javaScriptEnabled: o.javaScriptEnabled });
      extra.push(opened);
      return opened;
    },
    signIn: (identifier, password = PASSWORD) => signIn(need(main, 'the page').page, need(api, 'the API').base, identifier, password),
    check: (name) => checkPage(need(main, 'the page').page, `${prefix}${name}`),
    shot: (name) => shots(need(main, 'the page').page, `${prefix}${name}`),
  };
}
