/**
 * pgdir's architecture rules (docs/architecture.md), checked by `npm run depcheck` inside `npm test`.
 *
 * Layers, innermost first: domain → store → directory → the edges (ldap, http, control, connector,
 * cli) → app (the composition root: the only place that wires edges together). Shared inner
 * modules: config, log, metrics, daemon (the contract a network service implements) and the root
 * files (src/version.ts). cli is the process entry: it starts app (`serve`) and reaches the daemon
 * through control (the control socket's client). Imports point inwards only; third-party protocol
 * and database libraries stay at their edge (kysely, pg, PGlite in store; ldapts in connector).
 */
const EDGES = ['ldap', 'http', 'control', 'connector', 'cli'];
const INNER = ['domain', 'crypto', 'store', 'directory', 'config', 'log', 'metrics', 'daemon'];

/** `src/<name>/…` or `src/<name>.ts`. */
const any = (names) => `^src/(${names.join('|')})(/|\\.ts$)`;

const RULES = [
  {
    name: 'no-circular',
    comment: 'An import cycle makes load order matter and hides which module owns what.',
    from: { path: '^src/' },
    to: { circular: true },
  },
  {
    name: 'domain-is-pure',
    comment: 'domain/ holds the model and the rules; it imports nothing of ours.',
    from: { path: any(['domain']) },
    to: { path: '^src/', pathNot: any(['domain']) },
  },
  {
    name: 'crypto-is-a-leaf',
    comment: 'crypto/ (bcrypt threads, secret box, TOTP) holds algorithms: it imports nothing of ours but domain/.',
    severity: 'error',
    from: { path: any(['crypto']) },
    to: { path: '^src/', pathNot: any(['crypto', 'domain']) },
  },
  {
    name: 'store-only-domain',
    comment: 'store/ persists the domain model; it knows nothing of use cases or protocols.',
    from: { path: any(['store']) },
    to: { path: '^src/', pathNot: any(['store', 'domain']) },
  },
  {
    name: 'directory-only-inner',
    comment: 'directory/ (the use cases) sees only the store, the domain, the config, and the shared metrics and log.',
    from: { path: any(['directory']) },
    to: { path: '^src/', pathNot: any(['directory', 'crypto', 'store', 'domain', 'config', 'metrics', 'log']) },
  },
  {
    name: 'inner-never-imports-edges',
    comment: 'Inner modules never import an edge, the mail adapter or the composition root.',
    from: { path: any(INNER) },
    to: { path: any([...EDGES, 'mail', 'app', 'tls']) },
  },
  ...EDGES.filter((edge) => edge !== 'cli').map((edge) => ({
    name: `${edge}-no-other-edge`,
    comment: `The edges never import each other or the root; app/ wires them together (${edge}).`,
    from: { path: any([edge]) },
    to: { path: any(EDGES.filter((e) => e !== edge).concat(['app'])) },
  })),
  {
    name: 'cli-no-other-edge',
    comment: 'The CLI starts app/ and talks to the daemon through control/; it never imports ldap, http or connector.',
    from: { path: any(['cli']) },
    to: { path: any(['ldap', 'http', 'connector']) },
  },
  {
    name: 'nothing-imports-cli',
    comment: 'cli/ is the process entry: nothing below it imports it.',
    from: { path: '^src/', pathNot: any(['cli']) },
    to: { path: any(['cli']) },
  },
  {
    name: 'database-libraries-in-store',
    comment: 'kysely, pg and PGlite are the store’s business alone.',
    from: { path: '^src/', pathNot: any(['store']) },
    to: { path: '^node_modules/(kysely|pg|pg-[^/]+|@electric-sql/pglite)/' },
  },
  {
    name: 'ldap-client-in-connector',
    comment: 'ldapts (an LDAP client) belongs to the connector; the server speaks LDAP with its own codec.',
    from: { path: '^src/', pathNot: any(['connector']) },
    to: { path: '^node_modules/ldapts/' },
  },
  {
    name: 'not-to-unresolvable',
    comment: 'Every import resolves (a typo is caught here, not at run time).',
    from: { path: '^src/' },
    to: { couldNotResolve: true },
  },
];

module.exports = {
  forbidden: RULES.map((rule) => ({ severity: 'error', ...rule })),
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^(src|node_modules)/',
    // Type-only imports count: a type import between edges couples them as much as a value import.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
