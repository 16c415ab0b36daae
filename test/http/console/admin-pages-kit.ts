/** Former names of the console's browser helpers, kept for tests written against them: console-fixture.ts holds them all. */
export { ARTIFACTS, CHROMIUM, csrfOf, expectAccessible, focused, launch, newPage, postForm, shots, signIn, submit } from './console-fixture.js';
