import type { Browser } from 'playwright-core';
import { checkPage, expectAccessible, newPage, shots, type OpenPage } from './console-fixture.js';

/** Former names of the console's browser helpers, kept for tests written against them: console-fixture.ts holds them all. */
export { ARTIFACTS, CHROMIUM, checkPage, launch, submitPost as submit } from './console-fixture.js';
export const openContext = (browser: Browser): Promise<OpenPage> => newPage(browser);
export const shoot = shots;
export const axeScan = (page: Parameters<typeof checkPage>[0], name: string): Promise<void> => expectAccessible(page, name, 'all');
