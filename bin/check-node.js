// Refuses an unsupported Node.js with one clear line instead of odd errors later.
// pgdir needs Node.js 22 or later (the current LTS line, 24, is what it is tested on).
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(
    `pgdir needs Node.js 22 or later, but this is ${process.version} (${process.execPath}): install Node.js 24 LTS ` +
      '(nodejs.org, your distribution, or the npm package: npm install --prefix /opt/node24 node@24); ' +
      'in a clone of pgdir, npm ci (without --ignore-scripts) brings Node 24 for the npm scripts.',
  );
  process.exit(1);
}
