/** The CLI's `--version`; the value lives in src/version.ts (shared by every edge). */
export { VERSION } from '../version.js';
