// Refuses an unsupported Node.js with one clear line instead of odd errors later.
// pgdir needs Node.js 22 or later (the current LTS line, 24, is what it is tested on).
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(
    `pgdir needs Node.js 22 or later; this is ${process.version} (${process.execPath}).\n` +
      'Install a current Node.js (24 LTS), e.g. from your distribution, nodejs.org, or the npm registry package ' +
      '`node` (npm install -g node@24). Inside this repository, `npm ci` installs Node 24 as a dev dependency and ' +
      'every npm script (npm test, npm start) runs on it.',
  );
  process.exit(1);
}
