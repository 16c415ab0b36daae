import { readFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

/** Debian's Chromium (test/setup.sh installs it) through playwright-core, as pages-browser.test.ts. */
export const CHROMIUM = process.env['PGDIR_CHROMIUM'] ?? '/usr/bin/chromium';
export const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/console/', import.meta.url));
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export async function launch(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 60_000 });
}

/** A fresh context that records every CSP violation the pages cause (there must be none). */
export async function openContext(browser: Browser): Promise<{ context: BrowserContext; page: Page; violations: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  return { context, page, violations };
}

/** The page at 1280 px and at 390 px wide, full length, into test-artifacts/console/. */
export async function shoot(page: Page, name: string): Promise<void> {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    // Nothing may stick out sideways on a phone (tables scroll inside their wrapper).
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    expect(overflow, `${name} at ${width} px scrolls sideways`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
}

/**
 * axe-core (the exact-pinned devDependency) run inside the page. It is evaluated through the
 * DevTools protocol, which the page's CSP does not govern, so the page keeps its real CSP.
 */
export async function axeScan(page: Page, name: string): Promise<void> {
  await page.evaluate(await readFile(AXE, 'utf8'));
  const result = (await page.evaluate(() => (globalThis as unknown as { axe: { run(): Promise<unknown> } }).axe.run())) as AxeResult;
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  expect(serious, `axe on ${name}`).toEqual([]);
}

/** Screenshots at both widths and the axe scan: what every console page gets. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await axeScan(page, name);
  await shoot(page, name);
}

/** Clicks a submit button and waits for the page the form leads to. */
export async function submit(page: Page, name: string): Promise<number> {
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest());
  const loaded = page.waitForEvent('load');
  await page.getByRole('button', { name, exact: true }).click();
  const status = (await answer).status();
  await loaded;
  return status;
}
